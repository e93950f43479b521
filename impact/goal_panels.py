"""What the impact app adds to goal pages through the goals registries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from goals.models import Goal
from goals.registry import GoalPanel, QualityCheck, register_goal_panel, register_quality_check
from impact.models import Contribution, ProgressReport
from organisations.collation import sorted_finnish


def _reached(goals: list[Goal]) -> set[int]:
    return set(Contribution.objects.filter(goal__in=[g.pk for g in goals]).values_list("goal_id", flat=True))


def contributing_activities(goal: Goal, request: Any) -> dict[str, Any]:
    """The activities that serve the goal, with their budgets and latest report (one query)."""
    latest = ProgressReport.objects.filter(activity=OuterRef("activity")).order_by("-reported_on", "-pk")
    contributions = sorted_finnish(
        Contribution.objects.filter(goal=goal)
        .select_related("activity")
        .annotate(
            last_report_status=Subquery(latest.values("status")[:1]),
            last_report_on=Subquery(latest.values("reported_on")[:1]),
            last_report_achieved=Subquery(latest.values("achieved")[:1]),
        ),
        key=lambda c: c.activity.name,
    )
    for contribution in contributions:
        status = getattr(contribution, "last_report_status", None)
        contribution.last_report_label = ProgressReport.Status(status).label if status else ""  # type: ignore[attr-defined]
    total = sum((c.activity.total_budget or Decimal(0) for c in contributions), Decimal(0))
    own = sum((c.activity.own_share or Decimal(0) for c in contributions), Decimal(0))
    external = sum((c.activity.external_funding or Decimal(0) for c in contributions), Decimal(0))
    tenant = getattr(request, "tenant", None)
    return {
        "contributions": contributions,
        "total_budget": total,
        "own_share": own,
        "external_funding": external,
        "goal": goal,
        "organisation": tenant.organisation if tenant else None,
    }


def register() -> None:
    register_quality_check(
        QualityCheck(
            key="reached",
            label=_("Reached by at least one international activity"),
            why=_(
                "International activity is impactful only when it serves the strategy's goals; "
                "a goal that no activity reaches gets nothing from the international work."
            ),
            how_to_fix=_(
                "Link an activity that serves this goal, or consider whether international activity "
                "is the right means for it."
            ),
            passing=_reached,
            order=40,
        )
    )
    register_goal_panel(
        GoalPanel(
            key="contributing_activities",
            title=_("Contributing activities"),
            template="impact/panels/goal_activities.html",
            context=contributing_activities,
            order=10,
        )
    )
