"""Background work of the indicators app (run by the worker: `manage.py db_worker`): imports of large files.

An import run goes through two passes over its file: a check (read every row, report every problem,
count what would change) and, when the person confirms, the import itself (the same check again, then
one transaction). Small files take both passes inside the request; large ones here, with progress kept
in ImportRun.processed/total so the page can poll it.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from indicators.importers.errors import ImportDataError
from indicators.importers.pipeline import BACKGROUND_ROWS, detect_format, execute, prepare
from indicators.importers.report import Report
from indicators.models import ImportRun
from organisations.audit_log import audit

logger = logging.getLogger(__name__)

CHECK = "check"
IMPORT = "import"


def start_import(run: ImportRun, *, write: bool) -> None:
    """Check (write=False) or import (write=True) a run: now if it is small, in the worker if large."""
    if run.total > BACKGROUND_ROWS:
        # The page shows which pass is waiting or running; the report of an earlier pass stays until then.
        run.report = {**(run.report or {}), "phase": IMPORT if write else CHECK}
        run.state = ImportRun.State.QUEUED
        run.processed = 0
        run.save(update_fields=["report", "state", "processed"])
        run_import.enqueue(run_id=run.pk, write=write)
    else:
        process_run(run, write=write)


@task()
def run_import(*, run_id: int, write: bool) -> None:
    """Check or import one run in the background."""
    run = ImportRun.objects.select_related("organisation", "created_by").get(pk=run_id)
    process_run(run, write=write)


def process_run(run: ImportRun, *, write: bool) -> Report | None:
    """Read the run's file, check every row, and (write=True) write all or nothing; store the report."""
    user = run.created_by
    language = user.language if user else settings.LANGUAGE_CODE
    phase = IMPORT if write else CHECK
    with translation.override(language):
        ImportRun.objects.filter(pk=run.pk).update(state=ImportRun.State.RUNNING, processed=0)

        def progress(done: int, total: int) -> None:
            # Outside the write transaction, so the polling page sees it at once.
            ImportRun.objects.filter(pk=run.pk).update(processed=done, total=max(total, 1))

        try:
            if not run.file:
                raise ImportDataError(_("The uploaded file is no longer kept. Upload it again."))
            try:
                handle = run.file.open("rb")
            except OSError as error:
                raise ImportDataError(_("The uploaded file is no longer kept. Upload it again.")) from error
            with handle:
                fmt, checked = detect_format(handle, name=run.file_name, requested=run.format)
                prepared = prepare(
                    handle,
                    name=run.file_name,
                    fmt=fmt,
                    checked=checked,
                    organisation=run.organisation,
                    mapping=run.mapping or None,
                    progress=progress,
                )
            report = execute(prepared, by=user, dry_run=not write, context={"import_run": run.pk})
        except ImportDataError as error:
            _audit(run, phase=phase, outcome="refused")
            _finish(
                run, phase=phase, state=ImportRun.State.FAILED, data={"error": error.message}, total=run.total
            )
            return None
        except Exception:
            logger.exception("import_failed run=%s", run.pk)
            _audit(run, phase=phase, outcome="error")
            _finish(
                run,
                phase=phase,
                state=ImportRun.State.FAILED,
                data={
                    "error": _("The import stopped because of an error on the server. Nothing was written.")
                },
                total=run.total,
            )
            raise
        if write:
            state = ImportRun.State.DONE if report.written else ImportRun.State.FAILED
        else:
            state = ImportRun.State.PREVIEW
        _audit(run, phase=phase, outcome=state, report=report)
        _finish(run, phase=phase, state=state, data=report.to_json(), total=report.read)
        return report


def _audit(run: ImportRun, *, phase: str, outcome: str, report: Report | None = None) -> None:
    """One audit record per pass: who checked or imported what into which organisation, and how it ended."""
    counts = (
        {
            "rows_read": report.read,
            "rows_created": report.created,
            "rows_updated": report.updated,
            "rows_unchanged": report.unchanged,
            "rows_rejected": report.rejected,
            "written": report.written,
        }
        if report
        else {}
    )
    audit(
        "imports",
        "checked" if phase == CHECK else "imported",
        level=logging.INFO if outcome in {ImportRun.State.PREVIEW, ImportRun.State.DONE} else logging.WARNING,
        user_id=run.created_by_id,
        org=run.organisation.slug,
        import_run=run.pk,
        format=run.format,
        outcome=outcome,
        **counts,
    )


def _finish(run: ImportRun, *, phase: str, state: str, data: dict[str, object], total: int) -> None:
    run.state = state
    run.report = {**data, "phase": phase}
    run.total = run.processed = total
    fields = ["state", "report", "total", "processed"]
    if phase == IMPORT or state == ImportRun.State.FAILED:
        run.finished_at = timezone.now()
        fields.append("finished_at")
        if run.file:
            # The values are in the database now (or the file was refused): the upload is not kept.
            run.file.delete(save=False)
            fields.append("file")
    run.save(update_fields=fields)
