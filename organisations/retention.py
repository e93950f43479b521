"""Soft delete's other half: the recently deleted rows of an organisation, and the purge after retention.

Which models are soft-deletable comes from the registry in `organisations.history` (upper apps register
them). The audit history stays after the purge: pghistory's event tables have no foreign keys that cascade.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pghistory
from django.db import transaction
from django.utils import timezone

from organisations.base import RETENTION
from organisations.history import Kind, kinds

if TYPE_CHECKING:
    from organisations.models import Organisation


@dataclass(frozen=True)
class DeletedRow:
    kind: Kind
    obj: Any
    title: str
    deleted_at: dt.datetime
    deleted_by: str
    purge_after: dt.datetime


def recently_deleted(organisation: Organisation, *, now: dt.datetime | None = None) -> list[DeletedRow]:
    """The organisation's deleted rows that can still be restored, newest deletion first."""
    cutoff = (now or timezone.now()) - RETENTION
    rows: list[DeletedRow] = []
    for kind in kinds():
        if not kind.soft_delete:
            continue
        deleted = (
            kind.rows(organisation)
            .filter(deleted_at__isnull=False, deleted_at__gt=cutoff)
            .select_related("deleted_by")
            .order_by("-deleted_at", "-pk")[:500]
        )
        for obj in deleted:
            rows.append(
                DeletedRow(
                    kind=kind,
                    obj=obj,
                    title=str(obj),
                    deleted_at=obj.deleted_at,
                    deleted_by=obj.deleted_by.display_name if obj.deleted_by else "",
                    purge_after=obj.deleted_at + RETENTION,
                )
            )
    rows.sort(key=lambda r: r.deleted_at, reverse=True)
    return rows


def purge_deleted(*, now: dt.datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Delete for good every row deleted more than the retention period ago; counts per kind."""
    cutoff = (now or timezone.now()) - RETENTION
    counts: dict[str, int] = {}
    with transaction.atomic(), pghistory.context(purge=True):
        for kind in kinds():
            if not kind.soft_delete:
                continue
            due = kind.model.all_objects.filter(  # type: ignore[attr-defined]
                deleted_at__isnull=False, deleted_at__lte=cutoff
            )
            if dry_run:
                counts[kind.key] = due.count()
            elif kind.purge:
                counts[kind.key] = kind.purge(due)
            else:
                counts[kind.key] = due.delete()[1].get(kind.model._meta.label, 0)
    return counts
