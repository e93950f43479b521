"""Write imported values: one upsert per chunk on (indicator, period), in one transaction, nothing rewritten
that did not change (so the audit history holds one event per row that really changed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import pghistory
from django.db import connection, transaction
from django.utils import timezone

from indicators.importers.report import Candidate, Progress, Report
from indicators.models import Observation, ObservationSource, ObservationStatus

CHUNK = 2000
COMPARED = ("value", "status", "missing_reason", "note")
WRITTEN = (
    "value", "status", "missing_reason", "note", "source", "provenance", "retrieved_at",
    "updated_at", "updated_by", "version",
)  # fmt: skip


def _merge(candidate: Candidate, existing: Observation | None) -> dict[str, Any]:
    """The stored fields after the import: what the source says, and the stored value of what it does not."""
    status = candidate.status
    if status is None:
        if candidate.value is None:
            status = ObservationStatus.MISSING
        elif existing is not None and existing.status == ObservationStatus.PRELIMINARY:
            status = ObservationStatus.PRELIMINARY
        else:
            status = ObservationStatus.FINAL
    if status == ObservationStatus.MISSING:
        reason = candidate.reason if candidate.reason is not None else getattr(existing, "missing_reason", "")
    else:
        reason = ""
    note = candidate.note if candidate.note is not None else getattr(existing, "note", "")
    return {
        "value": None if status == ObservationStatus.MISSING else candidate.value,
        "status": str(status),
        "missing_reason": (reason or "")[:255],
        "note": (note or "")[:255],
    }


def _unchanged(existing: Observation, fields: dict[str, Any]) -> bool:
    return all(getattr(existing, name) == fields[name] for name in COMPARED)


def _chunks(items: Sequence[Candidate], size: int) -> Iterable[Sequence[Candidate]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _define_trigger_settings() -> None:
    """Define pgtrigger's setting for this transaction (empty: every trigger runs).

    The audit triggers read it inside an EXCEPTION block; while it is undefined each row raises there and
    aborts a subtransaction, and a long transaction then slows down row by row (100,000 rows took minutes,
    not seconds).
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pgtrigger.ignore', '{}', true)")


def write_values(
    candidates: Sequence[Candidate],
    *,
    report: Report,
    source: str = ObservationSource.FILE,
    provenance: str = "",
    retrieved_at: dt.datetime | None = None,
    by: Any = None,
    dry_run: bool = False,
    context: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> Report:
    """Create or update the observations of `candidates`; count new, changed and unchanged in `report`.

    Every chunk locks the rows it compares, so a value typed in meanwhile is not overwritten blindly.
    With `dry_run` the same comparison runs and nothing is written.
    """
    user_id = by.pk if getattr(by, "is_authenticated", False) else None
    now = timezone.now()
    retrieved_at = retrieved_at or now
    report.created = report.updated = report.unchanged = 0
    with transaction.atomic(), pghistory.context(**(context or {}), user=user_id):
        _define_trigger_settings()
        done = 0
        for chunk in _chunks(candidates, CHUNK):
            pairs = {(c.indicator_id, c.period) for c in chunk}
            existing = {
                (o.indicator_id, o.period): o
                for o in Observation.objects.select_for_update(of=("self",))
                .filter(indicator_id__in={i for i, _p in pairs}, period__in={p for _i, p in pairs})
                .order_by("pk")
            }
            upserts: list[Observation] = []
            for candidate in chunk:
                current = existing.get((candidate.indicator_id, candidate.period))
                fields = _merge(candidate, current)
                if current is not None and _unchanged(current, fields):
                    report.unchanged += 1
                    continue
                if current is None:
                    report.created += 1
                else:
                    report.updated += 1
                upserts.append(
                    Observation(
                        indicator_id=candidate.indicator_id,
                        period=candidate.period,
                        source=source,
                        provenance=provenance[:255],
                        retrieved_at=retrieved_at,
                        created_at=current.created_at if current else now,
                        created_by_id=current.created_by_id if current else user_id,
                        updated_at=now,
                        updated_by_id=user_id,
                        version=current.version + 1 if current else 1,
                        **fields,
                    )
                )
            if upserts and not dry_run:
                # One INSERT ... ON CONFLICT (indicator, period) DO UPDATE per chunk; the row triggers of
                # the audit history fire for each inserted or updated row.
                Observation.objects.bulk_create(
                    upserts,
                    update_conflicts=True,
                    unique_fields=["indicator", "period"],
                    update_fields=list(WRITTEN),
                )
            done += len(chunk)
            if progress:
                progress(done, len(candidates))
        report.written = not dry_run
        if dry_run:
            transaction.set_rollback(True)
    return report
