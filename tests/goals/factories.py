"""Factories for strategies and goals."""

from __future__ import annotations

from typing import Any

from goals.models import Goal, Strategy
from organisations.models import Organisation


def make_strategy(
    *,
    organisation: Organisation,
    name: str = "Strategia",
    term_start: int = 2025,
    term_end: int = 2029,
    **values: Any,
) -> Strategy:
    return Strategy.objects.create(
        organisation=organisation, name=name, term_start=term_start, term_end=term_end, **values
    )


def make_goal(
    *,
    strategy: Strategy,
    title: str = "Työllisyys kasvaa",
    parent: Goal | None = None,
    order: int | None = None,
    **values: Any,
) -> Goal:
    if order is None:
        order = Goal.objects.filter(strategy=strategy, parent=parent).count()
    return Goal.objects.create(strategy=strategy, title=title, parent=parent, order=order, **values)
