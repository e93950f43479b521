"""analysis.trajectory_figure writes the figure as plain dicts: the same JSON plotly's objects gave."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation
from django.utils.translation import gettext

from indicators import analysis
from indicators.analysis import Point, TrajectoryRow


# The figure as it was built with plotly before (the reference the plain dicts must equal, key order too).
def plotly_figure(
    rows: list[TrajectoryRow],
    *,
    baseline: Point | None,
    unit: str = "",
    title: str = "",
) -> dict[str, Any]:
    """The plotly figure of an indicator: values (preliminary ones marked), the straight target path,
    the baseline, the trend with its forecast, and the targets. Returns the JSON-ready figure dict."""
    x = [row.period.isoformat() for row in rows]
    figure = go.Figure()
    valued = [row for row in rows if row.value is not None]
    figure.add_trace(
        go.Scatter(
            name=gettext("Value"),
            x=[row.period.isoformat() for row in valued],
            y=[row.value for row in valued],
            mode="lines+markers",
            line={"color": "#0b3a75", "width": 3},
            marker={
                "size": 9,
                "symbol": ["circle-open" if row.status == "preliminary" else "circle" for row in valued],
                "line": {"width": 2},
            },
            hovertemplate="%{x|%Y}: %{y}<extra></extra>",
        )
    )
    preliminary = [row for row in valued if row.status == "preliminary"]
    if preliminary:
        figure.add_trace(
            go.Scatter(
                name=gettext("Preliminary value"),
                x=[row.period.isoformat() for row in preliminary],
                y=[row.value for row in preliminary],
                mode="markers",
                marker={"size": 15, "symbol": "diamond-open", "color": "#8a5300", "line": {"width": 2}},
                hovertemplate="%{x|%Y}: %{y} (" + gettext("preliminary") + ")<extra></extra>",
            )
        )
    path = [row for row in rows if row.target_path is not None]
    if path:
        figure.add_trace(
            go.Scatter(
                name=gettext("Straight path to the target"),
                x=[row.period.isoformat() for row in path],
                y=[row.target_path for row in path],
                mode="lines",
                line={"color": "#1e6b34", "dash": "dash", "width": 2},
            )
        )
    if baseline is not None and x:
        figure.add_trace(
            go.Scatter(
                name=gettext("Baseline"),
                x=[x[0], x[-1]],
                y=[float(baseline.value), float(baseline.value)],
                mode="lines",
                line={"color": "#595959", "dash": "dot", "width": 1.5},
                hoverinfo="skip",
            )
        )
    forecast = [row for row in rows if row.forecast is not None]
    if forecast:
        figure.add_trace(
            go.Scatter(
                name=gettext("Trend and forecast"),
                x=[row.period.isoformat() for row in forecast],
                y=[row.forecast for row in forecast],
                mode="lines",
                line={"color": "#8a5300", "dash": "dashdot", "width": 2},
            )
        )
    targeted = [row for row in rows if row.target is not None]
    if targeted:
        figure.add_trace(
            go.Scatter(
                name=gettext("Target"),
                x=[row.period.isoformat() for row in targeted],
                y=[row.target for row in targeted],
                mode="markers",
                marker={"size": 13, "symbol": "star", "color": "#1e6b34"},
            )
        )
    figure.update_layout(
        template="none",
        title={"text": title} if title else None,
        height=380,
        margin={"l": 60, "r": 20, "t": 40 if title else 20, "b": 40},
        font={"family": "system-ui, sans-serif", "size": 13, "color": "#1b1b1b"},
        legend={"orientation": "h", "y": -0.18},
        xaxis={"type": "date", "showgrid": True, "gridcolor": "#e6e6e6"},
        yaxis={"title": {"text": unit}, "showgrid": True, "gridcolor": "#e6e6e6", "zeroline": False},
        hovermode="closest",
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
    )
    if rows and all(row.period.month == 1 for row in rows):
        figure.update_xaxes(tickformat="%Y", dtick="M12")
    result: dict[str, Any] = figure.to_plotly_json()
    # No mode bar: its buttons carry English labels whatever the page's language and would sit, focusable,
    # inside a chart that is hidden from screen readers (the data table carries the numbers). Zooming by
    # dragging and resetting by double-click still work.
    result["config"] = {"displaylogo": False, "responsive": True, "displayModeBar": False}
    return result


def _rows(
    values: dict[int, Any], *, periodicity: str = "year", month: int = 1, **kwargs: Any
) -> list[TrajectoryRow]:
    frame = analysis.values_frame(
        [
            type(
                "O",
                (),
                {
                    "period": dt.date(y, month, 1),
                    "value": None if v is None else Decimal(str(v)),
                    "status": status,
                },
            )()
            for y, (v, status) in values.items()
        ]
    )
    return analysis.trajectory_rows(frame, periodicity=periodicity, **kwargs)


CASES: dict[str, dict[str, Any]] = {
    "values, baseline, target, trend": dict(
        values={2019: (50, "final"), 2020: (52, "final"), 2021: (None, "missing"), 2022: (55, "preliminary")},
        baseline=Point(dt.date(2019, 1, 1), Decimal(50)),
        target=Point(dt.date(2026, 1, 1), Decimal(60)),
    ),
    "values only": dict(values={2019: (1, "final"), 2020: (2, "final")}, baseline=None, target=None),
    "quarters": dict(
        values={2021: (3.5, "final"), 2022: (4.25, "final")},
        month=4,
        baseline=Point(dt.date(2021, 4, 1), Decimal("3.5")),
        target=Point(dt.date(2024, 4, 1), Decimal(5)),
    ),
    "no values": dict(
        values={},
        baseline=Point(dt.date(2020, 1, 1), Decimal(7)),
        target=Point(dt.date(2025, 1, 1), Decimal(9)),
    ),
}


@pytest.mark.parametrize("title", ["", "Työllisyysaste"])
@pytest.mark.parametrize("unit", ["", "%"])
@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("language", ["fi", "en"])
def test_the_figure_is_the_json_plotly_wrote(case: str, unit: str, title: str, language: str) -> None:
    spec = dict(CASES[case])
    values, month = spec.pop("values"), spec.pop("month", 1)
    with translation.override(language):
        rows = _rows(values, month=month, **spec)
        baseline = spec["baseline"]
        new = analysis.trajectory_figure(rows, baseline=baseline, unit=unit, title=title)
        old = plotly_figure(rows, baseline=baseline, unit=unit, title=title)
    assert json.dumps(new, cls=DjangoJSONEncoder) == json.dumps(old, cls=DjangoJSONEncoder)


def test_each_figure_has_its_own_template() -> None:
    rows = _rows({2020: (1, "final")}, baseline=None, target=None)
    first = analysis.trajectory_figure(rows, baseline=None)
    first["layout"]["template"]["data"]["scatter"].append({})
    assert analysis.trajectory_figure(rows, baseline=None)["layout"]["template"] == analysis.NONE_TEMPLATE
