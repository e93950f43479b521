"""Registries that let upper apps add to goal pages without goals importing them.

`impact` registers the quality item "reached by at least one activity" and the panel "contributing
activities"; `futures` registers the panel "implications". They do so from their AppConfig.ready(), the way
Django's own system checks are registered. Checks work on a whole strategy at once (one query per check,
not one per goal).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from goals.models import Goal


@dataclass(frozen=True)
class QualityCheck:
    """One item of the goal-quality checklist."""

    key: str
    label: str | Promise
    why: str | Promise  # why it matters
    how_to_fix: str | Promise
    # Given all goals of a strategy, return the ids of those that pass.
    passing: Callable[[list[Goal]], set[int]]
    order: int = 100


@dataclass(frozen=True)
class GoalPanel:
    """A section of the goal page filled by another app."""

    key: str
    title: str | Promise
    template: str
    context: Callable[[Goal, Any], dict[str, Any]]  # (goal, request) -> template context
    order: int = 100


_checks: dict[str, QualityCheck] = {}
_panels: dict[str, GoalPanel] = {}


def register_quality_check(check: QualityCheck) -> QualityCheck:
    _checks[check.key] = check
    return check


def register_goal_panel(panel: GoalPanel) -> GoalPanel:
    _panels[panel.key] = panel
    return panel


def quality_checks() -> list[QualityCheck]:
    return sorted(_checks.values(), key=lambda c: (c.order, c.key))


def goal_panels() -> list[GoalPanel]:
    return sorted(_panels.values(), key=lambda p: (p.order, p.key))


def unregister(keys: Iterable[str]) -> None:
    """Remove entries (for tests that register their own)."""
    for key in keys:
        _checks.pop(key, None)
        _panels.pop(key, None)
