"""The shared indicator library: stewards curate versioned templates; everyone signed in browses them."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from indicators import views_library
from indicators.forms_library import TemplateForm
from indicators.library import (
    INITIAL_NOTE,
    LibraryError,
    load_indicator_library,
    publish_template,
    retire_template,
    search_sdg_targets,
    template_diff,
)
from indicators.models import Indicator, IndicatorTemplate, SdgTarget, TemplateVersion
from organisations.base import StaleEdit
from organisations.models import Organisation, Role, User
from tests.factories import make_member, make_organisation, make_user

Status = IndicatorTemplate.Status
_seq = itertools.count(1)


# --- helpers -----------------------------------------------------------------------------------------


def library_template(
    *, code: str = "", name_fi: str = "", publish: bool = True, sdg: tuple[str, ...] = (), **fields: Any
) -> IndicatorTemplate:
    """A template made the way stewards make one: saved as a draft, then (by default) published."""
    n = next(_seq)
    fields.setdefault("chain_level", "outcome")
    fields.setdefault("unit", "%")
    template = IndicatorTemplate(
        code=code or f"lib-test-{n}", name_fi=name_fi or f"Kirjastomittari {n}", **fields
    )
    template.save_new(by=None)
    if sdg:
        template.sdg_targets.set(SdgTarget.objects.filter(code__in=sdg))
    if publish:
        publish_template(template=template, change_note=INITIAL_NOTE, by=None)
    return template


def sdg(*codes: str) -> list[SdgTarget]:
    targets = []
    for code in codes:
        target, _ = SdgTarget.objects.get_or_create(
            code=code,
            defaults={
                "goal": int(code.split(".")[0]),
                "title_en": f"Target {code} about tourism" if code == "8.9" else f"Target {code}",
                "sort_key": SdgTarget.sort_key_for(code),
            },
        )
        targets.append(target)
    return targets


def form_data(template: IndicatorTemplate | None = None, /, **changes: Any) -> dict[str, Any]:
    """What the template form posts: the template's current values with some changed."""
    data: dict[str, Any] = {
        "code": "new-template",
        "name_fi": "Uusi mittari",
        "name_sv": "",
        "name_en": "",
        "definition_fi": "",
        "definition_sv": "",
        "definition_en": "",
        "unit": "%",
        "direction": "higher",
        "range_low": "",
        "range_high": "",
        "chain_level": "outcome",
        "periodicity": "year",
        "data_lag_months": "0",
        "source": "manual",
        "source_table": "",
        "source_code": "",
        "theme": "",
        "kind": "established",
    }
    if template is not None:
        for name in data:
            value = getattr(template, name)
            data[name] = "" if value is None else str(value)
        data["version"] = str(template.version)
        if template.per_capita:
            data["per_capita"] = "on"
        data["sdg_targets"] = [str(pk) for pk in template.sdg_targets.values_list("pk", flat=True)]
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def assert_fragment(response: Any, partial: str) -> None:
    assert response.status_code == 200
    assert response.template_name.endswith(f"#{partial}"), response.template_name
    assert "<html" not in response.content.decode()
    assert "HX-Request" in response["Vary"]


HTMX = {"HX-Request": "true"}


@pytest.fixture
def steward(association: Organisation) -> User:
    return make_member(organisation=association, role=Role.STEWARD, user=make_user(language="en"))


@pytest.fixture
def steward_client(client: Client, steward: User) -> Client:
    client.force_login(steward)
    return client


@pytest.fixture
def reader(org_a: Organisation) -> User:
    return make_member(organisation=org_a, role=Role.VIEWER, user=make_user(language="en"))


@pytest.fixture
def reader_client(reader: User) -> Client:
    client = Client()  # its own cookies: a test may have a steward signed in on `client` too
    client.force_login(reader)
    return client


# --- publishing, retiring, differences ---------------------------------------------------------------


@pytest.mark.django_db
def test_publishing_makes_numbered_versions_with_notes_and_snapshots(steward: User) -> None:
    template = library_template(publish=False, unit="%")
    assert template.status == Status.DRAFT and template.published_version == 0

    first = publish_template(template=template, change_note="Initial version", by=steward)
    assert (first.number, first.change_note, first.published_by) == (1, "Initial version", steward)
    assert first.definition == template.definition_snapshot()
    assert template.status == Status.PUBLISHED and template.published_version == 1

    with pytest.raises(LibraryError, match="Nothing has changed"):
        publish_template(template=template, change_note="Again", by=steward)

    template.unit = "persons"
    template.save_if_current(expected_version=template.version, by=steward)
    second = publish_template(template=template, change_note="Count people, not shares", by=steward)
    assert second.number == 2 and template.published_version == 2
    assert second.definition["unit"] == "persons"
    assert TemplateVersion.objects.get(template=template, number=1).definition["unit"] == "%"


@pytest.mark.django_db
def test_publishing_needs_a_note_the_current_version_and_a_template_in_use(steward: User) -> None:
    template = library_template(publish=False)
    with pytest.raises(LibraryError, match="change note"):
        publish_template(template=template, change_note="   ", by=steward)
    with pytest.raises(StaleEdit):
        publish_template(
            template=template, change_note="Ready", by=steward, expected_version=template.version - 1
        )
    retire_template(template=template, by=steward)
    assert template.status == Status.RETIRED
    with pytest.raises(LibraryError, match="retired"):
        publish_template(template=template, change_note="Ready", by=steward)
    with pytest.raises(LibraryError, match="already retired"):
        retire_template(template=template, by=steward)
    assert not template.versions.exists()


def test_template_diff_lists_changed_fields_as_people_read_them() -> None:
    old = {
        "name_fi": "Väkiluku",
        "unit": "%",
        "direction": "higher",
        "range_low": "1.500000",
        "per_capita": False,
    }
    new = {
        "name_fi": "Väestö",
        "unit": "persons",
        "direction": "range",
        "range_low": "1.5",
        "per_capita": True,
    }
    with translation.override("en"):
        rows = template_diff(old, new)
    assert [tuple(row) for row in rows] == [
        ("Name in Finnish", "Väkiluku", "Väestö"),
        ("Unit", "%", "persons"),
        ("Direction", "higher is better", "within a range"),
        ("Compared per capita", "no", "yes"),
    ]
    assert rows[0].lang == "fi" and rows[1].lang == ""
    label, before, after = rows[1]  # unpacks as (field label, old, new)
    assert (label, before, after) == ("Unit", "%", "persons")
    assert template_diff(new, new) == []
    # Blank and missing are the same; a bound that appears shows both sides.
    assert template_diff({"unit": ""}, {}) == []
    with translation.override("fi"):  # numbers as a Finnish user reads them
        (row,) = template_diff({"range_low": None}, {"range_low": "1.250000"})
        assert (row.old, row.new) == ("—", "1,25")


# --- seeding -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_seeding_loads_sdg_targets_and_publishes_the_real_templates() -> None:
    result = load_indicator_library()
    assert (result.sdg_created, result.templates_created) == (169, 49)
    assert SdgTarget.objects.count() == 169
    assert list(SdgTarget.objects.filter(goal=13).values_list("code", flat=True)) == [
        "13.1", "13.2", "13.3", "13.a", "13.b"
    ]  # fmt: skip
    assert SdgTarget.objects.get(code="17.17").sort_key == "17.017"

    templates = IndicatorTemplate.objects.all()
    assert templates.count() == 49
    assert set(templates.values_list("status", "published_version")) == {(Status.PUBLISHED, 1)}
    assert set(TemplateVersion.objects.values_list("number", "change_note")) == {(1, INITIAL_NOTE)}

    population = IndicatorTemplate.objects.get(code="statfin-m411")
    assert (population.name_fi, population.name_sv, population.name_en) == (
        "Väkiluku",
        "Folkmängd",
        "Population",
    )
    assert (population.source, population.source_table, population.source_code) == (
        "statfin",
        "kuntien_avainluvut_aikasarja",
        "M411",
    )
    assert (population.chain_level, population.unit) == ("context", "persons")
    statfin = templates.filter(source="statfin")
    assert statfin.count() == 31
    assert set(statfin.values_list("chain_level", flat=True)) == {"context"}
    # No invented translations: only the figures whose official wording is certain have one.
    assert set(statfin.exclude(name_sv="").values_list("source_code", flat=True)) == {
        "M408", "M411", "M140", "M485"
    }  # fmt: skip
    assert IndicatorTemplate.objects.get(code="statfin-m162").direction == "lower"
    assert IndicatorTemplate.objects.get(code="statfin-m499").unit == "€/resident"

    international = templates.filter(code__startswith="intl-")
    assert international.count() == 18
    assert not international.filter(name_sv="").exists() and not international.filter(name_en="").exists()
    # DOMAIN.md section 6 marks these as proposed (P); FDI is an established count nationally only.
    assert set(international.filter(kind="proposed").values_list("code", flat=True)) == {
        "intl-eu-funding",
        "intl-projects-linked-to-goals",
        "intl-partnerships-with-plan",
        "intl-fdi-projects",
        "intl-smes-in-delegations",
        "intl-welcoming-perception",
    }
    ghg = IndicatorTemplate.objects.get(code="intl-ghg-emissions-per-resident")
    assert (ghg.direction, ghg.chain_level, ghg.theme) == ("lower", "impact", "climate")
    assert list(ghg.sdg_targets.values_list("code", flat=True)) == ["13.2"]
    assert list(
        IndicatorTemplate.objects.get(code="intl-foreign-language-employment").sdg_targets.values_list(
            "code", flat=True
        )
    ) == ["8.5"]


@pytest.mark.django_db
def test_seeding_twice_changes_nothing_and_keeps_stewards_edits(capsys: pytest.CaptureFixture[str]) -> None:
    load_indicator_library()
    edited = IndicatorTemplate.objects.get(code="intl-talent-ranking")
    edited.theme = "economy"
    edited.save_if_current(expected_version=edited.version, by=None)

    def state() -> list[tuple[Any, ...]]:
        rows = [tuple(row.values()) for row in IndicatorTemplate.objects.order_by("pk").values()]
        rows += [tuple(row.values()) for row in TemplateVersion.objects.order_by("pk").values()]
        rows += [tuple(row.values()) for row in SdgTarget.objects.order_by("pk").values()]
        return rows

    before = state()
    call_command("load_indicator_library")
    assert state() == before
    assert "0 created" in capsys.readouterr().out
    assert IndicatorTemplate.objects.get(code="intl-talent-ranking").theme == "economy"


@pytest.mark.django_db
def test_sdg_search_by_code_goal_and_words() -> None:
    load_indicator_library()
    assert list(search_sdg_targets("8.5").values_list("code", flat=True)) == ["8.5"]
    assert list(search_sdg_targets("13").values_list("code", flat=True))[:5] == [
        "13.1", "13.2", "13.3", "13.a", "13.b"
    ]  # fmt: skip
    tourism = set(search_sdg_targets("sustainable tourism").values_list("code", flat=True))
    assert "8.9" in tourism and "13.2" not in tourism
    climate = set(
        search_sdg_targets("Ilmastotekoja").values_list("code", flat=True)
    )  # goal 13's Finnish name
    assert {"13.1", "13.2"} <= climate
    assert search_sdg_targets("").count() == 169


# --- the form ----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"direction": "range", "range_low": "", "range_high": "5"}, "range_low", "low bound"),
        ({"direction": "range", "range_low": "5", "range_high": ""}, "range_high", "high bound"),
        ({"direction": "range", "range_low": "5", "range_high": "5"}, "range_high", "greater than"),
        ({"source": "statfin", "source_table": "x", "source_code": ""}, "source_code", "metric code"),
        ({"source": "sotkanet", "source_code": "abc"}, "source_code", "number"),
        ({"source": "sotkanet", "source_code": "127", "source_table": "t"}, "source_table", "no tables"),
        ({"code": "new"}, "code", "reserved"),
        ({"code": "Not a slug!"}, "code", ""),
    ],
)
def test_template_form_refuses_inconsistent_definitions(
    changes: dict[str, str], field: str, message: str
) -> None:
    form = TemplateForm(form_data(**changes))
    assert not form.is_valid()
    assert message in " ".join(str(error) for error in form.errors[field]), form.errors


@pytest.mark.django_db
def test_template_form_accepts_and_tidies_consistent_definitions() -> None:
    assert TemplateForm(form_data(direction="range", range_low="1.5", range_high="3")).is_valid()
    # Bounds without a range, and a code for a manual source, are dropped rather than stored misleadingly.
    form = TemplateForm(form_data(range_low="1", range_high="2", source_table="t", source_code="M1"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["range_low"] is None and form.cleaned_data["source_code"] == ""
    sotkanet = TemplateForm(form_data(source="sotkanet", source_code=" 127 "))
    assert sotkanet.is_valid(), sotkanet.errors
    assert sotkanet.cleaned_data["source_code"] == "127"


# --- browsing ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_library_list_full_page_and_htmx_results(reader_client: Client) -> None:
    library_template(name_fi="Väkiluku", name_en="Population", chain_level="context")
    url = reverse("library:list")
    page = reader_client.get(url)
    assert page.status_code == 200
    assert page.templates[0].name == "indicators/library/template_list.html"
    body = page.content.decode()
    assert "<html" in body and 'hx-trigger="change, input delay:300ms from:input[type=search]"' in body
    assert 'hx-push-url="true"' in body and 'id="library-results"' in body
    assert '<a href="/library/indicators/new/"' not in body  # only stewards create
    # The UI is English: the name is the English one (no lang fallback needed).
    assert 'lang="en">Population</a>' in body

    fragment = reader_client.get(url, {"q": "population"}, headers=HTMX)
    assert_fragment(fragment, "library-results")
    assert 'hx-swap-oob="innerHTML"' in fragment.content.decode()  # the count is announced
    # A history restore gets the whole page, never a bare fragment.
    restore = reader_client.get(url, headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<html" in restore.content.decode()


@pytest.mark.django_db
def test_library_filters_by_text_in_every_language_level_theme_source_and_sdg(reader_client: Client) -> None:
    sdg("8.9", "13.2")
    library_template(
        code="stays", name_fi="Yöpymiset", name_sv="Övernattningar", theme="tourism", sdg=("8.9",)
    )
    library_template(
        code="emissions",
        name_fi="Päästöt",
        definition_en="Greenhouse gas emissions per resident",
        chain_level="impact",
        theme="climate",
        sdg=("13.2",),
    )
    library_template(
        code="people", name_fi="Väkiluku", chain_level="context", source="statfin", source_code="M411"
    )

    def codes(**params: Any) -> list[str]:
        response = reader_client.get(reverse("library:list"), params)
        return sorted(entry.template.code for entry in response.context["entries"])

    assert codes() == ["emissions", "people", "stays"]
    assert codes(q="övernatt") == ["stays"]  # Swedish name
    assert codes(q="greenhouse resident") == ["emissions"]  # English definition, every word
    assert codes(q="väki") == ["people"]
    assert codes(chain_level="impact") == ["emissions"]
    assert codes(theme="tourism") == ["stays"]
    assert codes(source="statfin") == ["people"]
    assert codes(sdg_goal="13") == ["emissions"]
    assert codes(sdg_goal="13", theme="tourism") == []
    # A stale or hand-made link with a bad value still filters by the rest.
    assert codes(sdg_goal="99", chain_level="context") == ["people"]
    empty = reader_client.get(reverse("library:list"), {"q": "nothing-like-this"})
    assert "No template matches these filters" in empty.content.decode()


@pytest.mark.django_db
def test_drafts_retired_and_unpublished_edits_are_for_stewards_only(
    reader_client: Client, steward: User
) -> None:
    library_template(code="draft", name_fi="Luonnos", publish=False)
    retired = library_template(code="old", name_fi="Vanha")
    retire_template(template=retired, by=steward)
    edited = library_template(code="edited", name_fi="Julkaistu nimi")
    edited.name_fi = "Keskeneräinen nimi"
    edited.save_if_current(expected_version=edited.version, by=steward)

    response = reader_client.get(reverse("library:list"))
    assert [entry.template.code for entry in response.context["entries"]] == ["edited"]
    body = response.content.decode()
    assert "Julkaistu nimi" in body and "Keskeneräinen nimi" not in body and "unpublished" not in body
    assert reader_client.get(reverse("library:detail", args=["draft"])).status_code == 404
    assert reader_client.get(reverse("library:detail", args=["old"])).status_code == 404
    detail = reader_client.get(reverse("library:detail", args=["edited"])).content.decode()
    assert "Julkaistu nimi" in detail and "Keskeneräinen nimi" not in detail
    # The search looks at what people see: the published name, not the working copy.
    assert not reader_client.get(reverse("library:list"), {"q": "keskeneräinen"}).context["entries"]

    steward_client = Client()
    steward_client.force_login(steward)
    entries = steward_client.get(reverse("library:list")).context["entries"]
    assert sorted(entry.template.code for entry in entries) == ["draft", "edited", "old"]
    assert [e.template.code for e in entries if e.unpublished_changes] == ["edited"]
    only_drafts = steward_client.get(reverse("library:list"), {"status": "draft"}).context["entries"]
    assert [entry.template.code for entry in only_drafts] == ["draft"]
    steward_detail = steward_client.get(reverse("library:detail", args=["edited"])).content.decode()
    assert "not yet published" in steward_detail and "Keskeneräinen nimi" in steward_detail


@pytest.mark.django_db
def test_library_list_query_count_does_not_grow_with_templates(
    reader_client: Client, django_assert_num_queries: Any, org_a: Organisation, org_b: Organisation
) -> None:
    sdg("8.5", "13.2", "17.17")

    def make(count: int) -> None:
        for _ in range(count):
            template = library_template(theme="talent", sdg=("8.5", "17.17"))
            for organisation in (org_a, org_b):
                Indicator.objects.create(
                    organisation=organisation,
                    template=template,
                    template_version=1,
                    name_fi=template.name_fi,
                    chain_level=template.chain_level,
                )

    make(3)
    url = reverse("library:list")
    reader_client.get(url)  # warm caches (content types, the SDG goal names file)
    with CaptureQueriesContext(connection) as few:
        reader_client.get(url, {"theme": "talent"})
    # Session, user, steward check, themes, templates (with published definitions and adoption counts),
    # their SDG targets, the header's memberships, and the session's activity stamp.
    assert len(few.captured_queries) <= 10
    make(57)
    with django_assert_num_queries(len(few.captured_queries)):
        response = reader_client.get(url, {"theme": "talent"})
    entries = response.context["entries"]
    assert len(entries) == 60
    assert {entry.adoption_count for entry in entries} == {2}
    assert {tuple(entry.sdg_codes) for entry in entries} == {("8.5", "17.17")}
    assert "2 organisations" in response.content.decode()


# --- the template page -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_detail_shows_definition_sdg_versions_and_adopt_links(
    client: Client, org_a: Organisation, org_b: Organisation, steward: User
) -> None:
    sdg("13.2")
    template = library_template(
        code="ghg",
        name_fi="Päästöt",
        definition_fi="Kasvihuonekaasut asukasta kohden.",
        unit="t CO₂e/resident",
        direction="lower",
        source="statfin",
        source_table="khk",
        source_code="M1",
        sdg=("13.2",),
    )
    template.unit = "t/resident"
    template.save_if_current(expected_version=template.version, by=steward)
    publish_template(template=template, change_note="Simpler unit", by=steward)
    editor = make_member(organisation=org_a, role=Role.EDITOR, user=make_user(language="en"))
    make_member(organisation=org_b, role=Role.VIEWER, user=editor)
    third = make_organisation(name="Ceetala", slug="ceetala")
    make_member(organisation=third, role=Role.ADMIN, user=editor)
    Indicator.objects.create(
        organisation=third, template=template, template_version=2, name_fi="Päästöt", chain_level="context"
    )

    client.force_login(editor)
    response = client.get(reverse("library:detail", args=["ghg"]))
    assert (
        response.status_code == 200
        and response.templates[0].name == "indicators/library/template_detail.html"
    )
    body = response.content.decode()
    assert '<h1 lang="fi">Päästöt</h1>' in body  # no English name: Finnish, marked as such
    assert "Kasvihuonekaasut asukasta kohden." in body and "table khk, metric M1" in body
    assert "13.2" in body and "Target 13.2" in body
    assert "Simpler unit" in body and "What changed in version 2" in body and "t/resident" in body
    assert "The first published version." in body
    links = response.context["adopt_links"]
    # Editor/admin memberships only: Beetala (viewer) is not offered.
    assert [(link.organisation.slug, link.adopted) for link in links] == [
        ("aakkosla", False),
        ("ceetala", True),
    ]
    adopt_url = reverse("indicators:adopt", kwargs={"org_slug": "aakkosla"}) + "?template=ghg"
    assert f'href="{adopt_url}"' in body
    assert "already adopted" in body
    assert reverse("library:edit", args=["ghg"]) not in body  # no steward actions


@pytest.mark.django_db
def test_detail_has_no_adopt_link_when_the_adopt_page_does_not_exist(
    client: Client, org_a: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    library_template(code="plain")
    client.force_login(make_member(organisation=org_a, role=Role.ADMIN))

    def missing(*args: Any, **kwargs: Any) -> str:
        raise NoReverseMatch("indicators:adopt")

    monkeypatch.setattr(views_library, "reverse", missing)
    response = client.get(reverse("library:detail", args=["plain"]))
    assert response.status_code == 200
    assert response.context["adopt_links"] == []


# --- curating ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_steward_creates_edits_and_publishes_a_template(steward_client: Client) -> None:
    target = sdg("17.17")[0]
    create = steward_client.post(
        reverse("library:create"),
        form_data(
            code="Twin-Towns", name_fi="Ystävyyskunnat", name_en="Twin towns", sdg_targets=[str(target.pk)]
        ),
    )
    assert create.status_code == 302, create.context and create.context["form"].errors
    template = IndicatorTemplate.objects.get(code="twin-towns")
    assert template.status == Status.DRAFT and template.created_by is not None
    assert list(template.sdg_targets.all()) == [target]

    publish_url = reverse("library:publish", args=["twin-towns"])
    assert "Publish version 1" in steward_client.get(publish_url).content.decode()
    assert (
        steward_client.post(publish_url, {"change_note": "", "version": template.version}).status_code == 422
    )
    published = steward_client.post(publish_url, {"change_note": "First", "version": template.version})
    assert published.status_code == 302
    template.refresh_from_db()
    assert template.status == Status.PUBLISHED and template.published_version == 1

    # Editing a published template edits the working copy; the library keeps showing version 1.
    edit = steward_client.post(
        reverse("library:edit", args=["twin-towns"]),
        form_data(template, name_en="Twin towns with a plan", unit="partnerships"),
    )
    assert edit.status_code == 302
    template.refresh_from_db()
    assert template.name_en == "Twin towns with a plan" and template.published_version == 1
    assert TemplateVersion.objects.get(template=template, number=1).definition["name_en"] == "Twin towns"

    page = steward_client.get(publish_url)
    assert "Publish version 2" in page.content.decode()
    assert [row.field for row in page.context["changes"]] == ["Name in English", "Unit"]
    steward_client.post(
        publish_url, {"change_note": "Only partnerships with a joint plan", "version": template.version}
    )
    template.refresh_from_db()
    assert template.published_version == 2
    detail = steward_client.get(reverse("library:detail", args=["twin-towns"])).content.decode()
    assert "Only partnerships with a joint plan" in detail and "Twin towns with a plan" in detail

    # Nothing left to publish: the page says so and offers no form.
    again = steward_client.get(publish_url)
    assert (
        "Nothing has changed since version 2" in again.content.decode()
        and "<textarea" not in again.content.decode()
    )


@pytest.mark.django_db
def test_form_errors_keep_input_and_stale_edits_are_conflicts(steward_client: Client, steward: User) -> None:
    template = library_template(code="kept")
    bad = steward_client.post(
        reverse("library:edit", args=["kept"]),
        form_data(template, name_sv="Behållen text", direction="range", range_low="9", range_high="1"),
    )
    assert bad.status_code == 422
    assert "Behållen text" in bad.content.decode() and "greater than the low bound" in bad.content.decode()

    stale = form_data(template, name_en="Mine")
    template.name_en = "Theirs"
    template.save_if_current(expected_version=template.version, by=steward)
    conflict = steward_client.post(reverse("library:edit", args=["kept"]), stale)
    assert conflict.status_code == 409
    assert (
        "Someone else saved a change" in conflict.content.decode()
        and 'value="Mine"' in conflict.content.decode()
    )
    template.refresh_from_db()
    assert template.name_en == "Theirs"

    publish = steward_client.post(
        reverse("library:publish", args=["kept"]), {"change_note": "Keep this note", "version": "1"}
    )
    assert publish.status_code == 409 and "Keep this note" in publish.content.decode()


@pytest.mark.django_db
def test_retire_asks_first_then_hides_the_template(steward_client: Client, reader_client: Client) -> None:
    template = library_template(code="going")
    url = reverse("library:retire", args=["going"])
    confirm = steward_client.get(url)
    assert confirm.status_code == 200 and "Retire the template" in confirm.content.decode()
    template.refresh_from_db()
    assert template.status == Status.PUBLISHED  # a GET only asks
    assert steward_client.post(url, {"version": template.version}).status_code == 302
    template.refresh_from_db()
    assert template.status == Status.RETIRED
    assert steward_client.get(reverse("library:edit", args=["going"])).status_code == 302  # no editing now
    assert reader_client.get(reverse("library:detail", args=["going"])).status_code == 404


@pytest.mark.django_db
def test_sdg_search_page_and_picker_fragments(steward_client: Client) -> None:
    load_indicator_library()
    url = reverse("library:sdg_search")
    page = steward_client.get(url, {"sdg_q": "tourism"})
    assert page.status_code == 200 and page.templates[0].name == "indicators/library/sdg_targets.html"
    assert "8.9" in page.content.decode() and 'name="sdg_targets"' not in page.content.decode()

    chosen = SdgTarget.objects.get(code="17.17")
    picker = steward_client.get(url, {"sdg_q": "8.5", "sdg_targets": [str(chosen.pk)]}, headers=HTMX)
    assert_fragment(picker, "sdg-picker")
    body = picker.content.decode()
    # The ticked target stays ticked though it does not match; the match is offered unticked.
    assert f'value="{chosen.pk}" id="sdg-{chosen.pk}" checked' in body
    assert ">8.5</strong>" in body and body.count('type="checkbox"') == 2

    control = steward_client.get(url, {"part": "control"}, headers=HTMX)
    assert_fragment(control, "sdg-search-control")
    assert 'form="sdg-search-form"' in control.content.decode()

    form_page = steward_client.get(reverse("library:create")).content.decode()
    assert 'hx-trigger="load"' in form_page and 'id="sdg-search"' not in form_page
    assert form_page.count('name="sdg_targets"') == 169  # without JavaScript: the plain list


# --- roles -------------------------------------------------------------------------------------------

WRITE_ROUTES = [
    ("library:create", False),
    ("library:edit", True),
    ("library:publish", True),
    ("library:retire", True),
]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["non-member", "viewer", "editor", "admin", "steward"])
def test_only_stewards_may_change_the_library(
    client: Client, association: Organisation, org_a: Organisation, who: str
) -> None:
    template = library_template(code="guarded", publish=False)
    user = make_user(language="en")
    if who == "steward":
        make_member(organisation=association, role=Role.STEWARD, user=user)
    elif who != "non-member":
        make_member(organisation=org_a, role=who, user=user)
    client.force_login(user)

    def state() -> list[tuple[Any, ...]]:
        rows = [tuple(row.values()) for row in IndicatorTemplate.objects.order_by("pk").values()]
        return rows + [tuple(row.values()) for row in TemplateVersion.objects.order_by("pk").values()]

    def post_data(name: str) -> dict[str, Any]:
        template.refresh_from_db()
        return {
            "library:create": form_data(code="sneaky"),
            "library:edit": form_data(template, name_fi="Muutettu"),
            "library:publish": {"change_note": "Sneaky", "version": template.version},
            "library:retire": {"version": template.version},
        }[name]

    before = state()
    for name, takes_code in WRITE_ROUTES:
        url = reverse(name, args=["guarded"] if takes_code else [])
        get, post = client.get(url), client.post(url, post_data(name))
        if who == "steward":
            assert get.status_code == 200 and post.status_code == 302, (
                name,
                get.status_code,
                post.status_code,
            )
        else:
            assert (get.status_code, post.status_code) == (403, 403), name
            assert "stewards can change the indicator library" in post.content.decode()
    if who == "steward":
        template.refresh_from_db()
        assert template.status == Status.RETIRED and IndicatorTemplate.objects.filter(code="sneaky").exists()
    else:
        assert state() == before
        # Reading stays open to everyone signed in.
        assert client.get(reverse("library:list")).status_code == 200
        assert client.get(reverse("library:sdg_search")).status_code == 200


@pytest.mark.django_db
def test_library_link_in_the_header_for_signed_in_people(reader_client: Client) -> None:
    body = reader_client.get(reverse("start")).content.decode()
    assert f'<a href="{reverse("library:list")}">' in body
