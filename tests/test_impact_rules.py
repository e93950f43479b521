"""Follow-up rules of activities (pure functions) and the goal-quality item the impact app registers."""

from __future__ import annotations

import datetime as dt

import pytest

from goals.models import Goal
from goals.quality import evaluate
from impact.models import Activity, Contribution
from impact.rules import Claim, add_months, is_overdue, report_due_on, review_due_on, shared_claims
from tests.factories import make_organisation
from tests.goals.factories import make_goal, make_strategy


def test_report_due_dates() -> None:
    assert report_due_on(
        status="ongoing", start_date=dt.date(2025, 1, 31), last_report=None, interval_months=6
    ) == dt.date(2025, 7, 31)
    assert report_due_on(
        status="ongoing", start_date=dt.date(2024, 1, 1), last_report=dt.date(2025, 8, 31), interval_months=6
    ) == dt.date(2026, 2, 28)
    assert (
        report_due_on(status="paused", start_date=dt.date(2024, 1, 1), last_report=None, interval_months=6)
        is None
    )
    assert is_overdue(dt.date(2026, 1, 1), dt.date(2026, 1, 2))
    assert not is_overdue(dt.date(2026, 1, 2), dt.date(2026, 1, 2))
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert review_due_on(last_review=dt.date(2025, 3, 1), start_date=None) == dt.date(2026, 3, 1)


def test_double_counting_is_about_shared_outcomes() -> None:
    claims = [
        Claim(1, 10, "outcome"),
        Claim(2, 10, "outcome"),
        Claim(1, 11, "output"),
        Claim(2, 11, "output"),
        Claim(3, 12, "impact"),
    ]
    assert shared_claims(claims) == {10: {1, 2}}


@pytest.mark.django_db
def test_reached_by_an_activity_is_on_the_checklist() -> None:
    org = make_organisation()
    goal = make_goal(strategy=make_strategy(organisation=org))
    items = {i.check.key: i.passed for i in evaluate([goal])[goal.pk]}
    assert items["reached"] is False
    activity = Activity.objects.create(organisation=org, name="Talent Bridge", kind="eu_project")
    Contribution.objects.create(activity=activity, goal=goal)
    items = {i.check.key: i.passed for i in evaluate(list(Goal.objects.filter(pk=goal.pk)))[goal.pk]}
    assert items["reached"] is True
