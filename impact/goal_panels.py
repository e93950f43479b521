"""What the impact app adds to goal pages through the goals registries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from goals.models import Goal
from goals.registry import GoalPanel, QualityCheck, register_goal_panel, register_quality_check
from impact.models import Contribution


def _reached(goals: list[Goal]) -> set[int]:
    return set(Contribution.objects.filter(goal__in=[g.pk for g in goals]).values_list("goal_id", flat=True))


def contributing_activities(goal: Goal, request: Any) -> dict[str, Any]:
    """The activities that serve the goal, with their budgets."""
    contributions = list(
        Contribution.objects.filter(goal=goal).select_related("activity").order_by("activity__name")
    )
    total = sum((c.activity.total_budget or Decimal(0) for c in contributions), Decimal(0))
    own = sum((c.activity.own_share or Decimal(0) for c in contributions), Decimal(0))
    return {"contributions": contributions, "total_budget": total, "own_share": own, "goal": goal}


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
