"""The goal-quality checklist computed from the data, and the goals app's own checks."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from goals.models import Goal, GoalIndicator
from goals.registry import QualityCheck, quality_checks, register_quality_check
from indicators.models import Target

# Wording that names an activity instead of a change (the Kuntaliitto finding: a goal says what should be
# different, not what we will do). Finnish passive and agent forms, Swedish and English verbs.
ACTIVITY_WORDS = re.compile(
    r"\b("
    r"järjest\w*|osallistu\w*|toteutet\w*|toteutta\w*|laadi\w*|kehitetään|tehdään|pidetään|käynnistet\w*|"
    r"selvitet\w*|edistetään|"
    r"organise\w*|organize\w*|participate\w*|arrange\w*|hold|host\w*|implement\w*|launch\w*|"
    r"anordna\w*|delta\w*|genomför\w*|arrangera\w*"
    r")\b",
    re.IGNORECASE,
)


def wording_describes_change(title: str) -> bool:
    """Heuristic: a goal reads as a change unless it is built on an activity verb or noun."""
    return ACTIVITY_WORDS.search(title) is None


def _measured(goals: list[Goal]) -> set[int]:
    # A target in force must exist: `indicator__targets__superseded_at__isnull=True` alone also matched an
    # indicator without any target (the outer join's empty row has no superseded_at either).
    in_force = Target.objects.filter(indicator_id=OuterRef("indicator_id"), superseded_at__isnull=True)
    return set(
        GoalIndicator.objects.filter(
            Exists(in_force), goal__in=[g.pk for g in goals], indicator__baseline_value__isnull=False
        )
        .exclude(indicator__chain_level="context")
        .values_list("goal_id", flat=True)
    )


def _owner_and_deadline(goals: list[Goal]) -> set[int]:
    return {g.pk for g in goals if g.owner_id and g.target_date}


def _under_parent(goals: list[Goal]) -> set[int]:
    return {g.pk for g in goals if g.parent_id is not None}


def _wording(goals: list[Goal]) -> set[int]:
    return {g.pk for g in goals if wording_describes_change(g.title)}


register_quality_check(
    QualityCheck(
        key="measured",
        label=_("Measured by an indicator with a baseline and a target"),
        why=_(
            "Without an indicator that has a starting level and a target, nobody can tell whether the goal "
            "is being reached. Context indicators describe the surroundings and do not count."
        ),
        how_to_fix=_("Link a non-context indicator to the goal, and give it a baseline and a target."),
        passing=_measured,
        order=10,
    )
)
register_quality_check(
    QualityCheck(
        key="owner_deadline",
        label=_("Has an owner and a deadline"),
        why=_("A goal that belongs to nobody and has no date is not followed up."),
        how_to_fix=_("Name the person responsible and the target date."),
        passing=_owner_and_deadline,
        order=20,
    )
)
register_quality_check(
    QualityCheck(
        key="under_parent",
        label=_("Sits under a higher goal"),
        why=_("Every goal should serve a higher goal of the strategy, up to the impact goal."),
        how_to_fix=_("Move the goal under the strategic goal it serves."),
        passing=_under_parent,
        order=30,
    )
)
register_quality_check(
    QualityCheck(
        key="wording",
        label=_("Describes a change, not an activity"),
        why=_(
            "Goals say what should be different (more jobs, lower emissions); activities such as organising "
            "or participating are means to reach them."
        ),
        how_to_fix=_(
            "Rewrite the title as the change you want to see, e.g. 'Foreign-language residents find "
            "work' instead of 'Organise job fairs'."
        ),
        passing=_wording,
        order=50,
    )
)


@dataclass(frozen=True)
class ItemResult:
    check: QualityCheck
    passed: bool


@dataclass(frozen=True)
class CheckSummary:
    check: QualityCheck
    passed: int
    applicable: int

    @property
    def share(self) -> int:
        return round(100 * self.passed / self.applicable) if self.applicable else 100


def evaluate(goals: list[Goal]) -> dict[int, list[ItemResult]]:
    """The checklist of every goal in the list (one query per check)."""
    results: dict[int, list[ItemResult]] = {g.pk: [] for g in goals}
    top_ids = {g.pk for g in goals if g.parent_id is None}
    for check in quality_checks():
        passing = check.passing(goals)
        for goal in goals:
            if check.key == "under_parent" and goal.pk in top_ids:
                continue  # the top of the tree has no parent by definition
            results[goal.pk].append(ItemResult(check, goal.pk in passing))
    return results


def summarise(results: dict[int, list[ItemResult]]) -> list[CheckSummary]:
    """For the strategy page: how many goals pass each item."""
    summaries = []
    for check in quality_checks():
        items = [item for items in results.values() for item in items if item.check.key == check.key]
        summaries.append(CheckSummary(check, sum(item.passed for item in items), len(items)))
    return summaries
