"""A newer registry marks a merged municipality with its successor; merge_organisation moves its data."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pghistory.models
import pytest
from django.core.management import CommandError, call_command

from futures.models import Driver
from goals.models import Goal, Strategy
from impact.models import Activity, ActivitySettings
from indicators.models import Indicator, Observation
from organisations.merge import MergeRefused, merge_organisation, tenant_relations
from organisations.models import Membership, Organisation, Role
from organisations.registry import load_registry
from tests.factories import make_member, make_organisation, make_user
from tests.futures.factories import make_driver
from tests.goals.factories import make_goal, make_strategy
from tests.impact.factories import make_activity
from tests.indicators.indicator_factories import make_indicator, make_template

# --- the registry ------------------------------------------------------------------------------------


def test_the_real_registry_marks_pertunmaa_merged_into_mantyharju(db: None) -> None:
    """An installation that knew the 309 municipalities of 2024 loads the 2025 registry."""
    pertunmaa = make_organisation(name="Pertunmaa", slug="pertunmaa", code="588")
    result = load_registry()
    pertunmaa.refresh_from_db()
    mantyharju = Organisation.objects.get(kind="municipality", code="507")
    assert pertunmaa.successor == mantyharju
    assert result.merged == ["Pertunmaa (588) → Mäntyharju (507) on 2025-01-01"]
    assert result.absent == []
    again = load_registry()
    assert again.merged == [] and (again.created, again.updated) == (0, 0)
    assert Organisation.objects.filter(kind="municipality").count() == 309  # Pertunmaa is kept, not deleted


def _csv(path: Path, header: str, *rows: str) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_a_newer_registry_file_marks_listed_mergers_and_reports_unlisted_absences(
    db: None, tmp_path: Path
) -> None:
    vanha = make_organisation(name="Vanhala", slug="vanhala", code="901")
    kadonnut = make_organisation(name="Kadonnut", slug="kadonnut", code="902")
    municipalities = _csv(
        tmp_path / "municipalities.csv",
        "code,name_fi,name_sv,region_code",
        "903,Uusikylä,Nyby,10",
    )
    population = _csv(tmp_path / "population.csv", "code,name_fi,population,reference_date")
    mergers = _csv(
        tmp_path / "mergers.csv",
        "code,name_fi,successor_code,successor_name_fi,merged_on",
        "901,Vanhala,903,Uusikylä,2027-01-01",
    )
    result = load_registry(municipalities=municipalities, population=population, mergers=mergers)
    uusikyla = Organisation.objects.get(code="903", kind="municipality")
    assert (uusikyla.name_fi, uusikyla.name_sv, uusikyla.name_en) == ("Uusikylä", "Nyby", "")
    vanha.refresh_from_db()
    kadonnut.refresh_from_db()
    assert vanha.successor == uusikyla and kadonnut.successor is None
    assert result.merged == ["Vanhala (901) → Uusikylä (903) on 2027-01-01"]
    assert result.absent == ["Kadonnut (902)"]
    out = io.StringIO()
    call_command(
        "load_registry",
        municipalities=str(municipalities),
        population=str(population),
        mergers=str(mergers),
        stdout=out,
    )
    assert "Not in the registry and no merger listed: Kadonnut (902)" in out.getvalue()


# --- merge_organisation ------------------------------------------------------------------------------


@pytest.fixture
def merger(db: None) -> SimpleNamespace:
    """Pertunmaa with data of every kind, Mäntyharju with some of the same."""
    pertunmaa = make_organisation(name="Pertunmaa", slug="pertunmaa", code="588")
    mantyharju = make_organisation(name="Mäntyharju", slug="mantyharju", code="507")
    only_p = make_member(organisation=pertunmaa, role=Role.EDITOR, user=make_user(username="only-p"))
    both = make_member(organisation=pertunmaa, role=Role.ADMIN, user=make_user(username="both"))
    make_member(organisation=mantyharju, role=Role.VIEWER, user=both)
    template = make_template(code="statfin-m411", name_fi="Väkiluku")
    p_population = make_indicator(organisation=pertunmaa, template=template, name="Väkiluku")
    make_indicator(organisation=mantyharju, template=template, name="Väkiluku")
    for year, value in [(2022, "1700"), (2023, "1690")]:
        Observation.objects.create(indicator=p_population, period=dt.date(year, 1, 1), value=Decimal(value))
    p_tourists = make_indicator(organisation=pertunmaa, name="Matkailijat")
    p_strategy = make_strategy(organisation=pertunmaa, name="Pertunmaa-strategia", status="approved")
    make_goal(strategy=p_strategy, title="Elinvoimainen kylä")
    old_strategy = make_strategy(
        organisation=pertunmaa, name="Vanha strategia", term_start=2017, term_end=2021
    )
    m_strategy = make_strategy(organisation=mantyharju, name="Mäntyharju 2030", status="approved")
    activity = make_activity(organisation=pertunmaa, name="Pertunmaa–Tartu exchange")
    ActivitySettings.objects.create(organisation=pertunmaa, report_interval_months=3)
    ActivitySettings.objects.create(organisation=mantyharju, report_interval_months=12)
    driver = make_driver(organisation=pertunmaa, name="Etätyö")
    return SimpleNamespace(**locals())


def _counts(org: Organisation) -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.filter(**{fk.name: org}).count()
        for model, fk in tenant_relations()
    }


def test_a_dry_run_reports_and_changes_nothing(merger: SimpleNamespace) -> None:
    pertunmaa, mantyharju = merger.pertunmaa, merger.mantyharju
    before = (_counts(pertunmaa), _counts(mantyharju))
    out = io.StringIO()
    call_command("merge_organisation", "pertunmaa", "mantyharju", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "Pertunmaa (pertunmaa) → Mäntyharju (mantyharju)" in text
    assert "indicators.Indicator: 2 moved" in text and "goals.Strategy: 2 moved" in text
    assert "organisations.Membership: 1 moved" in text
    assert "both: member of both, keeps the higher role admin" in text
    assert "Dry run: nothing was changed." in text
    assert (_counts(pertunmaa), _counts(mantyharju)) == before
    pertunmaa.refresh_from_db()
    assert pertunmaa.successor is None


def test_merging_moves_every_row_with_the_conflict_rules(merger: SimpleNamespace) -> None:
    pertunmaa, mantyharju = merger.pertunmaa, merger.mantyharju
    call_command("merge_organisation", "pertunmaa", "mantyharju", stdout=io.StringIO())

    assert all(count == 0 for count in _counts(pertunmaa).values())
    pertunmaa.refresh_from_db()
    assert pertunmaa.successor == mantyharju
    # People: the one in both keeps the higher role; the other moves as they were.
    roles = dict(Membership.objects.filter(organisation=mantyharju).values_list("user__username", "role"))
    assert roles == {"only-p": "editor", "both": "admin"}
    # The duplicate of Mäntyharju's adopted indicator stays a separate series, with its values.
    kept_apart = Indicator.objects.get(pk=merger.p_population.pk)
    assert kept_apart.organisation == mantyharju and kept_apart.name_fi == "Väkiluku (Pertunmaa)"
    assert kept_apart.template is None and kept_apart.source == "manual" and kept_apart.source_code == ""
    assert "library template statfin-m411" in kept_apart.note
    assert kept_apart.observations.count() == 2
    assert Indicator.objects.filter(organisation=mantyharju, template=merger.template).count() == 1
    tourists = Indicator.objects.get(pk=merger.p_tourists.pk)
    assert (tourists.organisation, tourists.name_fi) == (mantyharju, "Matkailijat")
    # Strategies: the same term's becomes a renamed draft; Mäntyharju's own stays the current one.
    same_term = Strategy.objects.get(pk=merger.p_strategy.pk)
    assert (same_term.name, same_term.status) == ("Pertunmaa-strategia (Pertunmaa)", "draft")
    assert Goal.objects.get(strategy=same_term).title == "Elinvoimainen kylä"
    assert Strategy.objects.get(pk=merger.old_strategy.pk).name == "Vanha strategia"
    assert Strategy.objects.for_organisation(mantyharju).current() == merger.m_strategy
    # Activities, futures work: moved as they are; Mäntyharju keeps its own follow-up rule.
    assert Activity.objects.get(pk=merger.activity.pk).organisation == mantyharju
    assert ActivitySettings.objects.get(organisation=mantyharju).report_interval_months == 12
    assert Driver.objects.get(pk=merger.driver.pk).organisation == mantyharju
    # History keeps who did it: the updates carry the command's context.
    events = pghistory.models.Events.objects.tracks(same_term).filter(pgh_label="update")
    assert any((e.pgh_context or {}).get("command") == "merge_organisation" for e in events)


def test_merges_that_make_no_sense_are_refused(merger: SimpleNamespace, association: Organisation) -> None:
    pertunmaa, mantyharju = merger.pertunmaa, merger.mantyharju
    with pytest.raises(MergeRefused, match="itself"):
        merge_organisation(merged=pertunmaa, into=pertunmaa)
    with pytest.raises(MergeRefused, match="can merge only into another one"):
        merge_organisation(merged=pertunmaa, into=association)
    with pytest.raises(CommandError, match="No organisation"):
        call_command("merge_organisation", "pertunmaa", "no-such-place", stdout=io.StringIO())
    Organisation.objects.filter(pk=mantyharju.pk).update(successor=make_organisation(slug="suurkunta"))
    mantyharju.refresh_from_db()
    with pytest.raises(MergeRefused, match="merge into that one"):
        merge_organisation(merged=pertunmaa, into=mantyharju)
    assert Membership.objects.filter(organisation=pertunmaa).count() == 2  # nothing moved
