"""The goal tree: building it from one query, moving goals safely, and rolling statuses up."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goals.models import Goal, Strategy
from indicators.progress import Status

LEVEL_NAMES = [gettext_lazy("impact goal"), gettext_lazy("strategic goal"), gettext_lazy("operational goal")]


class TreeError(ValueError):
    """A move that would break the tree; the message is for the user."""


@dataclass
class Node:
    goal: Goal
    depth: int
    children: list[Node] = field(default_factory=list)

    @property
    def level_name(self) -> str:
        return str(LEVEL_NAMES[min(self.depth, len(LEVEL_NAMES) - 1)])

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()


def build_tree(goals: Iterable[Goal]) -> list[Node]:
    """Roots with their children, in order, from a flat list (one query, no recursion in the database)."""
    by_parent: dict[int | None, list[Goal]] = defaultdict(list)
    for goal in goals:
        by_parent[goal.parent_id].append(goal)
    for siblings in by_parent.values():
        siblings.sort(key=lambda g: (g.order, g.pk))

    def grow(goal: Goal, depth: int) -> Node:
        return Node(goal, depth, [grow(child, depth + 1) for child in by_parent.get(goal.pk, [])])

    return [grow(root, 0) for root in by_parent.get(None, [])]


def flatten(roots: list[Node]) -> list[Node]:
    return [node for root in roots for node in root.walk()]


def _siblings(goal: Goal) -> list[Goal]:
    return list(
        Goal.objects.select_for_update()
        .filter(strategy_id=goal.strategy_id, parent_id=goal.parent_id)
        .order_by("order", "pk")
    )


def _renumber(goals: list[Goal]) -> None:
    for index, goal in enumerate(goals):
        if goal.order != index:
            Goal.objects.filter(pk=goal.pk).update(order=index, version=F("version") + 1)
            goal.order = index


def descendant_ids(goal: Goal) -> set[int]:
    goals = Goal.objects.filter(strategy_id=goal.strategy_id).values_list("pk", "parent_id")
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in goals:
        children[parent_id].append(pk)
    found: set[int] = set()
    stack = [goal.pk]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


@transaction.atomic
def move(goal: Goal, *, parent: Goal | None, position: int | None = None) -> None:
    """Put the goal under `parent` (None: a top goal) at `position` among its new siblings."""
    if parent is not None:
        if parent.strategy_id != goal.strategy_id:
            raise TreeError(_("A goal can move only within its own strategy."))
        if parent.pk == goal.pk or parent.pk in descendant_ids(goal):
            raise TreeError(_("A goal cannot move under itself or under one of its own sub-goals."))
    old_siblings = [g for g in _siblings(goal) if g.pk != goal.pk]
    goal.parent = parent
    new_siblings = [g for g in _siblings(goal) if g.pk != goal.pk]
    position = len(new_siblings) if position is None else max(0, min(position, len(new_siblings)))
    new_siblings.insert(position, goal)
    Goal.objects.filter(pk=goal.pk).update(parent=parent, version=F("version") + 1)
    _renumber(old_siblings)
    goal.order = -1  # force the write below
    _renumber(new_siblings)


def move_up(goal: Goal) -> None:
    _shift(goal, -1)


def move_down(goal: Goal) -> None:
    _shift(goal, +1)


@transaction.atomic
def _shift(goal: Goal, step: int) -> None:
    siblings = _siblings(goal)
    index = next(i for i, g in enumerate(siblings) if g.pk == goal.pk)
    other = index + step
    if not 0 <= other < len(siblings):
        raise TreeError(_("The goal is already first.") if step < 0 else _("The goal is already last."))
    siblings[index], siblings[other] = siblings[other], siblings[index]
    _renumber(siblings)


@transaction.atomic
def indent(goal: Goal) -> None:
    """Make the goal the last sub-goal of the sibling above it."""
    siblings = _siblings(goal)
    index = next(i for i, g in enumerate(siblings) if g.pk == goal.pk)
    if index == 0:
        raise TreeError(_("There is no goal above this one to move it under."))
    move(goal, parent=siblings[index - 1])


@transaction.atomic
def outdent(goal: Goal) -> None:
    """Make the goal the next sibling of its parent."""
    if goal.parent_id is None:
        raise TreeError(_("The goal is already at the top level."))
    parent = Goal.objects.get(pk=goal.parent_id)
    grandparent = Goal.objects.get(pk=parent.parent_id) if parent.parent_id else None
    move(goal, parent=grandparent, position=parent.order + 1)


# The roll-up rule. Every measurable indicator of the goal and of its sub-goals counts once:
# on track 1, at risk ½, off track 0. The mean is "on track" from ¾, "at risk" from ⅖, else "off track".
# Context indicators and indicators that are not yet measurable do not count; with none left the goal is
# "not yet measurable".
ROLLUP_SCORES = {Status.ON_TRACK: 1.0, Status.AT_RISK: 0.5, Status.OFF_TRACK: 0.0}
ROLLUP_ON_TRACK = 0.75
ROLLUP_AT_RISK = 0.4


@dataclass(frozen=True)
class Rollup:
    status: Status
    counted: int
    score: float | None


def rollup(statuses: Iterable[Status]) -> Rollup:
    """Combine indicator statuses into one status for a goal and its subtree."""
    scores = [ROLLUP_SCORES[s] for s in statuses if s in ROLLUP_SCORES]
    if not scores:
        return Rollup(Status.NOT_MEASURABLE, 0, None)
    mean = sum(scores) / len(scores)
    if mean >= ROLLUP_ON_TRACK:
        status = Status.ON_TRACK
    elif mean >= ROLLUP_AT_RISK:
        status = Status.AT_RISK
    else:
        status = Status.OFF_TRACK
    return Rollup(status, len(scores), mean)


def subtree_rollups(
    roots: list[Node], indicator_status: dict[int, Status], goal_indicators: dict[int, set[int]]
) -> dict[int, Rollup]:
    """The roll-up of every goal: its own indicators and its descendants', each indicator once."""
    result: dict[int, Rollup] = {}

    def visit(node: Node) -> set[int]:
        ids = set(goal_indicators.get(node.goal.pk, set()))
        for child in node.children:
            ids |= visit(child)
        result[node.goal.pk] = rollup(indicator_status[i] for i in ids if i in indicator_status)
        return ids

    for root in roots:
        visit(root)
    return result


@transaction.atomic
def carry_over(*, strategy: Strategy, name: str, term_start: int, term_end: int, by: Any) -> Strategy:
    """Create the next council term's strategy with every goal copied and linked to its predecessor.

    Indicators are shared by reference, so their time series never break.
    """
    new = Strategy(
        organisation=strategy.organisation,
        name=name,
        term_start=term_start,
        term_end=term_end,
        vision=strategy.vision,
        predecessor=strategy,
    )
    new.save_new(by=by)
    old_goals = list(strategy.goals.prefetch_related("sdg_targets", "goal_indicators"))
    copies: dict[int, Goal] = {}
    for node in flatten(build_tree(old_goals)):
        old = node.goal
        copy = Goal(
            strategy=new,
            parent=copies[old.parent_id] if old.parent_id else None,
            order=old.order,
            code=old.code,
            title=old.title,
            description=old.description,
            owner_id=old.owner_id,
            target_date=old.target_date,
            predecessor=old,
        )
        copy.save_new(by=by)
        copy.sdg_targets.set(old.sdg_targets.all())
        for link in old.goal_indicators.all():
            copy.goal_indicators.create(indicator_id=link.indicator_id, created_by=by if by.pk else None)
        copies[old.pk] = copy
    return new
