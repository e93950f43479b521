"""Write workflows of the goals app that touch several rows: creating and deleting goals, linking
indicators and SDG targets. Views and the demo call these; nothing else re-implements them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from goals.models import Goal, GoalIndicator, Strategy
from goals.tree import move
from indicators.models import Indicator, SdgTarget


class DeleteChildren(models.TextChoices):
    LIFT = "lift", _("Move its sub-goals up one level, to where it stands now")
    SUBTREE = "subtree", _("Delete its sub-goals too (the whole branch)")


def _user(by: Any) -> Any:
    return by if getattr(by, "is_authenticated", False) else None


def next_order(*, strategy: Strategy, parent: Goal | None) -> int:
    """The position after the last sibling."""
    last = Goal.objects.filter(strategy=strategy, parent=parent).aggregate(last=Max("order"))["last"]
    return 0 if last is None else last + 1


@transaction.atomic
def create_goal(
    *,
    strategy: Strategy,
    parent: Goal | None,
    title: str,
    by: Any,
    code: str = "",
    description: str = "",
    owner: Any = None,
    target_date: dt.date | None = None,
    sdg_targets: Iterable[SdgTarget] = (),
    indicators: Iterable[Indicator] = (),
) -> Goal:
    """Add a goal as the last child of `parent` (or at the top), with its SDG targets and indicators."""
    goal = Goal(
        strategy=strategy,
        parent=parent,
        order=next_order(strategy=strategy, parent=parent),
        code=code,
        title=title,
        description=description,
        owner=owner,
        target_date=target_date,
    )
    goal.save_new(by=by)
    goal.sdg_targets.set(list(sdg_targets))
    for indicator in indicators:
        link_indicator(goal=goal, indicator=indicator, by=by)
    return goal


def link_indicator(*, goal: Goal, indicator: Indicator, by: Any) -> bool:
    """Say that the indicator measures the goal; False when it already did.

    The database refuses an indicator of another organisation (a trigger), whatever the caller checked.
    """
    _link, created = GoalIndicator.objects.get_or_create(
        goal=goal, indicator=indicator, defaults={"created_by": _user(by)}
    )
    return created


def unlink_indicator(*, goal: Goal, indicator: Indicator) -> bool:
    """The indicator no longer measures the goal (the indicator and its values stay)."""
    deleted, _rows = GoalIndicator.objects.filter(goal=goal, indicator=indicator).delete()
    return bool(deleted)


def add_sdg_target(*, goal: Goal, target: SdgTarget) -> bool:
    if goal.sdg_targets.filter(pk=target.pk).exists():
        return False
    goal.sdg_targets.add(target)
    return True


def remove_sdg_target(*, goal: Goal, target: SdgTarget) -> bool:
    if not goal.sdg_targets.filter(pk=target.pk).exists():
        return False
    goal.sdg_targets.remove(target)
    return True


@dataclass(frozen=True)
class DeleteResult:
    deleted: int  # goals deleted, the goal itself included
    lifted: int  # sub-goals moved up a level
    unlinked: int  # indicator links removed (the indicators themselves stay)


@transaction.atomic
def delete_goal(*, goal: Goal, children: str = DeleteChildren.LIFT, by: Any = None) -> DeleteResult:
    """Delete a goal. Its sub-goals either move up a level to where it stood, or go with it.

    A deletion is soft: the goals are marked deleted at one moment (so they can be restored together from
    the recently deleted page) and purged after the retention period. Indicators are never deleted; their
    links to the deleted goals are hidden with the goals.
    """
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    rows = list(Goal.objects.filter(strategy_id=goal.strategy_id).values_list("pk", "parent_id", "order"))
    kids: dict[int | None, list[tuple[int, int]]] = defaultdict(list)
    for pk, parent_id, order in rows:
        kids[parent_id].append((order, pk))
    direct = [pk for _order, pk in sorted(kids.get(goal.pk, []))]

    lifted = 0
    descendants: list[int] = []
    if children == DeleteChildren.SUBTREE:
        frontier = direct
        while frontier:
            descendants += frontier
            frontier = [pk for parent in frontier for _order, pk in kids.get(parent, [])]
    else:
        siblings = [pk for _order, pk in sorted(kids.get(goal.parent_id, []))]
        position = siblings.index(goal.pk)
        parent = Goal.objects.get(pk=goal.parent_id) if goal.parent_id else None
        for offset, child in enumerate(Goal.objects.filter(pk__in=direct).order_by("order", "pk")):
            move(child, parent=parent, position=position + 1 + offset)
            lifted += 1
    doomed = [goal.pk, *descendants]
    unlinked = GoalIndicator.objects.filter(goal_id__in=doomed).count()
    now = timezone.now()
    # One UPDATE: one audit event per goal, every one with the same deletion time.
    Goal.objects.filter(pk__in=doomed).update(
        deleted_at=now, deleted_by=_user(by), updated_at=now, updated_by=_user(by), version=F("version") + 1
    )
    return DeleteResult(deleted=len(doomed), lifted=lifted, unlinked=unlinked)


@transaction.atomic
def restore_goal(*, goal: Goal, by: Any = None) -> int:
    """Restore a deleted goal and the sub-goals deleted with it; its parent goal must be alive."""
    if goal.parent_id and Goal.all_objects.filter(pk=goal.parent_id, deleted_at__isnull=False).exists():
        raise ValueError("the parent goal is deleted")
    rows = list(
        Goal.all_objects.filter(strategy_id=goal.strategy_id, deleted_at=goal.deleted_at).values_list(
            "pk", "parent_id"
        )
    )
    kids: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in rows:
        kids[parent_id].append(pk)
    branch, frontier = [goal.pk], kids.get(goal.pk, [])
    while frontier:
        branch += frontier
        frontier = [pk for parent in frontier for pk in kids.get(parent, [])]
    now = timezone.now()
    return Goal.all_objects.filter(pk__in=branch).update(
        deleted_at=None, deleted_by=None, updated_at=now, updated_by=_user(by), version=F("version") + 1
    )
