"""Pure functions behind the activity pages: register rows and totals, goal paths, double counting.

They take plain objects that the views fetched and return plain data; nothing here touches the request
or the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from goals.models import Goal
from goals.tree import Node, build_tree
from impact.models import REVIEWED_KINDS, Activity, ActivityStatus, ProgressReport
from impact.rules import Claim, is_overdue, report_due_on, review_due_on, shared_claims
from organisations.collation import finnish_key, sorted_finnish

# Relationships that are paused or over are not nagged for their yearly review (as in impact.reminders).
NO_REVIEW_STATUSES = {ActivityStatus.PAUSED, ActivityStatus.ENDED}


@dataclass(frozen=True)
class FollowUp:
    """When the next report and review are due, and whether they are late."""

    report_due: dt.date | None
    report_overdue: bool
    review_due: dt.date | None
    review_is_due: bool


def follow_up(
    *,
    kind: str,
    status: str,
    start_date: dt.date | None,
    last_report: dt.date | None,
    last_review: dt.date | None,
    interval_months: int,
    today: dt.date,
) -> FollowUp:
    """The follow-up state of one activity, from the rules in impact.rules."""
    report_due = report_due_on(
        status=status, start_date=start_date, last_report=last_report, interval_months=interval_months
    )
    review_due = None
    if kind in REVIEWED_KINDS and status not in NO_REVIEW_STATUSES:
        review_due = review_due_on(last_review=last_review, start_date=start_date)
    return FollowUp(
        report_due=report_due,
        report_overdue=is_overdue(report_due, today),
        review_due=review_due,
        review_is_due=review_due is not None and review_due <= today,
    )


@dataclass(frozen=True)
class RegisterRow:
    """One activity as the register shows it."""

    activity: Activity
    goal_count: int
    last_report_on: dt.date | None
    last_report_status: str | None
    follow: FollowUp

    @property
    def serves_no_goal(self) -> bool:
        return self.goal_count == 0

    @property
    def last_report_label(self) -> str:
        if not self.last_report_status:
            return ""
        return str(ProgressReport.Status(self.last_report_status).label)


def register_rows(
    activities: Iterable[Activity], *, interval_months: int, today: dt.date
) -> list[RegisterRow]:
    """Rows for activities annotated by ActivityQuerySet.with_follow_up()."""
    rows = []
    for activity in activities:
        last_report_on = getattr(activity, "last_report_on", None)
        rows.append(
            RegisterRow(
                activity=activity,
                goal_count=getattr(activity, "goal_count", 0),
                last_report_on=last_report_on,
                last_report_status=getattr(activity, "last_report_status", None),
                follow=follow_up(
                    kind=activity.kind,
                    status=activity.status,
                    start_date=activity.start_date,
                    last_report=last_report_on,
                    last_review=getattr(activity, "last_review_on", None),
                    interval_months=interval_months,
                    today=today,
                ),
            )
        )
    return rows


@dataclass(frozen=True)
class RegisterTotals:
    count: int
    total_budget: Decimal
    own_share: Decimal
    external_funding: Decimal
    serving_no_goal: int
    reports_overdue: int
    reviews_due: int

    @property
    def external_per_own_euro(self) -> Decimal | None:
        if not self.own_share:
            return None
        return self.external_funding / self.own_share


def register_totals(rows: Sequence[RegisterRow]) -> RegisterTotals:
    """Counts and money for the rows of the current filter (empty amounts count as zero)."""

    def total(values: Iterable[Decimal | None]) -> Decimal:
        return sum((value or Decimal(0) for value in values), Decimal(0))

    return RegisterTotals(
        count=len(rows),
        total_budget=total(row.activity.total_budget for row in rows),
        own_share=total(row.activity.own_share for row in rows),
        external_funding=total(row.activity.external_funding for row in rows),
        serving_no_goal=sum(row.serves_no_goal for row in rows),
        reports_overdue=sum(row.follow.report_overdue for row in rows),
        reviews_due=sum(row.follow.review_is_due for row in rows),
    )


@dataclass(frozen=True)
class GoalOption:
    """A goal with its place in the tree: the goals above it, root first."""

    goal: Goal
    depth: int
    ancestors: tuple[Goal, ...]

    @property
    def label(self) -> str:
        return str(self.goal)

    @property
    def path_label(self) -> str:
        return " › ".join(str(goal) for goal in self.ancestors)  # noqa: RUF001  (a path separator)


def goal_options(goals: Iterable[Goal]) -> list[GoalOption]:
    """Every goal in tree order (a parent before its sub-goals) with the path above it."""
    options: list[GoalOption] = []

    def visit(node: Node, ancestors: tuple[Goal, ...]) -> None:
        options.append(GoalOption(node.goal, node.depth, ancestors))
        for child in node.children:
            visit(child, (*ancestors, node.goal))

    for root in build_tree(goals):
        visit(root, ())
    return options


def subtree_ids(options: Sequence[GoalOption], goal_id: int) -> set[int]:
    """The goal and every goal below it."""
    found = {goal_id}
    for option in options:  # tree order: ancestors are always seen before their descendants
        if any(ancestor.pk in found for ancestor in option.ancestors):
            found.add(option.goal.pk)
    return found


def search_goals(options: Sequence[GoalOption], query: str) -> list[GoalOption]:
    """Goals whose code or title contains every word of the query (case-insensitive)."""
    words = query.casefold().split()
    if not words:
        return list(options)
    return [
        option
        for option in options
        if all(word in f"{option.goal.code} {option.goal.title}".casefold() for word in words)
    ]


@dataclass(frozen=True)
class SharedIndicator:
    """An outcome or impact indicator of this activity's chain that other activities claim too."""

    indicator_id: int
    indicator_name: str
    other_activities: list[str]


def double_counting(
    *,
    activity_id: int,
    claims: Iterable[Claim],
    indicator_names: dict[int, str],
    activity_names: dict[int, str],
) -> list[SharedIndicator]:
    """The indicators this activity shares with others (rules.shared_claims), with the others' names."""
    shared = shared_claims(claims)
    result = []
    for indicator_id, activity_ids in shared.items():
        if activity_id not in activity_ids:
            continue
        others = sorted_finnish(
            (activity_names[other] for other in activity_ids if other != activity_id), key=str
        )
        result.append(SharedIndicator(indicator_id, indicator_names.get(indicator_id, ""), others))
    return sorted(result, key=lambda item: finnish_key(item.indicator_name))
