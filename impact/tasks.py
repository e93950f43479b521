"""Background work of the impact app (run by the worker)."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.files.base import ContentFile
from django.db.models import Q
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation

from impact.digests import send_digests
from impact.models import ReportRun
from organisations.retention import purge_deleted

logger = logging.getLogger(__name__)

# Whenever a report file is written, the organisation's earlier files of the same strategy, year and
# language go, and so does any finished run older than this: a report is made again in seconds.
REPORT_RETENTION = dt.timedelta(days=30)


@task()
def send_daily_reminders() -> int:
    """The daily reminder run, enqueued by the scheduler."""
    return len(send_digests(timezone.localdate()))


@task()
def render_annual_report_pdf(*, run_id: int) -> str:
    """Write the PDF of one report run (the page polls its progress)."""
    run = ReportRun.objects.select_related("organisation", "strategy").get(pk=run_id)
    write_report_pdf(run)
    return run.state


def _progress(run: ReportRun, percent: int, state: str = ReportRun.State.RUNNING) -> None:
    # A plain update outside any transaction, so the polling page sees it at once.
    ReportRun.objects.filter(pk=run.pk).update(state=state, progress=percent)


def write_report_pdf(run: ReportRun, *, today: dt.date | None = None) -> None:
    """Compose the report, draw its charts, render the page template to PDF and store the file."""
    from impact.annual_report import attach_charts, build_annual_report
    from impact.report_pdf import html_to_pdf
    from impact.report_views import document_context

    today = today or timezone.localdate()
    _progress(run, 5)
    try:
        with translation.override(run.language):
            report = build_annual_report(
                organisation=run.organisation, strategy=run.strategy, year=run.year, today=today
            )
            _progress(run, 30)
            attach_charts(report)
            _progress(run, 60)
            html = render_to_string("impact/report/annual_report.html", document_context(report, pdf=True))
            pdf = html_to_pdf(html)
        _progress(run, 95)
        name = f"{run.organisation.slug}-{run.year}-{run.language}-{run.pk}.pdf"
        run.file.save(name, ContentFile(pdf), save=False)
        run.state = ReportRun.State.DONE
        run.progress = 100
        run.finished_at = timezone.now()
        run.save(update_fields=["file", "state", "progress", "finished_at"])
    except Exception:  # the worker must record any failure on the run, or the page would poll forever
        logger.exception("annual report run %s failed", run.pk)
        ReportRun.objects.filter(pk=run.pk).update(
            state=ReportRun.State.FAILED, finished_at=timezone.now(), error="rendering failed"
        )
        run.state = ReportRun.State.FAILED
        return
    remove_old_report_files(run)


def remove_old_report_files(newest: ReportRun) -> int:
    """Delete the runs (and files) that a newer finished one replaces, and those past the retention."""
    finished = ReportRun.objects.filter(organisation=newest.organisation).filter(
        state__in=[ReportRun.State.DONE, ReportRun.State.FAILED]
    )
    replaced = Q(strategy=newest.strategy, year=newest.year, language=newest.language, pk__lt=newest.pk)
    expired = Q(created_at__lt=timezone.now() - REPORT_RETENTION)
    old = list(finished.filter(replaced | expired).exclude(pk=newest.pk))
    for run in old:
        if run.file:
            run.file.delete(save=False)
    ReportRun.objects.filter(pk__in=[run.pk for run in old]).delete()
    if old:
        logger.info("removed %s old annual report runs of %s", len(old), newest.organisation.slug)
    return len(old)


@task()
def purge_deleted_rows() -> dict[str, int]:
    """The daily purge of rows deleted more than the retention period ago, enqueued by the scheduler."""
    return purge_deleted()
