"""Pure functions over an indicator's rows: its assessment, its trajectory table and its chart.

Nothing here touches the request or the database: the views fetch the rows (prefetched, so a list of
indicators costs the same few queries however long it is) and pass them in.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

import pandas as pd
from django.utils import formats
from django.utils.translation import gettext as _

from indicators.chart_text import plotly_text
from indicators.periods import next_period, period_label, year_fraction
from indicators.progress import Assessment, Point, Status, assess, trend
from organisations.history import context_user_id

# Colours of the statuses (the words are always shown beside them). Contrast ≥ 4.5:1 on white.
STATUS_COLOURS = {
    Status.ON_TRACK: "#1e6b34",
    Status.AT_RISK: "#8a5300",
    Status.OFF_TRACK: "#b3261e",
    Status.NOT_MEASURABLE: "#595959",
    Status.CONTEXT: "#2f5d8a",
}


class ObservationLike(Protocol):
    period: dt.date
    value: Decimal | None
    status: str


class TargetLike(Protocol):
    period: dt.date
    value: Decimal
    superseded_at: dt.datetime | None


class IndicatorLike(Protocol):
    direction: str
    chain_level: str
    periodicity: str
    data_lag_months: int
    range_low: Decimal | None
    range_high: Decimal | None
    baseline_value: Decimal | None
    baseline_period: dt.date | None


# --- numbers -------------------------------------------------------------------------------------


def display_number(value: Decimal | float | None) -> str:
    """A number in the UI language's format with only the decimals it has (56,000000 → 56)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    number = Decimal(str(value)) if isinstance(value, float) else value
    normal = number.normalize()
    exponent = normal.as_tuple().exponent
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    return formats.number_format(normal, places, use_l10n=True, force_grouping=True)


def input_number(value: Decimal | None) -> str:
    """A number as the grid shows it in an input: Finnish style (space groups, decimal comma) in
    every UI language, so that what the grid shows is exactly what its parser reads back."""
    if value is None:
        return ""
    normal = value.normalize()
    text = f"{normal:,f}"
    whole, _dot, decimals = text.partition(".")
    whole = whole.replace(",", " ")
    return f"{whole},{decimals}" if decimals else whole


def _rounded(value: float) -> float:
    """Round a computed value (path, trend) for display: two decimals, four below one."""
    return round(value, 4 if abs(value) < 1 else 2)


# --- assessment ----------------------------------------------------------------------------------


def value_points(observations: Iterable[ObservationLike]) -> list[Point]:
    """The observations that have a value (missing ones have none), as points in period order."""
    return sorted(
        (Point(o.period, o.value) for o in observations if o.value is not None), key=lambda p: p.period
    )


def current_targets(targets: Iterable[TargetLike]) -> list[TargetLike]:
    """The targets in force (not replaced by a revision), in period order."""
    return sorted((t for t in targets if t.superseded_at is None), key=lambda t: t.period)


def choose_target(
    targets: Iterable[TargetLike], *, latest_period: dt.date | None, baseline_period: dt.date | None
) -> TargetLike | None:
    """The target progress is measured against: the first one due at or after the latest value
    (or after the baseline when there is no value yet); when every target is past, the last one."""
    current = [t for t in current_targets(targets) if baseline_period is None or t.period > baseline_period]
    if not current:
        return None
    since = latest_period or baseline_period
    if since is None:
        return current[0]
    for target in current:
        if target.period >= since:
            return target
    return current[-1]


@dataclass(frozen=True)
class IndicatorState:
    """What the list and the indicator page say about an indicator's progress."""

    assessment: Assessment
    latest: ObservationLike | None
    target: TargetLike | None

    @property
    def status(self) -> Status:
        return self.assessment.status

    @property
    def colour(self) -> str:
        return STATUS_COLOURS[self.assessment.status]

    @property
    def progress_percent(self) -> int | None:
        progress = self.assessment.progress
        if progress is None or self.assessment.status == Status.CONTEXT:
            return None
        return round(100 * progress)


def assess_indicator(
    indicator: IndicatorLike,
    *,
    observations: Iterable[ObservationLike],
    targets: Iterable[TargetLike],
    today: dt.date,
) -> IndicatorState:
    """Build the inputs of progress.assess (the one rule) from an indicator's rows, and assess it."""
    observations = sorted(observations, key=lambda o: o.period)
    points = value_points(observations)
    latest_observation = next((o for o in reversed(observations) if o.value is not None), None)
    baseline = (
        Point(indicator.baseline_period, indicator.baseline_value)
        if indicator.baseline_period is not None and indicator.baseline_value is not None
        else None
    )
    target = choose_target(
        targets,
        latest_period=points[-1].period if points else None,
        baseline_period=indicator.baseline_period,
    )
    assessment = assess(
        direction=indicator.direction,
        chain_level=indicator.chain_level,
        baseline=baseline,
        target=Point(target.period, target.value) if target is not None else None,
        values=points,
        periodicity=indicator.periodicity,
        lag_months=indicator.data_lag_months,
        today=today,
        range_low=indicator.range_low,
        range_high=indicator.range_high,
    )
    return IndicatorState(assessment=assessment, latest=latest_observation, target=target)


def template_update_pending(
    *, template_version: int | None, published_version: int, dismissed_version: int | None
) -> bool:
    """Whether to show "template updated": a newer version exists and it was not kept out."""
    newest_seen = max(template_version or 0, dismissed_version or 0)
    return published_version > newest_seen


# --- the trajectory: table and chart -------------------------------------------------------------


def values_frame(observations: Iterable[ObservationLike]) -> pd.DataFrame:
    """One row per period: period (date), value (float, NaN when missing) and status."""
    rows = [
        {
            "period": o.period,
            "value": float(o.value) if o.value is not None else math.nan,
            "status": o.status,
        }
        for o in observations
    ]
    frame = pd.DataFrame(rows, columns=["period", "value", "status"])
    return frame.sort_values("period", kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class TrajectoryRow:
    """One period of the trajectory: what the chart draws and its data table lists."""

    period: dt.date
    label: str
    value: float | None
    status: str  # final, preliminary, missing, or "" when nothing was recorded
    target_path: float | None
    forecast: float | None
    target: float | None  # a target set for this very period


def trajectory_rows(
    frame: pd.DataFrame,
    *,
    periodicity: str,
    baseline: Point | None,
    target: Point | None,
    targets: Iterable[Point] = (),
) -> list[TrajectoryRow]:
    """Every period from the first value (or baseline) to the last value (or target), with the value,
    the straight target path from baseline to target and the trend line that forecasts the target."""
    recorded = {row.period: row for row in frame.itertuples(index=False)}
    target_values = {t.period: float(t.value) for t in targets}
    if target is not None:
        target_values.setdefault(target.period, float(target.value))
    anchors = list(recorded) + [p.period for p in (baseline, target) if p is not None] + list(target_values)
    if not anchors:
        return []
    first, last = min(anchors), max(anchors)

    since = [
        Point(period, Decimal(str(row.value)))
        for period, row in recorded.items()
        if not math.isnan(row.value) and (baseline is None or period > baseline.period)
    ]
    line = trend([baseline, *since]) if baseline is not None and since else None
    last_value = max((p.period for p in since), default=None)

    # Two-yearly values are drawn on a yearly axis: targets and baselines need not fall on their rhythm.
    step = "year" if periodicity == "two_years" else periodicity
    periods = set(anchors)
    period = first
    while period <= last:
        periods.add(period)
        period = next_period(period, step)

    rows: list[TrajectoryRow] = []
    for period in sorted(periods):
        row = recorded.get(period)
        value = None if row is None or math.isnan(row.value) else float(row.value)
        path = None
        if baseline is not None and target is not None and baseline.period <= period <= target.period:
            span = (target.period - baseline.period).days
            share = (period - baseline.period).days / span if span else 1.0
            path = _rounded(float(baseline.value) + share * float(target.value - baseline.value))
        forecast = None
        if line is not None and baseline is not None and last_value is not None:
            end = max(target.period if target is not None else last_value, last_value)
            if baseline.period <= period <= end:
                forecast = _rounded(line[0] * year_fraction(period) + line[1])
        rows.append(
            TrajectoryRow(
                period=period,
                label=period_label(period, periodicity),
                value=value,
                status=row.status if row is not None else "",
                target_path=path,
                forecast=forecast,
                target=target_values.get(period),
            )
        )
    return rows


def trajectory_table(rows: list[TrajectoryRow]) -> list[dict[str, str]]:
    """The chart's numbers as the data table shows them, in the UI language's number format."""
    from indicators.models import ObservationStatus

    labels = dict(ObservationStatus.choices)
    return [
        {
            "label": row.label,
            "value": display_number(row.value),
            "status": str(labels.get(row.status, "")) if row.status else "",
            "target_path": display_number(row.target_path),
            "forecast": display_number(row.forecast),
            "target": display_number(row.target),
        }
        for row in rows
    ]


def forecast_sentence(state: IndicatorState, periodicity: str) -> str:
    """Whether the trend meets the target, in words."""
    assessment, target = state.assessment, state.target
    if assessment.forecast is None or target is None or assessment.status == Status.CONTEXT:
        return ""
    values = {
        "forecast": display_number(_rounded(assessment.forecast)),
        "period": period_label(target.period, periodicity),
        "target": display_number(target.value),
    }
    if assessment.will_meet_target:
        return (
            _("The trend forecasts %(forecast)s for %(period)s: the target %(target)s will be met.") % values
        )
    return (
        _("The trend forecasts %(forecast)s for %(period)s: the target %(target)s will not be met.") % values
    )


# plotly's "none" template as Figure.to_plotly_json() writes it.
NONE_TEMPLATE: dict[str, Any] = {"data": {"scatter": [{"type": "scatter"}]}}


def _scatter(**properties: Any) -> dict[str, Any]:
    """A scatter trace as plotly's go.Scatter(...).to_plotly_json() writes it (properties in name order,
    the type last), without plotly's validation of every property (most of a chart page's time)."""
    return {**{key: properties[key] for key in sorted(properties)}, "type": "scatter"}


def trajectory_figure(
    rows: list[TrajectoryRow],
    *,
    baseline: Point | None,
    unit: str = "",
    title: str = "",
) -> dict[str, Any]:
    """The plotly figure of an indicator: values (preliminary ones marked), the straight target path,
    the baseline, the trend with its forecast, and the targets. Returns the JSON-ready figure dict, the same
    dict plotly's Figure.to_plotly_json() gave (tests/indicators/test_analysis.py compares them)."""
    x = [row.period.isoformat() for row in rows]
    data: list[dict[str, Any]] = []
    valued = [row for row in rows if row.value is not None]
    data.append(
        _scatter(
            name=_("Value"),
            x=[row.period.isoformat() for row in valued],
            y=[row.value for row in valued],
            mode="lines+markers",
            line={"color": "#0b3a75", "width": 3},
            marker={
                "line": {"width": 2},
                "size": 9,
                "symbol": ["circle-open" if row.status == "preliminary" else "circle" for row in valued],
            },
            hovertemplate="%{x|%Y}: %{y}<extra></extra>",
        )
    )
    preliminary = [row for row in valued if row.status == "preliminary"]
    if preliminary:
        data.append(
            _scatter(
                name=_("Preliminary value"),
                x=[row.period.isoformat() for row in preliminary],
                y=[row.value for row in preliminary],
                mode="markers",
                marker={"color": "#8a5300", "line": {"width": 2}, "size": 15, "symbol": "diamond-open"},
                hovertemplate="%{x|%Y}: %{y} (" + _("preliminary") + ")<extra></extra>",
            )
        )
    path = [row for row in rows if row.target_path is not None]
    if path:
        data.append(
            _scatter(
                name=_("Straight path to the target"),
                x=[row.period.isoformat() for row in path],
                y=[row.target_path for row in path],
                mode="lines",
                line={"color": "#1e6b34", "dash": "dash", "width": 2},
            )
        )
    if baseline is not None and x:
        data.append(
            _scatter(
                name=_("Baseline"),
                x=[x[0], x[-1]],
                y=[float(baseline.value), float(baseline.value)],
                mode="lines",
                line={"color": "#595959", "dash": "dot", "width": 1.5},
                hoverinfo="skip",
            )
        )
    forecast = [row for row in rows if row.forecast is not None]
    if forecast:
        data.append(
            _scatter(
                name=_("Trend and forecast"),
                x=[row.period.isoformat() for row in forecast],
                y=[row.forecast for row in forecast],
                mode="lines",
                line={"color": "#8a5300", "dash": "dashdot", "width": 2},
            )
        )
    targeted = [row for row in rows if row.target is not None]
    if targeted:
        data.append(
            _scatter(
                name=_("Target"),
                x=[row.period.isoformat() for row in targeted],
                y=[row.target for row in targeted],
                mode="markers",
                marker={"color": "#1e6b34", "size": 13, "symbol": "star"},
            )
        )
    xaxis: dict[str, Any] = {"type": "date", "showgrid": True, "gridcolor": "#e6e6e6"}
    if rows and all(row.period.month == 1 for row in rows):
        xaxis.update(tickformat="%Y", dtick="M12")
    # The layout's keys in plotly's order: the template, the title when there is one, the nested settings,
    # an empty title when there is none, then the plain settings.
    layout: dict[str, Any] = {"template": copy.deepcopy(NONE_TEMPLATE)}
    if title:
        layout["title"] = {"text": plotly_text(title)}
    layout.update(
        margin={"l": 60, "r": 20, "t": 40 if title else 20, "b": 40},
        font={"family": "system-ui, sans-serif", "size": 13, "color": "#1b1b1b"},
        legend={"orientation": "h", "y": -0.18},
        xaxis=xaxis,
        yaxis={
            "title": {"text": plotly_text(unit)},
            "showgrid": True,
            "gridcolor": "#e6e6e6",
            "zeroline": False,
        },
    )
    if not title:
        layout["title"] = {}
    layout.update(height=380, hovermode="closest", paper_bgcolor="#ffffff", plot_bgcolor="#ffffff")
    result: dict[str, Any] = {"data": data, "layout": layout}
    result["config"] = {"displaylogo": False, "responsive": True, "displayModeBar": False}
    return result


# --- the value history from the audit events ------------------------------------------------------


class EventLike(Protocol):
    pgh_obj_id: int
    pgh_label: str
    pgh_created_at: dt.datetime
    period: dt.date
    value: Decimal | None
    status: str
    missing_reason: str
    source: str
    updated_by_id: int | None


@dataclass(frozen=True)
class HistoryEntry:
    """One change of one value: who did what and when."""

    when: dt.datetime
    who: str
    period: str
    action: str
    old: str
    new: str
    source: str


def describe_value(value: Decimal | None, status: str, missing_reason: str = "") -> str:
    if status == "missing":
        return _("missing: %(reason)s") % {"reason": missing_reason} if missing_reason else _("missing")
    text = display_number(value)
    return f"{text} ({_('preliminary')})" if status == "preliminary" else text


def value_history(events: Iterable[Any], *, names: Mapping[int, str], periodicity: str) -> list[HistoryEntry]:
    """The audit events of an indicator's observations as readable changes, newest first."""
    from indicators.models import ObservationSource

    actions = {"insert": _("added"), "update": _("changed"), "delete": _("removed")}
    sources = dict(ObservationSource.choices)
    previous: dict[int, Any] = {}
    entries: list[HistoryEntry] = []
    for event in sorted(events, key=lambda e: (e.pgh_created_at, getattr(e, "pgh_id", 0))):
        before = previous.get(event.pgh_obj_id)
        current = describe_value(event.value, event.status, event.missing_reason)
        old = (
            describe_value(before.value, before.status, before.missing_reason)
            if before is not None and event.pgh_label != "insert"
            else ""
        )
        user_id = context_user_id(event)
        entries.append(
            HistoryEntry(
                when=event.pgh_created_at,
                who=names.get(user_id, "") if user_id is not None else "",
                period=period_label(event.period, periodicity),
                action=str(actions.get(event.pgh_label, event.pgh_label)),
                old=old if event.pgh_label != "delete" else current,
                new=current if event.pgh_label != "delete" else "",
                source=str(sources.get(event.source, event.source)),
            )
        )
        previous[event.pgh_obj_id] = event
    entries.reverse()
    return entries
