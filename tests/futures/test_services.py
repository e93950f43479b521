"""Copying a national story, publishing, seeding the megatrends and the demo."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from futures.demo import load_demo_futures
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
from futures.seed import load_megatrends
from futures.services import StoryError, copy_national_story, set_published
from organisations.models import Organisation
from tests.factories import make_organisation, make_user
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


@pytest.fixture
def association(db: None) -> Organisation:
    return make_organisation(name="Kuntaliitto", kind=Organisation.Kind.ASSOCIATION, slug="kuntaliitto")


def _national(association: Organisation) -> FutureStory:
    megatrend = make_megatrend()
    driver = make_driver(organisation=association, name="Tekoäly", megatrend=megatrend, description="Kuvaus")
    table, values = make_table(
        organisation=association,
        name="Kansallinen",
        variables={"Malli": ["Verkosto", "Yksin"], "Raha": ["Kasvaa", "Supistuu"]},
    )
    table.variables.filter(name="Raha").update(driver=driver)
    mark_incompatible(table, values["Yksin"], values["Kasvaa"])
    story = make_story(
        organisation=association,
        title="Kunnat verkostoina 2040",
        horizon_year=2040,
        kind="probable",
        narrative="<p>Kansallinen</p>",
        wild_cards="EU-kehys",
        actors="Kuntaliitto",
        futures_table=table,
        picks=[values["Verkosto"], values["Kasvaa"]],
        published_at=timezone.now(),
    )
    story.megatrends.set([megatrend])
    StoryDriver.objects.create(story=story, driver=driver, assumed_state="kaikkialla")
    Milestone.objects.create(story=story, year=2030, must_be_true="Yhteinen malli")
    indicator = make_indicator(organisation=association)
    Signpost.objects.create(story=story, indicator=indicator, comparison="above", threshold=1)
    goal = make_goal(strategy=make_strategy(organisation=association), title="Kansallinen tavoite")
    Implication.objects.create(story=story, goal=goal, kind="threat", strength=1)
    return story


def _snapshot(story: FutureStory) -> dict[str, Any]:
    return {
        "story": FutureStory.objects.filter(pk=story.pk).values().get(),
        "picks": sorted(story.picks.values_list("pk", flat=True)),
        "megatrends": sorted(story.megatrends.values_list("pk", flat=True)),
        "drivers": list(StoryDriver.objects.filter(story=story).values_list("driver_id", "assumed_state")),
        "table": list(
            Variable.objects.filter(table=story.futures_table).values_list("pk", "name", "driver_id")
        ),
        "milestones": list(story.milestones.values_list("pk", "year", "must_be_true", "goal_id")),
        "signposts": list(story.signposts.values_list("pk", "indicator_id")),
        "implications": list(story.implications.values_list("pk", "goal_id", "kind", "strength")),
        "association_drivers": list(
            Driver.objects.filter(organisation=story.organisation).values_list("pk", "name")
        ),
    }


def test_copy_is_a_deep_copy_that_leaves_the_original_unchanged(association: Organisation) -> None:
    original = _national(association)
    before = _snapshot(original)
    municipality = make_organisation(slug="aakkosla")
    editor = make_user()
    copy = copy_national_story(story=original, organisation=municipality, by=editor)

    assert _snapshot(original) == before
    assert copy.organisation == municipality and copy.copied_from == original
    assert (copy.title, copy.horizon_year, copy.kind, copy.narrative, copy.wild_cards, copy.actors) == (
        "Kunnat verkostoina 2040",
        2040,
        "probable",
        "<p>Kansallinen</p>",
        "EU-kehys",
        "Kuntaliitto",
    )
    assert copy.created_by == editor and not copy.is_published
    # Drivers become the municipality's own (with the megatrend link kept).
    [(driver, state)] = [(d.driver, d.assumed_state) for d in copy.story_drivers.select_related("driver")]
    assert driver.organisation == municipality and driver.name == "Tekoäly" and state == "kaikkialla"
    assert driver.megatrend == original.megatrends.get()
    # The table is copied into the municipality, picks follow it; the pair too.
    table = copy.futures_table
    assert table is not None and table.organisation == municipality and table != original.futures_table
    assert sorted(copy.picks.values_list("label", flat=True)) == ["Kasvaa", "Verkosto"]
    assert set(copy.picks.values_list("variable__table", flat=True)) == {table.pk}
    pair = IncompatiblePair.objects.get(table=table)
    assert {pair.first.label, pair.second.label} == {"Yksin", "Kasvaa"}
    assert Variable.objects.get(table=table, name="Raha").driver == driver
    # Milestones keep year and text without the association's goal; signposts and implications stay behind.
    assert list(copy.milestones.values_list("year", "must_be_true", "goal")) == [
        (2030, "Yhteinen malli", None)
    ]
    assert not copy.signposts.exists() and not copy.implications.exists()
    assert list(copy.megatrends.all()) == list(original.megatrends.all())


def test_copy_without_the_table_copies_no_picks_and_a_second_copy_reuses_rows(
    association: Organisation,
) -> None:
    original = _national(association)
    municipality = make_organisation()
    bare = copy_national_story(story=original, organisation=municipality, by=None, with_table=False)
    assert bare.futures_table is None and not bare.picks.exists()
    assert not FuturesTable.objects.filter(organisation=municipality).exists()
    first = copy_national_story(story=original, organisation=municipality, by=None)
    second = copy_national_story(story=original, organisation=municipality, by=None)
    # One driver and one table in the municipality, however many copies.
    assert Driver.objects.filter(organisation=municipality).count() == 1
    assert FuturesTable.objects.filter(organisation=municipality).count() == 1
    assert first.futures_table == second.futures_table
    assert sorted(second.picks.values_list("label", flat=True)) == ["Kasvaa", "Verkosto"]


def test_only_published_national_stories_are_copied(association: Organisation) -> None:
    municipality = make_organisation()
    draft = make_story(organisation=association, title="Luonnos")
    with pytest.raises(StoryError):
        copy_national_story(story=draft, organisation=municipality, by=None)
    own = make_story(organisation=municipality, title="Oma")
    with pytest.raises(StoryError):
        copy_national_story(story=own, organisation=make_organisation(), by=None)
    published = _national(association)
    with pytest.raises(StoryError):
        copy_national_story(story=published, organisation=association, by=None)


def test_only_the_association_publishes(association: Organisation) -> None:
    municipality = make_organisation()
    own = make_story(organisation=municipality)
    with pytest.raises(StoryError):
        set_published(story=own, published=True, expected_version=1, by=None)
    # The database refuses it too, whatever code path writes the row.
    with pytest.raises(IntegrityError), transaction.atomic():
        FutureStory.objects.filter(pk=own.pk).update(published_at=timezone.now())
    national = make_story(organisation=association)
    set_published(story=national, published=True, expected_version=1, by=None)
    national.refresh_from_db()
    assert national.is_published
    set_published(story=national, published=False, expected_version=2, by=None)
    national.refresh_from_db()
    assert not national.is_published


# --- seeding -------------------------------------------------------------------------------------


def test_megatrends_are_seeded_once_and_steward_edits_survive(db: None) -> None:
    first = load_megatrends()
    assert (first.created, first.kept) == (9, 0)
    assert set(Megatrend.objects.filter(is_current=True).values_list("edition", flat=True)) == {2026}
    assert Megatrend.objects.filter(edition=2023, is_current=False).count() == 5
    assert not Megatrend.objects.exclude(name_sv="").exists()  # no Swedish names were verified
    assert set(Megatrend.objects.filter(edition=2023).values_list("name_en_official", flat=True)) == {True}
    assert set(Megatrend.objects.filter(edition=2026).values_list("name_en_official", flat=True)) == {False}
    ai = Megatrend.objects.get(edition=2026, number=4)
    assert ai.name_fi == "Tekoäly mullistaa yhteiskunnan perustaa"
    Megatrend.objects.filter(pk=ai.pk).update(name_sv="Artificiell intelligens")
    call_command("load_megatrends", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Megatrend.objects.count() == 9
    assert Megatrend.objects.get(pk=ai.pk).name_sv == "Artificiell intelligens"


# --- the demo ------------------------------------------------------------------------------------

DEMO_INDICATORS = {
    "Vieraskielisten työllisyysaste 20–64-vuotiailla": ("55.2", "56.0"),
    "Kansainväliset valmistuneet työllistyneet kotimaakuntaan": ("45", "46"),
    "EU-rahoitus kaupunkikonsernille (€/asukas)": ("18.9", "21.0"),
    "Strategiaan sidottujen hankkeiden osuus": ("86", "92"),
}


def _demo_world() -> None:
    kaarnala = make_organisation(name="Kaarnala", slug="kaarnala")
    make_organisation(name="Kuntaliitto", kind=Organisation.Kind.ASSOCIATION, slug="kuntaliitto")
    strategy = make_strategy(organisation=kaarnala, name="Kaarnala 2030", status="approved")
    for code in ("SG1", "SG2", "SG3", "SG4", "SG5"):
        parent = make_goal(strategy=strategy, title=f"Tavoite {code}", code=code)
        if code in ("SG2", "SG5"):
            for sub in ("1", "2"):
                make_goal(
                    strategy=strategy,
                    title=f"Alatavoite {code[-1]}.{sub}",
                    code=f"{code[-1]}.{sub}",
                    parent=parent,
                )
    for name, (before, latest) in DEMO_INDICATORS.items():
        indicator = make_indicator(organisation=kaarnala, name=name)
        record(indicator, 2023, before)
        record(indicator, 2024, latest)
    make_indicator(organisation=kaarnala, name="Kansainväliset valmistuneet työllistyneet Suomeen")


def _counts() -> dict[str, int]:
    models = (
        Megatrend, Driver, WeakSignal, FuturesTable, Variable, VariableValue, IncompatiblePair,
        FutureStory, StoryDriver, Signpost, Milestone, Implication,
    )  # fmt: skip
    return {model.__name__: model._default_manager.count() for model in models}


def test_demo_is_complete_and_idempotent(db: None) -> None:
    _demo_world()
    load_demo_futures()
    first = _counts()
    load_demo_futures()
    assert _counts() == first
    kaarnala = Organisation.objects.get(slug="kaarnala")
    stories = {s.title: s for s in FutureStory.objects.filter(organisation=kaarnala)}
    assert set(stories) == {"Verkostojen Kaarnala 2035", "Saarikaupunki 2035", "Rajaton resurssi 2040"}
    assert {s.kind for s in stories.values()} == {"desirable", "undesirable", "thought_experiment"}
    # Signposts on the indicators that exist: FS1 has I3, I5b, I7b; FS2 has I6 and I5b.
    signposts = {
        (s.story.title, s.comparison, int(s.threshold)) for s in Signpost.objects.select_related("story")
    }
    assert signposts == {
        ("Verkostojen Kaarnala 2035", "above", 65),
        ("Verkostojen Kaarnala 2035", "above", 55),
        ("Verkostojen Kaarnala 2035", "above", 95),
        ("Saarikaupunki 2035", "below", 10),
        ("Saarikaupunki 2035", "below", 40),
    }
    assert Signpost.objects.filter(indicator__name_fi__contains="kotimaakuntaan").count() == 2
    # Every story is a consistent choice from the table, which has one incompatible pair.
    assert IncompatiblePair.objects.filter(table__organisation=kaarnala).count() == 1
    from futures.views import check, table_data

    tables = table_data(FuturesTable.objects.filter(organisation=kaarnala))
    for story in stories.values():
        picks = list(story.picks.values_list("pk", flat=True))
        assert story.futures_table_id is not None
        assert not check(picks, tables[story.futures_table_id]).flagged, story.title
    # Milestones are tied to goals; implications make a varied robustness picture.
    assert list(stories["Verkostojen Kaarnala 2035"].milestones.values_list("goal__code", flat=True)) == [
        "5.1",
        "2.2",
        "5.2",
    ]
    from futures.views import robustness_view

    view = robustness_view(kaarnala)
    classes = {str(row.goal.code): row.robustness.value for row in view.rows}
    assert classes == {
        "SG1": "mixed",
        "SG2": "one_future",
        "SG3": "holds",
        "SG4": "mixed",
        "SG5": "threatened",
    }
    national = FutureStory.objects.get(organisation__slug="kuntaliitto")
    assert national.is_published and national.futures_table is not None and national.picks.count() == 2


def test_demo_skips_what_does_not_exist(db: None) -> None:
    load_demo_futures()  # no Kaarnala, no association: only the megatrends
    assert Megatrend.objects.count() == 9 and not FutureStory.objects.exists()
    make_organisation(name="Kaarnala", slug="kaarnala")
    load_demo_futures()  # no goals, no indicators: the stories come without signposts and implications
    assert FutureStory.objects.count() == 3
    assert not Signpost.objects.exists() and not Implication.objects.exists()
