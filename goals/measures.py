"""What measures the goals of a strategy: indicator statuses, roll-ups and the quality checklist.

Read-side helpers shared by the pages and the exports. Everything is fetched in a fixed number of queries
for a whole strategy (however many goals it has) and then computed in Python with the one progress rule
(indicators.analysis.assess_indicator → indicators.progress.assess) and the one roll-up rule
(goals.tree.subtree_rollups).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch

from goals.models import Goal, GoalIndicator, Strategy
from goals.quality import ItemResult, evaluate
from goals.tree import Node, Rollup, build_tree, flatten, rollup, subtree_rollups
from indicators import analysis
from indicators.models import Indicator, Observation, Target
from indicators.progress import Status
from indicators.rows import TargetRow, ValueRow, plain_rows
from organisations.collation import finnish_key


@dataclass(frozen=True)
class MeasuredIndicator:
    """An indicator with its assessment (status, reason, latest value, the target it is measured by) and the
    rows it was assessed from (values and targets in force, in period order)."""

    indicator: Indicator
    state: analysis.IndicatorState
    observations: tuple[ValueRow, ...] = ()
    targets: tuple[TargetRow, ...] = ()

    @property
    def status(self) -> Status:
        return self.state.status


# The fields of the values and targets that the assessment, the charts, the exports and the annual report
# read (indicators.analysis.ObservationLike and TargetLike): a strategy has hundreds of values, and a full
# row (history, provenance, notes) costs several times as much to build as these few columns.
OBSERVATION_FIELDS = ("pk", "indicator_id", "period", "value", "status")
TARGET_FIELDS = ("pk", "indicator_id", "period", "value", "superseded_at")


def indicators_with_rows(indicator_ids: Iterable[int]) -> list[Indicator]:
    """The indicators with their observations and targets prefetched (three queries).

    The values and targets carry only OBSERVATION_FIELDS and TARGET_FIELDS: read nothing else of them
    (another field would be fetched with a query per row)."""
    ids = set(indicator_ids)
    if not ids:
        return []
    return list(
        Indicator.objects.filter(pk__in=ids)
        .select_related("responsible")
        .prefetch_related(
            Prefetch(
                "observations", queryset=Observation.objects.only(*OBSERVATION_FIELDS).order_by("period")
            ),
            Prefetch(
                "targets",
                queryset=Target.objects.filter(superseded_at__isnull=True)
                .only(*TARGET_FIELDS)
                .order_by("period"),
            ),
        )
    )


def assess_all(indicators: Iterable[Indicator], today: dt.date) -> dict[int, MeasuredIndicator]:
    """Assess every indicator from its prefetched rows."""
    return {
        indicator.pk: MeasuredIndicator(
            indicator,
            analysis.assess_indicator(
                indicator,
                observations=indicator.observations.all(),
                targets=indicator.targets.all(),
                today=today,
            ),
        )
        for indicator in indicators
    }


def measure_indicators(indicator_ids: Iterable[int], today: dt.date) -> dict[int, MeasuredIndicator]:
    """Load and assess the indicators (three queries): the same rows as indicators_with_rows + assess_all,
    read as plain tuples (a strategy has hundreds of values; model instances of them cost most of the time).
    """
    ids = set(indicator_ids)
    if not ids:
        return {}
    rows = plain_rows(ids)
    measured = {}
    for indicator in Indicator.objects.filter(pk__in=ids).select_related("responsible"):
        values, in_force = tuple(rows.values_of(indicator.pk)), tuple(rows.targets_of(indicator.pk))
        state = analysis.assess_indicator(indicator, observations=values, targets=in_force, today=today)
        measured[indicator.pk] = MeasuredIndicator(indicator, state, values, in_force)
    return measured


def links_of(goal_ids: Iterable[int]) -> dict[int, set[int]]:
    """Goal id → the ids of the indicators that measure it (one query)."""
    links: dict[int, set[int]] = defaultdict(set)
    for goal_id, indicator_id in GoalIndicator.objects.filter(goal_id__in=list(goal_ids)).values_list(
        "goal_id", "indicator_id"
    ):
        links[goal_id].add(indicator_id)
    return links


@dataclass
class StrategyMeasures:
    """A strategy's goal tree with everything the tree page, the goal page and the exports show."""

    goals: list[Goal]
    roots: list[Node]
    links: dict[int, set[int]]
    measured: dict[int, MeasuredIndicator]
    rollups: dict[int, Rollup]
    quality: dict[int, list[ItemResult]]
    nodes: dict[int, Node] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.nodes = {node.goal.pk: node for node in flatten(self.roots)}

    def own_indicators(self, goal_id: int) -> list[MeasuredIndicator]:
        found = [self.measured[i] for i in self.links.get(goal_id, set()) if i in self.measured]
        return sorted(found, key=lambda m: finnish_key(str(m.indicator.name)))

    def own_rollup(self, goal_id: int) -> Rollup:
        """The roll-up of the goal's own indicators only (without its sub-goals)."""
        return rollup(m.status for m in self.own_indicators(goal_id))

    def subtree_indicator_count(self, goal_id: int) -> int:
        node = self.nodes[goal_id]
        return len({i for n in node.walk() for i in self.links.get(n.goal.pk, set())})


def measure_strategy(strategy: Strategy, *, today: dt.date, within: int | None = None) -> StrategyMeasures:
    """Load and compute a strategy's tree, statuses, roll-ups and checklists in a fixed number of queries.

    With `within` (a goal's pk) only that goal's subtree is measured: the goal page shows nothing else, and
    its indicators are a fraction of the strategy's. The roll-ups of goals outside the subtree then count
    no indicators and they have no checklist; read only the subtree's.
    """
    goals = list(Goal.objects.filter(strategy=strategy).select_related("owner"))
    roots = build_tree(goals)
    measured_goals = goals
    if within is not None:
        top = next((node for node in flatten(roots) if node.goal.pk == within), None)
        measured_goals = [node.goal for node in top.walk()] if top else []
    links = links_of(g.pk for g in measured_goals)
    measured = measure_indicators((i for ids in links.values() for i in ids), today)
    statuses = {pk: m.status for pk, m in measured.items()}
    return StrategyMeasures(
        goals=goals,
        roots=roots,
        links=links,
        measured=measured,
        rollups=subtree_rollups(roots, statuses, links),
        quality=evaluate(measured_goals) if measured_goals else {},
    )
