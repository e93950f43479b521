"""The goals app's rule for merging organisations (organisations/merge.py): one current strategy per term."""

from __future__ import annotations

from typing import Any

from django.db import models

from goals.models import Strategy
from organisations.merge import MergeReport, register_merge_rule, suffixed
from organisations.models import Organisation


def merge_strategies(
    rows: models.QuerySet[Any], merged: Organisation, into: Organisation, report: MergeReport
) -> None:
    """A merged strategy whose term overlaps one of the successor's moves renamed and as a draft."""
    terms = list(Strategy.objects.filter(organisation=into).values_list("term_start", "term_end"))
    for strategy in rows:
        if not any(start <= strategy.term_end and strategy.term_start <= end for start, end in terms):
            continue
        name = suffixed(strategy.name, merged.name_fi, 255)
        Strategy.objects.filter(pk=strategy.pk).update(
            name=name, status=Strategy.Status.DRAFT, version=models.F("version") + 1
        )
        report.note(
            f"strategy “{strategy.name}” {strategy.term_start}–{strategy.term_end} overlaps a term of "
            f"{into.name_fi}'s: moved as the draft “{name}” (its goals with it)"
        )


def register() -> None:
    register_merge_rule("goals.Strategy", merge_strategies)
