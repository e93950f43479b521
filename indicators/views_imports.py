"""Import and export pages of an organisation's indicator values.

Upload → (tables) choose the columns with a live preview → check the whole file: every problem by row,
column and reason → import all or nothing. Large files are checked and imported by the worker while the
run page polls its progress.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from indicators.importers import exports, tabular
from indicators.importers.errors import ImportDataError
from indicators.importers.forms import MappingForm, UploadForm
from indicators.importers.pipeline import TABLE_FORMATS, detect_format, estimate_size, format_label
from indicators.importers.report import Report
from indicators.importers.uploads import SizeLimitUploadHandler, check_file, max_bytes
from indicators.models import ImportRun
from indicators.tasks import CHECK, start_import
from organisations.audit_log import audit
from organisations.models import Role, User
from organisations.tenancy import TenantRequest, tenant_view

RECENT_RUNS = 10


def _fragment(request: TenantRequest) -> bool:
    return bool(request.htmx and not request.htmx.history_restore_request)


def _redirect(request: TenantRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _user(request: TenantRequest) -> User:
    return cast(User, request.user)  # tenant_view lets only signed-in members through


def _run_for(request: TenantRequest, run_pk: int) -> ImportRun:
    return get_object_or_404(
        ImportRun.objects.filter(organisation=request.tenant.organisation).select_related("created_by"),
        pk=run_pk,
    )


# --- upload --------------------------------------------------------------------------------------


@csrf_exempt  # the CSRF check runs in _upload, after the size guard is installed (Django's documented way)
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view(read=Role.VIEWER, write=Role.EDITOR)
def import_upload(request: TenantRequest) -> HttpResponse:
    """The import and export page: upload a file to import (editors), download the values (everyone)."""
    handler = SizeLimitUploadHandler(request)
    if request.method == "POST":
        request.upload_handlers.insert(0, handler)
    return _upload(request, handler)


@csrf_protect
def _upload(request: TenantRequest, handler: SizeLimitUploadHandler) -> HttpResponse:
    organisation = request.tenant.organisation
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        run = _accept_upload(request, form, handler)
        if run is not None:
            if run.format in TABLE_FORMATS:
                url = reverse("indicator_imports:map", args=[organisation.slug, run.pk])
            else:
                start_import(run, write=False)
                url = reverse("indicator_imports:run", args=[organisation.slug, run.pk])
            return _redirect(request, url)
        status = 422
    template = "indicators/imports/import_upload.html"
    if _fragment(request):
        template += "#upload-form"  # feeds the form #upload-form after a refused upload
    runs = ImportRun.objects.filter(organisation=organisation).select_related("created_by")[:RECENT_RUNS]
    return TemplateResponse(
        request,
        template,
        {
            "tenant": request.tenant,
            "organisation": organisation,
            "form": form,
            "runs": runs,
            "max_bytes": max_bytes(),
            "failed": status == 422,
        },
        status=status,
    )


def _accept_upload(
    request: TenantRequest, form: UploadForm, handler: SizeLimitUploadHandler
) -> ImportRun | None:
    """Guard the uploaded file and keep it as a new run; None (with the form's errors) if it is refused."""
    if handler.exceeded:
        form.is_valid()
        form.errors["file"] = form.error_class(
            [
                _("The file is larger than %(limit)s, the largest that can be imported.")
                % {"limit": _size(max_bytes())}
            ]
        )
        return None
    if not form.is_valid():
        return None
    upload = form.cleaned_data["file"]
    name = PurePath(upload.name or "").name[:255]
    try:
        fmt, checked = detect_format(upload, name=name, requested=form.cleaned_data["format"])
        if fmt in TABLE_FORMATS:
            tabular.read_table(upload, checked, limit=1)  # the header must be readable before anything else
        total = estimate_size(upload, fmt, checked)
    except ImportDataError as error:
        form.add_error("file", error.message)
        return None
    run = ImportRun(
        organisation=request.tenant.organisation,
        created_by=_user(request),
        file_name=name,
        format=fmt,
        total=max(total, 0),
    )
    upload.seek(0)
    suffix = PurePath(name).suffix.lower()[:8] if PurePath(name).suffix.isascii() else ""
    run.file.save(f"{uuid.uuid4().hex}{suffix}", upload, save=False)
    run.save()
    return run


def _size(number: int) -> str:
    return str(filesizeformat(number))


# --- column mapping ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view(read=Role.EDITOR, write=Role.EDITOR)
def import_map(request: TenantRequest, run_pk: int) -> HttpResponse:
    """Which column holds which field, with the first rows read that way; then check the whole file."""
    organisation = request.tenant.organisation
    run = _run_for(request, run_pk)
    run_url = reverse("indicator_imports:run", args=[organisation.slug, run.pk])
    if run.format not in TABLE_FORMATS or run.state != ImportRun.State.PREVIEW or not run.file:
        return redirect(run_url)
    try:
        with run.file.open("rb") as handle:
            table = tabular.read_table(
                handle, check_file(handle, name=run.file_name), limit=tabular.PREVIEW_ROWS
            )
    except ImportDataError as error:
        messages.error(request, error.message)
        return redirect(run_url)
    except OSError:
        messages.error(request, _("The uploaded file is no longer kept. Upload it again."))
        return redirect(reverse("indicator_imports:upload", args=[organisation.slug]))
    initial = run.mapping or tabular.guess_mapping(table.columns)
    data: Any = None
    if request.method == "POST":
        data = request.POST
    elif "indicator" in request.GET:
        data = request.GET  # the preview follows the choices as they change
    form = MappingForm(data, columns=table.columns, initial=initial)
    status = 200
    if data is not None and form.is_valid():
        mapping = form.mapping()
        if request.method == "POST":
            run.mapping = mapping
            run.save(update_fields=["mapping"])
            start_import(run, write=False)
            return _redirect(request, run_url)
    elif data is not None:
        mapping = {name: str(data.get(name, "")) for name in tabular.FIELDS if data.get(name)}
        if request.method == "POST":
            status = 422
    else:
        mapping = initial
    preview = tabular.preview_rows(table, mapping, organisation)
    template = "indicators/imports/import_map.html"
    if _fragment(request):
        # A changed choice feeds the preview #import-preview; a refused POST the whole #mapping-form.
        template += "#mapping-form" if request.method == "POST" else "#import-preview"
    return TemplateResponse(
        request,
        template,
        {
            "tenant": request.tenant,
            "organisation": organisation,
            "run": run,
            "form": form,
            "columns": table.columns,
            "preview": preview,
            "field_labels": [tabular.field_label(name) for name in tabular.FIELDS],
            "mapping_problems": tabular.mapping_errors(mapping, table.columns),
        },
        status=status,
    )


# --- progress and report -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunView:
    """What the run page shows, computed here so the template stays dumb."""

    run: ImportRun
    report: Report | None
    phase: str
    error: str
    polling: bool
    can_start: bool
    can_remap: bool
    format_label: str
    saving: bool


def _run_view(request: TenantRequest, run: ImportRun) -> RunView:
    data = run.report or {}
    phase = str(data.get("phase", ""))
    error = str(data.get("error", ""))
    report = Report.from_json(data) if data and not error else None
    is_preview = run.state == ImportRun.State.PREVIEW
    return RunView(
        run=run,
        report=report,
        phase=phase,
        error=error,
        polling=run.state in {ImportRun.State.QUEUED, ImportRun.State.RUNNING},
        can_start=bool(
            request.tenant.can_edit and is_preview and phase == CHECK and report and report.ok and run.file
        ),
        can_remap=bool(request.tenant.can_edit and is_preview and run.format in TABLE_FORMATS and run.file),
        format_label=format_label(run.format),
        saving=run.state == ImportRun.State.RUNNING and run.total > 0 and run.processed >= run.total,
    )


@require_GET
@vary_on_headers("HX-Request")
@tenant_view(read=Role.VIEWER, write=Role.EDITOR)
def import_run(request: TenantRequest, run_pk: int) -> HttpResponse:
    """An import: its progress while it runs (polled every second), then its report."""
    run = _run_for(request, run_pk)
    template = "indicators/imports/import_run.html"
    if _fragment(request):
        template += "#import-progress"  # the poll of #import-progress; it stops when the run is finished
    view = _run_view(request, run)
    return TemplateResponse(
        request,
        template,
        {
            "tenant": request.tenant,
            "organisation": request.tenant.organisation,
            "view": view,
            "announce": _fragment(request) and not view.polling,
        },
    )


@require_POST
@tenant_view(read=Role.EDITOR, write=Role.EDITOR)
def import_start(request: TenantRequest, run_pk: int) -> HttpResponse:
    """Import a checked file: all values or none."""
    organisation = request.tenant.organisation
    run = _run_for(request, run_pk)
    url = reverse("indicator_imports:run", args=[organisation.slug, run.pk])
    view = _run_view(request, run)
    # Claim the run with one conditional update, so a double click or two editors start it once.
    claimed = view.can_start and ImportRun.objects.filter(pk=run.pk, state=ImportRun.State.PREVIEW).update(
        state=ImportRun.State.QUEUED
    )
    if not claimed:
        messages.error(
            request, _("This import cannot be started: it has already run or its check found problems.")
        )
        return _redirect(request, url)
    run.refresh_from_db()
    run.created_by = _user(request)  # whoever confirms the import is the one who writes the values
    ImportRun.objects.filter(pk=run.pk).update(created_by=run.created_by)
    start_import(run, write=True)
    run.refresh_from_db()
    if run.state == ImportRun.State.DONE:
        report = Report.from_json(run.report)
        message = ngettext("%(n)s value was imported.", "%(n)s values were imported.", report.imported) % {
            "n": report.imported
        }
        if report.unchanged:
            message += " " + ngettext(
                "%(n)s was already up to date.", "%(n)s were already up to date.", report.unchanged
            ) % {"n": report.unchanged}
        messages.success(request, message)
    elif run.state == ImportRun.State.FAILED:
        messages.error(request, _("Nothing was imported. The report below says why."))
    else:
        messages.info(request, _("The import is running. You can leave this page; it goes on."))
    return _redirect(request, url)


# --- export ----------------------------------------------------------------------------------------------


@require_GET
@tenant_view(read=Role.VIEWER, write=Role.EDITOR)
def indicator_export(request: TenantRequest) -> HttpResponse:
    """The organisation's indicators and values as CSV (?format=csv) or Excel (?format=xlsx)."""
    organisation = request.tenant.organisation
    fmt = request.GET.get("format", "csv")
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        response = HttpResponse(exports.export_csv(organisation), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            exports.export_xlsx(organisation),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404(_("Exports come as csv or xlsx."))
    response["Content-Disposition"] = f'attachment; filename="{organisation.slug}-indicators-{stamp}.{fmt}"'
    audit("exports", "indicators", request=request, org=organisation.slug, format=fmt)
    return response
