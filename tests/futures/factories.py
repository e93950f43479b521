"""Factories for foresight rows (and the indicators their signposts watch)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from futures.models import (
    Driver,
    FuturesTable,
    FutureStory,
    IncompatiblePair,
    Megatrend,
    Variable,
    VariableValue,
)
from indicators.models import Indicator, Observation
from organisations.models import Organisation


def make_megatrend(
    *, edition: int = 2026, number: int = 1, name_fi: str = "Tekoäly", **values: Any
) -> Megatrend:
    values.setdefault("is_current", edition == 2026)
    return Megatrend.objects.create(edition=edition, number=number, name_fi=name_fi, **values)


def make_driver(*, organisation: Organisation, name: str = "Osaajien liikkuvuus", **values: Any) -> Driver:
    return Driver.objects.create(organisation=organisation, name=name, **values)


def make_table(
    *,
    organisation: Organisation,
    name: str = "Tulevaisuustaulukko",
    variables: dict[str, list[str]] | None = None,
) -> tuple[FuturesTable, dict[str, VariableValue]]:
    """A table with its variables and values; returns it and the values by label."""
    table = FuturesTable.objects.create(organisation=organisation, name=name)
    values: dict[str, VariableValue] = {}
    for order, (variable_name, labels) in enumerate((variables or {}).items()):
        variable = Variable.objects.create(table=table, name=variable_name, order=order)
        for value_order, label in enumerate(labels):
            values[label] = VariableValue.objects.create(variable=variable, label=label, order=value_order)
    return table, values


def mark_incompatible(table: FuturesTable, first: VariableValue, second: VariableValue) -> IncompatiblePair:
    return IncompatiblePair.objects.create(table=table, first=first, second=second)


def make_story(
    *,
    organisation: Organisation,
    title: str = "Verkostojen Kaarnala",
    horizon_year: int = 2035,
    kind: str = FutureStory.Kind.DESIRABLE,
    picks: list[VariableValue] | None = None,
    **values: Any,
) -> FutureStory:
    story = FutureStory.objects.create(
        organisation=organisation, title=title, horizon_year=horizon_year, kind=kind, **values
    )
    if picks:
        story.picks.set(picks)
    return story


def make_indicator(*, organisation: Organisation, name: str = "Työllisyysaste", unit: str = "%") -> Indicator:
    return Indicator.objects.create(organisation=organisation, name_fi=name, unit=unit, chain_level="outcome")


def record(indicator: Indicator, year: int, value: str | None, status: str = "final") -> Observation:
    return Observation.objects.create(
        indicator=indicator,
        period=dt.date(year, 1, 1),
        value=Decimal(value) if value is not None else None,
        status="missing" if value is None else status,
    )
