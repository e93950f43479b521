"""Progress and status of an indicator: the one place where the rule lives.

progress = (latest - baseline) / (target - baseline), with the direction respected (for "lower is better"
both differences are negative, so the same formula works). The expected progress at the latest period is
the share of time passed on the straight path from the baseline period to the target period. The
shortfall is expected - progress:

- on track   when the shortfall is at most ON_TRACK_SHORTFALL (5 % of the planned change),
- at risk    when it is at most AT_RISK_SHORTFALL (20 %),
- off track  otherwise, and always when the value moved the wrong way from the baseline.

"Within a range" indicators are on track inside the range and off track outside it. A context indicator is
never scored ("context only"). Without a baseline, a target or a value after the baseline the status is
"not yet measurable", with the reason (the data lag may mean no value can exist yet). A least-squares line
through the values since the baseline gives the forecast for the target period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from indicators.periods import available_from, next_period, year_fraction

ON_TRACK_SHORTFALL = 0.05
AT_RISK_SHORTFALL = 0.20


class Status(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NOT_MEASURABLE = "not_measurable"
    CONTEXT = "context"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    Status.ON_TRACK: _("on track"),
    Status.AT_RISK: _("at risk"),
    Status.OFF_TRACK: _("off track"),
    Status.NOT_MEASURABLE: _("not yet measurable"),
    Status.CONTEXT: _("context only"),
}


@dataclass(frozen=True)
class Point:
    period: dt.date
    value: Decimal


@dataclass(frozen=True)
class Assessment:
    status: Status
    reason: str
    progress: float | None = None  # 0 at the baseline, 1 at the target
    expected: float | None = None  # where the straight path is at the latest period
    latest: Point | None = None
    trend_per_year: float | None = None
    forecast: float | None = None  # the trend's value at the target period
    will_meet_target: bool | None = None


def _meets(value: float, target: float, direction: str) -> bool:
    return value <= target if direction == "lower" else value >= target


def trend(points: list[Point]) -> tuple[float, float] | None:
    """Least-squares slope and intercept over decimal years, or None with fewer than two periods."""
    if len({p.period for p in points}) < 2:
        return None
    xs = [year_fraction(p.period) for p in points]
    ys = [float(p.value) for p in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    return slope, mean_y - slope * mean_x


def assess(
    *,
    direction: str,
    chain_level: str,
    baseline: Point | None,
    target: Point | None,
    values: list[Point],
    periodicity: str = "year",
    lag_months: int = 0,
    today: dt.date,
    range_low: Decimal | None = None,
    range_high: Decimal | None = None,
) -> Assessment:
    """Assess an indicator from its baseline, its target for the period in question and its values."""
    values = sorted(values, key=lambda p: p.period)
    latest = values[-1] if values else None
    if chain_level == "context":
        return Assessment(
            Status.CONTEXT,
            str(
                _(
                    "A context indicator describes the surroundings; it is not "
                    "scored as the organisation's achievement."
                )
            ),
            latest=latest,
        )
    if direction == "range":
        return _assess_range(latest, range_low, range_high)
    if baseline is None or target is None:
        return Assessment(
            Status.NOT_MEASURABLE, str(_("Set a baseline and a target to measure progress.")), latest=latest
        )
    since = [p for p in values if p.period > baseline.period]
    if not since:
        first_due = available_from(next_period(baseline.period, periodicity), periodicity, lag_months)
        if first_due > today:
            reason: Any = _("The first value after the baseline can be published on %(date)s.") % {
                "date": first_due.strftime("%d.%m.%Y")
            }
        else:
            reason = _("No value has been recorded since the baseline.")
        return Assessment(Status.NOT_MEASURABLE, str(reason), latest=latest)
    latest = since[-1]
    base, goal, now = float(baseline.value), float(target.value), float(latest.value)
    line = trend([baseline, *since])
    slope = line[0] if line else None
    forecast = line[0] * year_fraction(target.period) + line[1] if line else None
    will_meet = _meets(forecast, goal, direction) if forecast is not None else None
    span = goal - base
    if span == 0 or (direction == "lower") != (span < 0):
        # A target equal to (or on the wrong side of) the baseline: the goal is to hold the line.
        met = _meets(now, goal, direction)
        return Assessment(
            Status.ON_TRACK if met else Status.OFF_TRACK,
            str(_("The target is to stay at the baseline level or better.")),
            progress=1.0 if met else 0.0,
            expected=1.0,
            latest=latest,
            trend_per_year=slope,
            forecast=forecast,
            will_meet_target=will_meet,
        )
    progress = (now - base) / span
    total_days = (target.period - baseline.period).days
    elapsed = (latest.period - baseline.period).days
    expected = min(max(elapsed / total_days, 0.0), 1.0) if total_days > 0 else 1.0
    shortfall = expected - progress
    reason_text: Any
    if progress < 0:
        status, reason_text = (
            Status.OFF_TRACK,
            _("The value has moved away from the target since the baseline."),
        )
    elif shortfall <= ON_TRACK_SHORTFALL:
        status, reason_text = (
            Status.ON_TRACK,
            _("The value is on or ahead of the straight path to the target."),
        )
    elif shortfall <= AT_RISK_SHORTFALL:
        status, reason_text = (
            Status.AT_RISK,
            _("The value is somewhat behind the straight path to the target."),
        )
    else:
        status, reason_text = (
            Status.OFF_TRACK,
            _("The value is clearly behind the straight path to the target."),
        )
    return Assessment(
        status,
        str(reason_text),
        progress=progress,
        expected=expected,
        latest=latest,
        trend_per_year=slope,
        forecast=forecast,
        will_meet_target=will_meet,
    )


def _assess_range(latest: Point | None, low: Decimal | None, high: Decimal | None) -> Assessment:
    if latest is None or low is None or high is None:
        return Assessment(
            Status.NOT_MEASURABLE, str(_("Set the range and record a value to measure it.")), latest=latest
        )
    inside = low <= latest.value <= high
    return Assessment(
        Status.ON_TRACK if inside else Status.OFF_TRACK,
        str(
            _("The latest value is within the range.")
            if inside
            else _("The latest value is outside the range.")
        ),
        progress=1.0 if inside else 0.0,
        latest=latest,
    )
