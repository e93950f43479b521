"""Background work of the impact app (run by the worker)."""

from __future__ import annotations

from django.tasks import task
from django.utils import timezone

from impact.digests import send_digests


@task()
def send_daily_reminders() -> int:
    """The daily reminder run, enqueued by the scheduler."""
    return len(send_digests(timezone.localdate()))
