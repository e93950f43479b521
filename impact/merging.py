"""The impact app's rule for merging organisations (organisations/merge.py): one follow-up rule each."""

from __future__ import annotations

from typing import Any

from django.db import models

from impact.models import ActivitySettings
from organisations.merge import MergeReport, register_merge_rule
from organisations.models import Organisation


def merge_activity_settings(
    rows: models.QuerySet[Any], merged: Organisation, into: Organisation, report: MergeReport
) -> None:
    """The successor keeps its own follow-up rule; the merged one's moves only where it has none."""
    if ActivitySettings.objects.filter(organisation=into).exists() and rows.exists():
        rows.delete()
        report.note(f"activity follow-up rule: {into.name_fi} keeps its own")


def register() -> None:
    register_merge_rule("impact.ActivitySettings", merge_activity_settings)
