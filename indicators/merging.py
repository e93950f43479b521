"""The indicators app's rule for merging organisations (organisations/merge.py): duplicates stay apart."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.functions import Lower

from indicators.models import Indicator, Source
from organisations.merge import MergeReport, register_merge_rule, suffixed
from organisations.models import Organisation


def merge_indicators(
    rows: models.QuerySet[Any], merged: Organisation, into: Organisation, report: MergeReport
) -> None:
    """Keep the merged organisation's duplicate of a successor's indicator as a separate, renamed series.

    Its values describe the old area: pouring them into the successor's series would be wrong, and
    leaving its template or source code in place would make the library or the importers write the
    successor's values into it. So it becomes the successor's own manual indicator, renamed.
    """
    theirs = Indicator.objects.filter(organisation=into)
    templates = set(theirs.exclude(template=None).values_list("template_id", flat=True))
    sources = {
        (s, c.strip().lower()) for s, c in theirs.exclude(source_code="").values_list("source", "source_code")
    }
    names = set(theirs.annotate(lower=Lower("name_fi")).values_list("lower", flat=True))
    for indicator in rows.select_related("template"):
        same_template = indicator.template_id in templates
        same_source = (indicator.source, indicator.source_code.strip().lower()) in sources
        if not (same_template or same_source or indicator.name_fi.lower() in names):
            continue
        before = indicator.name_fi
        changes: dict[str, Any] = {"name_fi": suffixed(indicator.name_fi, merged.name_fi, 255)}
        for lang in ("sv", "en"):
            if getattr(indicator, f"name_{lang}"):
                changes[f"name_{lang}"] = suffixed(getattr(indicator, f"name_{lang}"), merged.name_fi, 255)
        if same_template or same_source:
            was = []
            if indicator.template_id:
                was.append(f"library template {indicator.template.code}")
            if indicator.source_code:
                was.append(f"{indicator.get_source_display()} {indicator.source_code}")
            changes.update(
                template=None,
                template_version=None,
                template_version_dismissed=None,
                source=Source.MANUAL,
                source_code="",
                note=(
                    f"{merged.name_fi}'s series until its merger into {into.name_fi} (was: {', '.join(was)})."
                    + (f"\n{indicator.note}" if indicator.note else "")
                ),
            )
        Indicator.objects.filter(pk=indicator.pk).update(version=models.F("version") + 1, **changes)
        report.note(
            f"indicator “{before}” duplicates one of {into.name_fi}'s: kept apart as “{changes['name_fi']}”"
        )


def register() -> None:
    register_merge_rule("indicators.Indicator", merge_indicators)
