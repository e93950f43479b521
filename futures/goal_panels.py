"""What the futures app adds to goal pages: the goal's implications from future stories."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from futures.models import Implication
from goals.models import Goal
from goals.registry import GoalPanel, register_goal_panel


def goal_implications(goal: Goal, request: Any) -> dict[str, Any]:
    implications = list(
        Implication.objects.filter(goal=goal)
        .select_related("story")
        .order_by("story__horizon_year", "story__title")
    )
    return {"implications": implications, "goal": goal}


def register() -> None:
    register_goal_panel(
        GoalPanel(
            key="implications",
            title=_("What the future stories mean for this goal"),
            template="futures/panels/goal_implications.html",
            context=goal_implications,
            order=20,
        )
    )
