"""The national comparison (/national/): who sees it, what it shows, and the sharing rule.

The sharing rule is proven by planting unique values and a unique name in an organisation that does
not share, then searching every response the national view can give (pages, fragments, chart JSON,
CSV and XLSX exports, each peer choice, each template) for any rendering of them.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import IndicatorTemplate
from indicators.national import per_capita
from organisations.models import Membership, Organisation, Region, Role, User
from tests.factories import make_member, make_organisation, make_user
from tests.impact.conftest import assert_fragment, htmx
from tests.indicators.indicator_factories import add_values, make_indicator, make_template

URL = reverse("national:comparison")
EXPORT = reverse("national:export")
HIDDEN_NAME = "Piilola-HIDDEN-9c1e"
HIDDEN_VALUE = Decimal("987654.321")
HIDDEN_POPULATION = 3


@dataclass
class Country:
    """Four municipalities in two regions; Piilola does not share, the others do."""

    association: Organisation
    north: Region
    south: Region
    own: Organisation  # Aakkosla: shares; its viewer uses the page
    near: Organisation  # Beetala: shares, same region, similar population
    far: Organisation  # Ceeala: shares, other region, much bigger
    hidden: Organisation  # Piilola: does not share
    share: IndicatorTemplate  # "%", higher is better
    people: IndicatorTemplate  # compared per capita
    viewer: User
    steward: User
    outsider: User  # a member of Piilola only


def _org(name: str, *, region: Region, population: int, shares: bool) -> Organisation:
    return make_organisation(name=name, region=region, population=population, shares_indicator_data=shares)


@pytest.fixture
def country(db: None) -> Country:
    association = make_organisation(name="Kuntaliitto", kind=Organisation.Kind.ASSOCIATION, slug="kl")
    north = Region.objects.create(code="91", name_fi="Pohjoinen")
    south = Region.objects.create(code="92", name_fi="Etelä")
    own = _org("Aakkosla", region=north, population=10000, shares=True)
    near = _org("Beetala", region=north, population=12000, shares=True)
    far = _org("Ceeala", region=south, population=90000, shares=True)
    hidden = _org(HIDDEN_NAME, region=north, population=HIDDEN_POPULATION, shares=False)
    share = make_template(code="share", name_fi="Osuus", unit="%")
    people = make_template(code="people", name_fi="Henkilöt", unit="persons", per_capita=True)
    rows: list[tuple[Organisation, dict[int, float | str | None], dict[int, float | str | None]]] = [
        (own, {2023: "40", 2024: "42"}, {2024: "50"}),  # 5 per 1,000
        (near, {2023: "30", 2024: "35"}, {2024: "240"}),  # 20 per 1,000
        (far, {2024: "60"}, {2024: "900"}),  # 10 per 1,000
        (hidden, {2023: str(HIDDEN_VALUE), 2024: str(HIDDEN_VALUE)}, {2024: str(HIDDEN_VALUE)}),
    ]
    for organisation, share_values, people_values in rows:
        add_values(make_indicator(organisation=organisation, template=share), share_values)
        add_values(make_indicator(organisation=organisation, template=people), people_values)
    viewer = make_member(organisation=own, role=Role.VIEWER, user=make_user(language="en"))
    steward = make_member(organisation=association, role=Role.STEWARD, user=make_user(language="en"))
    outsider = make_member(organisation=hidden, role=Role.ADMIN, user=make_user(language="en"))
    return Country(
        association, north, south, own, near, far, hidden, share, people, viewer, steward, outsider
    )


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _ranked_names(html: str) -> list[str]:
    table = html.split('id="ranking-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<th scope="row"><span lang="\w+">([^<]+)</span>', table)


# --- what the page shows --------------------------------------------------------------------------


def test_a_member_of_a_sharing_organisation_sees_the_ranking_with_its_own_highlighted(
    country: Country,
) -> None:
    response = _client(country.viewer).get(URL, {"template": "share"})
    assert response.status_code == 200
    assert response.template_name == "impact/national.html"  # type: ignore[attr-defined]
    html = response.content.decode()
    assert _ranked_names(html) == ["Ceeala", "Aakkosla", "Beetala"]  # 60, 42, 35
    assert '<tr class="own">' in html and "(your organisation)" in html
    assert "rank 2 of 3" in html
    # Adoption is a plain total of all four; three share.
    summary = html.split('class="national-summary"', 1)[1].split("</dl>", 1)[0]
    assert re.findall(r"<dd>(\d+)", summary)[:3] == ["4", "3", "3"]
    # The distribution table: [35, 42, 60] → min 35, Q1 38.5, median 42, Q3 51, max 60; own 42.
    distribution = html.split('id="distribution-table"', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", distribution)
    assert cells == ["3", "35", "38.5", "42", "51", "60", "42"]
    # The trend: 2023 [30, 40] and 2024 [35, 42, 60].
    trend = html.split('id="trend-table"', 1)[1].split("</table>", 1)[0]
    rows = [re.findall(r">([^<]*)</t[hd]>", row) for row in trend.split("<tr>")[2:]]
    assert rows == [["2023", "2", "32.5", "35", "37.5", "40"], ["2024", "3", "38.5", "42", "51", "42"]]
    assert 'id="chart-national-distribution"' in html and 'id="chart-national-trend"' in html
    assert (
        "'unsafe-inline'" not in response["Content-Security-Policy"].split("script-src", 1)[1].split(";")[0]
    )


def test_per_capita_template_ranks_per_thousand_residents(country: Country) -> None:
    html = _client(country.viewer).get(URL, {"template": "people"}).content.decode()
    assert _ranked_names(html) == ["Beetala", "Ceeala", "Aakkosla"]  # 20, 10, 5 per 1,000
    table = html.split('id="ranking-table"', 1)[1].split("</table>", 1)[0]
    assert "Per 1,000 residents" in table
    assert re.findall(r'<td class="number">([^<]+)</td>', table) == [
        "240", "20.00", "900", "10.00", "50", "5.00",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"peers": "all"}, ["Ceeala", "Aakkosla", "Beetala"]),
        ({"peers": "region"}, ["Aakkosla", "Beetala"]),
        ({"peers": "population"}, ["Aakkosla", "Beetala"]),  # 5,000–20,000 residents
        ({"peers": "chosen", "chosen": ["ceeala"]}, ["Ceeala", "Aakkosla"]),
        ({"peers": "chosen", "chosen": ["piilola"]}, ["Aakkosla"]),  # not sharing: cannot be chosen
    ],
)
def test_peers(country: Country, params: dict[str, Any], expected: list[str]) -> None:
    Organisation.objects.filter(pk=country.far.pk).update(slug="ceeala")
    Organisation.objects.filter(pk=country.hidden.pk).update(slug="piilola")
    html = _client(country.viewer).get(URL, {"template": "share", **params}).content.decode()
    assert _ranked_names(html) == expected


def test_a_filter_change_answers_with_the_results_fragment(country: Country) -> None:
    response = _client(country.viewer).get(URL, {"template": "share", "peers": "region"}, headers=htmx())
    assert_fragment(response, "national-results")
    html = response.content.decode()
    assert 'hx-swap-oob="innerHTML"' in html and "2 organisations compared" in html
    assert _ranked_names(html) == ["Aakkosla", "Beetala"]


def test_the_steward_sees_every_sharing_organisation_and_no_own_highlight(country: Country) -> None:
    html = _client(country.steward).get(URL, {"template": "share"}).content.decode()
    assert _ranked_names(html) == ["Ceeala", "Aakkosla", "Beetala"]
    assert "(your organisation)" not in html
    assert 'value="region"' not in html  # no own organisation to take a region from


def test_the_default_template_is_the_one_most_organisations_share(country: Country) -> None:
    make_template(code="unused", name_fi="Käyttämätön")
    html = _client(country.viewer).get(URL).content.decode()
    # "Henkilöt" and "Osuus" both have three sharing organisations: the first by name wins.
    assert '<option value="people" selected lang="fi">' in html
    make_indicator(organisation=make_organisation(shares_indicator_data=True), template=country.share)
    html = _client(country.viewer).get(URL).content.decode()
    assert '<option value="share" selected lang="fi">' in html
    assert "Käyttämätön (0 sharing organisations)" in html


def test_an_organisation_without_values_is_told_so(country: Country) -> None:
    make_template(code="empty", name_fi="Tyhjä")
    html = _client(country.viewer).get(URL, {"template": "empty"}).content.decode()
    assert "has recorded a value for this indicator yet" in html
    assert "Aakkosla has no value for this indicator yet" in html


def test_a_member_of_two_sharing_organisations_chooses_which_to_compare(country: Country) -> None:
    Membership.objects.create(user=country.viewer, organisation=country.far, role=Role.VIEWER)
    client = _client(country.viewer)
    html = client.get(URL, {"template": "share"}).content.decode()
    assert 'name="org"' in html and "<select" in html.split('name="org"', 1)[0][-200:]
    own = html.split('<tr class="own">', 1)[1].split("</tr>", 1)[0]
    assert "Aakkosla" in own  # the first by name
    html = client.get(URL, {"template": "share", "org": country.far.slug, "peers": "region"}).content.decode()
    assert _ranked_names(html) == ["Ceeala"]  # alone in its region
    assert "Ceeala" in html.split('<tr class="own">', 1)[1].split("</tr>", 1)[0]


def test_one_cannot_compare_as_an_organisation_one_is_not_a_member_of(country: Country) -> None:
    html = _client(country.viewer).get(URL, {"template": "share", "org": country.far.slug}).content.decode()
    assert "Aakkosla" in html.split('<tr class="own">', 1)[1].split("</tr>", 1)[0]
    assert html.count('<tr class="own">') == 1


# --- who may open it ------------------------------------------------------------------------------


def test_a_member_of_an_organisation_that_does_not_share_gets_403_with_the_reason(
    country: Country,
) -> None:
    client = _client(country.outsider)
    for url in (URL, EXPORT):
        response = client.get(url)
        assert response.status_code == 403
        assert "organisations that share their indicator data" in response.content.decode()
    assert reverse("national:comparison") not in client.get(reverse("start")).content.decode()


def test_the_header_links_to_the_national_view_for_those_who_may_open_it(country: Country) -> None:
    for user in (country.viewer, country.steward):
        assert f'href="{URL}"' in _client(user).get(reverse("start")).content.decode()


def test_anonymous_is_sent_to_sign_in(country: Country) -> None:
    for url in (URL, EXPORT):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_only_get(country: Country) -> None:
    assert _client(country.viewer).post(URL).status_code == 405


def test_switching_sharing_off_takes_effect_on_the_next_request(country: Country) -> None:
    admin = make_member(organisation=country.own, role=Role.ADMIN, user=make_user(language="en"))
    admin_client = _client(admin)
    viewer, steward = _client(country.viewer), _client(country.steward)
    assert "Aakkosla" in _ranked_names(steward.get(URL, {"template": "share"}).content.decode())
    settings_url = reverse("organisations:settings", args=[country.own.slug])
    page = admin_client.get(settings_url).content.decode()
    assert "What sharing indicator data means" in page and "Sharing is on." in page

    version = Organisation.objects.get(pk=country.own.pk).version
    response = admin_client.post(settings_url, {"content_language": "fi", "version": version})
    assert response.status_code == 302
    assert not Organisation.objects.get(pk=country.own.pk).shares_indicator_data
    assert viewer.get(URL).status_code == 403
    html = steward.get(URL, {"template": "share"}).content.decode()
    assert _ranked_names(html) == ["Ceeala", "Beetala"]
    assert "Aakkosla" not in html and "42" not in _ranked_names(html)
    assert "Sharing is off." in admin_client.get(settings_url).content.decode()

    version = Organisation.objects.get(pk=country.own.pk).version
    admin_client.post(
        settings_url, {"content_language": "fi", "shares_indicator_data": "on", "version": version}
    )
    assert viewer.get(URL).status_code == 200
    assert "Aakkosla" in _ranked_names(steward.get(URL, {"template": "share"}).content.decode())


def test_a_viewer_cannot_switch_sharing(country: Country) -> None:
    settings_url = reverse("organisations:settings", args=[country.own.slug])
    response = _client(country.viewer).post(settings_url, {"content_language": "fi", "version": 1})
    assert response.status_code == 403
    assert Organisation.objects.get(pk=country.own.pk).shares_indicator_data


# --- the sharing rule: nothing of Piilola anywhere -------------------------------------------------


def _renderings(number: Decimal) -> list[str]:
    """The ways a page, JSON or a spreadsheet could write the number's whole part."""
    whole = str(int(number))
    groups = f"{int(number):,}"
    return [whole] + [groups.replace(",", sep) for sep in (",", " ", "\u00a0", "\u202f", ".")]


def _hidden_strings() -> list[str]:
    derived = per_capita(HIDDEN_VALUE, HIDDEN_POPULATION)
    assert derived is not None
    return [HIDDEN_NAME, "Piilola", *_renderings(HIDDEN_VALUE), *_renderings(derived)]


def _xlsx_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        return "".join(book.read(name).decode() for name in book.namelist() if name.endswith(".xml"))


def test_values_of_an_organisation_that_does_not_share_never_appear(country: Country) -> None:
    Organisation.objects.filter(pk=country.hidden.pk).update(slug="piilola")
    Organisation.objects.filter(pk=country.near.pk).update(slug="beetala")
    forbidden = _hidden_strings()
    checked = 0
    for user in (country.viewer, country.steward):
        client = _client(user)
        for template in ("share", "people"):
            for params in (
                {"peers": "all"},
                {"peers": "region"},  # Piilola is in Aakkosla's region
                {"peers": "population"},
                {"peers": "chosen", "chosen": ["piilola", "beetala"]},
            ):
                query = {"template": template, **params}
                bodies = [
                    client.get(URL, query).content.decode(),
                    client.get(URL, query, headers=htmx()).content.decode(),
                    client.get(EXPORT, {**query, "format": "csv"}).content.decode("utf-8-sig"),
                    _xlsx_text(client.get(EXPORT, {**query, "format": "xlsx"}).content),
                ]
                for body in bodies:
                    assert "Beetala" in body, query  # the responses do hold data
                    for text in forbidden:
                        assert text not in body, (user.username, query, text)
                    checked += 1
    assert checked == 64


def test_the_chart_json_holds_only_sharing_organisations(country: Country) -> None:
    html = _client(country.steward).get(URL, {"template": "share"}).content.decode()
    blocks = re.findall(r'<script id="chart-national-[a-z]+" type="application/json">(.*?)</script>', html)
    assert len(blocks) == 2
    assert "Ceeala" in blocks[0] and "60.0" in blocks[0]
    assert not any(text in block for block in blocks for text in _hidden_strings())


# --- exports ----------------------------------------------------------------------------------------


def test_export_csv_is_the_ranked_table_and_escapes_formulas(country: Country) -> None:
    Organisation.objects.filter(pk=country.far.pk).update(name_fi="=HYPERLINK(1)")
    response = _client(country.viewer).get(EXPORT, {"template": "people", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="national-people-' in response["Content-Disposition"]
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Rank;Organisation;Year;Value;Preliminary;Compared value")
    assert lines[1:] == [
        "1;Beetala;2024;240;;20;",
        "2;'=HYPERLINK(1);2024;900;;10;",
        "3;Aakkosla;2024;50;;5;yes",
    ]


def test_export_xlsx_has_the_ranking_and_the_trend(country: Country) -> None:
    from openpyxl import load_workbook

    response = _client(country.viewer).get(EXPORT, {"template": "share", "format": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Latest values", "Trend"]
    ranking = [row for row in book["Latest values"].iter_rows(min_row=4, values_only=True)]
    assert [(row[0], row[1], row[3]) for row in ranking] == [
        (1, "Ceeala", 60),
        (2, "Aakkosla", 42),
        (3, "Beetala", 35),
    ]
    trend = [row for row in book["Trend"].iter_rows(min_row=4, values_only=True)]
    assert [row[:5] for row in trend] == [(2023, 2, 32.5, 35, 37.5), (2024, 3, 38.5, 42, 51)]


# --- query counts ----------------------------------------------------------------------------------


def _queries(client: Client, url: str, params: dict[str, Any], **extra: Any) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params, **extra)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_query_counts_do_not_grow_with_organisations_and_values(country: Country) -> None:
    client = _client(country.viewer)
    cases: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
        (URL, {"template": "share"}, {}),
        (URL, {"template": "share", "peers": "region"}, {"headers": htmx()}),
        (EXPORT, {"template": "people", "format": "csv"}, {}),
    ]
    before = [_queries(client, url, params, **extra) for url, params, extra in cases]
    for n in range(25):
        organisation = _org(f"Lisäkunta {n}", region=country.north, population=5000 + n, shares=n % 3 != 0)
        add_values(
            make_indicator(organisation=organisation, template=country.share),
            {year: str(n + year - 2000) for year in range(2015, 2025)},
        )
        add_values(make_indicator(organisation=organisation, template=country.people), {2024: str(n)})
        make_template(code=f"more-{n}", name_fi=f"Lisämittari {n}")
    after = [_queries(client, url, params, **extra) for url, params, extra in cases]
    assert after == before
    assert len(_ranked_names(client.get(URL, {"template": "share"}).content.decode())) > 3 + 10


# --- the demo ----------------------------------------------------------------------------------------


def test_the_demo_peers_share_adopt_and_load_twice_without_change(db: None) -> None:
    from indicators.library import load_indicator_library
    from indicators.models import Observation
    from indicators.national_demo import GENERATORS, PEER_SLUGS, demo_values, load_demo_national
    from organisations.demo import DEMO_PEERS, load_demo_organisations

    make_organisation(name="Suomen Kuntaliitto", kind=Organisation.Kind.ASSOCIATION, slug="kuntaliitto")
    load_indicator_library()
    load_demo_organisations()
    created = load_demo_national()
    assert created > 0
    peers = Organisation.objects.filter(slug__in=PEER_SLUGS)
    assert peers.count() == len(DEMO_PEERS) == 7
    assert all(o.is_demo and o.code in {"990", "991", "993", "994", "995", "996", "997"} for o in peers)
    sharing = set(Organisation.objects.filter(shares_indicator_data=True).values_list("slug", flat=True))
    assert sharing == {"kaarnala", "naapurila"} | set(PEER_SLUGS) - {"honkavaara"}
    values = Observation.objects.filter(indicator__organisation__in=peers)
    assert values.count() == created
    assert values.filter(indicator__template__code="statfin-m411").values("period").distinct().count() == 10
    before = sorted(
        values.values_list("indicator__organisation__slug", "indicator__template__code", "period", "value")
    )

    # Again: nothing new, nothing changed; a switched-off demo organisation is opted back in.
    Organisation.objects.filter(slug="harjula").update(shares_indicator_data=False)
    load_demo_organisations()
    assert load_demo_national() == 0
    assert Organisation.objects.get(slug="harjula").shares_indicator_data
    after = sorted(
        values.values_list("indicator__organisation__slug", "indicator__template__code", "period", "value")
    )
    assert after == before
    assert demo_values("aallokas", "statfin-m411", 4120) == demo_values("aallokas", "statfin-m411", 4120)
    assert set(GENERATORS) <= set(IndicatorTemplate.objects.values_list("code", flat=True))
