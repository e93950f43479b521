"""An organisation's data version (organisations.data_version): database triggers count every change of
its data, whichever way it is written, and only its own."""

from __future__ import annotations

import pghistory.models
import pytest
from django.apps import apps
from django.db import connection, models, transaction

from futures.models import FutureStory, Implication
from goals.models import Goal, GoalIndicator
from impact.models import Activity, Contribution
from indicators.models import Observation
from organisations.data_version import OPERATIONS, data_version, trigger_name
from organisations.models import Organisation
from tests.futures.factories import make_story
from tests.goals.factories import make_goal, make_measure, make_sdg_target, make_strategy
from tests.impact.factories import make_activity, make_contribution

pytestmark = pytest.mark.django_db

# Tables of these apps that are not an organisation's data, and why the dashboard does not depend on them.
NOT_DATA = {
    "organisations_user": "people: no dashboard shows a person",
    "organisations_user_groups": "Django's permissions",
    "organisations_user_user_permissions": "Django's permissions",
    "organisations_region": "the registry, loaded from files",
    "organisations_membership": "who may read, not what is read",
    "organisations_invitation": "an offer of a membership: who may read, not what is read",
    "organisations_scheduledrun": "the scheduler's own bookkeeping",
    "organisations_datachange": "the versions themselves",
    "indicators_sdgtarget": "the national library (stewards), not an organisation's",
    "indicators_indicatortemplate": "the national library: an adopted indicator keeps its own copy",
    "indicators_indicatortemplate_sdg_targets": "the national library",
    "indicators_templateversion": "the national library",
    "indicators_importrun": "an import's progress; the values it writes are counted",
    "futures_megatrend": "the national megatrend library",
    "impact_reportrun": "a PDF's progress; the report is read from the data",
}


def _tables() -> set[str]:
    """Every table of the product's apps (and many-to-many tables), history tables left out."""
    found: set[str] = set()
    for label in ("organisations", "indicators", "goals", "futures", "impact"):
        for model in apps.get_app_config(label).get_models():
            if issubclass(model, pghistory.models.Event):
                continue
            found.add(model._meta.db_table)
            for field in model._meta.local_many_to_many:
                through = field.remote_field.through
                assert through is not None and not isinstance(through, str)
                if through._meta.auto_created:
                    found.add(through._meta.db_table)
    return found


def test_every_table_of_an_organisations_data_counts_its_changes() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE tgname LIKE 'data_changed_%%'"
        )
        triggers = set(cursor.fetchall())
    expected = {trigger_name(name) for name, _event, _rows in OPERATIONS}
    missing = {
        table: sorted(expected - {name for t, name in triggers if t == table})
        for table in _tables() - set(NOT_DATA)
    }
    assert {table: names for table, names in missing.items() if names} == {}, (
        "A new table of an organisation's data needs the triggers of organisations.data_version.changes_sql "
        "(in its app's migration), or a line in NOT_DATA saying why the dashboard does not read it."
    )
    assert set(NOT_DATA) <= _tables()


def _changes(*organisations: Organisation) -> list[int]:
    return [data_version(organisation.pk) for organisation in organisations]


def test_changes_count_for_their_own_organisation_however_they_are_written(
    org_a: Organisation, org_b: Organisation
) -> None:
    strategy = make_strategy(organisation=org_a)
    goal = make_goal(strategy=strategy, title="Vienti kasvaa")
    indicator = make_measure(organisation=org_a, name="Vienti", values={2024: 10, 2025: 12})
    activity = make_activity(organisation=org_a, name="Twin town")
    story = make_story(organisation=org_a, title="Tarina")
    other = make_activity(organisation=org_b, name="B")

    def step(change: object) -> None:
        before_a, before_b = _changes(org_a, org_b)
        with transaction.atomic():
            change() if callable(change) else None
        after_a, after_b = _changes(org_a, org_b)
        assert after_a > before_a, change
        assert after_b == before_b, change

    step(lambda: Observation.objects.filter(indicator=indicator).update(value=models.F("value") + 1))
    step(lambda: GoalIndicator.objects.create(goal=goal, indicator=indicator))
    step(lambda: goal.sdg_targets.add(make_sdg_target()))
    step(lambda: make_contribution(activity=activity, goal=goal))
    step(lambda: Contribution.objects.filter(activity=activity).delete())
    step(lambda: Implication.objects.create(story=story, goal=goal, kind="threat", strength=2))
    step(lambda: Activity.objects.get(pk=activity.pk).soft_delete(by=None))
    step(lambda: FutureStory.objects.filter(pk=story.pk).update(title="Uusi nimi"))
    step(lambda: Goal.objects.filter(pk=goal.pk).update(title="Vienti kasvaa nopeasti"))
    step(lambda: Organisation.objects.filter(pk=org_a.pk).update(shares_indicator_data=True))

    before = _changes(org_a, org_b)
    Activity.objects.filter(pk=other.pk).update(name="B2")
    after = _changes(org_a, org_b)
    assert after[0] == before[0] and after[1] > before[1]

    # A row moved to another organisation (as merge_organisation does) changes both.
    before = after
    Activity.objects.filter(pk=other.pk).update(organisation=org_a)
    after = _changes(org_a, org_b)
    assert after[0] > before[0] and after[1] > before[1]


def test_a_statement_counts_once_however_many_rows_it_writes(org_a: Organisation) -> None:
    indicator = make_measure(organisation=org_a, name="Vienti", values={y: y for y in range(2000, 2026)})
    before = data_version(org_a.pk)
    assert Observation.objects.filter(indicator=indicator).update(status="final") == 26
    assert data_version(org_a.pk) == before + 2  # the rows before and after the UPDATE: one row each


def test_a_rolled_back_change_does_not_count(org_a: Organisation) -> None:
    activity = make_activity(organisation=org_a, name="Twin town")
    before = data_version(org_a.pk)
    with pytest.raises(RuntimeError), transaction.atomic():
        Activity.objects.filter(pk=activity.pk).update(name="Ei tallennu")
        raise RuntimeError
    assert data_version(org_a.pk) == before
