"""Pure foresight analysis: futures-table consistency and coverage, goal robustness, signposts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from itertools import combinations

from django.utils.translation import gettext_lazy as _

from indicators.chart_text import plotly_lines, plotly_text, plotly_texts


@dataclass(frozen=True)
class TableShape:
    """Variable id -> the ids of its alternative values; pairs of value ids that cannot go together."""

    variables: Mapping[int, tuple[int, ...]]
    incompatible: frozenset[frozenset[int]]

    @property
    def combinations_total(self) -> int:
        total = 1
        for values in self.variables.values():
            total *= max(len(values), 1)
        return total


@dataclass(frozen=True)
class Consistency:
    missing_variables: tuple[int, ...]  # variables the story picks no value for
    doubled_variables: tuple[int, ...]  # variables with more than one value picked
    incompatible_pairs: tuple[tuple[int, int], ...]

    @property
    def is_consistent(self) -> bool:
        return not (self.missing_variables or self.doubled_variables or self.incompatible_pairs)


def check_story(shape: TableShape, picks: Iterable[int]) -> Consistency:
    """Whether a story picks exactly one value per variable and no incompatible pair."""
    picked = set(picks)
    missing, doubled = [], []
    for variable, values in shape.variables.items():
        count = len(picked & set(values))
        if count == 0:
            missing.append(variable)
        elif count > 1:
            doubled.append(variable)
    clashes = sorted(
        (min(a, b), max(a, b))
        for a, b in combinations(sorted(picked), 2)
        if frozenset((a, b)) in shape.incompatible
    )
    return Consistency(tuple(missing), tuple(doubled), tuple(clashes))


def coverage(shape: TableShape, stories: Mapping[int, Iterable[int]]) -> dict[int, list[int]]:
    """Value id -> the stories that pick it (values no story picks map to an empty list)."""
    result: dict[int, list[int]] = {value: [] for values in shape.variables.values() for value in values}
    for story, picks in stories.items():
        for value in picks:
            if value in result:
                result[value].append(story)
    return result


def covered_combinations(shape: TableShape, stories: Mapping[int, Iterable[int]]) -> int:
    """How many distinct complete, consistent combinations the stories cover."""
    seen = set()
    for picks in stories.values():
        picked = frozenset(picks)
        if check_story(shape, picked).is_consistent:
            seen.add(picked)
    return len(seen)


class Robustness(StrEnum):
    HOLDS = "holds"
    ONE_FUTURE = "one_future"
    THREATENED = "threatened"
    MIXED = "mixed"
    NOT_ASSESSED = "not_assessed"

    @property
    def label(self) -> str:
        return str(ROBUSTNESS_LABELS[self])


ROBUSTNESS_LABELS = {
    Robustness.HOLDS: _("holds across futures"),
    Robustness.ONE_FUTURE: _("depends on one future"),
    Robustness.THREATENED: _("threatened in most futures"),
    Robustness.MIXED: _("mixed"),
    Robustness.NOT_ASSESSED: _("not assessed"),
}


def robustness(signed: Mapping[int, int], story_count: int) -> Robustness:
    """Classify a goal from its implications: story id -> strength, positive for an opportunity, negative
    for a threat (a story with no implication for the goal is neutral).

    - holds across futures: no story threatens it;
    - depends on one future: exactly one story is an opportunity and at least one other threatens it;
    - threatened in most futures: more than half of all stories threaten it;
    - mixed: anything else.
    """
    if not signed:
        return Robustness.NOT_ASSESSED
    threats = sum(1 for value in signed.values() if value < 0)
    opportunities = sum(1 for value in signed.values() if value > 0)
    if threats == 0:
        return Robustness.HOLDS
    if threats * 2 > story_count:
        return Robustness.THREATENED
    if opportunities == 1:
        return Robustness.ONE_FUTURE
    return Robustness.MIXED


class SignpostState(StrEnum):
    REACHED = "reached"
    NOT_REACHED = "not_reached"
    NO_DATA = "no_data"


def evaluate_signpost(comparison: str, threshold: Decimal, latest: Decimal | None) -> SignpostState:
    """Whether the indicator's latest value has crossed the threshold the story names."""
    if latest is None:
        return SignpostState.NO_DATA
    crossed = latest > threshold if comparison == "above" else latest < threshold
    return SignpostState.REACHED if crossed else SignpostState.NOT_REACHED


def heatmap_figure(
    goal_names: list[str],
    story_names: list[str],
    matrix: list[list[int | None]],
    title: str,
    *,
    story_width: int | None = None,
) -> dict[str, object]:
    """A plotly heat map (goals × stories) of signed strengths: −3 threat … +3 opportunity.

    The names are plain text (indicators.chart_text makes them so for plotly); with `story_width` the
    stories' names are broken into lines of about that many characters.

    Gaps between the cells make plotly draw the cells itself instead of a pixelated image, whose
    `style` attribute the content security policy would block; the colour bar (drawn with empty `style`
    attributes) is left out: the caption and the data table say what the colours mean, and each cell
    shows its number.
    """
    return {
        "data": [
            {
                "type": "heatmap",
                "z": matrix,
                "x": [plotly_lines(n, story_width) if story_width else plotly_text(n) for n in story_names],
                "y": plotly_texts(goal_names),
                "zmin": -3,
                "zmax": 3,
                "colorscale": [[0, "#b3261e"], [0.5, "#f5f5f5"], [1, "#1e7b34"]],
                "hoverongaps": False,
                "xgap": 2,
                "ygap": 2,
                "showscale": False,
                "texttemplate": "%{z:+d}",
            }
        ],
        "layout": {
            "title": {"text": plotly_text(title)},
            "margin": {"l": 10, "r": 10, "t": 60, "b": 10},  # the axes grow their own room (automargin)
            "xaxis": {"automargin": True},
            "yaxis": {"automargin": True, "autorange": "reversed"},
        },
    }
