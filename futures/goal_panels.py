"""What the futures app adds to goal pages: the goal's implications from future stories."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from futures.analysis import robustness
from futures.models import FutureStory, Implication
from goals.models import Goal
from goals.registry import GoalPanel, register_goal_panel


def goal_implications(goal: Goal, request: Any) -> dict[str, Any]:
    implications = list(
        Implication.objects.filter(goal=goal)
        .select_related("story__organisation")
        .order_by("story__horizon_year", "story__title")
    )
    organisation_id = goal.strategy.organisation_id
    story_count = FutureStory.objects.filter(organisation_id=organisation_id).count()
    signed = {i.story_id: i.signed_strength for i in implications}
    return {
        "implications": implications,
        "goal": goal,
        "story_count": story_count,
        "robustness": robustness(signed, story_count),
    }


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
