"""The goals app's part in audit history, soft delete and the organisation archive (registered in ready())."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from goals.models import Goal, GoalIndicator, Strategy
from goals.services import restore_goal
from organisations import archive, history


def _restore(goal: Goal, by: Any) -> None:
    try:
        restore_goal(goal=goal, by=by)
    except ValueError as error:
        raise history.RestoreRefused(
            _("Its parent goal is deleted too: restore the parent goal first.")
        ) from error


def _purge(due: QuerySet[Goal]) -> int:
    """Deepest goals first: a parent goal is protected while it has sub-goals."""
    purged = 0
    while True:
        leaves = due.filter(children__isnull=True)
        pks = list(leaves.values_list("pk", flat=True))
        if not pks:
            return purged
        Goal.all_objects.filter(pk__in=pks).delete()
        purged += len(pks)


def register() -> None:
    history.register(
        history.Kind(
            key="strategy",
            model=Strategy,
            rows=lambda org: Strategy.objects.filter(organisation=org),
            url=lambda s: reverse("goals:strategy_detail", args=[s.organisation.slug, s.pk]),
            order=10,
        )
    )
    history.register(
        history.Kind(
            key="goal",
            model=Goal,
            rows=lambda org: Goal.all_objects.filter(strategy__organisation=org),
            url=lambda g: reverse("goals:goal_detail", args=[g.strategy.organisation.slug, g.pk]),
            related=(
                history.EventSource(
                    GoalIndicator, "goal_id", lambda e: _("indicator link: %(name)s") % {"name": e.indicator}
                ),
            ),
            soft_delete=True,
            restore=_restore,
            purge=_purge,
            order=20,
        )
    )
    archive.register_part(
        archive.Part("strategies", lambda org: Strategy.objects.filter(organisation=org).order_by("pk"), 20)
    )
    archive.register_part(
        archive.Part("goals", lambda org: Goal.objects.for_organisation(org).order_by("strategy", "pk"), 21)
    )
    archive.register_part(
        archive.Part(
            "goal_indicators",
            lambda org: GoalIndicator.objects.filter(goal__strategy__organisation=org).order_by("pk"),
            22,
        )
    )
