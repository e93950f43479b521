"""The annual report: a printable page, a PDF made in the background from the same template, and XLSX.

Every member reads it, viewers included (leadership reads reports); starting a PDF is a read too, so a
viewer may POST it. The PDF file is served only through the tenancy guard (report_download).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from goals.models import Strategy
from impact.annual_report import AnnualReport, attach_charts, build_annual_report, default_year, report_title
from impact.exports import XLSX_CONTENT_TYPE
from impact.models import ReportRun
from impact.report_exports import report_workbook
from impact.report_runs import TooManyRuns, start_report_run
from organisations.data_version import versioned_key
from organisations.models import Organisation, Role, User
from organisations.params import parse_id, parse_year
from organisations.tenancy import TenantRequest, tenant_view

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
FIRST_YEAR = 2000


@dataclass(frozen=True)
class ReportChoice:
    """Which report the person asked for: a strategy, a year and a language (with the options)."""

    strategy: Strategy | None
    strategies: list[Strategy]
    year: int
    years: list[int]
    language: str

    @property
    def query(self) -> str:
        params = {"year": self.year, "lang": self.language}
        if self.strategy is not None:
            params["strategy"] = self.strategy.pk
        return urlencode(params)


def report_choice(request: TenantRequest, params: Any) -> ReportChoice:
    """Read strategy, year and lang from GET or POST; a foreign or unknown strategy is a 404."""
    organisation = request.tenant.organisation
    strategies = list(Strategy.objects.for_organisation(organisation).order_by("-term_start", "name"))
    strategy_id = parse_id(params.get("strategy"))
    if params.get("strategy") and strategy_id is None:
        raise Http404(_("No such strategy."))
    if strategy_id is not None:
        strategy = next((s for s in strategies if s.pk == strategy_id), None)
        if strategy is None:
            raise Http404(_("No such strategy."))
    else:
        strategy = Strategy.objects.for_organisation(organisation).current()
    today = timezone.localdate()
    year = parse_year(params.get("year"), minimum=FIRST_YEAR, maximum=today.year)
    if year is None:
        year = default_year(today)
    first = min(year, strategy.term_start if strategy else year, today.year - 1)
    language = params.get("lang") or ""
    if language not in LANGUAGE_CODES:
        language = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    return ReportChoice(
        strategy=strategy,
        strategies=strategies,
        year=year,
        years=list(range(today.year, first - 1, -1)),
        language=language,
    )


def document_context(report: AnnualReport, *, pdf: bool) -> dict[str, Any]:
    """What the report template needs, the same for the page and the PDF."""
    return {
        "report": report,
        "organisation": report.organisation,
        "title": report_title(report),
        "pdf": pdf,
        "frame": "impact/report/pdf_frame.html" if pdf else "base.html",
        "LANGUAGE_CODE": translation.get_language(),
        "generated_on": timezone.localdate(),
    }


def _runs(request: TenantRequest, choice: ReportChoice) -> Any:
    return ReportRun.objects.for_organisation(request.tenant.organisation).filter(
        strategy=choice.strategy, year=choice.year, language=choice.language
    )


def _run_for(request: TenantRequest, report_run_pk: int) -> ReportRun:
    return get_object_or_404(
        ReportRun.objects.for_organisation(request.tenant.organisation).select_related("strategy"),
        pk=report_run_pk,
    )


@dataclass(frozen=True)
class ReportDocument:
    """The report's HTML (the article, without the page's controls) and its title."""

    html: str
    title: str


def report_document(
    organisation: Organisation, strategy: Strategy, year: int, *, today: dt.date
) -> ReportDocument:
    """The year's report as HTML in the active language, built, drawn and rendered once per data version.

    Kept like the dashboard (impact.views.dashboard_html) under the organisation's data version
    (organisations.data_version), the strategy, the year, the day and the language: any change of the
    organisation's data makes a new version, and the article holds nothing of the reader or the request.
    """
    key = versioned_key("report", organisation.pk, strategy.pk, year, today.isoformat())
    kept = caches["pages"].get(key)
    if isinstance(kept, ReportDocument):
        return kept
    report = attach_charts(
        build_annual_report(organisation=organisation, strategy=strategy, year=year, today=today)
    )
    context = document_context(report, pdf=False)
    document = ReportDocument(render_to_string("impact/report/document.html", context), context["title"])
    caches["pages"].set(key, document)
    return document


@require_GET
@tenant_view(read=Role.VIEWER)
def annual_report(request: TenantRequest) -> HttpResponse:
    """The year's report by strategic goal, printable, with its PDF and XLSX downloads."""
    choice = report_choice(request, request.GET)
    organisation = request.tenant.organisation
    with translation.override(choice.language):
        context: dict[str, Any] = {
            "tenant": request.tenant,
            "choice": choice,
            "languages": settings.LANGUAGES,
            "organisation": organisation,
            "frame": "base.html",
            "pdf": False,
            "LANGUAGE_CODE": translation.get_language(),
        }
        if choice.strategy is not None:
            document = report_document(organisation, choice.strategy, choice.year, today=timezone.localdate())
            context |= {"document": document, "title": document.title, "run": _runs(request, choice).first()}
        else:
            context |= {"title": _("Annual report"), "report": None}
        response = TemplateResponse(request, "impact/report/annual_report.html", context)
        response.render()  # inside the chosen language
    return response


@require_GET
@tenant_view(read=Role.VIEWER)
def report_xlsx(request: TenantRequest) -> HttpResponse:
    """The report's numbers as an XLSX workbook (one sheet per part of the report)."""
    choice = report_choice(request, request.GET)
    if choice.strategy is None:
        raise Http404(_("The organisation has no strategy yet."))
    with translation.override(choice.language):
        report = build_annual_report(
            organisation=request.tenant.organisation,
            strategy=choice.strategy,
            year=choice.year,
            today=timezone.localdate(),
        )
        content = report_workbook(report)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    filename = f"{request.tenant.organisation.slug}-annual-report-{choice.year}-{choice.language}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
@vary_on_headers("HX-Request")
@tenant_view(read=Role.VIEWER, write=Role.VIEWER)
def report_pdf_start(request: TenantRequest) -> HttpResponse:
    """Start making the PDF in the background; the page then polls the run's progress."""
    choice = report_choice(request, request.POST)
    if choice.strategy is None:
        raise Http404(_("The organisation has no strategy yet."))
    try:
        # The report's run already waiting, or a new one (one at a time, and a rate per person).
        run = start_report_run(
            organisation=request.tenant.organisation,
            strategy=choice.strategy,
            year=choice.year,
            language=choice.language,
            by=cast(User, request.user),  # the guard lets only signed-in members through
        )
    except TooManyRuns as refused:
        response = _run_response(request, None, announce=True, refused=refused.message, choice=choice)
        response.status_code = 429
        response["Retry-After"] = str(refused.retry_after)
        return response
    run.refresh_from_db()  # the immediate backend (tests) has finished it already
    if request.htmx:
        # Feeds #report-run on the report page: the progress, then the download link.
        return _run_response(request, run, announce=True)
    return redirect(reverse("report:annual", args=[request.tenant.organisation.slug]) + "?" + choice.query)


def _run_response(
    request: TenantRequest,
    run: ReportRun | None,
    *,
    announce: bool,
    refused: str = "",
    choice: ReportChoice | None = None,
) -> HttpResponse:
    template = "impact/report/report_run.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#report-run"
    language = run.language if run is not None else choice.language if choice is not None else None
    with translation.override(language):
        response = TemplateResponse(
            request,
            template,
            {
                "tenant": request.tenant,
                "organisation": request.tenant.organisation,
                "run": run,
                "announce": announce,
                "refused": refused,
                "choice": choice,
            },
        )
        response.render()
    return response


@require_GET
@vary_on_headers("HX-Request")
@tenant_view(read=Role.VIEWER)
def report_run(request: TenantRequest, report_run_pk: int) -> HttpResponse:
    """A PDF run: its progress while it is made (polled every second by htmx), then the download link."""
    run = _run_for(request, report_run_pk)
    # The status region announces the end once: on the poll that first sees the run finished.
    return _run_response(request, run, announce=bool(request.htmx) and not run.is_pending)


@require_GET
@tenant_view(read=Role.VIEWER)
def report_download(request: TenantRequest, report_run_pk: int) -> HttpResponse:
    """The finished PDF, for members of its organisation only (never a public media URL)."""
    run = _run_for(request, report_run_pk)
    if run.state != ReportRun.State.DONE or not run.file:
        raise Http404(_("This report is not ready."))
    filename = f"{request.tenant.organisation.slug}-annual-report-{run.year}-{run.language}.pdf"
    try:
        handle = run.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404(_("This report is not ready.")) from missing
    response = FileResponse(handle, content_type="application/pdf", as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response  # type: ignore[return-value]  # a streaming response; the guard's type names HttpResponse
