"""The foresight pages through HTTP: every view as a page and as a fragment, the futures table and its
coverage, stories flagged by the table's rules, implications and the robustness view, live signposts,
rich-text sanitising, roles and query counts."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from futures.models import (
    Driver,
    FuturesTable,
    FutureStory,
    Implication,
    IncompatiblePair,
    Megatrend,
    Milestone,
    Signpost,
    StoryDriver,
    Variable,
    VariableValue,
    WeakSignal,
)
from goals.models import Goal
from indicators.models import Indicator
from organisations.models import Organisation, Role, User
from tests.factories import make_member, make_organisation, make_user
from tests.futures.factories import (
    make_driver,
    make_indicator,
    make_megatrend,
    make_story,
    make_table,
    mark_incompatible,
    record,
)
from tests.goals.factories import make_goal, make_strategy

HTMX = {"HX-Request": "true"}


@dataclass
class Foresight:
    org: Organisation
    editor: User
    viewer: User
    steward: User
    association: Organisation
    megatrend: Megatrend
    driver: Driver
    signal: WeakSignal
    table: FuturesTable
    values: dict[str, VariableValue]
    pair: IncompatiblePair
    story: FutureStory
    goals: list[Goal]
    implication: Implication
    indicator: Indicator
    signpost: Signpost
    milestone: Milestone
    national: FutureStory


@pytest.fixture
def foresight(db: None) -> Foresight:
    org = make_organisation(name="Aakkosla", slug="aakkosla")
    association = make_organisation(
        name="Kuntaliitto", kind=Organisation.Kind.ASSOCIATION, slug="kuntaliitto"
    )
    megatrend = make_megatrend(name_fi="Tekoäly mullistaa yhteiskunnan perustaa", number=4)
    driver = make_driver(organisation=org, name="Tekoäly palveluissa", megatrend=megatrend)
    signal = WeakSignal.objects.create(organisation=org, signal="Tekoälytulkkaus", observed_on="2025-05-20")
    signal.drivers.set([driver])
    table, values = make_table(
        organisation=org,
        variables={"Johtaminen": ["Salkku", "Hankkeet"], "Osaajat": ["Jäävät", "Lähtevät", "Rajaton"]},
    )
    pair = mark_incompatible(table, values["Hankkeet"], values["Jäävät"])
    story = make_story(
        organisation=org,
        futures_table=table,
        picks=[values["Salkku"], values["Jäävät"]],
        narrative="<p>Tarina</p>",
    )
    story.megatrends.set([megatrend])
    StoryDriver.objects.create(story=story, driver=driver, assumed_state="vahva")
    strategy = make_strategy(organisation=org, status="approved")
    goals = [
        make_goal(strategy=strategy, title="Elinvoima", code="SG1"),
        make_goal(strategy=strategy, title="Osaajat jäävät", code="SG2"),
    ]
    implication = Implication.objects.create(story=story, goal=goals[0], kind="opportunity", strength=2)
    indicator = make_indicator(organisation=org, name="Vieraskielisten työllisyysaste")
    record(indicator, 2024, "54.6")
    signpost = Signpost.objects.create(story=story, indicator=indicator, comparison="above", threshold=65)
    milestone = Milestone.objects.create(story=story, year=2027, must_be_true="Suunnitelmat", goal=goals[1])
    national = make_story(organisation=association, title="Kunnat verkostoina 2040", horizon_year=2040)
    FutureStory.objects.filter(pk=national.pk).update(published_at="2025-11-25T10:00:00Z")
    national.refresh_from_db()
    return Foresight(
        org=org,
        editor=make_member(organisation=org, role=Role.EDITOR, user=make_user(language="en")),
        viewer=make_member(organisation=org, role=Role.VIEWER, user=make_user(language="en")),
        steward=make_member(organisation=association, role=Role.STEWARD, user=make_user(language="en")),
        association=association,
        megatrend=megatrend,
        driver=driver,
        signal=signal,
        table=table,
        values=values,
        pair=pair,
        story=story,
        goals=goals,
        implication=implication,
        indicator=indicator,
        signpost=signpost,
        milestone=milestone,
        national=national,
    )


def org_url(name: str, f: Foresight, *args: Any) -> str:
    return reverse(f"futures:{name}", args=[f.org.slug, *args])


# (url builder, template, partial); every GET view of the app.
PAGES: list[tuple[str, Callable[[Foresight], str], str, str]] = [
    ("index", lambda f: org_url("index", f), "futures/story_list.html", "story-list"),
    ("story_create", lambda f: org_url("story_create", f), "futures/story_form.html", "story-form"),
    (
        "story_detail",
        lambda f: org_url("story_detail", f, f.story.pk),
        "futures/story_detail.html",
        "story-body",
    ),
    ("story_edit", lambda f: org_url("story_edit", f, f.story.pk), "futures/story_form.html", "story-form"),
    (
        "story_delete",
        lambda f: org_url("story_delete", f, f.story.pk),
        "futures/confirm_delete.html",
        "confirm",
    ),
    (
        "story_driver_remove",
        lambda f: org_url("story_driver_remove", f, f.story.pk, f.driver.pk),
        "futures/confirm_delete.html",
        "confirm",
    ),
    (
        "signpost_delete",
        lambda f: org_url("signpost_delete", f, f.story.pk, f.signpost.pk),
        "futures/confirm_delete.html",
        "confirm",
    ),
    (
        "milestone_delete",
        lambda f: org_url("milestone_delete", f, f.story.pk, f.milestone.pk),
        "futures/confirm_delete.html",
        "confirm",
    ),
    (
        "implication_edit",
        lambda f: org_url("implication_edit", f, f.story.pk, f.implication.pk),
        "futures/implication_form.html",
        "implication-form",
    ),
    (
        "implication_delete",
        lambda f: org_url("implication_delete", f, f.story.pk, f.implication.pk),
        "futures/confirm_delete.html",
        "confirm",
    ),
    ("driver_list", lambda f: org_url("driver_list", f), "futures/driver_list.html", "driver-list"),
    (
        "driver_edit",
        lambda f: org_url("driver_edit", f, f.driver.pk),
        "futures/driver_form.html",
        "driver-form",
    ),
    (
        "driver_delete",
        lambda f: org_url("driver_delete", f, f.driver.pk),
        "futures/confirm_delete.html",
        "confirm",
    ),
    ("signal_list", lambda f: org_url("signal_list", f), "futures/signal_list.html", "signal-list"),
    (
        "signal_edit",
        lambda f: org_url("signal_edit", f, f.signal.pk),
        "futures/signal_form.html",
        "signal-form",
    ),
    (
        "signal_delete",
        lambda f: org_url("signal_delete", f, f.signal.pk),
        "futures/confirm_delete.html",
        "confirm",
    ),
    ("table_list", lambda f: org_url("table_list", f), "futures/table_list.html", "table-list"),
    (
        "table_detail",
        lambda f: org_url("table_detail", f, f.table.pk),
        "futures/table_detail.html",
        "table-editor",
    ),
    ("table_edit", lambda f: org_url("table_edit", f, f.table.pk), "futures/table_form.html", "table-form"),
    (
        "table_delete",
        lambda f: org_url("table_delete", f, f.table.pk),
        "futures/confirm_delete.html",
        "confirm",
    ),
    (
        "variable_remove",
        lambda f: org_url("variable_remove", f, f.table.pk) + f"?variable={f.values['Salkku'].variable_id}",
        "futures/confirm_delete.html",
        "confirm",
    ),
    (
        "value_remove",
        lambda f: org_url("value_remove", f, f.table.pk) + f"?value={f.values['Salkku'].pk}",
        "futures/confirm_delete.html",
        "confirm",
    ),
    (
        "pair_remove",
        lambda f: org_url("pair_remove", f, f.table.pk) + f"?pair={f.pair.pk}",
        "futures/confirm_delete.html",
        "confirm",
    ),
    ("robustness", lambda f: org_url("robustness", f), "futures/robustness.html", "robustness"),
    ("signposts", lambda f: org_url("signposts", f), "futures/signpost_board.html", "signpost-board"),
    (
        "library_megatrends",
        lambda f: reverse("futures_library:megatrends"),
        "futures/library/megatrend_list.html",
        "megatrend-list",
    ),
    (
        "library_megatrend_create",
        lambda f: reverse("futures_library:megatrend_create"),
        "futures/library/megatrend_form.html",
        "megatrend-form",
    ),
    (
        "library_megatrend_edit",
        lambda f: reverse("futures_library:megatrend_edit", args=[f.megatrend.pk]),
        "futures/library/megatrend_form.html",
        "megatrend-form",
    ),
    (
        "library_megatrend_delete",
        lambda f: reverse("futures_library:megatrend_delete", args=[f.megatrend.pk]),
        "futures/library/megatrend_delete.html",
        "confirm",
    ),
    (
        "library_stories",
        lambda f: reverse("futures_library:stories"),
        "futures/library/story_list.html",
        "national-stories",
    ),
    (
        "library_story_detail",
        lambda f: reverse("futures_library:story_detail", args=[f.national.pk]),
        "futures/library/story_detail.html",
        "national-story",
    ),
    (
        "library_story_copy",
        lambda f: reverse("futures_library:story_copy", args=[f.national.pk]),
        "futures/library/story_copy.html",
        "copy-form",
    ),
]


def _person_for(name: str, f: Foresight) -> User:
    if name.startswith("library_megatrend_"):
        return f.steward
    if name.startswith("library_"):
        # A person who edits a municipality and is a steward too, so the copy form has a choice.
        make_member(organisation=f.org, role=Role.EDITOR, user=f.steward)
        return f.steward
    return f.editor


@pytest.mark.parametrize(("name", "build", "template", "partial"), PAGES, ids=[p[0] for p in PAGES])
def test_every_view_as_page_and_fragment(
    client: Any,
    foresight: Foresight,
    name: str,
    build: Callable[[Foresight], str],
    template: str,
    partial: str,
) -> None:
    client.force_login(_person_for(name, foresight))
    url = build(foresight)
    page = client.get(url)
    assert page.status_code == 200, (name, page.status_code)
    assert page.template_name == template  # type: ignore[attr-defined]
    assert "<html" in page.content.decode()
    fragment = client.get(url, headers=HTMX)
    assert fragment.status_code == 200
    assert fragment.template_name == f"{template}#{partial}"  # type: ignore[attr-defined]
    body = fragment.content.decode()
    assert "<html" not in body and f'id="{partial}"' in body
    assert "HX-Request" in fragment["Vary"]
    # A history restore gets the whole page, never a bare fragment.
    restore = client.get(url, headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert restore.template_name == template  # type: ignore[attr-defined]


def test_viewer_reads_but_cannot_change(client: Any, foresight: Foresight) -> None:
    client.force_login(foresight.viewer)
    page = client.get(org_url("story_detail", foresight, foresight.story.pk)).content.decode()
    assert "Tarina" in page and 'id="add-implication"' not in page and 'id="save-picks"' not in page
    before = list(FutureStory.objects.values_list("pk", "title", "version"))
    for url, data in [
        (org_url("story_edit", foresight, foresight.story.pk), {"title": "Muutettu", "version": "1"}),
        (org_url("story_delete", foresight, foresight.story.pk), {}),
        (org_url("story_create", foresight), {"title": "Uusi", "horizon_year": "2035", "kind": "probable"}),
    ]:
        assert client.post(url, data).status_code == 403
    assert list(FutureStory.objects.values_list("pk", "title", "version")) == before


# --- futures table: building it, consistency, coverage ------------------------------------------------


def test_building_a_table_and_a_story_from_it_through_the_views(client: Any, db: None) -> None:
    org = make_organisation(slug="aakkosla")
    client.force_login(make_member(organisation=org, role=Role.EDITOR, user=make_user(language="en")))
    created = client.post(reverse("futures:table_list", args=[org.slug]), {"new-name": "Taulukko 2035"})
    table = FuturesTable.objects.get(organisation=org)
    assert created.status_code == 302 and created["Location"] == reverse(
        "futures:table_detail", args=[org.slug, table.pk]
    )

    def post(name: str, data: dict[str, str]) -> Any:
        response = client.post(reverse(f"futures:{name}", args=[org.slug, table.pk]), data, headers=HTMX)
        assert response.status_code == 200, response.content.decode()[:500]
        assert response.template_name == "futures/table_detail.html#table-editor"
        return response

    post("variable_add", {"variable-name": "EU-rahoitus"})
    post("variable_add", {"variable-name": "Osaajat"})
    money, talent = Variable.objects.filter(table=table).order_by("order")
    for variable, labels in [(money, ["Kasvaa", "Supistuu"]), (talent, ["Jäävät", "Lähtevät"])]:
        for label in labels:
            response = post(
                "value_add", {"variable": str(variable.pk), f"new-value-{variable.pk}-label": label}
            )
    assert 'hx-swap-oob="innerHTML"' in response.content.decode()  # the live region hears it
    values = {v.label: v for v in VariableValue.objects.filter(variable__table=table)}
    post(
        "pair_add",
        {
            "pair-first": str(values["Supistuu"].pk),
            "pair-second": str(values["Jäävät"].pk),
            "pair-reason": "x",
        },
    )
    assert IncompatiblePair.objects.filter(table=table).count() == 1

    # A pair inside one variable, or the same pair again, is refused with a message and status 422.
    same = client.post(
        reverse("futures:pair_add", args=[org.slug, table.pk]),
        {"pair-first": values["Kasvaa"].pk, "pair-second": values["Supistuu"].pk},
        headers=HTMX,
    )
    assert same.status_code == 422 and "two different variables" in same.content.decode()
    again = client.post(
        reverse("futures:pair_add", args=[org.slug, table.pk]),
        {"pair-first": values["Jäävät"].pk, "pair-second": values["Supistuu"].pk},
        headers=HTMX,
    )
    assert again.status_code == 422 and "already marked" in again.content.decode()

    # Write a story from the table (the table is preselected), then pick an incompatible pair.
    form = client.get(reverse("futures:story_create", args=[org.slug]) + f"?table={table.pk}")
    assert form.context["form"].initial["futures_table"] == table.pk
    client.post(
        reverse("futures:story_create", args=[org.slug]),
        {"title": "Saarikaupunki", "horizon_year": "2035", "kind": "undesirable", "futures_table": table.pk},
    )
    story = FutureStory.objects.get(organisation=org)
    picks_url = reverse("futures:story_picks", args=[org.slug, story.pk])
    response = client.post(
        picks_url,
        {
            f"picks-variable_{money.pk}": values["Supistuu"].pk,
            f"picks-variable_{talent.pk}": values["Jäävät"].pk,
        },
        headers=HTMX,
    )
    assert response.template_name == "futures/story_detail.html#story-picks"
    body = response.content.decode()
    assert "picks an incompatible pair" in body and "EU-rahoitus: Supistuu × Osaajat: Jäävät" in body
    assert "needs checking" in body

    # The table flags the story too, and shows what the stories cover.
    detail = client.get(reverse("futures:table_detail", args=[org.slug, table.pk]))
    assert detail.context["combinations_total"] == 4
    assert detail.context["combinations_covered"] == 0  # the only story is inconsistent
    assert detail.context["uncovered_values"] == 2
    [(flagged_story, check)] = detail.context["checks"]
    assert flagged_story == story and check.flagged and check.clashes

    # Picking one variable only: flagged as missing a variable.
    client.post(picks_url, {f"picks-variable_{money.pk}": values["Kasvaa"].pk})
    listing = client.get(reverse("futures:index", args=[org.slug]))
    [row] = listing.context["rows"]
    assert row.check.missing == ("Osaajat",)
    assert "no value chosen for:" in listing.content.decode()

    # A consistent pick is counted as a covered combination.
    client.post(
        picks_url,
        {
            f"picks-variable_{money.pk}": values["Kasvaa"].pk,
            f"picks-variable_{talent.pk}": values["Lähtevät"].pk,
        },
    )
    detail = client.get(reverse("futures:table_detail", args=[org.slug, table.pk]))
    assert detail.context["combinations_covered"] == 1
    covered = {
        cell.value.label: [s.title for s in cell.stories]
        for row in detail.context["rows"]
        for cell in row.cells
    }
    assert covered == {
        "Kasvaa": ["Saarikaupunki"],
        "Supistuu": [],
        "Jäävät": [],
        "Lähtevät": ["Saarikaupunki"],
    }


def test_a_value_of_another_table_is_not_a_pick(client: Any, foresight: Foresight) -> None:
    _other, other_values = make_table(organisation=foresight.org, name="Toinen", variables={"X": ["x1"]})
    client.force_login(foresight.editor)
    variable = foresight.values["Salkku"].variable
    response = client.post(
        org_url("story_picks", foresight, foresight.story.pk),
        {f"picks-variable_{variable.pk}": other_values["x1"].pk},
    )
    # Not a value of the variable: refused with the form's message, the picks stay as they were.
    assert response.status_code == 422 and "Select a valid choice" in response.content.decode()
    assert set(foresight.story.picks.values_list("label", flat=True)) == {"Salkku", "Jäävät"}


def test_renaming_and_removing_in_the_table(client: Any, foresight: Foresight) -> None:
    client.force_login(foresight.editor)
    value = foresight.values["Salkku"]
    response = client.post(
        org_url("value_change", foresight, foresight.table.pk),
        {"value": value.pk, f"value-{value.pk}-label": "Salkkuna", f"value-{value.pk}-version": 1},
        headers=HTMX,
    )
    assert response.status_code == 200 and "Salkkuna" in response.content.decode()
    empty = client.post(
        org_url("value_change", foresight, foresight.table.pk),
        {"value": value.pk, f"value-{value.pk}-label": "", f"value-{value.pk}-version": 2},
        headers=HTMX,
    )
    assert empty.status_code == 422 and 'aria-invalid="true"' in empty.content.decode()
    # Removal asks first; the POST removes the value and the story's pick of it.
    assert (
        client.get(org_url("value_remove", foresight, foresight.table.pk) + f"?value={value.pk}").status_code
        == 200
    )
    assert VariableValue.objects.filter(pk=value.pk).exists()
    client.post(org_url("value_remove", foresight, foresight.table.pk), {"value": value.pk})
    assert not VariableValue.objects.filter(pk=value.pk).exists()
    assert list(foresight.story.picks.values_list("label", flat=True)) == ["Jäävät"]
    # A value of another organisation's table is a 404 here.
    _other, foreign = make_table(organisation=make_organisation(), variables={"Y": ["y"]})
    assert (
        client.post(
            org_url("value_remove", foresight, foresight.table.pk), {"value": foreign["y"].pk}
        ).status_code
        == 404
    )


# --- stories: the form, rich text, conflicts -----------------------------------------------------------

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">linkki</a>',
    '<svg onload="alert(1)"><circle r="1"></circle></svg>',
    '<p hx-get="/o/beetala/" hx-trigger="load">htmx</p>',
]
BAD = ("<script", "onerror", "javascript:", "<svg", "onload", "hx-get", "hx-trigger", "alert(1)")


def test_every_rich_text_payload_is_stripped_through_the_form(client: Any, foresight: Foresight) -> None:
    client.force_login(foresight.editor)
    narrative = "<p>On vuosi <strong>2035</strong>.</p>" + "".join(PAYLOADS)
    response = client.post(
        org_url("story_create", foresight),
        {"title": "Myrkkytarina", "horizon_year": "2035", "kind": "probable", "narrative": narrative},
    )
    assert response.status_code == 302
    story = FutureStory.objects.get(title="Myrkkytarina")
    stored = story.narrative.lower()
    for bad in BAD:
        assert bad not in stored, bad
    assert "<strong>2035</strong>" in stored
    page = client.get(org_url("story_detail", foresight, story.pk)).content.decode()
    narrative_html = page.split('class="narrative"', 1)[1].split("</div>", 1)[0].lower()
    for bad in BAD:
        assert bad not in narrative_html, bad
    assert "<strong>2035</strong>" in narrative_html
    # Editing goes through the same cleaning.
    client.post(
        org_url("story_edit", foresight, story.pk),
        {
            "title": "Myrkkytarina",
            "horizon_year": "2035",
            "kind": "probable",
            "narrative": PAYLOADS[0],
            "version": 1,
        },
    )
    story.refresh_from_db()
    assert "<script" not in story.narrative and story.version == 2


def test_story_form_keeps_input_on_errors_and_conflicts(client: Any, foresight: Foresight) -> None:
    client.force_login(foresight.editor)
    invalid = client.post(
        org_url("story_create", foresight),
        {"title": "", "horizon_year": "1990", "kind": "probable", "narrative": "Säilyy"},
        headers=HTMX,
    )
    assert invalid.status_code == 422
    body = invalid.content.decode()
    assert "Säilyy" in body and 'aria-invalid="true"' in body and "Give a year from" in body
    assert 'id="live-region"' in body  # the live region says the form has errors
    url = org_url("story_edit", foresight, foresight.story.pk)
    data = {"title": "Ensimmäinen", "horizon_year": "2035", "kind": "desirable", "version": "1"}
    assert client.post(url, data).status_code == 302
    stale = client.post(url, {**data, "title": "Toinen tallentaja"})
    assert stale.status_code == 409
    assert (
        "Someone else saved a change" in stale.content.decode()
        and "Toinen tallentaja" in stale.content.decode()
    )
    foresight.story.refresh_from_db()
    assert foresight.story.title == "Ensimmäinen"


def test_changing_the_table_forgets_the_old_picks(client: Any, foresight: Foresight) -> None:
    client.force_login(foresight.editor)
    other, _values = make_table(organisation=foresight.org, name="Toinen", variables={"X": ["x1"]})
    client.post(
        org_url("story_edit", foresight, foresight.story.pk),
        {
            "title": "T",
            "horizon_year": "2035",
            "kind": "desirable",
            "futures_table": other.pk,
            "version": "1",
        },
    )
    assert not foresight.story.picks.exists()


def test_story_sections_through_htmx(client: Any, foresight: Foresight) -> None:
    client.force_login(foresight.editor)
    story = foresight.story
    other_driver = make_driver(organisation=foresight.org, name="Ilmasto")
    response = client.post(
        org_url("story_driver_add", foresight, story.pk),
        {"driver-driver": other_driver.pk, "driver-assumed_state": "kiihtyy"},
        headers=HTMX,
    )
    assert response.template_name == "futures/story_detail.html#story-drivers"
    assert "kiihtyy" in response.content.decode()
    # The same driver again changes its assumed state instead of failing.
    client.post(
        org_url("story_driver_add", foresight, story.pk),
        {"driver-driver": other_driver.pk, "driver-assumed_state": "hidastuu"},
    )
    assert StoryDriver.objects.get(story=story, driver=other_driver).assumed_state == "hidastuu"

    response = client.post(
        org_url("signpost_add", foresight, story.pk),
        {
            "signpost-indicator": foresight.indicator.pk,
            "signpost-comparison": "below",
            "signpost-threshold": "55,5",
            "signpost-note": "",
        },
        headers=HTMX,
    )
    assert response.template_name == "futures/story_detail.html#story-signposts"
    assert Signpost.objects.get(story=story, comparison="below").threshold == pytest.approx(55.5)
    bad = client.post(
        org_url("signpost_add", foresight, story.pk),
        {
            "signpost-indicator": foresight.indicator.pk,
            "signpost-comparison": "above",
            "signpost-threshold": "paljon",
        },
        headers=HTMX,
    )
    assert bad.status_code == 422 and "paljon" in bad.content.decode()

    response = client.post(
        org_url("milestone_add", foresight, story.pk),
        {
            "milestone-year": "2029",
            "milestone-must_be_true": "Englanninkieliset palvelut",
            "milestone-goal": foresight.goals[1].pk,
        },
        headers=HTMX,
    )
    assert response.template_name == "futures/story_detail.html#story-milestones"
    assert "Englanninkieliset palvelut" in response.content.decode()

    response = client.post(
        org_url("implication_add", foresight, story.pk),
        {
            "implication-goal": foresight.goals[1].pk,
            "implication-kind": "threat",
            "implication-strength": "3",
            "implication-action": "Panosta pitovoimaan",
        },
        headers=HTMX,
    )
    assert response.template_name == "futures/story_detail.html#story-implications"
    assert Implication.objects.get(story=story, goal=foresight.goals[1]).signed_strength == -3
    # One implication per story and goal: a second is refused with a message.
    again = client.post(
        org_url("implication_add", foresight, story.pk),
        {
            "implication-goal": foresight.goals[1].pk,
            "implication-kind": "opportunity",
            "implication-strength": "1",
        },
        headers=HTMX,
    )
    assert again.status_code == 422 and "already has an implication" in again.content.decode()
    # Another organisation's goal is not a choice.
    foreign = make_goal(strategy=make_strategy(organisation=make_organisation()), title="Vieras")
    refused = client.post(
        org_url("implication_add", foresight, story.pk),
        {"implication-goal": foreign.pk, "implication-kind": "threat", "implication-strength": "1"},
    )
    assert refused.status_code == 422
    assert not Implication.objects.filter(goal=foreign).exists()


def test_implication_edit_and_conflict(client: Any, foresight: Foresight) -> None:
    client.force_login(foresight.editor)
    url = org_url("implication_edit", foresight, foresight.story.pk, foresight.implication.pk)
    data = {
        "goal": foresight.goals[0].pk,
        "kind": "threat",
        "strength": "1",
        "action": "Varaudu",
        "version": "1",
    }
    assert client.post(url, data).status_code == 302
    foresight.implication.refresh_from_db()
    assert foresight.implication.signed_strength == -1
    stale = client.post(url, {**data, "action": "Myöhässä"}, headers=HTMX)
    assert stale.status_code == 409 and "Myöhässä" in stale.content.decode()


# --- robustness -----------------------------------------------------------------------------------


def _robustness_world(org: Organisation, stories: int, goals: int) -> None:
    strategy = make_strategy(organisation=org, status="approved")
    goal_rows = [make_goal(strategy=strategy, title=f"Tavoite {i}", code=f"SG{i}") for i in range(goals)]
    for s in range(stories):
        story = make_story(organisation=org, title=f"Tarina {s}")
        for i, goal in enumerate(goal_rows):
            if (s + i) % 3:
                Implication.objects.create(
                    story=story,
                    goal=goal,
                    kind="threat" if (s * i) % 2 else "opportunity",
                    strength=1 + (s + i) % 3,
                )


def test_robustness_view_numbers_equal_the_table(client: Any, db: None) -> None:
    org = make_organisation(slug="aakkosla")
    strategy = make_strategy(organisation=org, status="approved")
    holds, one, threatened, idle = (
        make_goal(strategy=strategy, title="Kestää", code="SG1"),
        make_goal(strategy=strategy, title="Yhden varassa", code="SG2"),
        make_goal(strategy=strategy, title="Uhattu", code="SG3"),
        make_goal(strategy=strategy, title="Arvioimatta", code="SG4"),
    )
    fs1, fs2, fs3 = (
        make_story(organisation=org, title=t, horizon_year=2035 + i) for i, t in enumerate("ABC")
    )
    for story, goal, kind, strength in [
        (fs1, holds, "opportunity", 2),
        (fs2, holds, "opportunity", 1),
        (fs1, one, "opportunity", 3),
        (fs2, one, "threat", 2),
        (fs1, threatened, "threat", 1),
        (fs3, threatened, "threat", 3),
    ]:
        Implication.objects.create(story=story, goal=goal, kind=kind, strength=strength)
    client.force_login(make_member(organisation=org, role=Role.VIEWER, user=make_user(language="en")))
    response = client.get(reverse("futures:robustness", args=[org.slug]))
    body = response.content.decode()
    script = re.search(r'<script id="chart-robustness" type="application/json">(.*?)</script>', body, re.S)
    assert script is not None
    figure = json.loads(script[1])
    expected = [[2, 1, None], [3, -2, None], [-1, None, -3]]
    assert figure["data"][0]["z"] == expected
    assert figure["data"][0]["y"] == ["SG1 Kestää", "SG2 Yhden varassa", "SG3 Uhattu"]
    assert figure["data"][0]["x"] == ["A (2035)", "B (2036)", "C (2037)"]
    # The data table carries the same numbers, cell for cell, and each goal's class in words.
    table = body.split('id="robustness-table"', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r'data-value="(-?\d*)"', table)
    assert [int(c) if c else None for c in cells] == [v for row in expected for v in row]
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S)
    assert [
        "holds across futures" in rows[0],
        "depends on one future" in rows[1],
        "threatened in most futures" in rows[2],
    ] == [True] * 3
    assert "−2" in rows[1] and "+3" in rows[1]
    assert [g.pk for g in response.context["view"].unassessed] == [idle.pk]
    assert 'src="/static/vendor/plotly/plotly-cartesian.min.js"' in body and "<figcaption>" in body


def test_robustness_and_story_list_query_counts_do_not_grow(
    client: Any, db: None, django_assert_num_queries: Any
) -> None:
    small, large = make_organisation(slug="pieni"), make_organisation(slug="suuri")
    _robustness_world(small, stories=2, goals=2)
    _robustness_world(large, stories=12, goals=10)
    for org in (small, large):
        table, values = make_table(organisation=org, variables={"A": ["a1", "a2"], "B": ["b1", "b2"]})
        for story in FutureStory.objects.filter(organisation=org):
            story.futures_table = table
            story.save()
            story.picks.set([values["a1"], values["b2"]])
    user = make_member(organisation=small, role=Role.VIEWER)
    make_member(organisation=large, role=Role.VIEWER, user=user)
    client.force_login(user)
    counts = {}
    for name in ("robustness", "index"):
        for org in (small, large):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse(f"futures:{name}", args=[org.slug])).status_code == 200
            counts[name, org.slug] = len(queries)
    assert counts["robustness", "pieni"] == counts["robustness", "suuri"]
    assert counts["index", "pieni"] == counts["index", "suuri"]
    # Pinned: session, user, membership, then the page's own queries.
    with django_assert_num_queries(counts["index", "suuri"]):
        client.get(reverse("futures:index", args=["suuri"]))
    assert len(client.get(reverse("futures:index", args=["suuri"])).context["rows"]) == 12
    # Stories, tables, variables, pairs, picks: five queries of its own for the list, however many rows.
    with django_assert_num_queries(counts["robustness", "suuri"]):
        client.get(reverse("futures:robustness", args=["suuri"]))


# --- signposts ----------------------------------------------------------------------------------------


def test_signposts_are_live_including_missing_values(
    client: Any, foresight: Foresight, django_assert_num_queries: Any
) -> None:
    org, story = foresight.org, foresight.story
    rising = make_indicator(organisation=org, name="Osaajat jäävät")
    record(rising, 2022, "50")
    record(rising, 2023, "58")
    record(rising, 2024, None)  # the newest year is missing: the latest recorded value still counts
    empty = make_indicator(organisation=org, name="Ei arvoja")
    record(empty, 2024, None)
    never = make_indicator(organisation=org, name="Ei koskaan mitattu")
    Signpost.objects.create(story=story, indicator=rising, comparison="above", threshold=55)
    Signpost.objects.create(story=story, indicator=empty, comparison="below", threshold=10)
    Signpost.objects.create(story=story, indicator=never, comparison="above", threshold=1)
    other = make_story(organisation=org, title="Saarikaupunki")
    Signpost.objects.create(story=other, indicator=foresight.indicator, comparison="below", threshold=60)
    client.force_login(foresight.viewer)
    response = client.get(org_url("signposts", foresight))
    states = {
        (row.signpost.story.title, str(row.signpost.indicator.name)): (
            row.state.value,
            row.latest,
            row.latest_period,
        )
        for board in response.context["boards"]
        for row in board.rows
    }
    assert states == {
        ("Verkostojen Kaarnala", "Vieraskielisten työllisyysaste"): ("not_reached", "54.6", "2024"),
        ("Verkostojen Kaarnala", "Osaajat jäävät"): ("reached", "58", "2023"),
        ("Verkostojen Kaarnala", "Ei arvoja"): ("no_data", "", ""),
        ("Verkostojen Kaarnala", "Ei koskaan mitattu"): ("no_data", "", ""),
        ("Saarikaupunki", "Vieraskielisten työllisyysaste"): ("reached", "54.6", "2024"),
    }
    body = response.content.decode()
    assert "no data" in body and "not reached" in body
    # The data points most towards the story with the larger share reached (1 of 1 against 1 of 4).
    assert [b.story.title for b in response.context["leading"]] == ["Saarikaupunki"]
    # The latest values come in the signposts' own query: more signposts, the same count.
    with CaptureQueriesContext(connection) as few:
        client.get(org_url("signposts", foresight))
    for i in range(5):
        indicator = make_indicator(organisation=org, name=f"Lisä {i}")
        record(indicator, 2024, str(i))
        Signpost.objects.create(story=other, indicator=indicator, comparison="above", threshold=2)
    with django_assert_num_queries(len(few)):
        client.get(org_url("signposts", foresight))


def test_a_signpost_watches_only_own_indicators(client: Any, foresight: Foresight) -> None:
    foreign = make_indicator(organisation=make_organisation(), name="Vieras mittari")
    client.force_login(foresight.editor)
    response = client.post(
        org_url("signpost_add", foresight, foresight.story.pk),
        {"signpost-indicator": foreign.pk, "signpost-comparison": "above", "signpost-threshold": "1"},
    )
    assert response.status_code == 422
    assert not Signpost.objects.filter(indicator=foreign).exists()


# --- drivers and weak signals -------------------------------------------------------------------------


def test_drivers_and_the_weak_signal_log(client: Any, foresight: Foresight) -> None:
    client.force_login(foresight.editor)
    client.post(
        org_url("driver_list", foresight), {"new-name": "Ilmasto", "new-megatrend": foresight.megatrend.pk}
    )
    climate = Driver.objects.get(organisation=foresight.org, name="Ilmasto")
    assert climate.megatrend == foresight.megatrend and climate.created_by == foresight.editor
    response = client.post(
        org_url("signal_list", foresight),
        {
            "new-signal": "Satamat jakavat dataa",
            "new-observed_on": "2025-06-01",
            "new-source_url": "https://example.fi/uutinen",
            "new-interpretation": "Kiertotalous kiihtyy",
            "new-drivers": [climate.pk],
        },
    )
    assert response.status_code == 302
    bad = client.post(
        org_url("signal_list", foresight),
        {
            "new-signal": "Huono linkki",
            "new-observed_on": "2025-06-01",
            "new-source_url": "javascript:alert(1)",
        },
    )
    assert bad.status_code == 422 and not WeakSignal.objects.filter(signal="Huono linkki").exists()
    filtered = client.get(org_url("signal_list", foresight) + f"?driver={climate.pk}", headers=HTMX)
    assert [s.signal for s in filtered.context["signals"]] == ["Satamat jakavat dataa"]
    assert "https://example.fi/uutinen" in filtered.content.decode()
    # Deleting a driver says what it touches, then removes it from the stories.
    confirm = client.get(org_url("driver_delete", foresight, foresight.driver.pk)).content.decode()
    assert "1 stories lose it" in confirm
    client.post(org_url("driver_delete", foresight, foresight.driver.pk))
    assert not StoryDriver.objects.filter(story=foresight.story).exists()


# --- the library: megatrends and national stories ------------------------------------------------------


def test_megatrend_library_roles(client: Any, foresight: Foresight) -> None:
    make_megatrend(edition=2023, number=1, name_fi="Luonnon kantokyky murenee", is_current=False)
    client.force_login(foresight.editor)  # signed in, not a steward
    page = client.get(reverse("futures_library:megatrends"))
    assert page.status_code == 200
    assert [e for e, _rows in page.context["current"]] == [2026]
    assert [e for e, _rows in page.context["archived"]] == [2023]
    assert "Add a megatrend" not in page.content.decode()
    before = list(Megatrend.objects.order_by("pk").values_list("pk", "name_fi", "is_current", "version"))
    for url, data in [
        (reverse("futures_library:megatrend_create"), {"edition": "2026", "number": "7", "name_fi": "X"}),
        (
            reverse("futures_library:megatrend_edit", args=[foresight.megatrend.pk]),
            {"name_fi": "Y", "version": "1"},
        ),
        (reverse("futures_library:megatrend_delete", args=[foresight.megatrend.pk]), {}),
        (reverse("futures_library:megatrend_current"), {"edition": "2023"}),
    ]:
        response = client.post(url, data)
        assert response.status_code == 403
        assert "Only the association&#x27;s stewards can do this." in response.content.decode()
    assert client.get(reverse("futures_library:megatrend_create")).status_code == 403
    assert (
        list(Megatrend.objects.order_by("pk").values_list("pk", "name_fi", "is_current", "version")) == before
    )

    client.force_login(foresight.steward)
    edit = reverse("futures_library:megatrend_edit", args=[foresight.megatrend.pk])
    data = {"edition": "2026", "number": "4", "name_fi": "Tekoäly", "name_en": "AI", "version": "1"}
    assert client.post(edit, data).status_code == 302
    assert client.post(edit, {**data, "name_fi": "Myöhässä"}).status_code == 409
    duplicate = client.post(
        reverse("futures_library:megatrend_create"), {"edition": "2026", "number": "4", "name_fi": "Toinen"}
    )
    assert duplicate.status_code == 422
    client.post(reverse("futures_library:megatrend_current"), {"edition": "2023"})
    assert set(Megatrend.objects.filter(is_current=True).values_list("edition", flat=True)) == {2023}


def test_national_stories_are_read_by_everyone_and_published_by_stewards(
    client: Any, foresight: Foresight
) -> None:
    draft = make_story(organisation=foresight.association, title="Luonnos", horizon_year=2040)
    client.force_login(foresight.viewer)
    listing = client.get(reverse("futures_library:stories"))
    assert [s.title for s in listing.context["stories"]] == ["Kunnat verkostoina 2040"]
    assert client.get(reverse("futures_library:story_detail", args=[draft.pk])).status_code == 404
    # A municipality's own story is not a national one.
    assert client.get(reverse("futures_library:story_detail", args=[foresight.story.pk])).status_code == 404
    publish = reverse("futures_library:story_publish", args=[draft.pk])
    assert client.post(publish, {"publish": "1", "version": "1"}).status_code == 403
    draft.refresh_from_db()
    assert not draft.is_published

    client.force_login(foresight.steward)
    assert "Luonnos" in client.get(reverse("futures_library:stories")).content.decode()
    assert client.post(publish, {"publish": "1", "version": "1", "next": "https://evil.example/"})[
        "Location"
    ] == reverse("futures_library:stories")
    draft.refresh_from_db()
    assert draft.is_published and draft.version == 2
    # A municipality's story cannot be published, even by a steward.
    refused = client.post(
        reverse("futures_library:story_publish", args=[foresight.story.pk]), {"publish": "1"}
    )
    assert refused.status_code == 404
    # The association's own story page offers the steward the publishing button.
    page = client.get(reverse("futures:story_detail", args=["kuntaliitto", draft.pk])).content.decode()
    assert 'id="publish-story"' in page and "Take out of the library" in page


def test_copying_a_national_story_through_the_library(client: Any, foresight: Foresight) -> None:
    national = foresight.national
    original_driver = make_driver(organisation=foresight.association, name="Tekoäly palveluissa")
    StoryDriver.objects.create(story=national, driver=original_driver, assumed_state="kaikkialla")
    client.force_login(foresight.editor)
    page = client.get(reverse("futures_library:story_detail", args=[national.pk])).content.decode()
    assert "Copy into my organisation" in page
    response = client.post(
        reverse("futures_library:story_copy", args=[national.pk]),
        {"organisation": foresight.org.pk, "with_table": "on"},
    )
    copy = FutureStory.objects.get(organisation=foresight.org, copied_from=national)
    assert response["Location"] == reverse("futures:story_edit", args=[foresight.org.slug, copy.pk])
    # The existing driver of the same name is reused, not duplicated.
    assert list(copy.story_drivers.values_list("driver", flat=True)) == [foresight.driver.pk]
    # The municipality adapts its copy; the original's edit URL under the municipality is a 404.
    client.post(
        reverse("futures:story_edit", args=[foresight.org.slug, copy.pk]),
        {"title": "Aakkoslan verkostot", "horizon_year": "2040", "kind": "desirable", "version": "1"},
    )
    original_edit = reverse("futures:story_edit", args=[foresight.org.slug, national.pk])
    assert (
        client.post(
            original_edit, {"title": "Kaapattu", "horizon_year": "2040", "kind": "probable", "version": "1"}
        ).status_code
        == 404
    )
    assert client.get(original_edit).status_code == 404
    assert (
        client.post(
            reverse("futures:story_edit", args=["kuntaliitto", national.pk]), {"title": "x"}
        ).status_code
        == 404
    )
    national.refresh_from_db()
    assert national.title == "Kunnat verkostoina 2040" and national.version == 1
    # Into an organisation where the person is only a viewer: not a choice.
    viewer_only = make_organisation(slug="katselu")
    make_member(organisation=viewer_only, role=Role.VIEWER, user=foresight.editor)
    refused = client.post(
        reverse("futures_library:story_copy", args=[national.pk]), {"organisation": viewer_only.pk}
    )
    assert refused.status_code == 422
    assert not FutureStory.objects.filter(organisation=viewer_only).exists()


def test_a_viewer_cannot_copy(client: Any, foresight: Foresight) -> None:
    client.force_login(foresight.viewer)
    page = client.get(reverse("futures_library:story_detail", args=[foresight.national.pk])).content.decode()
    assert "Copy into my organisation" not in page
    response = client.post(
        reverse("futures_library:story_copy", args=[foresight.national.pk]),
        {"organisation": foresight.org.pk},
    )
    assert response.status_code == 403
    assert not FutureStory.objects.filter(copied_from=foresight.national).exists()


def test_goal_page_panel_links_the_story_and_says_how_robust(client: Any, foresight: Foresight) -> None:
    from goals.registry import goal_panels

    panel = next(p for p in goal_panels() if p.key == "implications")
    context = panel.context(foresight.goals[0], None)
    assert [i.story.title for i in context["implications"]] == ["Verkostojen Kaarnala"]
    assert context["robustness"].value == "holds"
    from django.template.loader import render_to_string

    html = render_to_string(panel.template, context)
    assert reverse("futures:story_detail", args=[foresight.org.slug, foresight.story.pk]) in html
    assert "holds across futures" in html
