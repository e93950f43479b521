"""Background work of the impact app (run by the worker)."""

from __future__ import annotations

from django.tasks import task
from django.utils import timezone

from impact.digests import send_digests
from organisations.retention import purge_deleted


@task()
def send_daily_reminders() -> int:
    """The daily reminder run, enqueued by the scheduler."""
    return len(send_digests(timezone.localdate()))


@task()
def purge_deleted_rows() -> dict[str, int]:
    """The daily purge of rows deleted more than the retention period ago, enqueued by the scheduler."""
    return purge_deleted()
