"""The numbers of the national comparison, against values worked out by hand (no database)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.utils.translation import gettext as _

from indicators.library import Definition
from indicators.national import (
    Comparison,
    Distribution,
    Member,
    Peers,
    SharedValue,
    TemplateInfo,
    compare,
    competition_ranks,
    distribution_figure,
    peer_group,
    per_capita,
    population_band,
    quantile,
    resolve_peers,
    trend_figure,
)

D = Decimal


def info(*, per_capita: bool = False, direction: str = "higher", **data: object) -> TemplateInfo:
    definition = {"name_fi": "Mittari", "unit": "%", "direction": direction, "per_capita": per_capita}
    definition.update(data)
    return TemplateInfo(code="t", definition=Definition(definition), adoption_count=9, sharing_count=4)


def member(pk: int, *, population: int | None = 10000, region: int | None = 1, name: str = "") -> Member:
    from organisations.models import LocalText

    return Member(
        id=pk,
        slug=f"org-{pk}",
        name=LocalText(name or f"Kunta {pk}", "fi"),
        region_id=region,
        population=population,
    )


def value(org: int, year: int, number: str, *, month: int = 1, preliminary: bool = False) -> SharedValue:
    return SharedValue(org, dt.date(year, month, 1), D(number), preliminary)


def test_quartiles_interpolate_linearly_between_the_sorted_values() -> None:
    # [10, 20, 30, 40]: positions 0.75, 1.5 and 2.25 of 0..3.
    values = [D(40), D(10), D(30), D(20)]
    assert quantile(values, D("0.25")) == D("17.5")
    assert quantile(values, D("0.5")) == D("25")
    assert quantile(values, D("0.75")) == D("32.5")
    assert quantile([D(7)], D("0.75")) == D(7)
    summary = Distribution.of(values)
    assert summary is not None
    assert (summary.count, summary.minimum, summary.q1, summary.median, summary.q3, summary.maximum) == (
        4,
        D(10),
        D("17.50"),
        D("25.00"),
        D("32.50"),
        D(40),
    )
    assert Distribution.of([]) is None


def test_competition_ranks_share_a_rank_and_skip_the_next() -> None:
    assert competition_ranks([D(1), D(2), D(2), D(4)]) == [1, 2, 2, 4]
    assert competition_ranks([]) == []


def test_per_capita_is_per_thousand_residents_rounded() -> None:
    assert per_capita(D(30), 2000) == D("15.00")
    assert per_capita(D(1), 3000) == D("0.3333")
    assert per_capita(D(5), None) is None
    assert per_capita(D(5), 0) is None


def test_latest_values_ranked_with_their_distribution() -> None:
    group = [member(1), member(2), member(3), member(4)]
    values = [
        value(1, 2023, "50"),
        value(1, 2024, "10"),  # the latest counts, not the largest
        value(2, 2024, "40"),
        value(3, 2022, "30", preliminary=True),  # latest is older: still this organisation's latest
        value(4, 2024, "20"),
    ]
    comparison = compare(info(), values, group=group, own=group[2])
    assert [(r.rank, r.member.id, r.year, r.compared, r.own) for r in comparison.ranked] == [
        (1, 2, 2024, D(40), False),
        (2, 3, 2022, D(30), True),
        (3, 4, 2024, D(20), False),
        (4, 1, 2024, D(10), False),
    ]
    assert comparison.ranked[1].preliminary
    assert comparison.own_row is comparison.ranked[1]
    assert comparison.distribution == Distribution(4, D(10), D("17.50"), D("25.00"), D("32.50"), D(40))


def test_lower_is_better_ranks_the_smallest_first_and_ties_share() -> None:
    group = [member(1), member(2), member(3), member(4)]
    values = [value(1, 2024, "5"), value(2, 2024, "3"), value(3, 2024, "3"), value(4, 2024, "8")]
    ranked = compare(info(direction="lower"), values, group=group, own=None).ranked
    assert [(r.rank, r.member.id) for r in ranked] == [(1, 2), (1, 3), (3, 1), (4, 4)]


def test_within_a_range_ranks_by_the_distance_outside_it() -> None:
    group = [member(1), member(2), member(3)]
    values = [value(1, 2024, "12"), value(2, 2024, "5"), value(3, 2024, "1")]
    template = info(direction="range", range_low="4", range_high="10")
    ranked = compare(template, values, group=group, own=None).ranked
    assert [(r.rank, r.member.id) for r in ranked] == [(1, 2), (2, 1), (3, 3)]  # 0, 2 and 3 outside


def test_per_capita_template_compares_per_thousand_and_leaves_out_who_has_no_population() -> None:
    group = [
        member(1, population=2000),
        member(2, population=4000),
        member(3, population=5000),
        member(4, population=10000),
        member(5, population=None, name="Väestötön"),
    ]
    values = [
        value(1, 2024, "30"),  # 15 per 1,000
        value(2, 2024, "40"),  # 10
        value(3, 2024, "20"),  # 4
        value(4, 2024, "50"),  # 5
        value(5, 2024, "99"),
    ]
    comparison = compare(info(per_capita=True), values, group=group, own=group[3])
    assert [(r.rank, r.member.id, r.value, r.compared) for r in comparison.ranked] == [
        (1, 1, D(30), D("15.00")),
        (2, 2, D(40), D("10.00")),
        (3, 4, D(50), D("5.00")),
        (4, 3, D(20), D("4.00")),
    ]
    # [4, 5, 10, 15]: quartiles at positions 0.75, 1.5, 2.25.
    assert comparison.distribution == Distribution(4, D("4.00"), D("4.75"), D("7.50"), D("11.25"), D("15.00"))
    assert [m.id for m in comparison.without_population] == [5]


def test_trend_gives_quartiles_per_year_and_the_own_value() -> None:
    group = [member(1), member(2), member(3)]
    values = [
        value(1, 2023, "10"),
        value(2, 2023, "20"),
        value(3, 2023, "30"),
        value(1, 2024, "1", month=1),
        value(1, 2024, "4", month=10),  # the last period of the year stands for the year
        value(2, 2024, "8"),
    ]
    trend = compare(info(), values, group=group, own=group[0]).trend
    assert [(t.year, t.count, t.q1, t.median, t.q3, t.own) for t in trend] == [
        (2023, 3, D("15.00"), D("20.00"), D("25.00"), D(10)),
        (2024, 2, D("5.00"), D("6.00"), D("7.00"), D(4)),
    ]


def test_values_of_organisations_outside_the_group_are_ignored() -> None:
    group = [member(1), member(2)]
    values = [value(1, 2024, "1"), value(2, 2024, "2"), value(99, 2024, "424242")]
    comparison = compare(info(), values, group=group, own=None)
    assert [r.member.id for r in comparison.ranked] == [2, 1]
    assert all(D(424242) not in (t.q1, t.median, t.q3) for t in comparison.trend)


def test_peer_groups() -> None:
    own = member(1, population=10000, region=1)
    members = [
        own,
        member(2, population=5000, region=1),  # exactly half: similar
        member(3, population=4999, region=2),  # just below half
        member(4, population=20000, region=2),  # exactly twice: similar
        member(5, population=20001, region=1),
        member(6, population=None, region=None),
    ]

    def ids(peers: str, chosen: tuple[str, ...] = ()) -> list[int]:
        return sorted(m.id for m in peer_group(members, own=own, peers=peers, chosen=chosen))

    assert ids(Peers.ALL) == [1, 2, 3, 4, 5, 6]
    assert ids(Peers.REGION) == [1, 2, 5]
    assert ids(Peers.POPULATION) == [1, 2, 4]
    assert ids(Peers.CHOSEN, ("org-3", "not-sharing")) == [1, 3]  # the own one always; unknown ignored
    assert population_band(10001) == (5001, 20002)


def test_peer_choices_that_cannot_be_honoured_fall_back_to_all_with_a_note() -> None:
    assert resolve_peers(Peers.REGION, member(1, region=None))[0] == Peers.ALL
    assert "no region" in resolve_peers(Peers.REGION, member(1, region=None))[1]
    assert resolve_peers(Peers.POPULATION, member(1, population=None))[0] == Peers.ALL
    assert resolve_peers(Peers.POPULATION, None)[0] == Peers.ALL
    assert resolve_peers("nonsense", member(1)) == (Peers.ALL, "")
    assert resolve_peers(Peers.REGION, member(1)) == (Peers.REGION, "")


@pytest.mark.parametrize("own_index", [None, 1])
def test_figures_hold_the_same_numbers_as_the_tables(own_index: int | None) -> None:
    group = [member(1), member(2), member(3)]
    own = group[own_index] if own_index is not None else None
    values = [value(1, 2024, "10"), value(2, 2024, "20"), value(3, 2024, "60"), value(2, 2023, "5")]
    comparison = compare(info(), values, group=group, own=own)
    figure = distribution_figure(comparison)
    assert figure is not None
    box = figure["data"][0]
    assert (box["q1"], box["median"], box["q3"], box["lowerfence"], box["upperfence"]) == (
        [15.0],
        [20.0],
        [40.0],
        [10.0],
        [60.0],
    )
    points = [x for trace in figure["data"][1:] for x in trace["x"]]
    assert sorted(points) == [10.0, 20.0, 60.0]
    trend = trend_figure(comparison)
    assert trend is not None
    medians = next(t for t in trend["data"] if t["name"] == "Median")
    assert list(medians["x"]) == [2023, 2024] and list(medians["y"]) == [5.0, 20.0]
    assert any(t["name"] == "Kunta 2" for t in trend["data"]) == (own is not None)
    empty = compare(info(), [], group=group, own=own)
    assert distribution_figure(empty) is None and trend_figure(empty) is None


# --- the figures are plotly's JSON without plotly ------------------------------------------------


def _plotly_json(figure: Any) -> dict[str, Any]:
    result: dict[str, Any] = figure.to_plotly_json()
    result["config"] = {"displaylogo": False, "responsive": True, "displayModeBar": False}
    return result


def _plotly_distribution(comparison: Comparison) -> dict[str, Any]:
    """The distribution figure as it was built with plotly.graph_objects (the reference)."""
    import plotly.graph_objects as go

    from indicators.national import BAND_COLOUR, OWN_COLOUR, PEER_COLOUR

    distribution = comparison.distribution
    assert distribution is not None
    others = [row for row in comparison.ranked if not row.own]
    figure = go.Figure()
    figure.add_trace(
        go.Box(
            name=_("Distribution"),
            y=[""],
            orientation="h",
            q1=[float(distribution.q1)],
            median=[float(distribution.median)],
            q3=[float(distribution.q3)],
            lowerfence=[float(distribution.minimum)],
            upperfence=[float(distribution.maximum)],
            fillcolor=BAND_COLOUR,
            line={"color": PEER_COLOUR},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    figure.add_trace(
        go.Scatter(
            name=_("Organisations"),
            x=[float(row.compared) for row in others],
            y=[""] * len(others),
            text=[row.member.label for row in others],
            mode="markers",
            marker={"size": 10, "color": PEER_COLOUR, "opacity": 0.8, "line": {"width": 1, "color": "#fff"}},
            hovertemplate="%{text}: %{x}<extra></extra>",
        )
    )
    own = comparison.own_row
    if own is not None:
        figure.add_trace(
            go.Scatter(
                name=own.member.label,
                x=[float(own.compared)],
                y=[""],
                text=[own.member.label],
                mode="markers",
                marker={
                    "size": 16,
                    "color": OWN_COLOUR,
                    "symbol": "diamond",
                    "line": {"width": 2, "color": "#fff"},
                },
                hovertemplate="%{text}: %{x}<extra></extra>",
            )
        )
    figure.update_layout(
        template="none",
        font={"family": "system-ui, sans-serif", "size": 13, "color": "#1b1b1b"},
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        hovermode="closest",
        height=240,
        margin={"l": 20, "r": 20, "t": 50, "b": 50},
        showlegend=True,
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        xaxis={
            "title": {"text": comparison.template.shown_unit},
            "showgrid": True,
            "gridcolor": "#e6e6e6",
            "zeroline": False,
        },
        yaxis={"showticklabels": False},
    )
    return _plotly_json(figure)


def _plotly_trend(comparison: Comparison) -> dict[str, Any]:
    """The trend figure as it was built with plotly.graph_objects (the reference)."""
    import plotly.graph_objects as go

    from indicators.national import BAND_COLOUR, OWN_COLOUR, PEER_COLOUR

    rows = comparison.trend
    years = [row.year for row in rows]
    figure = go.Figure()
    dot = {"color": PEER_COLOUR, "width": 1, "dash": "dot"}
    figure.add_trace(
        go.Scatter(name=_("Lower quartile"), x=years, y=[float(r.q1) for r in rows], mode="lines", line=dot)
    )
    figure.add_trace(
        go.Scatter(
            name=_("Upper quartile"),
            x=years,
            y=[float(r.q3) for r in rows],
            mode="lines",
            fill="tonexty",
            fillcolor=BAND_COLOUR,
            line=dot,
        )
    )
    figure.add_trace(
        go.Scatter(
            name=_("Median"),
            x=years,
            y=[float(r.median) for r in rows],
            mode="lines+markers",
            line={"color": PEER_COLOUR, "width": 3},
        )
    )
    own_points = [row for row in rows if row.own is not None]
    if comparison.own is not None and own_points:
        figure.add_trace(
            go.Scatter(
                name=comparison.own.label,
                x=[row.year for row in own_points],
                y=[float(row.own) for row in own_points if row.own is not None],
                mode="lines+markers",
                line={"color": OWN_COLOUR, "width": 3, "dash": "dash"},
                marker={"symbol": "diamond", "size": 10},
            )
        )
    figure.update_layout(
        template="none",
        font={"family": "system-ui, sans-serif", "size": 13, "color": "#1b1b1b"},
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        hovermode="closest",
        height=380,
        margin={"l": 60, "r": 20, "t": 60, "b": 40},
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom", "traceorder": "normal"},
        xaxis={"tickformat": "d", "showgrid": True, "gridcolor": "#e6e6e6"},
        yaxis={
            "title": {"text": comparison.template.shown_unit},
            "automargin": True,
            "showgrid": True,
            "gridcolor": "#e6e6e6",
            "zeroline": False,
        },
    )
    return _plotly_json(figure)


@pytest.mark.parametrize("own_index", [None, 0, 2])
@pytest.mark.parametrize("per_capita_template", [False, True])
def test_the_figures_are_the_json_plotly_wrote_key_order_included(
    own_index: int | None, per_capita_template: bool
) -> None:
    group = [member(1), member(2, population=3000), member(3, population=None), member(4)]
    own = group[own_index] if own_index is not None else None
    values = [
        value(1, 2023, "10.5"),
        value(1, 2024, "12"),
        value(2, 2024, "20", preliminary=True),
        value(3, 2022, "60"),
        value(4, 2023, "7"),
        value(4, 2024, "8.25", month=6),
    ]
    comparison = compare(info(per_capita=per_capita_template), values, group=group, own=own)
    assert json.dumps(distribution_figure(comparison)) == json.dumps(_plotly_distribution(comparison))
    assert json.dumps(trend_figure(comparison)) == json.dumps(_plotly_trend(comparison))
