"""The scheduler process: enqueues periodic jobs for the worker (started by `make run` and compose)."""

from __future__ import annotations

import datetime as dt
import signal
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand
from django.db import IntegrityError, transaction
from django.utils import timezone

from impact.tasks import purge_deleted_rows, send_daily_reminders
from organisations.models import ScheduledRun

DAILY_AT = dt.time(6, 0)  # local time (Europe/Helsinki)
JOBS: dict[str, Callable[[], Any]] = {
    "daily_reminders": send_daily_reminders.enqueue,
    "daily_purge": purge_deleted_rows.enqueue,
}


def enqueue_due_jobs(now: dt.datetime) -> list[str]:
    """Enqueue each daily job once per day after DAILY_AT; the database row makes it once across processes."""
    local = timezone.localtime(now)
    if local.time() < DAILY_AT:
        return []
    enqueued = []
    for name, enqueue in JOBS.items():
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(name=name, day=local.date())
                enqueue()
        except IntegrityError:
            continue  # already enqueued today
        enqueued.append(name)
    return enqueued


class Command(BaseCommand):
    help = "Enqueue periodic jobs (the daily reminders) for the background worker."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="check once and exit")
        parser.add_argument("--interval", type=int, default=60, help="seconds between checks")

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = False

        def stop(*_args: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write("Scheduler started.")
        while not stopping:
            for name in enqueue_due_jobs(timezone.now()):
                self.stdout.write(f"Enqueued {name}.")
            if options["once"]:
                break
            for _ in range(options["interval"]):
                if stopping:
                    break
                time.sleep(1)
