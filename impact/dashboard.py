"""The leadership dashboard: which goals the international work advances, how well, at what cost, what is
missing, and where the organisation is heading.

Two parts. The pure part (dataclasses and functions over lists of model objects, no database and no
request) computes every number, so that the annual report can reuse it; the read side, `load_dashboard`,
fetches what they need in a fixed number of queries whatever the amount of data, and hands it over.

How money is counted (also said on the page):
- Budgets are whole-activity figures (the register keeps no yearly breakdown). With a year chosen, the
  activities active in that year count with their whole budgets.
- In the goal tree each goal shows the activities that serve it or any goal below it, each activity once
  (F11 of the domain brief: count once at goal level), with their full budgets. One activity may serve
  several goals, so the rows overlap and do not add up.
- The money by strategic goal divides each activity's budget equally between the distinct strategic goals
  it serves (through any goal below them), so those rows add up to the budget of the activities that serve
  a goal; what serves no goal of the strategy has its own row.
- External funding per own euro is the sum of external funding divided by the sum of own shares.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from futures.analysis import Robustness, SignpostState, heatmap_figure, robustness
from futures.models import FutureStory, Implication, Signpost
from futures.views import SignpostRow, signpost_rows, signposts_with_latest
from goals.measures import MeasuredIndicator, links_of
from goals.models import Goal, Strategy
from goals.quality import ItemResult, evaluate
from goals.tree import Node, Rollup, build_tree, flatten, subtree_rollups
from impact.analysis import RegisterRow, register_rows
from impact.models import (
    DEFAULT_REPORT_INTERVAL_MONTHS,
    Activity,
    ActivitySettings,
    ActivityStatus,
    ChainStep,
    Contribution,
    FundingProgramme,
)
from impact.rules import Claim, shared_claims
from indicators import analysis as indicator_analysis
from indicators.chart_text import plotly_text, plotly_texts
from indicators.models import Indicator
from indicators.progress import Status
from indicators.rows import TargetRow, ValueRow, plain_rows
from organisations.collation import finnish_key, sorted_finnish
from organisations.models import Organisation
from organisations.params import parse_id, parse_year

ZERO = Decimal(0)
CENT = Decimal("0.01")

STATUS_COLOURS = {
    ActivityStatus.PLANNED: "#595959",
    ActivityStatus.ONGOING: "#1e6b34",
    ActivityStatus.PAUSED: "#8a5300",
    ActivityStatus.ENDED: "#2f5d8a",
}
OWN_COLOUR = "#0b3a75"
EXTERNAL_COLOUR = "#3f8f4f"
OTHER_COLOUR = "#9a9a9a"
CHART_CONFIG = {"displaylogo": False, "responsive": True, "displayModeBar": False}
CHART_FONT = {"family": "system-ui, sans-serif", "size": 13, "color": "#1b1b1b"}
DAY_MS = 86_400_000
# Quality items that the dashboard lists on their own ("goals that no activity reaches", counted through
# the goals below), so the quality list leaves them out.
LISTED_APART = {"reached"}


def separators() -> str:
    """Plotly's number separators (decimal, then thousands) in the active language: 1 234,5 in Finnish."""
    decimal = str(formats.get_format("DECIMAL_SEPARATOR"))
    thousands = str(formats.get_format("THOUSAND_SEPARATOR"))
    return (decimal or ".") + (thousands or ",")


# --- filters ---------------------------------------------------------------------------------------


def current_strategy(strategies: Sequence[Strategy]) -> Strategy | None:
    """The newest approved strategy, else the newest draft (StrategyQuerySet.current on a list)."""
    if not strategies:
        return None
    return min(
        strategies,
        key=lambda s: (0 if s.status == Strategy.Status.APPROVED else 1, -s.term_start, -s.pk),
    )


@dataclass(frozen=True)
class Filters:
    """The strategy (council term) and the year the dashboard shows; year None is the whole term."""

    strategies: list[Strategy]
    strategy: Strategy | None
    year: int | None

    @property
    def years(self) -> list[int]:
        if self.strategy is None:
            return []
        return list(range(self.strategy.term_end, self.strategy.term_start - 1, -1))

    @property
    def window(self) -> tuple[dt.date, dt.date] | None:
        """The first and last day the dashboard looks at: the year, or else the council term."""
        if self.year is not None:
            return dt.date(self.year, 1, 1), dt.date(self.year, 12, 31)
        if self.strategy is None:
            return None
        return dt.date(self.strategy.term_start, 1, 1), dt.date(self.strategy.term_end, 12, 31)

    @property
    def year_value(self) -> str:
        """The year as the filter form submits it ("" for the whole term)."""
        return "" if self.year is None else str(self.year)


def choose_filters(
    strategies: Sequence[Strategy], *, strategy: str | None, year: str | None, today: dt.date
) -> Filters:
    """Read the filters from the URL's values; anything unknown falls back to the default.

    Default strategy: the current one. Default year: this year when it falls in the strategy's council
    term, else the whole term. `year=""` (chosen in the form) means the whole term.
    """
    ordered = sorted(strategies, key=lambda s: (-s.term_start, finnish_key(s.name), s.pk))
    strategy_id = parse_id(strategy)
    chosen = next((s for s in ordered if s.pk == strategy_id), None)
    chosen = chosen or current_strategy(ordered)
    if chosen is None:
        return Filters(ordered, None, None)
    term = range(chosen.term_start, chosen.term_end + 1)
    if year == "":
        return Filters(ordered, chosen, None)
    chosen_year = parse_year(year, minimum=chosen.term_start, maximum=chosen.term_end)
    if chosen_year is not None:
        return Filters(ordered, chosen, chosen_year)
    return Filters(ordered, chosen, today.year if today.year in term else None)


def active_in(activity: Activity, window: tuple[dt.date, dt.date] | None) -> bool:
    """Whether the activity runs at some point in the window (ActivityQuerySet.active_in_year's rule)."""
    if window is None:
        return True
    first, last = window
    starts_in_time = activity.start_date is None or activity.start_date <= last
    still_running = activity.end_date is None or activity.end_date >= first
    return starts_in_time and still_running


# --- money ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Money:
    """Total budget, own share and external funding (empty amounts count as zero)."""

    total_budget: Decimal = ZERO
    own_share: Decimal = ZERO
    external_funding: Decimal = ZERO

    def __add__(self, other: Money) -> Money:
        return Money(
            self.total_budget + other.total_budget,
            self.own_share + other.own_share,
            self.external_funding + other.external_funding,
        )

    def share(self, parts: int) -> Money:
        """An equal part of this money (rounded to the cent)."""
        return Money(
            (self.total_budget / parts).quantize(CENT),
            (self.own_share / parts).quantize(CENT),
            (self.external_funding / parts).quantize(CENT),
        )

    @property
    def other(self) -> Decimal:
        """What the total budget holds besides the own share and the external funding (never negative)."""
        return max(self.total_budget - self.own_share - self.external_funding, ZERO)

    @property
    def external_per_own_euro(self) -> Decimal | None:
        if not self.own_share:
            return None
        return (self.external_funding / self.own_share).quantize(CENT)

    @classmethod
    def of(cls, activity: Activity) -> Money:
        return cls(
            activity.total_budget or ZERO, activity.own_share or ZERO, activity.external_funding or ZERO
        )

    @classmethod
    def total(cls, activities: Iterable[Activity]) -> Money:
        return sum((cls.of(a) for a in activities), cls())


@dataclass(frozen=True)
class MoneyRow:
    """One row of a money table: a programme or a strategic goal."""

    label: str
    money: Money
    activity_count: int
    goal: Goal | None = None  # the strategic goal of the row, for its link
    key: str = ""


@dataclass(frozen=True)
class MoneyView:
    total: Money
    activity_count: int
    by_programme: list[MoneyRow]
    by_goal: list[MoneyRow]
    unlinked: MoneyRow  # the activities that serve no goal of the strategy
    without_budget: int  # activities with no total budget recorded

    @property
    def by_goal_total(self) -> Money:
        return sum((row.money for row in self.by_goal), Money()) + self.unlinked.money


def programme_rows(activities: Sequence[Activity]) -> list[MoneyRow]:
    """Money by funding programme, largest total budget first ("no external funding" last)."""
    groups: dict[str, list[Activity]] = defaultdict(list)
    for activity in activities:
        groups[activity.programme or ""].append(activity)
    labels = dict(FundingProgramme.choices)
    rows = [
        MoneyRow(str(labels.get(key, key)), Money.total(items), len(items), key=key or "none")
        for key, items in groups.items()
    ]
    return sorted(rows, key=lambda r: (r.key == "none", -r.money.total_budget, finnish_key(r.label)))


def strategic_ancestor(nodes: Iterable[Node]) -> dict[int, Goal]:
    """Goal id → the strategic goal it belongs to (the top goal's child above it; a top goal itself)."""
    result: dict[int, Goal] = {}

    def visit(node: Node, strategic: Goal) -> None:
        result[node.goal.pk] = strategic
        for child in node.children:
            visit(child, child.goal if node.depth == 0 else strategic)

    for root in nodes:
        visit(root, root.goal)
    return result


def goal_money_rows(
    activities: Sequence[Activity],
    served: Mapping[int, set[int]],
    strategic_of: Mapping[int, Goal],
    order: Sequence[Goal],
) -> tuple[list[MoneyRow], MoneyRow]:
    """Money by strategic goal (each activity split equally between the strategic goals it serves) and
    the row of the activities that serve no goal of the strategy.

    `served`: activity id → the ids of the goals of the strategy it contributes to.
    `order`: the strategic goals in tree order (every one gets a row, even at zero).
    """
    money: dict[int, Money] = defaultdict(Money)
    counts: dict[int, int] = defaultdict(int)
    unlinked: list[Activity] = []
    for activity in activities:
        strategic = {strategic_of[g].pk for g in served.get(activity.pk, set()) if g in strategic_of}
        if not strategic:
            unlinked.append(activity)
            continue
        part = Money.of(activity).share(len(strategic))
        for goal_id in strategic:
            money[goal_id] = money[goal_id] + part
            counts[goal_id] += 1
    listed = {goal.pk for goal in order}
    # A contribution straight to the top goal counts for the top goal itself, in a row before the others.
    tops = {g.pk: g for g in strategic_of.values() if g.pk in money and g.pk not in listed}
    rows = [
        MoneyRow(str(goal), money[goal.pk], counts[goal.pk], goal=goal, key=str(goal.pk))
        for goal in [*tops.values(), *order]
    ]
    return rows, MoneyRow(
        _("Serves no goal of the strategy"), Money.total(unlinked), len(unlinked), key="none"
    )


def money_view(
    activities: Sequence[Activity],
    served: Mapping[int, set[int]],
    strategic_of: Mapping[int, Goal],
    order: Sequence[Goal],
) -> MoneyView:
    by_goal, unlinked = goal_money_rows(activities, served, strategic_of, order)
    return MoneyView(
        total=Money.total(activities),
        activity_count=len(activities),
        by_programme=programme_rows(activities),
        by_goal=by_goal,
        unlinked=unlinked,
        without_budget=sum(1 for a in activities if a.total_budget is None),
    )


def short_label(text: str, limit: int = 32) -> str:
    """A chart axis label short enough for a phone (the table beside the chart has the full name)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def money_figure(rows: Sequence[MoneyRow], *, labels: Sequence[str] | None = None) -> dict[str, Any]:
    """Horizontal stacked bars: own share, external funding and the rest of the budget, per row."""
    names = plotly_texts(labels if labels is not None else (short_label(row.label) for row in rows))
    parts = [
        (_("Own share"), OWN_COLOUR, [float(row.money.own_share) for row in rows]),
        (_("External funding"), EXTERNAL_COLOUR, [float(row.money.external_funding) for row in rows]),
        (_("Other or not broken down"), OTHER_COLOUR, [float(row.money.other) for row in rows]),
    ]
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "name": name,
            "y": names,
            "x": values,
            "marker": {"color": colour},
            "hovertemplate": "%{y}: %{x:,.0f} €<extra>" + name + "</extra>",
        }
        for name, colour, values in parts
        if any(values)
    ]
    return {
        "data": data,
        "layout": {
            "barmode": "stack",
            "height": 110 + 34 * len(rows),
            "margin": {"l": 10, "r": 20, "t": 10, "b": 10},
            "font": CHART_FONT,
            "separators": separators(),
            "legend": {"orientation": "h", "traceorder": "normal", "y": -0.2 if len(rows) < 5 else -0.1},
            "xaxis": {
                "gridcolor": "#e6e6e6",
                "tickformat": "~s",
                "ticksuffix": " €",
                "automargin": True,
                "nticks": 5,
            },
            "yaxis": {"automargin": True, "autorange": "reversed", "type": "category"},
            "paper_bgcolor": "#ffffff",
            "plot_bgcolor": "#ffffff",
        },
        "config": CHART_CONFIG,
    }


# --- the goal tree -------------------------------------------------------------------------------------


SCORED = {Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK}


def goal_progress(measured: Iterable[MeasuredIndicator]) -> int | None:
    """The average progress from baseline to target of the scored indicators, each capped to 0–100 %."""
    values = [
        min(max(m.state.assessment.progress, 0.0), 1.0)
        for m in measured
        if m.status in SCORED and m.state.assessment.progress is not None
    ]
    if not values:
        return None
    return round(100 * sum(values) / len(values))


@dataclass(frozen=True)
class GoalLine:
    """A goal of the tree as the dashboard shows it."""

    goal: Goal
    depth: int
    level_name: str
    rollup: Rollup
    progress: int | None
    indicator_count: int
    activity_ids: frozenset[int]
    money: Money

    @property
    def activity_count(self) -> int:
        return len(self.activity_ids)


def subtree_sets(roots: Sequence[Node], own: Mapping[int, set[int]]) -> dict[int, set[int]]:
    """Goal id → the union of `own` over the goal and every goal below it."""
    result: dict[int, set[int]] = {}

    def visit(node: Node) -> set[int]:
        found = set(own.get(node.goal.pk, set()))
        for child in node.children:
            found |= visit(child)
        result[node.goal.pk] = found
        return found

    for root in roots:
        visit(root)
    return result


def goal_lines(
    roots: Sequence[Node],
    *,
    links: Mapping[int, set[int]],
    measured: Mapping[int, MeasuredIndicator],
    contributions: Iterable[tuple[int, int]],
    activities: Mapping[int, Activity],
) -> list[GoalLine]:
    """Every goal in tree order: its roll-up and progress (its own and its sub-goals' indicators, each
    once), and the activities that serve it or a goal below it (each once) with their full budgets.

    `contributions`: (activity id, goal id) pairs; only activities in `activities` count.
    """
    statuses = {pk: m.status for pk, m in measured.items()}
    rollups = subtree_rollups(list(roots), statuses, dict(links))
    indicators = subtree_sets(roots, links)
    direct: dict[int, set[int]] = defaultdict(set)
    for activity_id, goal_id in contributions:
        if activity_id in activities:
            direct[goal_id].add(activity_id)
    serving = subtree_sets(roots, direct)
    lines = []
    for node in flatten(list(roots)):
        pk = node.goal.pk
        ids = serving.get(pk, set())
        lines.append(
            GoalLine(
                goal=node.goal,
                depth=node.depth,
                level_name=node.level_name,
                rollup=rollups[pk],
                progress=goal_progress(measured[i] for i in indicators.get(pk, set()) if i in measured),
                indicator_count=len(indicators.get(pk, set())),
                activity_ids=frozenset(ids),
                money=Money.total(activities[i] for i in ids),
            )
        )
    return lines


@dataclass(frozen=True)
class StatusCount:
    status: Status
    count: int

    @property
    def label(self) -> str:
        return self.status.label


def status_counts(lines: Sequence[GoalLine], depth: int = 1) -> list[StatusCount]:
    """How many goals at the given depth (1: the strategic goals) are in each roll-up status."""
    chosen = [line for line in lines if line.depth == depth] or [line for line in lines if line.depth == 0]
    counts: dict[Status, int] = defaultdict(int)
    for line in chosen:
        counts[line.rollup.status] += 1
    order = [Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK, Status.NOT_MEASURABLE]
    return [StatusCount(s, counts[s]) for s in order if counts[s]]


# --- coverage ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    activity: Activity
    due_on: dt.date


@dataclass(frozen=True)
class QualityGap:
    goal: Goal
    failed: list[ItemResult]


@dataclass(frozen=True)
class SharedResult:
    """An outcome or impact indicator that several activities claim: counted once at goal level."""

    indicator_name: str
    activity_names: list[str]


@dataclass(frozen=True)
class Coverage:
    unreached: list[Goal]
    orphans: list[Activity]
    quality_gaps: list[QualityGap]
    overdue_reports: list[Due]
    reviews_due: list[Due]
    shared_results: list[SharedResult]

    @property
    def is_clear(self) -> bool:
        return not (
            self.unreached or self.orphans or self.quality_gaps or self.overdue_reports or self.reviews_due
        )


def coverage(
    lines: Sequence[GoalLine],
    *,
    activities: Sequence[Activity],
    served: Mapping[int, set[int]],
    quality: Mapping[int, list[ItemResult]],
    follow_ups: Sequence[RegisterRow],
    claims: Iterable[Claim],
    indicator_names: Mapping[int, str],
) -> Coverage:
    """The short lists of what is missing.

    - goals that no activity in the window serves, directly or through a goal below them;
    - activities in the window that serve no goal of the strategy;
    - goals failing an item of the quality checklist, with the items;
    - progress reports overdue and partnership reviews due today (whatever the window: they are due now);
    - outcome and impact indicators that several of the window's activities claim (rules.shared_claims).
    """
    in_window = {a.pk for a in activities}
    names = {a.pk: a.name for a in activities}
    overdue = [
        Due(row.activity, row.follow.report_due)
        for row in follow_ups
        if row.follow.report_overdue and row.follow.report_due
    ]
    reviews = [
        Due(row.activity, row.follow.review_due)
        for row in follow_ups
        if row.follow.review_is_due and row.follow.review_due
    ]
    shared = shared_claims(c for c in claims if c.activity_id in in_window)
    results = [
        SharedResult(indicator_names.get(indicator_id, ""), sorted_finnish((names[a] for a in ids), key=str))
        for indicator_id, ids in shared.items()
    ]
    return Coverage(
        unreached=[line.goal for line in lines if not line.activity_ids],
        orphans=sorted_finnish((a for a in activities if not served.get(a.pk)), key=lambda a: a.name),
        quality_gaps=[
            QualityGap(line.goal, failed)
            for line in lines
            if (
                failed := [
                    i
                    for i in quality.get(line.goal.pk, [])
                    if not i.passed and i.check.key not in LISTED_APART
                ]
            )
        ],
        overdue_reports=sorted(overdue, key=lambda d: (d.due_on, finnish_key(d.activity.name))),
        reviews_due=sorted(reviews, key=lambda d: (d.due_on, finnish_key(d.activity.name))),
        shared_results=sorted(results, key=lambda r: finnish_key(r.indicator_name)),
    )


# --- time ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineRow:
    activity: Activity
    label: str  # unique within the chart

    @property
    def open_ended(self) -> bool:
        return self.activity.end_date is None


def timeline_rows(activities: Iterable[Activity]) -> tuple[list[TimelineRow], list[Activity]]:
    """The activities with a start date, by start date (then name), and those without one."""
    dated = sorted(
        (a for a in activities if a.start_date is not None),
        key=lambda a: (a.start_date, finnish_key(a.name)),
    )
    seen: dict[str, int] = defaultdict(int)
    rows = []
    for activity in dated:
        label = short_label(activity.name, 36)
        seen[label] += 1
        rows.append(TimelineRow(activity, label if seen[label] == 1 else f"{label} ({seen[label]})"))
    undated = sorted_finnish((a for a in activities if a.start_date is None), key=lambda a: a.name)
    return rows, undated


def timeline_figure(
    rows: Sequence[TimelineRow],
    *,
    window: tuple[dt.date, dt.date],
    highlight: tuple[dt.date, dt.date] | None,
    today: dt.date,
) -> dict[str, Any]:
    """A Gantt chart: one horizontal bar per activity from its start to its end (or to the end of the
    window when it has none), coloured by status, on a date axis showing the window. Bars are drawn as
    plotly bars with a date `base` and a length in milliseconds (what plotly express's timeline does)."""
    first, last = window
    axis_end = last + dt.timedelta(days=1)
    # Each activity's name as plotly shows it: the category of its bar and the text above it.
    shown = {row.label: plotly_text(row.label) for row in rows}
    data = []
    for status in ActivityStatus:
        chosen = [row for row in rows if row.activity.status == status]
        if not chosen:
            continue
        starts = [row.activity.start_date for row in chosen]
        ends = [
            (row.activity.end_date + dt.timedelta(days=1)) if row.activity.end_date else max(axis_end, today)
            for row in chosen
        ]
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": str(status.label).capitalize(),
                "y": [shown[row.label] for row in chosen],
                "base": [start.isoformat() for start in starts],  # type: ignore[union-attr]
                "x": [(end - start).days * DAY_MS for start, end in zip(starts, ends, strict=True)],  # type: ignore[operator]
                "marker": {"color": STATUS_COLOURS[status]},
                "offset": 0.0,
                "width": 0.45,
                "customdata": [
                    [
                        row.activity.start_date.isoformat(),  # type: ignore[union-attr]
                        row.activity.end_date.isoformat() if row.activity.end_date else "…",
                    ]
                    for row in chosen
                ],
                "hovertemplate": "%{y}: %{customdata[0]} – %{customdata[1]}<extra>"
                + str(status.label)
                + "</extra>",
            }
        )
    shapes: list[dict[str, Any]] = []
    if highlight is not None and highlight != window:
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": highlight[0].isoformat(),
                "x1": (highlight[1] + dt.timedelta(days=1)).isoformat(),
                "y0": 0,
                "y1": 1,
                "fillcolor": "#0b3a75",
                "opacity": 0.08,
                "line": {"width": 0},
                "layer": "below",
            }
        )
    if first <= today <= last:
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": today.isoformat(),
                "x1": today.isoformat(),
                "y0": 0,
                "y1": 1,
                "line": {"color": "#b3261e", "width": 2, "dash": "dot"},
            }
        )
    return {
        "data": data,
        "layout": {
            "barmode": "overlay",
            "height": 100 + 40 * len(rows),
            "margin": {"l": 10, "r": 10, "t": 10, "b": 30},
            "font": CHART_FONT,
            "legend": {"orientation": "h", "traceorder": "normal", "y": -0.08 if len(rows) > 6 else -0.3},
            # Years only: plotly would name the months in English whatever the page's language.
            "xaxis": {
                "type": "date",
                "range": [first.isoformat(), axis_end.isoformat()],
                "gridcolor": "#e6e6e6",
                "tickformat": "%Y",
                "dtick": "M12",
                "automargin": True,
            },
            # The names sit above their bars (annotations), inside the plot: as tick labels beside the bars
            # they would take half a phone's width.
            "yaxis": {
                "type": "category",
                "categoryorder": "array",
                "categoryarray": [shown[row.label] for row in rows],
                "autorange": "reversed",
                "showticklabels": False,
                "ticks": "",
            },
            "annotations": [
                {
                    "xref": "paper",
                    "x": 0,
                    "yref": "y",
                    "y": shown[row.label],
                    "xanchor": "left",
                    "yanchor": "bottom",
                    "yshift": 1,
                    "text": shown[row.label],
                    "showarrow": False,
                    "font": {"size": 12, "color": "#1b1b1b"},
                }
                for row in rows
            ],
            "shapes": shapes,
            "paper_bgcolor": "#ffffff",
            "plot_bgcolor": "#ffffff",
        },
        "config": CHART_CONFIG,
    }


# --- futures -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RobustnessLine:
    goal: Goal
    robustness: Robustness
    signed: list[int | None]  # per story, in the order of the view's stories; None: not assessed

    @property
    def shown(self) -> list[str]:
        """The strengths as the table shows them: +2, −3 (a real minus sign), or "" when not assessed."""
        return ["" if v is None else f"+{v}" if v > 0 else f"\u2212{-v}" for v in self.signed]

    @property
    def opportunities(self) -> int:
        return sum(1 for value in self.signed if value is not None and value > 0)

    @property
    def threats(self) -> int:
        return sum(1 for value in self.signed if value is not None and value < 0)


@dataclass(frozen=True)
class StoryBoard:
    story: FutureStory
    rows: list[SignpostRow]

    @property
    def reached(self) -> int:
        return sum(1 for row in self.rows if row.state == SignpostState.REACHED)

    @property
    def share(self) -> float:
        return self.reached / len(self.rows) if self.rows else 0.0


@dataclass(frozen=True)
class FuturesView:
    stories: list[FutureStory]
    lines: list[RobustnessLine]
    unassessed: list[Goal]
    boards: list[StoryBoard]

    @property
    def counts(self) -> list[tuple[str, str, int]]:
        found: dict[Robustness, int] = defaultdict(int)
        for line in self.lines:
            found[line.robustness] += 1
        return [(r.value, r.label, found[r]) for r in Robustness if found[r]]

    @property
    def leading(self) -> list[StoryBoard]:
        """The stories whose signposts the data has reached most (none when nothing is reached)."""
        best = max((board.share for board in self.boards), default=0.0)
        return [board for board in self.boards if best > 0 and board.share == best]

    def figure(self) -> dict[str, Any]:
        figure = heatmap_figure(
            [line.goal.code or short_label(line.goal.title, 20) for line in self.lines],
            [f"{story.title} ({story.horizon_year})" for story in self.stories],
            [line.signed for line in self.lines],
            "",
            story_width=14,
        )
        layout: dict[str, Any] = figure["layout"]  # type: ignore[assignment]
        layout.update(
            height=120 + 34 * len(self.lines),
            font=CHART_FONT,
            margin={"l": 10, "r": 10, "t": 10, "b": 10},
            paper_bgcolor="#ffffff",
            plot_bgcolor="#ffffff",
        )
        layout.pop("title", None)  # the figure's caption says it
        figure["config"] = CHART_CONFIG
        return figure


def futures_view(
    goals_in_order: Sequence[Goal],
    *,
    stories: Sequence[FutureStory],
    implications: Iterable[Implication],
    signposts: Iterable[SignpostRow],
) -> FuturesView:
    """Robustness of the strategy's goals across the organisation's stories (futures.analysis.robustness)
    and each story's signposts against the latest values."""
    by_goal: dict[int, dict[int, int]] = defaultdict(dict)
    for implication in implications:
        by_goal[implication.goal_id][implication.story_id] = implication.signed_strength
    lines = [
        RobustnessLine(
            goal,
            robustness(by_goal[goal.pk], len(stories)),
            [by_goal[goal.pk].get(story.pk) for story in stories],
        )
        for goal in goals_in_order
        if goal.pk in by_goal
    ]
    boards: dict[int, StoryBoard] = {}
    for row in signposts:
        story = row.signpost.story
        boards.setdefault(story.pk, StoryBoard(story, [])).rows.append(row)
    return FuturesView(
        stories=list(stories),
        lines=lines,
        unassessed=[goal for goal in goals_in_order if goal.pk not in by_goal],
        boards=list(boards.values()),
    )


# --- the whole dashboard -------------------------------------------------------------------------------


@dataclass
class Dashboard:
    filters: Filters
    lines: list[GoalLine]
    status_counts: list[StatusCount]
    money: MoneyView
    coverage: Coverage
    timeline: list[TimelineRow]
    undated: list[Activity]
    futures: FuturesView
    activity_count: int  # activities in the window
    figures: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class IndicatorRows:
    indicator: Indicator
    observations: list[ValueRow]
    targets: list[TargetRow]


def indicators_until(indicator_ids: Iterable[int], last_day: dt.date | None) -> list[IndicatorRows]:
    """The indicators with their values up to `last_day` (all when None) and their targets in force.

    The values and targets come as plain rows, not model instances (three queries): the assessment reads
    three fields of each, and the dashboard of a large organisation has hundreds of them.
    """
    ids = set(indicator_ids)
    if not ids:
        return []
    rows = plain_rows(ids, until=last_day)
    return [
        IndicatorRows(i, rows.values_of(i.pk), rows.targets_of(i.pk))
        for i in Indicator.objects.filter(pk__in=ids)
    ]


def _interval(organisation: Organisation) -> int:
    interval = (
        ActivitySettings.objects.filter(organisation=organisation)
        .values_list("report_interval_months", flat=True)
        .first()
    )
    return interval or DEFAULT_REPORT_INTERVAL_MONTHS


def _figures(board: Dashboard, today: dt.date) -> dict[str, dict[str, Any]]:
    figures: dict[str, dict[str, Any]] = {}
    money = board.money
    if money.total.total_budget or money.total.own_share or money.total.external_funding:
        figures["programme"] = money_figure(money.by_programme)
        goal_rows = [*money.by_goal, money.unlinked] if money.unlinked.activity_count else money.by_goal
        figures["goal"] = money_figure(
            goal_rows,
            labels=[
                row.goal.code or short_label(row.goal.title) if row.goal else short_label(row.label)
                for row in goal_rows
            ],
        )
    window = board.filters.window
    if board.timeline and window is not None and board.filters.strategy is not None:
        strategy = board.filters.strategy
        term = (dt.date(strategy.term_start, 1, 1), dt.date(strategy.term_end, 12, 31))
        figures["timeline"] = timeline_figure(board.timeline, window=term, highlight=window, today=today)
    if board.futures.lines:
        figures["robustness"] = board.futures.figure()
    return figures


def load_dashboard(
    organisation: Organisation,
    *,
    strategy: str | None = None,
    year: str | None = None,
    today: dt.date,
    with_figures: bool = True,
) -> Dashboard:
    """Fetch and compute the dashboard of the organisation in a fixed number of queries.

    `strategy` and `year` are the URL's filter values (see choose_filters); only the organisation's own
    strategies can be chosen.
    """
    filters = choose_filters(
        list(Strategy.objects.for_organisation(organisation)), strategy=strategy, year=year, today=today
    )
    window = filters.window
    goals = list(Goal.objects.filter(strategy=filters.strategy)) if filters.strategy else []
    roots = build_tree(goals)
    links = links_of(g.pk for g in goals)
    indicators = indicators_until((i for ids in links.values() for i in ids), window[1] if window else None)
    measured = {
        rows.indicator.pk: MeasuredIndicator(
            rows.indicator,
            indicator_analysis.assess_indicator(
                rows.indicator, observations=rows.observations, targets=rows.targets, today=today
            ),
        )
        for rows in indicators
    }
    quality = evaluate(goals) if goals else {}

    every_activity = sorted(
        Activity.objects.for_organisation(organisation).with_follow_up(),
        key=lambda a: finnish_key(a.name),
    )
    activities = [a for a in every_activity if active_in(a, window)]
    by_id = {a.pk: a for a in activities}
    pairs = list(
        Contribution.objects.filter(activity__organisation=organisation, goal__strategy=filters.strategy)
        .order_by()
        .values_list("activity_id", "goal_id")
    )
    served: dict[int, set[int]] = defaultdict(set)
    for activity_id, goal_id in pairs:
        served[activity_id].add(goal_id)

    lines = goal_lines(roots, links=links, measured=measured, contributions=pairs, activities=by_id)
    strategic_of = strategic_ancestor(roots)
    strategic_order = [line.goal for line in lines if line.depth == 1] or [root.goal for root in roots]
    steps = list(
        ChainStep.objects.filter(
            activity__organisation=organisation, indicator__isnull=False, level__in=["outcome", "impact"]
        )
        .select_related("indicator")
        .only(
            "activity_id",
            "indicator_id",
            "level",
            "indicator__name_fi",
            "indicator__name_sv",
            "indicator__name_en",
        )
    )
    claims: list[Claim] = []
    names: dict[int, str] = {}
    for step in steps:
        if step.indicator_id is not None and step.indicator is not None:
            claims.append(Claim(step.activity_id, step.indicator_id, step.level))
            names[step.indicator_id] = str(step.indicator.name)

    stories = list(FutureStory.objects.for_organisation(organisation).order_by("horizon_year", "title", "pk"))
    implications = list(
        Implication.objects.filter(story__organisation=organisation, goal__strategy=filters.strategy).only(
            "pk", "story_id", "goal_id", "kind", "strength"
        )
    )
    signposts = signpost_rows(
        signposts_with_latest(
            Signpost.objects.filter(story__organisation=organisation).order_by(
                "story__horizon_year", "story__title", "story_id", "pk"
            )
        )
    )
    timeline, undated = timeline_rows(activities)
    board = Dashboard(
        filters=filters,
        lines=lines,
        status_counts=status_counts(lines),
        money=money_view(activities, served, strategic_of, strategic_order),
        coverage=coverage(
            lines,
            activities=activities,
            served=served,
            quality=quality,
            follow_ups=register_rows(every_activity, interval_months=_interval(organisation), today=today),
            claims=claims,
            indicator_names=names,
        ),
        timeline=timeline,
        undated=undated,
        futures=futures_view(
            [line.goal for line in lines], stories=stories, implications=implications, signposts=signposts
        ),
        activity_count=len(activities),
    )
    if with_figures:
        board.figures = _figures(board, today)
    return board
