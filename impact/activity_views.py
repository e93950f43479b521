"""Views of international activities: the register, the activity with its impact chain, contributions
to goals, progress reports and yearly reviews. Every view goes through the tenancy guard, and every
object is fetched through the organisation, so another organisation's id answers 404."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Exists, Max, Min, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_countries import countries as country_names
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from goals.models import Goal, Strategy
from impact import exports
from impact.analysis import (
    GoalOption,
    RegisterRow,
    SharedIndicator,
    double_counting,
    follow_up,
    goal_options,
    register_rows,
    register_totals,
    search_goals,
    subtree_ids,
)
from impact.forms import (
    NO_PROGRAMME,
    ActivityForm,
    ActivityReviewForm,
    ActivitySettingsForm,
    ChainStepEditForm,
    ChainStepForm,
    ContributionEditForm,
    ContributionForm,
    ProgressReportForm,
    RegisterFilterForm,
    ReviewForm,
    partner_formset,
    sorted_indicators,
)
from impact.models import (
    DEFAULT_REPORT_INTERVAL_MONTHS,
    REVIEWED_KINDS,
    Activity,
    ActivityQuerySet,
    ActivitySettings,
    ChainLevel,
    ChainStep,
    Contribution,
    Partner,
    PartnershipReview,
    ProgressReport,
)
from impact.rules import Claim
from impact.services import (
    ActivityError,
    add_contribution,
    create_activity,
    file_report,
    record_review,
    update_activity,
)
from organisations.audit_log import audit
from organisations.base import saved_if_current
from organisations.collation import finnish_key, sorted_finnish
from organisations.models import Organisation, Role, pick_language
from organisations.params import parse_text
from organisations.tenancy import TenantRequest, tenant_view

GOAL_OPTIONS_SHOWN = 60  # the goal search shows at most this many goals at once
SECTIONS = ("chain", "contributions", "reports", "reviews")  # parts of the activity page served alone


def _fragment(request: TenantRequest) -> bool:
    """Whether to answer with a fragment: an htmx request that is not restoring the browser history."""
    return bool(request.htmx and not request.htmx.history_restore_request)


def _activity(request: TenantRequest, activity_pk: int) -> Activity:
    queryset = Activity.objects.for_organisation(request.tenant.organisation).select_related("responsible")
    return get_object_or_404(queryset, pk=activity_pk)


def _interval(organisation: Organisation) -> int:
    interval = (
        ActivitySettings.objects.filter(organisation=organisation)
        .values_list("report_interval_months", flat=True)
        .first()
    )
    return interval or DEFAULT_REPORT_INTERVAL_MONTHS


def _current_strategy(organisation: Organisation) -> Strategy | None:
    return Strategy.objects.for_organisation(organisation).current()


def _detail_url(activity: Activity, section: str = "") -> str:
    url = reverse("activities:detail", args=[activity.organisation.slug, activity.pk])
    return f"{url}#{section}" if section else url


# --- the register -------------------------------------------------------------------------------


@dataclass
class Register:
    """What the register page, its fragment and the exports show for the current filters."""

    form: RegisterFilterForm
    rows: list[RegisterRow]
    options: list[GoalOption]
    strategy: Strategy | None
    filtered: bool
    has_any: bool
    interval: int
    unreached: list[GoalOption] = field(default_factory=list)

    @property
    def totals(self) -> Any:
        return register_totals(self.rows)


def _country_choices(organisation: Organisation) -> list[tuple[str, str]]:
    codes = (
        Partner.objects.filter(activity__organisation=organisation)
        .exclude(country="")
        .order_by("country")
        .values_list("country", flat=True)
        .distinct()
    )
    return sorted_finnish(((code, str(country_names.name(code))) for code in codes), key=lambda c: c[1])


def _years(organisation: Organisation, today: dt.date) -> tuple[list[int], bool]:
    """The years the register offers, from the earliest start to the latest end; and whether any
    activity exists."""
    span = Activity.objects.for_organisation(organisation).aggregate(
        first=Min("start_date"), last_start=Max("start_date"), last_end=Max("end_date"), any=Max("pk")
    )
    first = span["first"].year if span["first"] else today.year
    last = max(d.year for d in (span["last_start"], span["last_end"], today) if d)
    first = max(first, last - 60)  # a twin town since 1952 does not need 70 entries
    return list(range(last, first - 1, -1)), span["any"] is not None


def _filtered(
    queryset: ActivityQuerySet, chosen: dict[str, Any], options: list[GoalOption]
) -> ActivityQuerySet:
    if "kind" in chosen:
        queryset = queryset.filter(kind=chosen["kind"])
    if "status" in chosen:
        queryset = queryset.filter(status=chosen["status"])
    if "programme" in chosen:
        queryset = queryset.filter(
            programme="" if chosen["programme"] == NO_PROGRAMME else chosen["programme"]
        )
    if "goal" in chosen:
        # A goal is served by the activities linked to it or to any goal below it.
        goal_ids = subtree_ids(options, chosen["goal"])
        queryset = queryset.filter(
            pk__in=Contribution.objects.filter(goal_id__in=goal_ids).values("activity_id")
        )
    if "country" in chosen:
        queryset = queryset.filter(
            pk__in=Partner.objects.filter(country=chosen["country"]).values("activity_id")
        )
    if "year" in chosen:
        queryset = queryset.active_in_year(chosen["year"])
    return queryset


def _register(request: TenantRequest) -> Register:
    organisation = request.tenant.organisation
    today = timezone.localdate()
    strategy = _current_strategy(organisation)
    goals = (
        list(strategy.goals.annotate(served=Exists(Contribution.objects.filter(goal=OuterRef("pk")))))
        if strategy
        else []
    )
    options = goal_options(goals)
    years, has_any = _years(organisation, today)
    form = RegisterFilterForm(
        request.GET, goal_options=options, countries=_country_choices(organisation), years=years
    )
    chosen = form.chosen()
    interval = _interval(organisation)
    queryset = _filtered(
        Activity.objects.for_organisation(organisation).select_related("responsible"), chosen, options
    )
    activities = sorted(queryset.with_follow_up(), key=lambda a: finnish_key(a.name))
    served = {option.goal.pk for option in options if getattr(option.goal, "served", False)}
    unreached = [o for o in options if not subtree_ids(options, o.goal.pk) & served]
    return Register(
        form=form,
        rows=register_rows(activities, interval_months=interval, today=today),
        options=options,
        strategy=strategy,
        filtered=bool(chosen),
        has_any=has_any,
        interval=interval,
        unreached=unreached,
    )


@require_GET
@vary_on_headers("HX-Request")
@tenant_view(read=Role.VIEWER)
def activity_list(request: TenantRequest) -> HttpResponse:
    """The activity register with its filters, counts and money for the current filter."""
    register = _register(request)
    template = "impact/activities/activity_list.html"
    if _fragment(request):
        template += "#activity-results"  # feeds #activity-results when a filter changes
    query = request.GET.urlencode()
    return TemplateResponse(
        request,
        template,
        {
            "tenant": request.tenant,
            "organisation": request.tenant.organisation,
            "register": register,
            "totals": register.totals,
            "can_edit": request.tenant.can_edit,
            "query": query,
            "announce": _fragment(request),
        },
    )


@require_GET
@tenant_view(read=Role.VIEWER)
def activity_export(request: TenantRequest) -> HttpResponse:
    """The register with the current filters as CSV (default) or XLSX (?format=xlsx)."""
    organisation = request.tenant.organisation
    register = _register(request)
    ids = [row.activity.pk for row in register.rows]
    goals: dict[int, list[str]] = defaultdict(list)
    for activity_id, code, title in (
        Contribution.objects.filter(activity_id__in=ids)
        .order_by("goal__code", "goal__title")
        .values_list("activity_id", "goal__code", "goal__title")
    ):
        goals[activity_id].append(f"{code} {title}".strip())
    partners: dict[int, list[str]] = defaultdict(list)
    countries: dict[int, list[str]] = defaultdict(list)
    for activity_id, name, code in Partner.objects.filter(activity_id__in=ids).values_list(
        "activity_id", "name", "country"
    ):
        partners[activity_id].append(name)
        country = str(country_names.name(code)) if code else ""
        if country and country not in countries[activity_id]:
            countries[activity_id].append(country)
    table = exports.register_table(register.rows, goals=goals, partners=partners, countries=countries)
    stamp = timezone.localdate().isoformat()
    name = f"{organisation.slug}-activities-{stamp}"
    if request.GET.get("format") == "xlsx":
        title = _("International activities of %(organisation)s, %(date)s") % {
            "organisation": organisation.name,
            "date": date_format(timezone.localdate(), "SHORT_DATE_FORMAT"),
        }
        response = HttpResponse(exports.to_xlsx(table, title=title), content_type=exports.XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    else:
        response = HttpResponse(exports.to_csv(table), content_type=exports.CSV_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    audit(
        "exports",
        "activities",
        request=request,
        org=organisation.slug,
        format="xlsx" if request.GET.get("format") == "xlsx" else "csv",
        rows=len(ids),
    )
    return response


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view(read=Role.EDITOR, write=Role.EDITOR)
def activity_settings(request: TenantRequest) -> HttpResponse:
    """The organisation's follow-up rule: how often an ongoing activity reports its progress."""
    organisation = request.tenant.organisation
    settings, _created = ActivitySettings.objects.get_or_create(organisation=organisation)
    form = ActivitySettingsForm(request.POST or None, instance=settings)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            if not saved_if_current(form, by=request.user):
                status = 409
            else:
                messages.success(request, _("The follow-up settings were saved."))
                url = reverse("activities:list", args=[organisation.slug])
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
        else:
            status = 422
    template = "impact/activities/activity_settings.html"
    if _fragment(request):
        template += "#settings-form"  # the form swaps itself
    return TemplateResponse(request, template, {"tenant": request.tenant, "form": form}, status=status)


# --- the activity -------------------------------------------------------------------------------


def _activity_form_response(
    request: TenantRequest,
    *,
    form: ActivityForm,
    partners: Any,
    review: ActivityReviewForm,
    activity: Activity | None,
    status: int,
) -> HttpResponse:
    template = "impact/activities/activity_form.html"
    if _fragment(request):
        template += "#activity-form"  # the form swaps itself (errors, conflict)
    latest_review = None
    if activity is not None and activity.is_reviewed_yearly:
        latest_review = activity.reviews.order_by("-reviewed_on", "-pk").first()
    return TemplateResponse(
        request,
        template,
        {
            "tenant": request.tenant,
            "organisation": request.tenant.organisation,
            "form": form,
            "partners": partners,
            "review": review,
            "activity": activity,
            "latest_review": latest_review,
        },
        status=status,
    )


def _review_to_record(
    form: ActivityForm, review: ActivityReviewForm
) -> tuple[bool, PartnershipReview | None]:
    """Validate the optional review section when the kind has reviews; (valid, review or None)."""
    if form.cleaned_data.get("kind") not in REVIEWED_KINDS or not review.has_changed():
        return True, None
    if not review.is_valid():
        return False, None
    return True, review.instance


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view(read=Role.EDITOR, write=Role.EDITOR)
def activity_create(request: TenantRequest) -> HttpResponse:
    """A new activity with its partners (and, for a partnership or network, its first review)."""
    organisation = request.tenant.organisation
    activity = Activity(organisation=organisation)
    data = request.POST if request.method == "POST" else None
    form = ActivityForm(data, instance=activity, organisation=organisation)
    partners = partner_formset(data, activity=activity)
    review = ActivityReviewForm(data)
    if request.method == "POST":
        form_ok, partners_ok = form.is_valid(), partners.is_valid()
        review_ok, review_row = _review_to_record(form, review) if form_ok else (True, None)
        if form_ok and partners_ok and review_ok:
            create_activity(activity=form.instance, partners=partners, review=review_row, by=request.user)
            messages.success(request, _("The activity %(name)s was added.") % {"name": activity.name})
            url = _detail_url(activity)
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
        return _activity_form_response(
            request, form=form, partners=partners, review=review, activity=None, status=422
        )
    return _activity_form_response(
        request, form=form, partners=partners, review=review, activity=None, status=200
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view(read=Role.EDITOR, write=Role.EDITOR)
def activity_edit(request: TenantRequest, activity_pk: int) -> HttpResponse:
    """Edit the activity and its partners; a partnership or network may record a new review here."""
    organisation = request.tenant.organisation
    activity = _activity(request, activity_pk)
    data = request.POST if request.method == "POST" else None
    form = ActivityForm(data, instance=activity, organisation=organisation)
    partners = partner_formset(data, activity=activity)
    review = ActivityReviewForm(data)
    status = 200
    if request.method == "POST":
        form_ok, partners_ok = form.is_valid(), partners.is_valid()
        review_ok, review_row = _review_to_record(form, review) if form_ok else (True, None)
        status = 422
        if form_ok and partners_ok and review_ok:
            saved = saved_if_current(
                form,
                lambda version: update_activity(
                    activity=form.instance,
                    partners=partners,
                    review=review_row,
                    expected_version=version,
                    by=request.user,
                ),
                by=request.user,
            )
            if not saved:
                status = 409
            else:
                messages.success(request, _("The changes were saved."))
                url = _detail_url(activity)
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    return _activity_form_response(
        request, form=form, partners=partners, review=review, activity=activity, status=status
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view(read=Role.EDITOR, write=Role.EDITOR)
def activity_delete(request: TenantRequest, activity_pk: int) -> HttpResponse:
    """Confirm, then delete the activity with its chain, contributions, reports and reviews."""
    activity = _activity(request, activity_pk)
    if request.method == "POST":
        name = activity.name
        activity.soft_delete(by=request.user)
        messages.success(
            request,
            _("The activity %(name)s was deleted. It can be restored from Recently deleted for 30 days.")
            % {"name": name},
        )
        url = reverse("activities:list", args=[request.tenant.organisation.slug])
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    counts = {
        "steps": activity.chain_steps.count(),
        "contributions": activity.contributions.count(),
        "reports": activity.reports.count(),
    }
    template = "impact/activities/activity_delete.html"
    if _fragment(request):
        template += "#delete-confirm"
    return TemplateResponse(
        request, template, {"tenant": request.tenant, "activity": activity, "counts": counts}
    )


# --- the activity page and its sections ---------------------------------------------------------


@dataclass(frozen=True)
class LevelView:
    value: str
    label: str
    steps: list[ChainStep]


def _chain_context(activity: Activity) -> dict[str, Any]:
    steps = list(activity.chain_steps.select_related("indicator").order_by("order", "pk"))
    levels = [
        LevelView(value, str(label), [s for s in steps if s.level == value])
        for value, label in ChainLevel.choices
    ]
    # Every outcome and impact claim of the organisation, to find indicators counted by several activities.
    claims, indicator_names, activity_names = [], {}, {}
    for activity_id, activity_name, indicator_id, level, fi, sv, en in ChainStep.objects.filter(
        activity__organisation_id=activity.organisation_id,
        level__in=[ChainLevel.OUTCOME, ChainLevel.IMPACT],
        indicator__isnull=False,
        indicator__deleted_at__isnull=True,
    ).values_list(
        "activity_id",
        "activity__name",
        "indicator_id",
        "level",
        "indicator__name_fi",
        "indicator__name_sv",
        "indicator__name_en",
    ):
        claims.append(Claim(activity_id, indicator_id, level))
        indicator_names[indicator_id] = str(pick_language({"fi": fi, "sv": sv, "en": en}))
        activity_names[activity_id] = activity_name
    shared: list[SharedIndicator] = double_counting(
        activity_id=activity.pk, claims=claims, indicator_names=indicator_names, activity_names=activity_names
    )
    shared_ids = {item.indicator_id for item in shared}
    return {"levels": levels, "shared": shared, "shared_ids": shared_ids, "has_steps": bool(steps)}


@dataclass(frozen=True)
class ContributionView:
    contribution: Contribution
    path: str
    current: bool  # the goal belongs to the current strategy


def _goal_tree(organisation: Organisation, strategy_ids: set[int]) -> list[GoalOption]:
    return goal_options(
        Goal.objects.filter(strategy_id__in=strategy_ids, strategy__organisation=organisation)
    )


def _contributions_context(activity: Activity, *, query: str = "") -> dict[str, Any]:
    organisation = activity.organisation
    contributions = list(activity.contributions.select_related("goal"))
    strategy = _current_strategy(organisation)
    strategy_ids = {c.goal.strategy_id for c in contributions} | ({strategy.pk} if strategy else set())
    options = _goal_tree(organisation, strategy_ids)
    paths = {option.goal.pk: option.path_label for option in options}
    views = [
        ContributionView(
            c, paths.get(c.goal_id, ""), strategy is not None and c.goal.strategy_id == strategy.pk
        )
        for c in contributions
    ]
    order = {option.goal.pk: index for index, option in enumerate(options)}
    views.sort(key=lambda v: order.get(v.contribution.goal_id, 0))
    linked = {c.goal_id for c in contributions}
    available = [
        o for o in options if strategy and o.goal.strategy_id == strategy.pk and o.goal.pk not in linked
    ]
    matches = search_goals(available, query)
    return {
        "contributions": views,
        "strategy": strategy,
        "goal_matches": matches[:GOAL_OPTIONS_SHOWN],
        "goal_match_count": len(matches),
        "goals_available": len(available),
        "query": query,
        "contribution_form": ContributionForm(),
    }


def _reports_context(activity: Activity) -> dict[str, Any]:
    reports = list(activity.reports.all())
    latest = reports[0] if reports else None
    follow = follow_up(
        kind=activity.kind,
        status=activity.status,
        start_date=activity.start_date,
        last_report=latest.reported_on if latest else None,
        last_review=None,
        interval_months=_interval(activity.organisation),
        today=timezone.localdate(),
    )
    return {"reports": reports, "report_follow": follow}


def _reviews_context(activity: Activity) -> dict[str, Any]:
    reviews = list(activity.reviews.all())
    follow = follow_up(
        kind=activity.kind,
        status=activity.status,
        start_date=activity.start_date,
        last_report=None,
        last_review=reviews[0].reviewed_on if reviews else None,
        interval_months=DEFAULT_REPORT_INTERVAL_MONTHS,
        today=timezone.localdate(),
    )
    return {
        "reviews": reviews,
        "review_follow": follow,
        "show_reviews": activity.is_reviewed_yearly or bool(reviews),
    }


SECTION_CONTEXT: dict[str, Callable[[Activity], dict[str, Any]]] = {
    "chain": _chain_context,
    "contributions": _contributions_context,
    "reports": _reports_context,
    "reviews": _reviews_context,
}


def _base_context(request: TenantRequest, activity: Activity) -> dict[str, Any]:
    return {
        "tenant": request.tenant,
        "organisation": request.tenant.organisation,
        "activity": activity,
        "can_edit": request.tenant.can_edit,
        "focus": request.GET.get("focus", ""),
    }


@require_GET
@vary_on_headers("HX-Request")
@tenant_view(read=Role.VIEWER)
def activity_detail(request: TenantRequest, activity_pk: int) -> HttpResponse:
    """The activity page: details, partners, funding, the impact chain, the goals it serves, its progress
    reports and reviews. Printable."""
    activity = _activity(request, activity_pk)
    context = _base_context(request, activity)
    target = request.htmx.target if request.htmx else None
    if _fragment(request) and target in SECTIONS:
        # Feeds one section (#chain, #contributions, #reports, #reviews): a cancelled in-place edit.
        context.update(SECTION_CONTEXT[target](activity))
        return TemplateResponse(request, f"impact/activities/activity_detail.html#{target}", context)
    for build in SECTION_CONTEXT.values():
        context.update(build(activity))
    partners = sorted_finnish(activity.partners.all(), key=lambda p: p.name)
    context.update(partners=partners, contributions_count=len(context["contributions"]))
    return TemplateResponse(request, "impact/activities/activity_detail.html", context)


def _section_response(
    request: TenantRequest, activity: Activity, *, section: str, message: str, focus: str = ""
) -> HttpResponse:
    """After a change in a section: with htmx the section re-rendered in place (whatever element sent the
    request) with the message in the live region; without, back to the page at that section."""
    if not request.htmx:
        messages.success(request, message)
        return redirect(_detail_url(activity, section))
    context = _base_context(request, activity)
    context.update(SECTION_CONTEXT[section](activity))
    context.update(message=message, focus=focus)
    response = TemplateResponse(request, f"impact/activities/activity_detail.html#{section}", context)
    return reswap(retarget(response, f"#{section}"), "outerHTML")


def _form_response(
    request: TenantRequest, template: str, partial: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """A small form of a section: in place with htmx (the partial), else as its own page."""
    if _fragment(request):
        template += f"#{partial}"
        form = context.get("form")
        if form is not None and request.method == "GET" and form.visible_fields():
            # Opened in place: the first field takes the focus (htmx focuses [autofocus] after a swap).
            form.visible_fields()[0].field.widget.attrs["autofocus"] = True
    return TemplateResponse(request, template, context, status=status)


def _status_for(request: TenantRequest) -> int:
    return 422 if request.method == "POST" else 200


# --- chain steps --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view(read=Role.EDITOR, write=Role.EDITOR)
def step_add(request: TenantRequest, activity_pk: int) -> HttpResponse:
    """Add a step to a level of the impact chain (opened in place under the level)."""
    organisation = request.tenant.organisation
    activity = _activity(request, activity_pk)
    level = request.POST.get("level") or request.GET.get("level") or ""
    level = level if level in ChainLevel.values else ChainLevel.INPUT
    form = ChainStepForm(
        request.POST or None,
        instance=ChainStep(activity=activity),
        organisation=organisation,
        indicators=sorted_indicators(organisation),
        initial={"level": level},
        auto_id=f"new-step-{level}-%s",
    )
    form.fields["level"].widget = forms.HiddenInput()  # chosen by the "add a step to ..." link
    if request.method == "POST" and form.is_valid():
        step = form.instance
        step.order = (activity.chain_steps.filter(level=step.level).aggregate(n=Max("order"))["n"] or 0) + 1
        step.save_new(by=request.user)
        return _section_response(
            request,
            activity,
            section="chain",
            message=_("The step was added."),
            focus=f"step-add-{step.level}",
        )
    context = {
        **_base_context(request, activity),
        "form": form,
        "form_id": f"step-form-new-{level}",
        "action": reverse("activities:step_add", args=[organisation.slug, activity.pk]) + f"?level={level}",
        "heading": _("Add a step: %(level)s") % {"level": ChainLevel(level).label},
        "submit": _("Add the step"),
        "section": "chain",
        "cancel_focus": f"step-add-{level}",
    }
    return _form_response(
        request, "impact/activities/section_form.html", "section-form", context, status=_status_for(request)
    )


def _step(activity: Activity, step_pk: int) -> ChainStep:
    return get_object_or_404(activity.chain_steps.select_related("indicator"), pk=step_pk)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view(read=Role.EDITOR, write=Role.EDITOR)
def step_edit(request: TenantRequest, activity_pk: int, step_pk: int) -> HttpResponse:
    """Edit a step of the impact chain in place."""
    organisation = request.tenant.organisation
    activity = _activity(request, activity_pk)
    step = _step(activity, step_pk)
    form = ChainStepEditForm(
        request.POST or None,
        instance=step,
        organisation=organisation,
        indicators=sorted_indicators(organisation),
        auto_id=f"step-{step.pk}-%s",
    )
    status = _status_for(request)
    if request.method == "POST" and form.is_valid():
        if not saved_if_current(form, by=request.user):
            status = 409
        else:
            return _section_response(
                request,
                activity,
                section="chain",
                message=_("The step was saved."),
                focus=f"step-edit-{step.pk}",
            )
    context = {
        **_base_context(request, activity),
        "form": form,
        "form_id": f"step-form-{step.pk}",
        "action": reverse("activities:step_edit", args=[organisation.slug, activity.pk, step.pk]),
        "heading": _("Edit the step"),
        "submit": _("Save the step"),
        "section": "chain",
        "cancel_focus": f"step-edit-{step.pk}",
    }
    return _form_response(
        request, "impact/activities/section_form.html", "section-form", context, status=status
    )


def _confirm_delete(
    request: TenantRequest, activity: Activity, *, question: str, action: str, section: str, cancel_focus: str
) -> HttpResponse:
    context = {
        **_base_context(request, activity),
        "question": question,
        "action": action,
        "section": section,
        "cancel_focus": cancel_focus,
    }
    return _form_response(request, "impact/activities/confirm_delete.html", "confirm-delete", context)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view(read=Role.EDITOR, write=Role.EDITOR)
def step_delete(request: TenantRequest, activity_pk: int, step_pk: int) -> HttpResponse:
    """Confirm, then remove a step of the impact chain."""
    activity = _activity(request, activity_pk)
    step = _step(activity, step_pk)
    if request.method == "POST":
        step.delete()
        return _section_response(
            request,
            activity,
            section="chain",
            message=_("The step was removed."),
            focus=f"step-add-{step.level}",
        )
    return _confirm_delete(
        request,
        activity,
        question=_("Remove the step “%(step)s” from the impact chain?") % {"step": step.description[:80]},
        action=reverse("activities:step_delete", args=[activity.organisation.slug, activity.pk, step.pk]),
        section="chain",
        cancel_focus=f"step-edit-{step.pk}",
    )


# --- contributions ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view(read=Role.EDITOR, write=Role.EDITOR)
def contribution_add(request: TenantRequest, activity_pk: int) -> HttpResponse:
    """Link the activity to a goal of the current strategy, found by searching the goal tree."""
    organisation = request.tenant.organisation
    activity = _activity(request, activity_pk)
    query = parse_text(request.POST.get("q") or request.GET.get("q"), max_length=100).strip()
    form = ContributionForm(request.POST or None, instance=Contribution(activity=activity))
    status = _status_for(request)
    if request.method == "POST" and form.is_valid():
        # Fetched through the organisation: another organisation's goal is a 404, like a missing one.
        goal = get_object_or_404(
            Goal.objects.for_organisation(organisation).select_related("strategy"),
            pk=form.cleaned_data["goal"],
        )
        strategy = _current_strategy(organisation)
        if strategy is None or goal.strategy_id != strategy.pk:
            form.add_error("goal", _("Choose a goal of the current strategy."))
        else:
            try:
                add_contribution(
                    activity=activity,
                    goal=goal,
                    strength=form.cleaned_data["strength"],
                    time_to_impact=form.cleaned_data["time_to_impact"],
                    rationale=form.cleaned_data["rationale"],
                    by=request.user,
                )
            except ActivityError as error:
                form.add_error("goal", str(error))
            else:
                return _section_response(
                    request,
                    activity,
                    section="contributions",
                    message=_("The activity now serves the goal %(goal)s.") % {"goal": goal},
                    focus="goal-search",
                )
    context = {
        **_base_context(request, activity),
        **_contributions_context(activity, query=query),
        "contribution_form": form,
    }
    context["selected_goal"] = str(request.POST.get("goal", ""))
    template = "impact/activities/contribution_add.html"
    if _fragment(request):
        if request.method == "GET" and request.htmx.target == "goal-options":
            # Feeds #goal-options as the person types in the goal search.
            context["announce"] = True
            return TemplateResponse(request, template + "#goal-options", context)
        template += "#contribution-form"
    return TemplateResponse(request, template, context, status=status)


def _contribution(activity: Activity, contribution_pk: int) -> Contribution:
    return get_object_or_404(activity.contributions.select_related("goal"), pk=contribution_pk)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view(read=Role.EDITOR, write=Role.EDITOR)
def contribution_edit(request: TenantRequest, activity_pk: int, contribution_pk: int) -> HttpResponse:
    """Change the strength, rationale or expected time to impact of a contribution, in place."""
    activity = _activity(request, activity_pk)
    contribution = _contribution(activity, contribution_pk)
    form = ContributionEditForm(
        request.POST or None, instance=contribution, auto_id=f"contribution-{contribution.pk}-%s"
    )
    status = _status_for(request)
    if request.method == "POST" and form.is_valid():
        if not saved_if_current(form, by=request.user):
            status = 409
        else:
            return _section_response(
                request,
                activity,
                section="contributions",
                message=_("The link to %(goal)s was saved.") % {"goal": contribution.goal},
                focus=f"contribution-edit-{contribution.pk}",
            )
    context = {
        **_base_context(request, activity),
        "form": form,
        "form_id": f"contribution-form-{contribution.pk}",
        "action": reverse(
            "activities:contribution_edit", args=[activity.organisation.slug, activity.pk, contribution.pk]
        ),
        "heading": _("How the activity serves %(goal)s") % {"goal": contribution.goal},
        "submit": _("Save the link"),
        "section": "contributions",
        "cancel_focus": f"contribution-edit-{contribution.pk}",
    }
    return _form_response(
        request, "impact/activities/section_form.html", "section-form", context, status=status
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view(read=Role.EDITOR, write=Role.EDITOR)
def contribution_delete(request: TenantRequest, activity_pk: int, contribution_pk: int) -> HttpResponse:
    """Confirm, then remove the link between the activity and a goal."""
    activity = _activity(request, activity_pk)
    contribution = _contribution(activity, contribution_pk)
    if request.method == "POST":
        contribution.delete()
        return _section_response(
            request,
            activity,
            section="contributions",
            message=_("The activity no longer serves %(goal)s.") % {"goal": contribution.goal},
            focus="goal-search",
        )
    return _confirm_delete(
        request,
        activity,
        question=_("Remove the link to the goal %(goal)s?") % {"goal": contribution.goal},
        action=reverse(
            "activities:contribution_delete", args=[activity.organisation.slug, activity.pk, contribution.pk]
        ),
        section="contributions",
        cancel_focus=f"contribution-edit-{contribution.pk}",
    )


# --- progress reports ---------------------------------------------------------------------------


def _report(activity: Activity, report_pk: int) -> ProgressReport:
    return get_object_or_404(activity.reports, pk=report_pk)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view(read=Role.EDITOR, write=Role.EDITOR)
def report_add(request: TenantRequest, activity_pk: int) -> HttpResponse:
    """File a progress report (opened in place in the reports section)."""
    activity = _activity(request, activity_pk)
    form = ProgressReportForm(
        request.POST or None, instance=ProgressReport(activity=activity), auto_id="new-report-%s"
    )
    if request.method == "POST" and form.is_valid():
        file_report(activity=activity, report=form.instance, by=request.user)
        return _section_response(
            request,
            activity,
            section="reports",
            message=_("The progress report was filed."),
            focus="report-add",
        )
    context = {
        **_base_context(request, activity),
        "form": form,
        "form_id": "report-form-new",
        "action": reverse("activities:report_add", args=[activity.organisation.slug, activity.pk]),
        "heading": _("File a progress report"),
        "submit": _("File the report"),
        "section": "reports",
        "cancel_focus": "report-add",
    }
    return _form_response(
        request, "impact/activities/section_form.html", "section-form", context, status=_status_for(request)
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view(read=Role.EDITOR, write=Role.EDITOR)
def report_edit(request: TenantRequest, activity_pk: int, report_pk: int) -> HttpResponse:
    """Correct a progress report in place."""
    activity = _activity(request, activity_pk)
    report = _report(activity, report_pk)
    form = ProgressReportForm(request.POST or None, instance=report, auto_id=f"report-{report.pk}-%s")
    status = _status_for(request)
    if request.method == "POST" and form.is_valid():
        if not saved_if_current(form, by=request.user):
            status = 409
        else:
            return _section_response(
                request,
                activity,
                section="reports",
                message=_("The report was saved."),
                focus=f"report-edit-{report.pk}",
            )
    context = {
        **_base_context(request, activity),
        "form": form,
        "form_id": f"report-form-{report.pk}",
        "action": reverse(
            "activities:report_edit", args=[activity.organisation.slug, activity.pk, report.pk]
        ),
        "heading": _("Edit the report of %(date)s")
        % {"date": date_format(report.reported_on, "SHORT_DATE_FORMAT")},
        "submit": _("Save the report"),
        "section": "reports",
        "cancel_focus": f"report-edit-{report.pk}",
    }
    return _form_response(
        request, "impact/activities/section_form.html", "section-form", context, status=status
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view(read=Role.EDITOR, write=Role.EDITOR)
def report_delete(request: TenantRequest, activity_pk: int, report_pk: int) -> HttpResponse:
    """Confirm, then delete a progress report."""
    activity = _activity(request, activity_pk)
    report = _report(activity, report_pk)
    if request.method == "POST":
        report.delete()
        return _section_response(
            request, activity, section="reports", message=_("The report was deleted."), focus="report-add"
        )
    return _confirm_delete(
        request,
        activity,
        question=_("Delete the progress report of %(date)s?")
        % {"date": date_format(report.reported_on, "SHORT_DATE_FORMAT")},
        action=reverse("activities:report_delete", args=[activity.organisation.slug, activity.pk, report.pk]),
        section="reports",
        cancel_focus=f"report-edit-{report.pk}",
    )


# --- yearly reviews -----------------------------------------------------------------------------


def _review(activity: Activity, review_pk: int) -> PartnershipReview:
    return get_object_or_404(activity.reviews, pk=review_pk)


def _reviewed_kind_only(activity: Activity) -> None:
    if not activity.is_reviewed_yearly:
        raise Http404(_("Only twin-town partnerships and network memberships have yearly reviews."))


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view(read=Role.EDITOR, write=Role.EDITOR)
def review_add(request: TenantRequest, activity_pk: int) -> HttpResponse:
    """Record the yearly review of a twin-town partnership or a network membership."""
    activity = _activity(request, activity_pk)
    _reviewed_kind_only(activity)
    form = ReviewForm(
        request.POST or None, instance=PartnershipReview(activity=activity), auto_id="new-review-%s"
    )
    if request.method == "POST" and form.is_valid():
        record_review(review=form.instance, by=request.user)
        return _section_response(
            request, activity, section="reviews", message=_("The review was recorded."), focus="review-add"
        )
    context = {
        **_base_context(request, activity),
        "form": form,
        "form_id": "review-form-new",
        "action": reverse("activities:review_add", args=[activity.organisation.slug, activity.pk]),
        "heading": _("Record the yearly review"),
        "submit": _("Record the review"),
        "section": "reviews",
        "cancel_focus": "review-add",
    }
    return _form_response(
        request, "impact/activities/section_form.html", "section-form", context, status=_status_for(request)
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view(read=Role.EDITOR, write=Role.EDITOR)
def review_edit(request: TenantRequest, activity_pk: int, review_pk: int) -> HttpResponse:
    """Correct a yearly review in place."""
    activity = _activity(request, activity_pk)
    review = _review(activity, review_pk)
    form = ReviewForm(request.POST or None, instance=review, auto_id=f"review-{review.pk}-%s")
    status = _status_for(request)
    if request.method == "POST" and form.is_valid():
        saved = saved_if_current(
            form,
            lambda version: record_review(review=form.instance, expected_version=version, by=request.user),
            by=request.user,
        )
        if not saved:
            status = 409
        else:
            return _section_response(
                request,
                activity,
                section="reviews",
                message=_("The review was saved."),
                focus=f"review-edit-{review.pk}",
            )
    context = {
        **_base_context(request, activity),
        "form": form,
        "form_id": f"review-form-{review.pk}",
        "action": reverse(
            "activities:review_edit", args=[activity.organisation.slug, activity.pk, review.pk]
        ),
        "heading": _("Edit the review of %(date)s")
        % {"date": date_format(review.reviewed_on, "SHORT_DATE_FORMAT")},
        "submit": _("Save the review"),
        "section": "reviews",
        "cancel_focus": f"review-edit-{review.pk}",
    }
    return _form_response(
        request, "impact/activities/section_form.html", "section-form", context, status=status
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view(read=Role.EDITOR, write=Role.EDITOR)
def review_delete(request: TenantRequest, activity_pk: int, review_pk: int) -> HttpResponse:
    """Confirm, then delete a yearly review."""
    activity = _activity(request, activity_pk)
    review = _review(activity, review_pk)
    if request.method == "POST":
        review.delete()
        return _section_response(
            request, activity, section="reviews", message=_("The review was deleted."), focus="review-add"
        )
    return _confirm_delete(
        request,
        activity,
        question=_("Delete the review of %(date)s?")
        % {"date": date_format(review.reviewed_on, "SHORT_DATE_FORMAT")},
        action=reverse("activities:review_delete", args=[activity.organisation.slug, activity.pk, review.pk]),
        section="reviews",
        cancel_focus=f"review-edit-{review.pk}",
    )
