"""Factories for activities, their chains, contributions, reports and reviews."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from goals.models import Goal
from impact.models import (
    Activity,
    ChainStep,
    Contribution,
    Partner,
    PartnershipReview,
    ProgressReport,
)
from indicators.models import Indicator
from organisations.models import Organisation


def make_activity(
    *,
    organisation: Organisation,
    name: str = "Kaarnala Talent Bridge",
    kind: str = "eu_project",
    status: str = "ongoing",
    start_date: dt.date | None = dt.date(2024, 1, 1),
    end_date: dt.date | None = None,
    **values: Any,
) -> Activity:
    return Activity.objects.create(
        organisation=organisation,
        name=name,
        kind=kind,
        status=status,
        start_date=start_date,
        end_date=end_date,
        **values,
    )


def make_partner(
    *, activity: Activity, name: str = "Norrvik kommun", country: str = "SE", **values: Any
) -> Partner:
    return Partner.objects.create(activity=activity, name=name, country=country, **values)


def make_contribution(*, activity: Activity, goal: Goal, **values: Any) -> Contribution:
    return Contribution.objects.create(activity=activity, goal=goal, **values)


def make_report(
    *, activity: Activity, reported_on: dt.date = dt.date(2025, 6, 1), status: str = "on_track", **values: Any
) -> ProgressReport:
    values.setdefault("achieved", "Kaksi rekrytointia tehty.")
    return ProgressReport.objects.create(activity=activity, reported_on=reported_on, status=status, **values)


def make_review(
    *,
    activity: Activity,
    reviewed_on: dt.date = dt.date(2025, 3, 1),
    shared_goals: bool = True,
    joint_action_plan: bool = True,
    decision: str = "keep",
    **values: Any,
) -> PartnershipReview:
    return PartnershipReview.objects.create(
        activity=activity,
        reviewed_on=reviewed_on,
        shared_goals=shared_goals,
        joint_action_plan=joint_action_plan,
        decision=decision,
        **values,
    )


def make_step(
    *, activity: Activity, level: str = "outcome", description: str = "Yritykset rekrytoivat", **values: Any
) -> ChainStep:
    return ChainStep.objects.create(activity=activity, level=level, description=description, **values)


def make_indicator(*, organisation: Organisation, name: str = "Työllisyysaste", **values: Any) -> Indicator:
    values.setdefault("chain_level", "outcome")
    return Indicator.objects.create(organisation=organisation, name_fi=name, **values)


def money(value: str) -> Decimal:
    return Decimal(value)
