"""The pages of an organisation's indicators, as editors and viewers use them."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any, cast

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import Indicator, Observation, Target
from organisations.models import Organisation, Role, User
from tests.factories import make_member, make_organisation, make_user
from tests.indicators.indicator_factories import (
    add_target,
    add_values,
    make_indicator,
    make_template,
    publish_version,
)

HX = {"HX-Request": "true"}


def year(y: int) -> dt.date:
    return dt.date(y, 1, 1)


@pytest.fixture
def org(db: None) -> Organisation:
    return make_organisation(name="Kuusela", slug="kuusela")


@pytest.fixture
def editor(org: Organisation) -> User:
    return make_member(organisation=org, role=Role.EDITOR, user=make_user(language="en", name="Eero Editor"))


@pytest.fixture
def editor_client(client: Client, editor: User) -> Client:
    client.force_login(editor)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def viewer_client(org: Organisation) -> Client:
    client = Client()
    client.force_login(make_member(organisation=org, role=Role.VIEWER))
    client.cookies["django_language"] = "en"
    return client


def url(name: str, org: Organisation, *args: object) -> str:
    return reverse(f"indicators:{name}", args=[org.slug, *args])


def template_name(response: Any) -> str:
    return cast(str, response.template_name)


def assert_fragment(response: Any, partial: str) -> None:
    assert template_name(response).endswith(f"#{partial}"), response.template_name
    assert "<html" not in response.content.decode()
    assert "HX-Request" in response["Vary"]


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- the list ------------------------------------------------------------------------------------


def test_an_empty_list_says_how_to_start(editor_client: Client, org: Organisation) -> None:
    response = editor_client.get(url("list", org))
    assert response.status_code == 200
    assert template_name(response) == "indicators/indicator_list.html"
    body = text(response)
    assert "No indicators yet" in body
    assert url("adopt", org) in body and url("create", org) in body
    assert "import values from a file" in body


def test_the_list_shows_value_target_progress_and_status_in_words(
    editor_client: Client, org: Organisation
) -> None:
    good = make_indicator(organisation=org, name="Hyvä", baseline=(2019, 50), chain_level="outcome")
    add_values(good, {2019: 50, 2024: 61})
    add_target(good, 2029, 70)
    context = make_indicator(organisation=org, name="Väkiluku", baseline=(2019, 100), chain_level="context")
    add_values(context, {2025: 90}, status="preliminary")
    make_indicator(organisation=org, name="Uusi")  # nothing yet
    response = editor_client.get(url("list", org))
    body = text(response)
    words = re.sub(r"<[^>]+>", "", body)
    assert "61 (2024)" in words and "70 (2029)" in words and "55 %" in words
    assert 'status-on_track"><span class="status-dot" aria-hidden="true"></span>on track' in body
    assert "context only" in body and "90 (2025, preliminary)" in words
    assert "not yet measurable" in body and "no value yet" in body
    # Sorted by name the Finnish way.
    assert body.index("Hyvä") < body.index("Uusi") < body.index("Väkiluku")


def test_the_filters_work_in_the_url_and_as_an_htmx_fragment(
    editor_client: Client, org: Organisation
) -> None:
    make_indicator(organisation=org, name="Väkiluku", chain_level="context")
    make_indicator(organisation=org, name="Hankkeet", chain_level="output")
    response = editor_client.get(url("list", org), {"chain_level": "context"}, headers=HX)
    assert_fragment(response, "indicator-table")
    assert "Väkiluku" in text(response) and "Hankkeet" not in text(response)
    by_status = editor_client.get(url("list", org), {"status": "not_measurable"})
    assert "Hankkeet" in text(by_status) and "Väkiluku" not in text(by_status)
    none = editor_client.get(url("list", org), {"status": "on_track"})
    assert "No indicator matches these filters" in text(none)
    # The filter form pushes its values into the URL, so a link or a reload keeps them.
    assert 'hx-push-url="true"' in text(editor_client.get(url("list", org)))
    # A history restore gets the whole page.
    restore = editor_client.get(url("list", org), headers={**HX, "HX-History-Restore-Request": "true"})
    assert template_name(restore) == "indicators/indicator_list.html"


def test_the_list_marks_an_updated_template(editor_client: Client, org: Organisation) -> None:
    template = make_template(name_fi="Väkiluku")
    make_indicator(organisation=org, template=template)
    assert "template updated" not in text(editor_client.get(url("list", org)))
    publish_version(template, unit="henkilöä")
    assert "template updated" in text(editor_client.get(url("list", org)))


def _many_indicators(org: Organisation, count: int) -> None:
    template = make_template()
    for n in range(count):
        indicator = make_indicator(
            organisation=org,
            name=f"Mittari {n}",
            template=template if n == 0 else None,
            baseline=(2015, n),
        )
        add_values(indicator, {y: n + y - 2015 for y in range(2015, 2025)})
        add_target(indicator, 2030, n + 30)
        add_target(indicator, 2025, n + 5, superseded_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_the_list_query_count_does_not_grow_with_indicators(
    editor_client: Client, org: Organisation, django_assert_num_queries: Any
) -> None:
    _many_indicators(org, 2)
    few = _queries(editor_client, url("list", org))
    Indicator.objects.filter(organisation=org).delete()
    _many_indicators(org, 40)  # 40 indicators × 10 values
    with django_assert_num_queries(few):
        response = editor_client.get(url("list", org))
    assert len(response.context["rows"]) == 40


# --- adopt and create ----------------------------------------------------------------------------


def test_the_library_search_updates_as_an_htmx_fragment(editor_client: Client, org: Organisation) -> None:
    make_template(code="statfin-m411", name_fi="Väkiluku")
    make_template(code="intl-eu-funding", name_fi="EU-rahoitus", chain_level="output")
    make_template(code="draft-one", name_fi="Luonnos", published=False)
    page = editor_client.get(url("adopt", org))
    assert template_name(page) == "indicators/indicator_adopt.html"
    assert "Väkiluku" in text(page) and "Luonnos" not in text(page)
    response = editor_client.get(url("adopt", org), {"q": "väki"}, headers=HX)
    assert_fragment(response, "template-results")
    assert "Väkiluku" in text(response) and "EU-rahoitus" not in text(response)
    by_level = editor_client.get(url("adopt", org), {"chain_level": "output"}, headers=HX)
    assert "EU-rahoitus" in text(by_level) and "Väkiluku" not in text(by_level)
    assert "No published template matches" in text(editor_client.get(url("adopt", org), {"q": "zzz"}))


def test_adopting_a_template_sets_baseline_responsible_and_first_target(
    editor_client: Client, org: Organisation, editor: User
) -> None:
    template = make_template(code="statfin-m411", name_fi="Väkiluku", unit="persons", chain_level="context")
    form_page = editor_client.get(url("adopt", org), {"template": "statfin-m411"})
    assert template_name(form_page) == "indicators/indicator_adopt_form.html"
    assert "the unit and direction cannot be changed here" in text(form_page)
    response = editor_client.post(
        url("adopt", org),
        {
            "template": "statfin-m411",
            "baseline_value": "61 840",
            "baseline_period": "2019",
            "responsible": editor.pk,
            "target_value": "65 000",
            "target_period": "2030",
        },
    )
    indicator = Indicator.objects.get(organisation=org)
    assert response.status_code == 302 and response["Location"] == url("detail", org, indicator.pk)
    assert indicator.template == template and indicator.template_version == 1
    assert (indicator.baseline_value, indicator.baseline_period) == (61840, year(2019))
    assert indicator.responsible == editor
    assert indicator.targets.get().value == 65000
    # The adopted indicator's unit and direction are not editable.
    edit = editor_client.get(url("edit", org, indicator.pk))
    assert set(edit.context["form"].fields) == {
        "baseline_value",
        "baseline_period",
        "responsible",
        "note",
        "version",
    }


def test_adopting_with_bad_input_keeps_what_was_typed(
    editor_client: Client, org: Organisation, editor: User
) -> None:
    make_template(code="t1")
    outsider = make_user()
    response = editor_client.post(
        url("adopt", org),
        {
            "template": "t1",
            "baseline_value": "1.234,5",
            "baseline_period": "vuosi",
            "responsible": outsider.pk,
            "target_value": "70",
            "target_period": "",
        },
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert set(form.errors) == {"baseline_value", "baseline_period", "responsible", "target_period"}
    assert "mixes a comma and a point" in form.errors["baseline_value"][0]
    assert form["baseline_value"].value() == "1.234,5"
    assert not Indicator.objects.exists()


def test_a_template_is_adopted_only_once(editor_client: Client, org: Organisation) -> None:
    template = make_template(code="t1")
    indicator = make_indicator(organisation=org, template=template)
    page = editor_client.get(url("adopt", org))
    assert url("detail", org, indicator.pk) in text(page)  # "already adopted: open the indicator"
    response = editor_client.post(url("adopt", org), {"template": "t1"})
    assert response.status_code == 422
    assert "already adopted" in text(response)


def test_creating_an_own_indicator_names_it_in_the_content_language(
    editor_client: Client, org: Organisation
) -> None:
    org.content_language = "sv"
    org.save()
    page = editor_client.get(url("create", org))
    assert "Name (in Swedish)" in text(page)
    response = editor_client.post(
        url("create", org),
        {
            "name": "Vänortsavtal med handlingsplan",
            "definition_text": "Andel av alla vänorter",
            "unit": "%",
            "direction": "higher",
            "chain_level": "output",
            "periodicity": "year",
            "data_lag_months": "1",
            "source": "manual",
            "baseline_value": "28,57",
            "baseline_period": "2019",
            "target_value": "100",
            "target_period": "2030",
        },
    )
    indicator = Indicator.objects.get(organisation=org)
    assert response.status_code == 302
    assert (indicator.name_sv, indicator.name_fi, indicator.template) == (
        "Vänortsavtal med handlingsplan",
        "",
        None,
    )
    assert indicator.baseline_value == Decimal("28.57")
    assert indicator.targets.get().period == year(2030)


def test_a_range_indicator_needs_both_bounds(editor_client: Client, org: Organisation) -> None:
    response = editor_client.post(
        url("create", org),
        {"name": "Lämpötila", "direction": "range", "range_low": "18", "chain_level": "outcome",
         "periodicity": "year", "data_lag_months": "0", "source": "manual"},
    )  # fmt: skip
    assert response.status_code == 422
    assert "both its low and its high bound" in text(response)


def test_two_editors_saving_the_same_version_get_a_conflict(
    editor_client: Client, org: Organisation, editor: User
) -> None:
    indicator = make_indicator(organisation=org, name="Hankkeet")
    data = {
        "name": "Hankkeet (uusi)", "unit": "projects", "direction": "higher", "chain_level": "output",
        "periodicity": "year", "data_lag_months": "0", "source": "manual", "version": "1",
    }  # fmt: skip
    assert editor_client.post(url("edit", org, indicator.pk), data).status_code == 302
    data["name"] = "Toisen editorin nimi"
    response = editor_client.post(url("edit", org, indicator.pk), data)
    assert response.status_code == 409
    assert "Someone else saved a change while you were editing" in text(response)
    assert response.context["form"]["name"].value() == "Toisen editorin nimi"
    indicator.refresh_from_db()
    assert indicator.name_fi == "Hankkeet (uusi)"


def test_a_viewer_reads_but_cannot_change(viewer_client: Client, org: Organisation) -> None:
    indicator = make_indicator(organisation=org, name="Hankkeet")
    assert viewer_client.get(url("list", org)).status_code == 200
    page = viewer_client.get(url("detail", org, indicator.pk))
    assert page.status_code == 200 and url("edit", org, indicator.pk) not in text(page)
    for name, args in [
        ("create", []),
        ("edit", [indicator.pk]),
        ("targets", [indicator.pk]),
        ("value", [indicator.pk]),
    ]:
        assert viewer_client.post(url(name, org, *args), {"name": "x"}).status_code == 403
    assert viewer_client.get(url("grid", org)).status_code == 403


def test_another_organisations_indicator_is_not_found(editor_client: Client, org: Organisation) -> None:
    """Through this organisation's own address, another's indicator looks exactly like a missing one."""
    other = make_indicator(organisation=make_organisation(name="Muu"), name="Salainen", baseline=(2019, 1))
    add_values(other, {2020: 2})
    before = list(Observation.objects.values()) + list(Indicator.objects.values())
    for name in ("detail", "edit", "targets", "value", "template"):
        assert editor_client.get(url(name, org, other.pk)).status_code in {404, 405}
        response = editor_client.post(
            url(name, org, other.pk),
            {
                "name": "x",
                "period": "2020",
                "value": "9",
                "status": "final",
                "version": "1",
                "action": "keep",
            },
        )
        assert response.status_code in {404, 405} and "Salainen" not in text(response)
    assert list(Observation.objects.values()) + list(Indicator.objects.values()) == before


# --- the indicator page --------------------------------------------------------------------------


def test_the_indicator_page_explains_status_and_draws_chart_and_table(
    editor_client: Client, org: Organisation, editor: User
) -> None:
    indicator = make_indicator(organisation=org, name="Työllisyys", baseline=(2019, 50), unit="%")
    add_values(indicator, {2019: 50, 2020: 52, 2021: 53, 2023: "55.5"}, updated_by=editor)
    add_values(indicator, {2024: 56}, status="preliminary")
    add_target(indicator, 2030, 70)
    response = editor_client.get(url("detail", org, indicator.pk))
    assert template_name(response) == "indicators/indicator_detail.html"
    body = text(response)
    assert "at risk" in body and "somewhat behind the straight path" in body
    assert "<summary>How is this computed?</summary>" in body
    assert "The trend forecasts" in body
    # The chart: a figure with a caption, its data in a json_script block, and the scripts that draw it.
    assert re.search(
        r'<figure class="chart">.*<script id="chart-\d+" type="application/json">.*<figcaption>', body
    )
    assert "vendor/plotly/plotly-cartesian.min.js" in body and "js/charts.js" in body
    figure = json.loads(
        re.search(
            r'<script id="chart-\d+" type="application/json">(.*?)</script>', response.content.decode(), re.S
        )[1]  # type: ignore[index]
    )
    assert figure["config"]["displaylogo"] is False
    # The data table has the same rows as the chart, from the baseline to the target.
    table = response.context["table"]
    assert [row["label"] for row in table] == [str(y) for y in range(2019, 2031)]
    assert table[5]["status"] == "preliminary" and table[-1]["target"] == "70"
    # Provenance and who recorded it.
    assert "typed in" in body and "Eero Editor" in body
    # Style rules plotly writes need the page's nonce; scripts keep the strict policy.
    csp = response["Content-Security-Policy"]
    assert re.search(r"style-src 'self' 'nonce-[^']+'", csp) and "unsafe-inline" not in csp


def test_a_page_without_chart_keeps_the_site_policy(editor_client: Client, org: Organisation) -> None:
    indicator = make_indicator(organisation=org, name="Uusi")
    response = editor_client.get(url("detail", org, indicator.pk))
    assert "No values, baseline or targets yet" in text(response)
    assert "plotly" not in text(response)
    assert "style-src 'self';" in response["Content-Security-Policy"]


def test_values_from_statistics_finland_carry_the_attribution(
    editor_client: Client, org: Organisation
) -> None:
    indicator = make_indicator(organisation=org, name="Väkiluku", chain_level="context")
    add_values(indicator, {2023: 100, 2024: 101}, source="statfin", provenance="kuntien_avainluvut_aikasarja")
    body = text(editor_client.get(url("detail", org, indicator.pk)))
    assert "Source: Statistics Finland (kuntien_avainluvut_aikasarja). Licence: CC BY 4.0." in body
    sotkanet = make_indicator(organisation=org, name="Työttömät", chain_level="context")
    add_values(sotkanet, {2024: 5}, source="sotkanet")
    assert "Source: THL / Sotkanet" in text(editor_client.get(url("detail", org, sotkanet.pk)))


def test_the_value_history_comes_from_the_audit_history(editor_client: Client, org: Organisation) -> None:
    indicator = make_indicator(organisation=org, name="Hankkeet", baseline=(2019, 1))
    value_url = url("value", org, indicator.pk)
    editor_client.post(value_url, {"period": "2024", "value": "5", "status": "preliminary", "version": "0"})
    editor_client.post(value_url, {"period": "2024", "value": "6", "status": "final", "version": "1"})
    history = editor_client.get(url("detail", org, indicator.pk)).context["history"]
    assert [(h.action, h.who, h.old, h.new) for h in history] == [
        ("changed", "Eero Editor", "5 (preliminary)", "6"),
        ("added", "Eero Editor", "", "5 (preliminary)"),
    ]


def test_template_update_shows_the_difference_and_can_be_accepted(
    editor_client: Client, org: Organisation
) -> None:
    template = make_template(name_fi="Vanha nimi", data_lag_months=3)
    indicator = make_indicator(organisation=org, template=template)
    publish_version(template, change_note="Viive tarkennettu", name_fi="Uusi nimi", data_lag_months=12)
    page = editor_client.get(url("detail", org, indicator.pk))
    body = text(page)
    assert "template updated" in body and "Viive tarkennettu" in body
    changes = {row.field: (row.old, row.new) for row in page.context["template_update"].changes}
    assert changes == {"Name in Finnish": ("Vanha nimi", "Uusi nimi"), "Data lag (months)": ("3", "12")}
    response = editor_client.post(
        url("template", org, indicator.pk), {"action": "accept", "version": str(indicator.version)}
    )
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert (indicator.name_fi, indicator.template_version) == ("Uusi nimi", 2)
    assert "template updated" not in text(editor_client.get(url("detail", org, indicator.pk)))


def test_keeping_the_current_version_hides_the_update(editor_client: Client, org: Organisation) -> None:
    template = make_template(name_fi="Vanha nimi")
    indicator = make_indicator(organisation=org, template=template)
    publish_version(template, name_fi="Uusi nimi")
    editor_client.post(url("template", org, indicator.pk), {"action": "keep", "version": "1"})
    indicator.refresh_from_db()
    assert (indicator.name_fi, indicator.template_version_dismissed) == ("Vanha nimi", 2)
    assert "template updated" not in text(editor_client.get(url("list", org)))
    # A stale page's button is a conflict, not a silent change.
    publish_version(template, name_fi="Kolmas")
    editor_client.post(url("template", org, indicator.pk), {"action": "accept", "version": "1"})
    indicator.refresh_from_db()
    assert indicator.name_fi == "Vanha nimi"
    assert editor_client.get(url("template", org, indicator.pk)).status_code == 405


# --- targets and single values -------------------------------------------------------------------


def test_revising_a_target_requires_a_reason_and_keeps_the_history(
    editor_client: Client, org: Organisation
) -> None:
    indicator = make_indicator(organisation=org, name="Hankkeet")
    targets = url("targets", org, indicator.pk)
    assert template_name(editor_client.get(targets)) == "indicators/indicator_targets.html"
    assert editor_client.post(targets, {"period": "2030", "value": "14"}).status_code == 302
    response = editor_client.post(targets, {"period": "2030", "value": "16", "reason": ""})
    assert response.status_code == 422
    assert "Say why the target is revised" in text(response)
    assert response.context["form"]["value"].value() == "16"
    assert (
        editor_client.post(targets, {"period": "2030", "value": "16", "reason": "Uusi rahoitus"}).status_code
        == 302
    )
    rows = [(t.value, t.superseded_at is None, t.reason) for t in Target.objects.order_by("created_at")]
    assert rows == [(14, False, ""), (16, True, "Uusi rahoitus")]
    body = text(editor_client.get(url("detail", org, indicator.pk)))
    assert "Uusi rahoitus" in body and "replaced on" in body


def test_recording_a_value_with_status_and_reason(editor_client: Client, org: Organisation) -> None:
    indicator = make_indicator(organisation=org, name="Kysely", periodicity="two_years")
    value_url = url("value", org, indicator.pk)
    assert template_name(editor_client.get(value_url)) == "indicators/indicator_value.html"
    missing = editor_client.post(
        value_url, {"period": "2022", "value": "", "status": "missing", "version": "0"}
    )
    assert missing.status_code == 422 and "Say why the value is missing" in text(missing)
    ok = editor_client.post(
        value_url,
        {"period": "2022", "value": "", "status": "missing", "missing_reason": "Ei kyselyä", "version": "0"},
    )
    assert ok.status_code == 302 and ok["Location"].endswith("#values")
    observation = Observation.objects.get(indicator=indicator)
    assert (observation.value, observation.missing_reason) == (None, "Ei kyselyä")
    # Opening an existing value fills the form with it and its version.
    form = editor_client.get(value_url, {"period": "2022"}).context["form"]
    assert form.initial["status"] == "missing" and form.initial["version"] == 1


def test_a_value_saved_meanwhile_is_a_conflict_that_keeps_the_input(
    editor_client: Client, org: Organisation
) -> None:
    indicator = make_indicator(organisation=org)
    add_values(indicator, {2024: 5})
    response = editor_client.post(
        url("value", org, indicator.pk), {"period": "2024", "value": "7", "status": "final", "version": "0"}
    )
    assert response.status_code == 409
    assert "already has a value" in text(response)
    form = response.context["form"]
    assert form["value"].value() == "7" and form["version"].value() == "1"
    assert Observation.objects.get().value == 5
    again = editor_client.post(
        url("value", org, indicator.pk), {"period": "2024", "value": "7", "status": "final", "version": "1"}
    )
    assert again.status_code == 302 and Observation.objects.get().value == 7


# --- the grid ------------------------------------------------------------------------------------


@pytest.fixture
def grid_indicators(org: Organisation) -> tuple[Indicator, Indicator]:
    population = make_indicator(organisation=org, name="Väkiluku", unit="persons")
    add_values(population, {2019: 61840, 2020: 61910})
    projects = make_indicator(organisation=org, name="Hankkeet")
    make_indicator(organisation=org, name="Kuukausittain", periodicity="month")
    return population, projects


def grid_post(client: Client, org: Organisation, cells: dict[str, str], **extra: Any) -> Any:
    page = client.get(url("grid", org), {"from": "2019", "to": "2026"})
    state = page.context["grid"].state_json()
    data = {"from": "2019", "to": "2026", "grid-state": state}
    for row in page.context["grid"].rows:
        for cell in row.cells:
            data[cell.name] = cell.text
    data.update(cells)
    return client.post(url("grid", org), data, **extra)


def test_the_grid_is_a_table_of_labelled_inputs(
    editor_client: Client, org: Organisation, grid_indicators: tuple[Indicator, Indicator]
) -> None:
    population, _projects = grid_indicators
    response = editor_client.get(url("grid", org), {"from": "2019", "to": "2026"})
    assert template_name(response) == "indicators/value_grid.html"
    body = text(response)
    assert (
        f'name="v-{population.pk}-2019" id="v-{population.pk}-2019" value="61 840" aria-label="Väkiluku 2019"'
        in body
    )
    assert '<th scope="col">2026</th>' in body and "data-value-grid" in body
    assert "js/value-grid.js" in body
    # Monthly indicators do not fit a grid of years: they are listed with a link instead.
    assert "Kuukausittain" in body.split("quarterly or monthly values")[1]
    default = editor_client.get(url("grid", org)).context["years"]
    assert len(default) == 8
    odd = editor_client.get(url("grid", org), {"from": "1800", "to": "x"})
    assert len(odd.context["years"]) == 8
    assert "showing the last eight years" in text(odd)


def test_the_grid_saves_only_changed_cells_in_one_go(
    editor_client: Client, org: Organisation, grid_indicators: tuple[Indicator, Indicator]
) -> None:
    population, projects = grid_indicators
    response = grid_post(
        editor_client,
        org,
        {
            f"v-{population.pk}-2020": "61 950",
            f"v-{projects.pk}-2021": "7",
            f"v-{projects.pk}-2022": "12,5 %",
        },
    )
    assert response.status_code == 302
    values = {(o.indicator_id, o.period.year): o for o in Observation.objects.all()}
    assert values[(population.pk, 2020)].value == 61950 and values[(population.pk, 2020)].version == 2
    assert values[(population.pk, 2019)].version == 1  # unchanged: not written
    assert values[(projects.pk, 2021)].value == 7 and values[(projects.pk, 2022)].value == Decimal("12.5")
    assert values[(projects.pk, 2021)].source == "typed"
    # The same number written another way is no change.
    same = grid_post(editor_client, org, {f"v-{population.pk}-2019": "61840"})
    assert same.status_code == 200 and "No values were changed" in text(same)
    assert Observation.objects.get(indicator=population, period=year(2019)).version == 1


def test_one_bad_cell_saves_nothing_and_loses_nothing(
    editor_client: Client, org: Organisation, grid_indicators: tuple[Indicator, Indicator]
) -> None:
    population, projects = grid_indicators
    response = grid_post(
        editor_client,
        org,
        {
            f"v-{projects.pk}-2021": "7",
            f"v-{projects.pk}-2022": "1.234,5",
            f"v-{population.pk}-2019": "",  # emptying a saved value
        },
        headers=HX,
    )
    assert response.status_code == 422
    assert_fragment(response, "value-grid")
    body = text(response)
    assert "Nothing was saved: 2 cells need fixing" in body
    assert 'hx-swap-oob="innerHTML"' in body  # announced in the live region
    assert (
        f'id="v-{projects.pk}-2022" value="1.234,5"' in body
        and f'aria-describedby="err-{projects.pk}-2022"' in body
    )
    assert "mixes a comma and a point" in body
    assert f'id="v-{projects.pk}-2021" value="7"' in body  # the valid cell keeps what was typed too
    assert "cannot be emptied here" in body
    assert Observation.objects.count() == 2


def test_a_value_saved_meanwhile_in_the_grid_is_a_marked_conflict(
    editor_client: Client, org: Organisation, grid_indicators: tuple[Indicator, Indicator]
) -> None:
    _population, projects = grid_indicators
    page = editor_client.get(url("grid", org), {"from": "2019", "to": "2026"})
    state = page.context["grid"].state_json()
    add_values(projects, {2021: 9})  # another editor saves while this one types
    data = {
        "from": "2019",
        "to": "2026",
        "grid-state": state,
        f"v-{projects.pk}-2021": "7",
        f"v-{projects.pk}-2023": "8",
    }
    response = editor_client.post(url("grid", org), data, headers=HX)
    assert response.status_code == 409
    body = text(response)
    assert "Someone else saved 9 here" in body and 'value="7"' in body
    assert not Observation.objects.filter(indicator=projects, period=year(2023)).exists()
    # Saving again (the page now carries the new version) replaces the value.
    new_state = response.context["grid"].state_json()
    data["grid-state"] = new_state
    saved = editor_client.post(url("grid", org), data, headers=HX)
    assert saved.status_code == 200 and "Saved: 1 new and 1 changed values" in text(saved)
    assert "valuesSaved" in saved["HX-Trigger"]
    assert Observation.objects.get(indicator=projects, period=year(2021)).value == 7


@pytest.mark.parametrize(
    "opened",
    [[1e400, "61 840"], [float("nan"), "61 840"], ["x", "61 840"], [[1], {"a": 1}], [10**30, "61 840"]],
    ids=["1e400", "NaN", "a string", "nested", "past the column"],
)
def test_a_grid_state_the_browser_bent_never_overwrites_blindly(
    editor_client: Client, org: Organisation, grid_indicators: tuple[Indicator, Indicator], opened: Any
) -> None:
    """The grid's state comes back from the browser: a cell whose [version, text] is not one reads as
    opened empty, so typing over a stored value there is a conflict to check, never a 500 or a blind save."""
    population, _projects = grid_indicators
    name = f"v-{population.pk}-2019"
    state = json.dumps({f"{population.pk}-2019": opened}, allow_nan=True)
    data = {"from": "2019", "to": "2026", "grid-state": state, name: "5"}
    response = editor_client.post(url("grid", org), data, headers=HX)
    assert response.status_code == 409
    assert "Someone else saved" in text(response)
    assert Observation.objects.get(indicator=population, period=year(2019)).value == 61840


def test_a_grid_state_nested_past_the_parser_is_no_state(
    editor_client: Client, org: Organisation, grid_indicators: tuple[Indicator, Indicator]
) -> None:
    """JSON nested deeper than Python recurses: no state, so the stored values are conflicts to check."""
    _population, projects = grid_indicators
    data = {"from": "2019", "to": "2026", "grid-state": "[" * 100_000, f"v-{projects.pk}-2024": "3"}
    response = editor_client.post(url("grid", org), data, headers=HX)
    assert response.status_code == 409
    assert not Observation.objects.filter(indicator=projects).exists()


def test_a_grid_cell_checks_itself_as_an_htmx_fragment(
    editor_client: Client, org: Organisation, grid_indicators: tuple[Indicator, Indicator]
) -> None:
    _population, projects = grid_indicators
    name = f"v-{projects.pk}-2024"
    bad = editor_client.get(
        url("grid", org), {"check": "1", name: "12,5,5"}, headers={**HX, "HX-Trigger-Name": name}
    )
    assert_fragment(bad, "grid-cell")
    assert 'aria-invalid="true"' in text(bad) and "is not a number" in text(bad)
    good = editor_client.get(
        url("grid", org), {"check": "1", name: "12,5"}, headers={**HX, "HX-Trigger-Name": name}
    )
    assert "aria-invalid" not in text(good) and 'value="12,5"' in text(good)
    other = make_indicator(organisation=make_organisation(name="Muu"))
    foreign = f"v-{other.pk}-2024"
    response = editor_client.get(
        url("grid", org), {"check": "1", foreign: "1"}, headers={**HX, "HX-Trigger-Name": foreign}
    )
    assert response.status_code == 404


def test_the_grid_query_count_does_not_grow_with_rows(
    editor_client: Client, org: Organisation, django_assert_num_queries: Any
) -> None:
    _many_indicators(org, 2)
    few = _queries(editor_client, url("grid", org))
    Indicator.objects.filter(organisation=org).delete()
    _many_indicators(org, 40)
    with django_assert_num_queries(few):
        response = editor_client.get(url("grid", org))
    assert len(response.context["grid"].rows) == 40
