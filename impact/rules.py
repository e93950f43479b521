"""Follow-up rules of activities: what is overdue, what serves no goal, what is counted twice."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from impact.models import ActivityStatus

REVIEW_INTERVAL_DAYS = 365


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the last day of the month when that day does not exist)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def report_due_on(
    *, status: str, start_date: dt.date | None, last_report: dt.date | None, interval_months: int
) -> dt.date | None:
    """When the next progress report is due; None when the activity needs none (planned, paused or ended)."""
    if status != ActivityStatus.ONGOING:
        return None
    since = last_report or start_date
    if since is None:
        return None
    return add_months(since, interval_months)


def is_overdue(due: dt.date | None, today: dt.date) -> bool:
    return due is not None and due < today


def review_due_on(*, last_review: dt.date | None, start_date: dt.date | None) -> dt.date | None:
    """Partnerships and networks are reviewed every year; one never reviewed is due a year from its start."""
    since = last_review or start_date
    return since + dt.timedelta(days=REVIEW_INTERVAL_DAYS) if since else None


@dataclass(frozen=True)
class Claim:
    activity_id: int
    indicator_id: int
    level: str


def shared_claims(claims: Iterable[Claim]) -> dict[int, set[int]]:
    """Double counting: outcome and impact indicators claimed by more than one activity.

    Returns indicator id -> ids of the activities that claim it. An output belongs to its activity;
    outcomes and impact are shared results, so several activities claiming one must not add up.
    """
    by_indicator: dict[int, set[int]] = defaultdict(set)
    for claim in claims:
        if claim.level in {"outcome", "impact"}:
            by_indicator[claim.indicator_id].add(claim.activity_id)
    return {indicator: activities for indicator, activities in by_indicator.items() if len(activities) > 1}
