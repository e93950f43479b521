"""Factories for strategies and goals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from goals.models import Goal, Strategy
from indicators.models import Indicator, Observation, SdgTarget, Target
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


def make_measure(
    *,
    organisation: Organisation,
    name: str = "Työllisyysaste",
    chain_level: str = "outcome",
    baseline: tuple[int, float] | None = (2019, 50),
    target: tuple[int, float] | None = (2029, 60),
    values: dict[int, float] | None = None,
    **fields: Any,
) -> Indicator:
    """An indicator of the organisation with a baseline, a target and yearly values (all optional)."""
    indicator = Indicator.objects.create(
        organisation=organisation,
        name_fi=name,
        chain_level=chain_level,
        baseline_period=dt.date(baseline[0], 1, 1) if baseline else None,
        baseline_value=Decimal(str(baseline[1])) if baseline else None,
        **fields,
    )
    if target:
        Target.objects.create(
            indicator=indicator, period=dt.date(target[0], 1, 1), value=Decimal(str(target[1]))
        )
    for year, value in (values or {}).items():
        Observation.objects.create(indicator=indicator, period=dt.date(year, 1, 1), value=Decimal(str(value)))
    return indicator


def make_sdg_target(
    *, code: str = "8.5", title: str = "Full employment and decent work for all"
) -> SdgTarget:
    goal = int(code.split(".")[0])
    target, _created = SdgTarget.objects.get_or_create(
        code=code, defaults={"goal": goal, "title_en": title, "sort_key": SdgTarget.sort_key_for(code)}
    )
    return target
