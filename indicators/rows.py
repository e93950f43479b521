"""Values and targets as plain rows: what the assessment, the charts and the lists read of them.

A strategy, a dashboard or an indicator list reads hundreds of values; as model instances (history,
provenance, notes) they cost most of those pages' time, as these slotted rows almost nothing. They satisfy
indicators.analysis.ObservationLike and TargetLike.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from indicators.models import Observation, Target


@dataclass(slots=True)
class ValueRow:
    """A value of an indicator (analysis.ObservationLike)."""

    period: dt.date
    value: Decimal | None
    status: str


@dataclass(slots=True)
class TargetRow:
    """A target in force (analysis.TargetLike)."""

    period: dt.date
    value: Decimal
    superseded_at: dt.datetime | None


@dataclass(frozen=True)
class PlainRows:
    """The values and the targets in force of some indicators, by indicator id, each in period order."""

    observations: dict[int, list[ValueRow]]
    targets: dict[int, list[TargetRow]]

    def values_of(self, indicator_id: int) -> list[ValueRow]:
        return self.observations.get(indicator_id, [])

    def targets_of(self, indicator_id: int) -> list[TargetRow]:
        return self.targets.get(indicator_id, [])


def plain_rows(indicator_ids: Iterable[int], *, until: dt.date | None = None) -> PlainRows:
    """The indicators' values (those of periods up to `until`, all when None) and targets in force, in two
    queries."""
    ids = list(set(indicator_ids))
    observations: dict[int, list[ValueRow]] = defaultdict(list)
    targets: dict[int, list[TargetRow]] = defaultdict(list)
    if not ids:
        return PlainRows({}, {})
    values = Observation.objects.filter(indicator_id__in=ids)
    if until is not None:
        values = values.filter(period__lte=until)
    for indicator_id, period, value, status in values.order_by("period").values_list(
        "indicator_id", "period", "value", "status"
    ):
        observations[indicator_id].append(ValueRow(period, value, status))
    for indicator_id, period, value, superseded_at in (
        Target.objects.filter(indicator_id__in=ids, superseded_at__isnull=True)
        .order_by("period")
        .values_list("indicator_id", "period", "value", "superseded_at")
    ):
        targets[indicator_id].append(TargetRow(period, value, superseded_at))
    return PlainRows(dict(observations), dict(targets))
