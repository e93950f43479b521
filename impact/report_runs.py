"""Starting a PDF of the annual report: one waiting run per report, and a rate per person.

A render keeps the background worker busy for seconds, so a request never queues another render of a
report that is already waiting:

- **One at a time.** An organisation has at most one queued or running render of the same report
  (strategy and year) in the same language. Asking again returns that run; the check and the new row
  happen under a lock on the strategy's row, so two requests at the same moment get the same run. A
  run that has waited longer than `STALE_AFTER` (a worker stopped while rendering it) counts as failed,
  so it never blocks the report for good.
- **A rate per person.** Each person may start `STARTS_PER_WINDOW` new renders in `WINDOW`; past that the
  request is refused (HTTP 429) with a message. Counted in Django's default cache: one count for the
  whole service when the cache is shared (Redis, Memcached), one per process with the default
  in-memory cache. Asking for a run that is already waiting costs nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from goals.models import Strategy
from impact.models import ReportRun
from impact.tasks import render_annual_report_pdf
from organisations.models import Organisation

STALE_AFTER = dt.timedelta(minutes=15)
STARTS_PER_WINDOW = 5
WINDOW = dt.timedelta(minutes=10)


class TooManyRuns(Exception):
    """The person has started as many renders as the rate allows; the message says so (translated)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def _rate_key(user: Any) -> str:
    return f"impact:report-pdf-starts:{user.pk}"


def _count_start(user: Any) -> int:
    """One more start by the person in the current window; how many there now are."""
    key = _rate_key(user)
    cache.add(key, 0, timeout=int(WINDOW.total_seconds()))
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between the two calls: a new one starts with this start
        cache.set(key, 1, timeout=int(WINDOW.total_seconds()))
        return 1


def _too_many() -> TooManyRuns:
    message = _(
        "You have asked for %(n)s PDFs within %(minutes)s minutes, as many as one person may. "
        "Try again in a few minutes."
    ) % {"n": STARTS_PER_WINDOW, "minutes": int(WINDOW.total_seconds() // 60)}
    return TooManyRuns(message, int(WINDOW.total_seconds()))


def start_report_run(
    *, organisation: Organisation, strategy: Strategy, year: int, language: str, by: Any
) -> ReportRun:
    """The run that makes this report's PDF: the one already waiting, or a new one queued for the worker.

    Raises TooManyRuns when a new run would pass the person's rate.
    """
    now = timezone.now()
    with transaction.atomic():
        # Serialises the starts of the strategy's reports: the second of two simultaneous requests waits
        # here and then finds the first one's run.
        Strategy.objects.select_for_update().filter(pk=strategy.pk).first()
        same = ReportRun.objects.for_organisation(organisation).filter(
            strategy=strategy, year=year, language=language
        )
        same.pending().filter(created_at__lt=now - STALE_AFTER).update(
            state=ReportRun.State.FAILED, finished_at=now, error="abandoned: waited too long for the worker"
        )
        waiting = same.pending().order_by("-created_at", "-pk").first()
        if waiting is not None:
            return waiting
        if _count_start(by) > STARTS_PER_WINDOW:
            raise _too_many()
        run = ReportRun.objects.create(
            organisation=organisation, strategy=strategy, year=year, language=language, created_by=by
        )
        # In the same transaction: the worker's queue is a table of the same database.
        render_annual_report_pdf.enqueue(run_id=run.pk)
    return run
