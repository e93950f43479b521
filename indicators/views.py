"""Views of an organisation's indicators: the list, adopt and create, the indicator page, targets,
values and the bulk entry grid. Every view goes through the tenancy guard."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.html import conditional_escape, escapejs
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from indicators import analysis
from indicators.forms import (
    GRID_FIRST_YEAR,
    GRID_LAST_YEAR,
    AdoptForm,
    GridCell,
    IndicatorForm,
    TargetForm,
    TemplateSearchForm,
    ValueForm,
    ValueGrid,
    grid_years,
    number_error,
)
from indicators.importers.numbers import parse_number
from indicators.library import DiffRow, template_diff, unit_label
from indicators.models import (
    ChainLevel,
    Indicator,
    IndicatorTemplate,
    Observation,
    ObservationSource,
    ObservationStatus,
    Periodicity,
    Target,
    TemplateVersion,
)
from indicators.periods import PeriodError, parse_period, period_label
from indicators.progress import AT_RISK_SHORTFALL, ON_TRACK_SHORTFALL, STATUS_LABELS, Status
from indicators.rows import PlainRows, plain_rows
from indicators.services import (
    IndicatorError,
    StaleValues,
    TargetReasonRequired,
    ValueEntry,
    accept_template_version,
    adopt_template,
    create_indicator,
    keep_template_version,
    record_values,
    set_target,
)
from organisations.base import StaleEdit, conflict_message, saved_if_current
from organisations.collation import cached_finnish_key, finnish_key
from organisations.history import context_user_id
from organisations.models import Role, User
from organisations.params import (
    parse_choice,
    parse_id,
    parse_slug,
    parse_text,
    parse_version,
    parse_year,
)
from organisations.tenancy import TenantRequest, tenant_view


def chart_page_csp() -> dict[str, Any]:
    """The policy of a page with a chart: plotly.js writes its CSS rules into <style> elements that
    static/js/charts.js stamps with the page's nonce, so style-src also allows that nonce (and still
    never 'unsafe-inline'). Everything else is the site's policy."""
    policy: dict[str, Any] = dict(settings.SECURE_CSP)
    styles = list(policy.get("style-src", [CSP.SELF]))
    if CSP.NONCE not in styles:
        styles.append(CSP.NONCE)
    policy["style-src"] = styles
    return policy


ATTRIBUTIONS: dict[str, Any] = {
    ObservationSource.STATFIN: gettext_lazy("Source: Statistics Finland"),
    ObservationSource.SOTKANET: gettext_lazy("Source: THL / Sotkanet"),
}


def _fragment(request: TenantRequest) -> bool:
    return bool(request.htmx and not request.htmx.history_restore_request)


def _indicators(request: TenantRequest) -> QuerySet[Indicator]:
    return Indicator.objects.for_organisation(request.tenant.organisation)


def _get_indicator(request: TenantRequest, indicator_pk: int) -> Indicator:
    return get_object_or_404(_indicators(request).select_related("template", "responsible"), pk=indicator_pk)


# --- the list ------------------------------------------------------------------------------------


class IndicatorUrl:
    """reverse() once per page, then the indicator's pk put in: the same address as
    reverse(name, [slug, pk]) (a list or grid row each)."""

    MARK = 918273645

    def __init__(self, name: str, slug: str) -> None:
        self.head, self.tail = reverse(name, args=[slug, self.MARK]).split(str(self.MARK), 1)

    def __call__(self, pk: int) -> str:
        return f"{self.head}{pk}{self.tail}"


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    state: analysis.IndicatorState
    update_pending: bool
    url: str = ""  # the indicator's page

    @property
    def latest_label(self) -> str:
        latest = self.state.latest
        return period_label(latest.period, self.indicator.periodicity) if latest else ""

    @property
    def unit(self) -> str:
        return unit_label(self.indicator.unit)

    @property
    def latest_value(self) -> str:
        latest = self.state.latest
        return analysis.display_number(latest.value) if latest else ""

    @property
    def target_value(self) -> str:
        target = self.state.target
        return analysis.display_number(target.value) if target else ""

    @property
    def target_label(self) -> str:
        target = self.state.target
        return period_label(target.period, self.indicator.periodicity) if target else ""


def indicator_rows(
    indicators: list[Indicator], today: dt.date, *, slug: str = "", rows: PlainRows | None = None
) -> list[IndicatorRow]:
    """Assess each indicator from its observations and current targets: `rows` (`plain_rows`), or else the
    prefetched `observations` and `targets`; with the address of its page when the organisation's `slug`
    is given."""
    detail_url = IndicatorUrl("indicators:detail", slug) if slug else None
    result = []
    for indicator in indicators:
        state = analysis.assess_indicator(
            indicator,
            observations=rows.values_of(indicator.pk) if rows is not None else indicator.observations.all(),
            targets=rows.targets_of(indicator.pk) if rows is not None else indicator.targets.all(),
            today=today,
        )
        pending = bool(
            indicator.template
            and analysis.template_update_pending(
                template_version=indicator.template_version,
                published_version=indicator.template.published_version,
                dismissed_version=indicator.template_version_dismissed,
            )
        )
        url = detail_url(indicator.pk) if detail_url is not None else ""
        result.append(IndicatorRow(indicator, state, pending, url))
    return sorted(result, key=lambda row: cached_finnish_key(str(row.indicator.name)))


STATUS_CHOICES = [(status.value, STATUS_LABELS[status]) for status in Status]

# The indicator fields the list and its assessment read (IndicatorLike, the name, unit and template).
CODE_LENGTH = IndicatorTemplate._meta.get_field("code").max_length or 50

LIST_INDICATOR_FIELDS = (
    "organisation",
    "template",
    "name_fi",
    "name_sv",
    "name_en",
    "unit",
    "direction",
    "range_low",
    "range_high",
    "chain_level",
    "periodicity",
    "data_lag_months",
    "baseline_value",
    "baseline_period",
    "template_version",
    "template_version_dismissed",
)


@require_GET
@vary_on_headers("HX-Request")
@tenant_view()
def indicator_list(request: TenantRequest) -> HttpResponse:
    """Every indicator of the organisation with its latest value, target, progress and status."""
    organisation = request.tenant.organisation
    chain_level = request.GET.get("chain_level", "")
    chain_level = chain_level if chain_level in ChainLevel.values else ""
    status = request.GET.get("status", "")
    status = status if status in {s.value for s in Status} else ""
    # Only the columns the list reads: the indicators without their long texts and with their template's
    # published version; their values and targets as plain rows (what the assessment reads), not models.
    queryset = (
        _indicators(request)
        .select_related("template")
        .only(*LIST_INDICATOR_FIELDS, "template__published_version")
    )
    if chain_level:
        queryset = queryset.filter(chain_level=chain_level)
    indicators = list(queryset)
    rows = indicator_rows(
        indicators, timezone.localdate(), slug=organisation.slug, rows=plain_rows(i.pk for i in indicators)
    )
    if status:
        rows = [row for row in rows if row.state.status == status]
    # The empty state (how to start) differs from "nothing matches the filters".
    has_any = bool(rows) or _indicators(request).exists()
    context = {
        "tenant": request.tenant,
        "organisation": organisation,
        "rows": rows,
        "has_any": has_any,
        "filtered": bool(chain_level or status),
        "chain_level": chain_level,
        "status": status,
        "chain_levels": ChainLevel.choices,
        "statuses": STATUS_CHOICES,
    }
    template = "indicators/indicator_list.html"
    if _fragment(request):
        template += "#indicator-table"  # feeds #indicator-table when a filter changes
    return TemplateResponse(request, template, context)


# --- adopt and create ----------------------------------------------------------------------------


def _search_templates(form: TemplateSearchForm) -> list[IndicatorTemplate]:
    templates = IndicatorTemplate.objects.published()
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        if query:
            templates = templates.filter(
                Q(name_fi__icontains=query)
                | Q(name_sv__icontains=query)
                | Q(name_en__icontains=query)
                | Q(code__icontains=query)
                | Q(theme__icontains=query)
            )
        if form.cleaned_data["chain_level"]:
            templates = templates.filter(chain_level=form.cleaned_data["chain_level"])
    return sorted(templates[:200], key=lambda t: finnish_key(str(t.name)))


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view()
def indicator_adopt(request: TenantRequest) -> HttpResponse:
    """Find a published template and adopt it with a baseline, a responsible person and a target."""
    organisation = request.tenant.organisation
    code = parse_slug(request.POST.get("template") or request.GET.get("template"), max_length=CODE_LENGTH)
    template = IndicatorTemplate.objects.published().filter(code=code).first() if code else None
    adopted = dict(_indicators(request).filter(template__isnull=False).values_list("template_id", "pk"))
    if template is None:
        if request.method == "POST":
            messages.error(request, _("Choose a published template to adopt."))
            return redirect("indicators:adopt", organisation.slug)
        search = TemplateSearchForm(request.GET)
        context = {
            "tenant": request.tenant,
            "search": search,
            "templates": [(t, adopted.get(t.pk), unit_label(t.unit)) for t in _search_templates(search)],
        }
        page = "indicators/indicator_adopt.html"
        if _fragment(request):
            page += "#template-results"  # feeds #template-results as the search changes
        return TemplateResponse(request, page, context)

    form = AdoptForm(
        request.POST or None,
        organisation=organisation,
        periodicity=template.periodicity,
        initial={"template": template.code},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                indicator = adopt_template(
                    template=template,
                    organisation=organisation,
                    by=request.user,
                    baseline_value=form.cleaned_data["baseline_value"],
                    baseline_period=form.cleaned_data["baseline_period"],
                    responsible=form.cleaned_data["responsible"],
                    first_target=form.first_target(),
                    note=form.cleaned_data["note"],
                )
            except IndicatorError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("“%(name)s” was adopted from the library.") % {"name": indicator.name},
                )
                return redirect("indicators:detail", organisation.slug, indicator.pk)
        status = 422
    return TemplateResponse(
        request,
        "indicators/indicator_adopt_form.html",
        {
            "tenant": request.tenant,
            "template": template,
            "unit": unit_label(template.unit),
            "form": form,
            "already": adopted.get(template.pk),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@tenant_view()
def indicator_create(request: TenantRequest) -> HttpResponse:
    """Define an own indicator (not from the library)."""
    organisation = request.tenant.organisation
    form = IndicatorForm(
        request.POST or None,
        instance=Indicator(organisation=organisation),
        organisation=organisation,
        creating=True,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                indicator = create_indicator(
                    indicator=form.instance, by=request.user, first_target=form.first_target()
                )
            except IndicatorError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("“%(name)s” was created.") % {"name": indicator.name})
                return redirect("indicators:detail", organisation.slug, indicator.pk)
        status = 422
    return TemplateResponse(
        request,
        "indicators/indicator_form.html",
        {"tenant": request.tenant, "form": form, "creating": True},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@tenant_view()
def indicator_edit(request: TenantRequest, indicator_pk: int) -> HttpResponse:
    """Edit an indicator: an own one's whole definition, an adopted one's baseline and responsible."""
    organisation = request.tenant.organisation
    indicator = _get_indicator(request, indicator_pk)
    form = IndicatorForm(request.POST or None, instance=indicator, organisation=organisation)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            if not saved_if_current(form, by=request.user):
                messages.error(request, conflict_message())  # announced in the live region
                status = 409
            else:
                messages.success(request, _("The indicator was saved."))
                return redirect("indicators:detail", organisation.slug, indicator.pk)
        else:
            status = 422
    return TemplateResponse(
        request,
        "indicators/indicator_form.html",
        {"tenant": request.tenant, "form": form, "indicator": indicator, "creating": False},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@tenant_view(read=Role.EDITOR)
def indicator_delete(request: TenantRequest, indicator_pk: int) -> HttpResponse:
    """Confirm, then delete an indicator (soft: restorable for 30 days, then purged with its values)."""
    organisation = request.tenant.organisation
    indicator = _get_indicator(request, indicator_pk)
    if request.method == "POST":
        indicator.soft_delete(by=request.user)
        messages.success(
            request,
            _("The indicator “%(name)s” was deleted. It can be restored from Recently deleted for 30 days.")
            % {"name": indicator.name},
        )
        return redirect("indicators:list", organisation.slug)
    counts = {
        "values": indicator.observations.count(),
        "targets": indicator.targets.count(),
        "goals": indicator.goal_links.count(),
    }
    return TemplateResponse(
        request,
        "indicators/indicator_delete.html",
        {"tenant": request.tenant, "indicator": indicator, "counts": counts},
    )


# --- the indicator page --------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateUpdate:
    """What the newest template version changes, for the "template updated" panel."""

    current_version: int
    newest_version: int
    notes: list[TemplateVersion]
    changes: list[DiffRow]


def _template_update(indicator: Indicator) -> TemplateUpdate | None:
    template = indicator.template
    if template is None or not analysis.template_update_pending(
        template_version=indicator.template_version,
        published_version=template.published_version,
        dismissed_version=indicator.template_version_dismissed,
    ):
        return None
    current = indicator.template_version or 0
    versions = {
        v.number: v
        for v in TemplateVersion.objects.filter(
            template=template, number__gte=current, number__lte=template.published_version
        )
    }
    old = versions[current].definition if current in versions else indicator.definition_snapshot()
    new = (
        versions[template.published_version].definition
        if template.published_version in versions
        else template.definition_snapshot()
    )
    changes = template_diff(old, new)
    notes = [versions[n] for n in sorted(versions) if n > current]
    return TemplateUpdate(current, template.published_version, notes, changes)


def _value_history(indicator: Indicator) -> list[analysis.HistoryEntry]:
    """Who changed which value and when, from the database's audit history of the observations."""
    event_model = apps.get_model("indicators", "ObservationEvent")
    events = list(
        event_model.objects.filter(indicator_id=indicator.pk)
        .select_related("pgh_context")
        .order_by("pgh_created_at", "pgh_id")[:1000]
    )
    user_ids = {user_id for event in events if (user_id := context_user_id(event)) is not None}
    names = {user.pk: user.display_name for user in User.objects.filter(pk__in=user_ids)}
    return analysis.value_history(events, names=names, periodicity=indicator.periodicity)


def _target_rows(targets: list[Target], periodicity: str) -> list[dict[str, Any]]:
    """Every target, current and replaced, as the history tables show them."""
    return [
        {
            "period": period_label(t.period, periodicity),
            "value": analysis.display_number(t.value),
            "current": t.superseded_at is None,
            "superseded_at": t.superseded_at,
            "reason": t.reason,
            "by": t.created_by.display_name if t.created_by else "",
            "created_at": t.created_at,
        }
        for t in targets
    ]


@require_GET
@tenant_view()
def indicator_detail(request: TenantRequest, indicator_pk: int) -> HttpResponse:
    """The indicator: definition, status and why, chart and data table, targets, values and history."""
    indicator = _get_indicator(request, indicator_pk)
    observations = list(indicator.observations.select_related("updated_by").order_by("period"))
    targets = list(indicator.targets.select_related("created_by").order_by("period", "created_at"))
    state = analysis.assess_indicator(
        indicator, observations=observations, targets=targets, today=timezone.localdate()
    )
    baseline = (
        analysis.Point(indicator.baseline_period, indicator.baseline_value)
        if indicator.baseline_period and indicator.baseline_value is not None
        else None
    )
    chosen = state.target
    rows = analysis.trajectory_rows(
        analysis.values_frame(observations),
        periodicity=indicator.periodicity,
        baseline=baseline,
        target=analysis.Point(chosen.period, chosen.value) if chosen else None,
        targets=[analysis.Point(t.period, t.value) for t in analysis.current_targets(targets)],
    )
    figure = (
        analysis.trajectory_figure(rows, baseline=baseline, unit=unit_label(indicator.unit)) if rows else None
    )
    sources = sorted({o.source for o in observations if o.source in ATTRIBUTIONS})
    statuses = dict(ObservationStatus.choices)
    sources_labels = dict(ObservationSource.choices)
    value_rows = [
        {
            "period": period_label(o.period, indicator.periodicity),
            "value": analysis.display_number(o.value),
            "status": statuses.get(o.status, o.status),
            "missing_reason": o.missing_reason,
            "source": sources_labels.get(o.source, o.source),
            "provenance": o.provenance,
            "retrieved_at": o.retrieved_at,
            "by": o.updated_by.display_name if o.updated_by else "",
            "updated_at": o.updated_at,
        }
        for o in observations
    ]
    expected = state.assessment.expected
    context = {
        "tenant": request.tenant,
        "indicator": indicator,
        "state": state,
        "chart_id": f"chart-{indicator.pk}",
        "unit": unit_label(indicator.unit),
        "table": analysis.trajectory_table(rows),
        "expected_percent": round(100 * expected) if expected is not None else None,
        "forecast_text": analysis.forecast_sentence(state, indicator.periodicity),
        "on_track_points": round(100 * ON_TRACK_SHORTFALL),
        "at_risk_points": round(100 * AT_RISK_SHORTFALL),
        "baseline_text": analysis.display_number(indicator.baseline_value),
        "value_rows": value_rows,
        "target_rows": _target_rows(targets, indicator.periodicity),
        "baseline_label": (
            period_label(indicator.baseline_period, indicator.periodicity)
            if indicator.baseline_period
            else ""
        ),
        "rows": rows,
        "figure": figure,
        "history": _value_history(indicator),
        "attributions": [ATTRIBUTIONS[s] for s in sources],
        "statfin_tables": sorted(
            {o.provenance for o in observations if o.source == ObservationSource.STATFIN and o.provenance}
        ),
        "template_update": _template_update(indicator),
    }
    response = TemplateResponse(request, "indicators/indicator_detail.html", context)
    if figure is not None:
        # What django.views.decorators.csp.csp_override does, for this response only.
        response._csp_config = chart_page_csp()  # type: ignore[attr-defined]
    return response


@require_POST
@tenant_view()
def indicator_template(request: TenantRequest, indicator_pk: int) -> HttpResponse:
    """Accept the template's newest version, or keep the definition in use."""
    indicator = _get_indicator(request, indicator_pk)
    action = request.POST.get("action")
    version = parse_version(request.POST.get("version"))
    version = -1 if version is None else version  # a version no row has: a conflict, never a blind save
    try:
        if action == "accept":
            accept_template_version(indicator=indicator, by=request.user, expected_version=version)
            messages.success(request, _("The indicator now follows the template's newest version."))
        elif action == "keep":
            keep_template_version(indicator=indicator, by=request.user, expected_version=version)
            messages.success(
                request, _("The indicator keeps its definition; the newer version is not shown again.")
            )
        else:
            messages.error(request, _("Choose whether to accept the new version or keep the current one."))
    except StaleEdit:
        messages.error(request, conflict_message())
    except IndicatorError as error:
        messages.error(request, str(error))
    return redirect("indicators:detail", request.tenant.organisation.slug, indicator.pk)


# --- targets and values --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@tenant_view()
def indicator_targets(request: TenantRequest, indicator_pk: int) -> HttpResponse:
    """Set or revise the targets of an indicator; revisions keep the old target with the reason."""
    indicator = _get_indicator(request, indicator_pk)
    form = TargetForm(request.POST or None, indicator=indicator)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                set_target(
                    indicator=indicator,
                    period=form.cleaned_data["period"],
                    value=form.cleaned_data["value"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except TargetReasonRequired as error:
                form.add_error("reason", str(error))
            except IndicatorError as error:
                form.add_error("value", str(error))
            else:
                messages.success(
                    request,
                    _("The target for %(period)s was saved.")
                    % {"period": period_label(form.cleaned_data["period"], indicator.periodicity)},
                )
                return redirect("indicators:targets", request.tenant.organisation.slug, indicator.pk)
        status = 422
    targets = list(indicator.targets.select_related("created_by").order_by("period", "created_at"))
    return TemplateResponse(
        request,
        "indicators/indicator_targets.html",
        {
            "tenant": request.tenant,
            "indicator": indicator,
            "form": form,
            "target_rows": _target_rows(targets, indicator.periodicity),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@tenant_view()
def indicator_value(request: TenantRequest, indicator_pk: int) -> HttpResponse:
    """Record one value with its status (final, preliminary, missing with a reason)."""
    indicator = _get_indicator(request, indicator_pk)
    status = 200
    existing: Observation | None = None
    if request.method == "POST":
        form = ValueForm(request.POST, indicator=indicator)
        if form.is_valid():
            data = form.cleaned_data
            entry = ValueEntry(
                indicator=indicator,
                period=data["period"],
                value=data["value"],
                status=data["status"],
                missing_reason=data["missing_reason"],
                note=data["note"],
                expected_version=data["version"],
            )
            try:
                record_values(indicator_values=[entry], by=request.user)
            except StaleValues:
                existing = indicator.observations.filter(period=data["period"]).first()
                # Keep what was typed, but let the next save replace the value that is there now.
                bound: QueryDict = request.POST.copy()
                bound["version"] = str(existing.version if existing else 0)
                form = ValueForm(bound, indicator=indicator)
                form.is_valid()
                conflict = (
                    conflict_message()
                    if data["version"]
                    else _("This period already has a value (shown below). Save again to replace it.")
                )
                form.add_error(None, conflict)
                messages.error(request, conflict)  # announced in the live region
                status = 409
            except IndicatorError as error:
                form.add_error(None, str(error))
                status = 422
            else:
                messages.success(
                    request,
                    _("The value for %(period)s was saved.")
                    % {"period": period_label(data["period"], indicator.periodicity)},
                )
                return redirect(
                    reverse("indicators:detail", args=[request.tenant.organisation.slug, indicator.pk])
                    + "#values"
                )
        else:
            status = 422
    else:
        form = ValueForm(indicator=indicator, initial={"status": ObservationStatus.FINAL, "version": 0})
        period_text = request.GET.get("period", "")
        if period_text:
            try:
                period = parse_period(period_text, indicator.periodicity)
            except PeriodError:
                period = None
            existing = indicator.observations.filter(period=period).first() if period else None
            if existing is not None:
                form = ValueForm.for_observation(existing, indicator=indicator)
            else:
                form = ValueForm(
                    indicator=indicator,
                    initial={"status": ObservationStatus.FINAL, "version": 0, "period": period_text[:20]},
                )
    return TemplateResponse(
        request,
        "indicators/indicator_value.html",
        {
            "tenant": request.tenant,
            "indicator": indicator,
            "form": form,
            "existing": existing,
            "unit": unit_label(indicator.unit),
            "existing_text": (
                analysis.describe_value(existing.value, existing.status, existing.missing_reason)
                if existing
                else ""
            ),
        },
        status=status,
    )


# --- the bulk entry grid -------------------------------------------------------------------------

GRID_PERIODICITIES = {Periodicity.YEAR, Periodicity.TWO_YEARS}


def _grid_indicators(request: TenantRequest, years: list[int]) -> tuple[list[Indicator], list[Indicator]]:
    """The yearly indicators with their values of the grid's years (one query each), and the others."""
    indicators = list(
        _indicators(request).prefetch_related(
            Prefetch(
                "observations",
                # What the grid reads of a value (ValueGrid): not its note, source or audit columns.
                queryset=Observation.objects.filter(
                    period__gte=dt.date(years[0], 1, 1), period__lte=dt.date(years[-1], 12, 31)
                )
                .order_by("period")
                .only("indicator_id", "period", "value", "version", "status"),
            )
        )
    )
    indicators.sort(key=lambda i: cached_finnish_key(str(i.name)))
    yearly = [i for i in indicators if i.periodicity in GRID_PERIODICITIES]
    others = [i for i in indicators if i.periodicity not in GRID_PERIODICITIES]
    return yearly, others


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view(read=Role.EDITOR)
def value_grid(request: TenantRequest) -> HttpResponse:
    """Indicators × years in one table of inputs, saved all at once: all valid or nothing saved."""
    organisation = request.tenant.organisation
    params = request.POST if request.method == "POST" else request.GET
    years, years_message = grid_years(
        {"from": params.get("from", ""), "to": params.get("to", "")}, timezone.localdate()
    )
    if request.method == "GET" and request.GET.get("check") and _fragment(request):
        return _grid_cell(request)
    yearly, others = _grid_indicators(request, years)
    grid = ValueGrid(yearly, years, request.POST if request.method == "POST" else None)
    status = 200
    message, message_ok = years_message, False
    if request.method == "POST":
        changes = grid.changes()
        if grid.errors:
            status = 422
            message = ngettext(
                "Nothing was saved: %(count)s cell needs fixing. It is marked in the table.",
                "Nothing was saved: %(count)s cells need fixing. They are marked in the table.",
                grid.errors,
            ) % {"count": grid.errors}
        elif not changes:
            message, message_ok = _("No values were changed."), True
        else:
            entries = [
                ValueEntry(
                    indicator=cell.indicator, period=cell.period, value=number, expected_version=cell.version
                )
                for cell, number in changes
            ]
            try:
                result = record_values(indicator_values=entries, by=request.user)
            except StaleValues as stale:
                status = 409
                current = {
                    (o.indicator_id, o.period.year): o
                    for o in Observation.objects.filter(
                        indicator__organisation=organisation,
                        indicator_id__in={k[0] for k in stale.keys},
                        period__in={k[1] for k in stale.keys},
                    )
                }
                for indicator_pk, period in stale.keys:
                    cell = grid.cell(indicator_pk, period.year)
                    if cell is None:
                        continue
                    now = current.get((indicator_pk, period.year))
                    cell.version = now.version if now else 0
                    cell.original = analysis.input_number(now.value) if now else ""
                    cell.error = _(
                        "Someone else saved %(value)s here while you were editing. "
                        "Your value is kept: save again to replace it."
                    ) % {"value": analysis.display_number(now.value) if now else "–"}
                message = _("Nothing was saved: values changed while you were editing. They are marked.")
            else:
                message_ok = True
                message = _("Saved: %(created)s new and %(updated)s changed values.") % {
                    "created": result.created,
                    "updated": result.updated,
                }
                if not _fragment(request):
                    messages.success(request, message)
                    return redirect(
                        reverse("indicators:grid", args=[organisation.slug])
                        + "?"
                        + urlencode({"from": years[0], "to": years[-1]})
                    )
                yearly, others = _grid_indicators(request, years)
                grid = ValueGrid(yearly, years)
    fragment = _fragment(request) and request.method == "POST"
    if message and not fragment:
        # A full page shows the message in the page frame's live region.
        (messages.success if message_ok else messages.error)(request, message)
        message = "" if request.method == "GET" else message
    context = {
        "tenant": request.tenant,
        "fragment": fragment,
        "grid": grid,
        "rows": grid_rows(grid, organisation.slug, _check_url(request)),
        "check_url": _check_url(request),
        "years": years,
        "others": others,
        "message": message,
        "message_ok": message_ok,
        "previous_years": {"from": years[0] - len(years), "to": years[0] - 1},
        "next_years": {"from": years[-1] + 1, "to": years[-1] + len(years)},
    }
    template = "indicators/value_grid.html"
    if fragment:
        template += "#value-grid"  # the save re-renders #value-grid (marked cells or fresh values)
    response = TemplateResponse(request, template, context, status=status)
    if message_ok and request.method == "POST":
        trigger_client_event(response, "valuesSaved")
    return response


def grid_cell_html(cell: GridCell, check_url: str) -> SafeString:
    """A cell of the grid: exactly what the template's `grid-cell` partial renders for it (pinned by
    tests/indicators/test_grid_cells.py), written in Python because the page has over 400 cells and the
    template language spent most of the page's time on their dozen lookups and conditions each. The
    partial stays what the inline check (`_grid_cell`) renders."""
    key = conditional_escape(cell.key)
    name = conditional_escape(cell.name)
    error, status, described_by = cell.error, cell.status, cell.described_by
    parts = [
        f'\n        <td id="cell-{key}" class="grid-cell',
        " has-error" if error else "",
        '">\n          <input type="text" inputmode="decimal" autocomplete="off" spellcheck="false" size="9"',
        f' maxlength="40" name="{name}" id="{name}" value="{conditional_escape(cell.text)}"',
        f' aria-label="{conditional_escape(cell.label)}"',
        ' aria-invalid="true"' if error else "",
        f' aria-describedby="{conditional_escape(described_by)}"' if described_by else "",
        f'\n                 hx-get="{conditional_escape(check_url)}" hx-trigger="change"',
        f""" hx-vals='{{"status": "{escapejs(status)}"}}'""" if status else "",
        ">\n          ",
    ]
    if status == ObservationStatus.PRELIMINARY:
        parts.append(
            f'<small id="st-{key}" class="cell-status">{conditional_escape(_("preliminary"))}</small>'
        )
    elif status == ObservationStatus.MISSING:
        parts.append(f'<small id="st-{key}" class="cell-status">{conditional_escape(_("missing"))}</small>')
    parts.append("\n          ")
    if error:
        parts.append(f'<small id="err-{key}" class="cell-error">{conditional_escape(error)}</small>')
    parts.append("\n        </td>\n        ")
    return mark_safe("".join(parts))  # noqa: S308 - every value in it is escaped as the template does


def grid_rows(grid: ValueGrid, slug: str, check_url: str) -> list[dict[str, Any]]:
    """The grid's rows as the page renders them: the indicator, its address (reversed once a page) and
    unit, and each cell's HTML (`grid_cell_html`)."""
    detail_url = IndicatorUrl("indicators:detail", slug)
    return [
        {
            "indicator": row.indicator,
            "url": detail_url(row.indicator.pk),
            "unit": row.unit,
            "cells": [grid_cell_html(cell, check_url) for cell in row.cells],
        }
        for row in grid.rows
    ]


def _check_url(request: TenantRequest) -> str:
    return reverse("indicators:grid", args=[request.tenant.organisation.slug]) + "?check=1"


def _grid_cell(request: TenantRequest) -> HttpResponse:
    """Check one cell as the person leaves it (the inline validation): the cell's <td> again."""
    name = request.htmx.trigger_name or ""
    prefix, _dash, rest = name.partition("-")
    indicator_pk, _dash, year = rest.partition("-")
    indicator_id = parse_id(indicator_pk)
    year_number = parse_year(year, minimum=GRID_FIRST_YEAR, maximum=GRID_LAST_YEAR)
    if prefix != "v" or indicator_id is None or year_number is None:
        return HttpResponse(status=400)
    indicator = get_object_or_404(_indicators(request), pk=indicator_id)
    text = parse_text(request.GET.get(name), max_length=200).strip()[:40]
    status = parse_choice(request.GET.get("status"), ObservationStatus.values) or ""
    cell = GridCell(indicator, year_number, text, text, 0, status)
    if text:
        try:
            parse_number(text)
        except ValueError as error:
            cell.error = number_error(text, error)
    return TemplateResponse(
        request,
        "indicators/value_grid.html#grid-cell",
        {"cell": cell, "tenant": request.tenant, "check_url": _check_url(request)},
    )
