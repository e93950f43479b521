"""Foresight pages of an organisation under /o/<org_slug>/futures/: future stories, drivers, weak
signals, futures tables, implications for the goals, the robustness view and the live signposts.

Every view goes through the tenancy guard, and every object is fetched through the organisation, so a
foreign id answers 404 exactly like a missing one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from futures import analysis
from futures.analysis import Consistency, Robustness, SignpostState, TableShape
from futures.forms import (
    CurrentGoals,
    DriverEditForm,
    DriverForm,
    FuturesTableEditForm,
    FuturesTableForm,
    ImplicationEditForm,
    ImplicationForm,
    MilestoneForm,
    PairForm,
    SignpostForm,
    StoryDriverForm,
    StoryEditForm,
    StoryForm,
    StoryPicksForm,
    ValueEditForm,
    ValueForm,
    VariableEditForm,
    VariableForm,
    WeakSignalEditForm,
    WeakSignalForm,
    current_goals,
    value_label,
)
from futures.models import (
    Driver,
    FuturesTable,
    FutureStory,
    Implication,
    IncompatiblePair,
    Signpost,
    StoryDriver,
    Variable,
    VariableValue,
    WeakSignal,
)
from futures.services import drop_foreign_picks, next_order, set_picks
from goals.models import Goal
from goals.tree import build_tree, flatten
from indicators.analysis import display_number
from indicators.models import Observation
from indicators.periods import period_label
from indicators.views import chart_page_csp
from organisations.base import conflict_message, saved_if_current
from organisations.collation import sorted_finnish
from organisations.models import Organisation, Role
from organisations.params import id_or_404, parse_id
from organisations.tenancy import TenantRequest, tenant_view

SIGNPOST_LABELS = {
    SignpostState.REACHED: gettext_lazy("reached"),
    SignpostState.NOT_REACHED: gettext_lazy("not reached"),
    SignpostState.NO_DATA: gettext_lazy("no data"),
}


def _fragment(request: TenantRequest) -> bool:
    return bool(request.htmx and not request.htmx.history_restore_request)


def _render(
    request: TenantRequest, template: str, partial: str, context: dict[str, Any], *, status: int = 200
) -> TemplateResponse:
    """The page, or only its fragment `partial` for an htmx request (not for a history restore)."""
    name = f"{template}#{partial}" if _fragment(request) else template
    base = {"tenant": request.tenant, "organisation": request.tenant.organisation}
    if _fragment(request) and status in {409, 422} and not context.get("live_message"):
        # The form comes back with its errors; the live region says so for screen-reader users.
        base["live_message"] = (
            conflict_message() if status == 409 else _("Check the form: something is missing or wrong.")
        )
        base["live_ok"] = False
    return TemplateResponse(request, name, {**base, **context}, status=status)


def _go(request: TenantRequest, url: str) -> HttpResponse:
    """After a successful form: a real redirect, or for htmx a client-side one (never a 302 into a target)."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _url(name: str, request: TenantRequest, *args: Any) -> str:
    return reverse(f"futures:{name}", args=[request.tenant.organisation.slug, *args])


def _org(request: TenantRequest) -> Organisation:
    return request.tenant.organisation


def _get_story(request: TenantRequest, story_pk: int) -> FutureStory:
    return get_object_or_404(
        FutureStory.objects.for_organisation(_org(request)).select_related(
            "futures_table", "copied_from__organisation"
        ),
        pk=story_pk,
    )


def _get_table(request: TenantRequest, table_pk: int) -> FuturesTable:
    return get_object_or_404(FuturesTable.objects.for_organisation(_org(request)), pk=table_pk)


def _posted_id(request: TenantRequest, name: str) -> int:
    """An id from the form or the query string; a malformed one is a 404 like a foreign one."""
    return id_or_404(request.POST.get(name) or request.GET.get(name))


def _confirm(
    request: TenantRequest,
    *,
    heading: str,
    question: str,
    consequences: Iterable[str] = (),
    cancel_url: str,
    hidden: dict[str, Any] | None = None,
    section: str = "stories",
) -> TemplateResponse:
    """The confirmation page every removal goes through (the POST of its form does the removal)."""
    return _render(
        request,
        "futures/confirm_delete.html",
        "confirm",
        {
            "heading": heading,
            "question": question,
            "consequences": [c for c in consequences if c],
            "cancel_url": cancel_url,
            "hidden": hidden or {},
            "section": section,
        },
    )


# --- futures tables as data -----------------------------------------------------------------------


@dataclass
class TableData:
    """A futures table with its variables (values prefetched), its shape for the analysis and its pairs."""

    table: FuturesTable
    variables: list[Variable] = field(default_factory=list)
    pairs: list[IncompatiblePair] = field(default_factory=list)

    @property
    def values(self) -> dict[int, VariableValue]:
        return {value.pk: value for variable in self.variables for value in variable.values.all()}

    @property
    def shape(self) -> TableShape:
        return TableShape(
            variables={v.pk: tuple(value.pk for value in v.values.all()) for v in self.variables},
            incompatible=frozenset(frozenset((p.first_id, p.second_id)) for p in self.pairs),
        )


def table_data(tables: QuerySet[FuturesTable]) -> dict[int, TableData]:
    """The tables with their variables, values and incompatible pairs, in three queries in all."""
    result = {table.pk: TableData(table) for table in tables}
    variables = Variable.objects.filter(table_id__in=result).prefetch_related(
        Prefetch("values", queryset=VariableValue.objects.order_by("order", "pk"))
    )
    for variable in variables.order_by("order", "pk"):
        result[variable.table_id].variables.append(variable)
    for pair in IncompatiblePair.objects.filter(table_id__in=result).select_related(
        "first__variable", "second__variable"
    ):
        result[pair.table_id].pairs.append(pair)
    return result


@dataclass(frozen=True)
class StoryCheck:
    """Whether a story's picks are a consistent choice from its futures table, in words."""

    has_table: bool
    consistency: Consistency | None = None
    missing: tuple[str, ...] = ()
    doubled: tuple[str, ...] = ()
    clashes: tuple[str, ...] = ()

    @property
    def flagged(self) -> bool:
        return bool(self.consistency and not self.consistency.is_consistent)


def check(picks: Iterable[int], data: TableData | None) -> StoryCheck:
    if data is None:
        return StoryCheck(has_table=False)
    result = analysis.check_story(data.shape, picks)
    names = {variable.pk: variable.name for variable in data.variables}
    values = data.values
    return StoryCheck(
        has_table=True,
        consistency=result,
        missing=tuple(names[pk] for pk in result.missing_variables),
        doubled=tuple(names[pk] for pk in result.doubled_variables),
        clashes=tuple(
            f"{value_label(values[a])} × {value_label(values[b])}" for a, b in result.incompatible_pairs
        ),
    )


def _picks_by_story(stories: Iterable[FutureStory]) -> dict[int, list[int]]:
    """Story id -> the ids of the values it picks (one query for all stories)."""
    through = FutureStory.picks.through
    result: dict[int, list[int]] = defaultdict(list)
    rows = through.objects.filter(futurestory_id__in=[s.pk for s in stories]).values_list(
        "futurestory_id", "variablevalue_id"
    )
    for story_id, value_id in rows:
        result[story_id].append(value_id)
    return result


# --- signposts ------------------------------------------------------------------------------------


def signposts_with_latest(queryset: QuerySet[Signpost]) -> QuerySet[Signpost]:
    """Signposts with their indicator's latest recorded value and its period, in the same query."""
    latest = Observation.objects.filter(indicator_id=OuterRef("indicator_id"), value__isnull=False).order_by(
        "-period"
    )
    return queryset.select_related("indicator", "story").annotate(
        latest_value=Subquery(latest.values("value")[:1]),
        latest_period=Subquery(latest.values("period")[:1]),
    )


@dataclass(frozen=True)
class SignpostRow:
    signpost: Signpost
    state: SignpostState

    @property
    def state_label(self) -> str:
        return str(SIGNPOST_LABELS[self.state])

    @property
    def threshold(self) -> str:
        return display_number(self.signpost.threshold)

    @property
    def latest(self) -> str:
        return display_number(getattr(self.signpost, "latest_value", None))

    @property
    def latest_period(self) -> str:
        period = getattr(self.signpost, "latest_period", None)
        return period_label(period, self.signpost.indicator.periodicity) if period else ""

    @property
    def comparison_sign(self) -> str:
        return ">" if self.signpost.comparison == Signpost.Comparison.ABOVE else "<"


def signpost_rows(signposts: Iterable[Signpost]) -> list[SignpostRow]:
    return [
        SignpostRow(
            s, analysis.evaluate_signpost(s.comparison, s.threshold, getattr(s, "latest_value", None))
        )
        for s in signposts
    ]


# --- the story list -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoryRow:
    story: FutureStory
    check: StoryCheck
    implications: int
    signposts: int


@require_GET
@vary_on_headers("HX-Request")
@tenant_view()
def story_list(request: TenantRequest) -> HttpResponse:
    """The organisation's future stories, with whether each is a consistent pick from its table."""
    organisation = _org(request)
    kind = request.GET.get("kind", "")
    stories = FutureStory.objects.for_organisation(organisation).select_related("futures_table")
    if kind in FutureStory.Kind.values:
        stories = stories.filter(kind=kind)
    else:
        kind = ""
    stories = stories.annotate(
        # Counts through joins skip the default managers: leave out what is deleted by hand.
        implication_count=Count(
            "implications", filter=Q(implications__goal__deleted_at__isnull=True), distinct=True
        ),
        signpost_count=Count(
            "signposts", filter=Q(signposts__indicator__deleted_at__isnull=True), distinct=True
        ),
    ).order_by("horizon_year", "title", "pk")
    story_list_ = list(stories)
    tables = table_data(FuturesTable.objects.for_organisation(organisation))
    picks = _picks_by_story(story_list_)
    rows = [
        StoryRow(
            story,
            check(picks.get(story.pk, []), tables.get(story.futures_table_id or 0)),
            story.implication_count,  # type: ignore[attr-defined]
            story.signpost_count,  # type: ignore[attr-defined]
        )
        for story in story_list_
    ]
    return _render(
        request,
        "futures/story_list.html",
        "story-list",
        {"rows": rows, "kind": kind, "kinds": FutureStory.Kind.choices, "section": "stories"},
    )


# --- creating and editing a story ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view()
def story_create(request: TenantRequest) -> HttpResponse:
    """Write a new story (from a futures table when ?table= names one)."""
    organisation = _org(request)
    initial: dict[str, Any] = {"kind": FutureStory.Kind.PROBABLE}
    table_id = parse_id(request.GET.get("table"))
    if table_id is not None:
        table = FuturesTable.objects.for_organisation(organisation).filter(pk=table_id).first()
        if table:
            initial["futures_table"] = table.pk
    form = StoryForm(request.POST or None, organisation=organisation, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            story = form.save(commit=False)
            story.organisation = organisation
            story.save_new(by=request.user)
            form.save_m2m()
            messages.success(
                request,
                _("The story “%(title)s” was saved. Next: pick its values, drivers and implications.")
                % {"title": story.title},
            )
            return _go(request, _url("story_detail", request, story.pk))
        status = 422
    return _render(
        request,
        "futures/story_form.html",
        "story-form",
        {"form": form, "story": None, "section": "stories"},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view()
def story_edit(request: TenantRequest, story_pk: int) -> HttpResponse:
    """Change a story's own fields (title, horizon, kind, starting point, narrative …)."""
    story = _get_story(request, story_pk)
    form = StoryEditForm(request.POST or None, instance=story, organisation=_org(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            story = form.save(commit=False)
            if not saved_if_current(form, by=request.user):
                status = 409
            else:
                form.save_m2m()
                drop_foreign_picks(story)
                messages.success(request, _("The story “%(title)s” was saved.") % {"title": story.title})
                return _go(request, _url("story_detail", request, story.pk))
        else:
            status = 422
    return _render(
        request,
        "futures/story_form.html",
        "story-form",
        {"form": form, "story": story, "section": "stories"},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view()
def story_delete(request: TenantRequest, story_pk: int) -> HttpResponse:
    story = _get_story(request, story_pk)
    if request.method == "POST":
        story.soft_delete(by=request.user)
        messages.success(
            request,
            _("The story “%(title)s” was deleted. It can be restored from Recently deleted for 30 days.")
            % {"title": story.title},
        )
        return _go(request, _url("index", request))
    counts = story.implications.count(), story.signposts.count(), story.milestones.count()
    return _confirm(
        request,
        heading=_("Delete the story “%(title)s”?") % {"title": story.title},
        question=_("The story and everything written under it will be deleted:"),
        consequences=[
            _("%(count)s implications for goals") % {"count": counts[0]} if counts[0] else "",
            _("%(count)s signposts") % {"count": counts[1]} if counts[1] else "",
            _("%(count)s milestones") % {"count": counts[2]} if counts[2] else "",
        ],
        cancel_url=_url("story_detail", request, story.pk),
    )


# --- the story page and its sections -------------------------------------------------------------


def _story_context(request: TenantRequest, story: FutureStory, **forms: Any) -> dict[str, Any]:
    """Everything the story page shows; bound forms with errors replace the empty ones."""
    organisation = _org(request)
    data = (
        table_data(FuturesTable.objects.filter(pk=story.futures_table_id)).get(story.futures_table_id)
        if story.futures_table_id
        else None
    )
    picked = set(story.picks.values_list("pk", flat=True))
    picks_form = forms.get("picks_form") or (
        StoryPicksForm(variables=data.variables, picked=picked, prefix="picks") if data else None
    )
    chosen = [value for value in (data.values.values() if data else []) if value.pk in picked]
    can_publish = organisation.is_association and request.tenant.membership.role == Role.STEWARD
    # The strategy's goals, fetched once for both goal pickers (and not at all when both come bound).
    goals: list[CurrentGoals] = []

    def current() -> CurrentGoals:
        if not goals:
            goals.append(current_goals(organisation))
        return goals[0]

    return {
        "story": story,
        "section": "stories",
        "can_edit": request.tenant.can_edit,
        "can_publish": can_publish,
        "megatrends": list(story.megatrends.order_by("-edition", "number")),
        "story_drivers": sorted_finnish(
            story.story_drivers.select_related("driver__megatrend"), key=lambda d: d.driver.name
        ),
        "table": data,
        "chosen": chosen,
        "check": check(picked, data),
        "picks_form": picks_form,
        "signposts": signpost_rows(signposts_with_latest(story.signposts.order_by("pk"))),
        "milestones": list(story.milestones.select_related("goal").order_by("year", "pk")),
        "implications": list(
            story.implications.select_related("goal").order_by("goal__strategy_id", "goal__order", "goal_id")
        ),
        "driver_form": forms.get("driver_form")
        or StoryDriverForm(organisation=organisation, prefix="driver"),
        "signpost_form": forms.get("signpost_form")
        or SignpostForm(organisation=organisation, prefix="signpost"),
        "milestone_form": forms.get("milestone_form")
        or MilestoneForm(organisation=organisation, current=current(), prefix="milestone"),
        "implication_form": forms.get("implication_form")
        or ImplicationForm(organisation=organisation, story=story, current=current(), prefix="implication"),
    }


@require_GET
@vary_on_headers("HX-Request")
@tenant_view()
def story_detail(request: TenantRequest, story_pk: int) -> HttpResponse:
    """A story with its picks, drivers, signposts (live), milestones and implications for goals."""
    story = _get_story(request, story_pk)
    return _render(request, "futures/story_detail.html", "story-body", _story_context(request, story))


def _section_saved(
    request: TenantRequest, story: FutureStory, partial: str, message: str, ok: bool = True
) -> HttpResponse:
    """After a change in a section: htmx gets the section again and the message in the live region."""
    if _fragment(request):
        context = {**_story_context(request, story), "live_message": message, "live_ok": ok}
        return _render(request, "futures/story_detail.html", partial, context)
    (messages.success if ok else messages.warning)(request, message)
    return redirect(_url("story_detail", request, story.pk) + f"#{partial}")


def _section_invalid(request: TenantRequest, story: FutureStory, partial: str, **forms: Any) -> HttpResponse:
    """A section's form with its errors (the whole page without htmx), status 422, input kept."""
    context = {
        **_story_context(request, story, **forms),
        "live_message": _("Check the form: something is missing or wrong.") if _fragment(request) else "",
        "live_ok": False,
    }
    return _render(request, "futures/story_detail.html", partial, context, status=422)


def _picks_message(result: StoryCheck) -> tuple[str, bool]:
    if result.clashes:
        return _("The values were saved, but the story picks an incompatible pair: %(pairs)s.") % {
            "pairs": "; ".join(result.clashes)
        }, False
    if result.missing:
        return _("The values were saved. No value is chosen yet for: %(names)s.") % {
            "names": ", ".join(result.missing)
        }, False
    return _("The values were saved: the story is a consistent choice from the table."), True


@require_POST
@vary_on_headers("HX-Request")
@tenant_view()
def story_picks(request: TenantRequest, story_pk: int) -> HttpResponse:
    """Save the value the story picks for each variable of its futures table."""
    story = _get_story(request, story_pk)
    if story.futures_table_id is None:
        raise Http404(_("The story has no futures table."))
    data = table_data(FuturesTable.objects.filter(pk=story.futures_table_id))[story.futures_table_id]
    form = StoryPicksForm(request.POST, variables=data.variables, picked=set(), prefix="picks")
    if not form.is_valid():
        return _section_invalid(request, story, "story-picks", picks_form=form)
    set_picks(story=story, value_ids=form.chosen())
    message, ok = _picks_message(check(story.picks.values_list("pk", flat=True), data))
    return _section_saved(request, story, "story-picks", message, ok)


@require_POST
@vary_on_headers("HX-Request")
@tenant_view()
def story_driver_add(request: TenantRequest, story_pk: int) -> HttpResponse:
    """Add a driver with its assumed state to the story (or change the state of one already there)."""
    story = _get_story(request, story_pk)
    form = StoryDriverForm(request.POST, organisation=_org(request), prefix="driver")
    if not form.is_valid():
        return _section_invalid(request, story, "story-drivers", driver_form=form)
    driver = form.cleaned_data["driver"]
    _row, created = StoryDriver.objects.update_or_create(
        story=story, driver=driver, defaults={"assumed_state": form.cleaned_data["assumed_state"]}
    )
    message = (
        _("The driver “%(name)s” was added to the story.")
        if created
        else _("The assumed state of “%(name)s” was changed.")
    ) % {"name": driver.name}
    return _section_saved(request, story, "story-drivers", message)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view()
def story_driver_remove(request: TenantRequest, story_pk: int, driver_pk: int) -> HttpResponse:
    story = _get_story(request, story_pk)
    row = get_object_or_404(story.story_drivers.select_related("driver"), driver_id=driver_pk)
    if request.method == "POST":
        row.delete()
        messages.success(
            request, _("The driver “%(name)s” was taken out of the story.") % {"name": row.driver.name}
        )
        return _go(request, _url("story_detail", request, story.pk) + "#story-drivers")
    return _confirm(
        request,
        heading=_("Take “%(name)s” out of the story?") % {"name": row.driver.name},
        question=_("The assumed state written for it (“%(state)s”) is removed; the driver itself stays.")
        % {"state": row.assumed_state},
        cancel_url=_url("story_detail", request, story.pk) + "#story-drivers",
    )


@require_POST
@vary_on_headers("HX-Request")
@tenant_view()
def signpost_add(request: TenantRequest, story_pk: int) -> HttpResponse:
    story = _get_story(request, story_pk)
    form = SignpostForm(request.POST, organisation=_org(request), prefix="signpost")
    if not form.is_valid():
        return _section_invalid(request, story, "story-signposts", signpost_form=form)
    signpost = form.save(commit=False)
    signpost.story = story
    signpost.save()
    return _section_saved(
        request,
        story,
        "story-signposts",
        _("The signpost on “%(name)s” was added.") % {"name": signpost.indicator.name},
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view()
def signpost_delete(request: TenantRequest, story_pk: int, signpost_pk: int) -> HttpResponse:
    story = _get_story(request, story_pk)
    signpost = get_object_or_404(story.signposts.select_related("indicator"), pk=signpost_pk)
    back = _url("story_detail", request, story.pk) + "#story-signposts"
    if request.method == "POST":
        signpost.delete()
        messages.success(request, _("The signpost was removed."))
        return _go(request, back)
    return _confirm(
        request,
        heading=_("Remove the signpost on “%(name)s”?") % {"name": signpost.indicator.name},
        question=_("The indicator and its values stay; only this story stops watching it."),
        cancel_url=back,
    )


@require_POST
@vary_on_headers("HX-Request")
@tenant_view()
def milestone_add(request: TenantRequest, story_pk: int) -> HttpResponse:
    story = _get_story(request, story_pk)
    form = MilestoneForm(request.POST, organisation=_org(request), prefix="milestone")
    if not form.is_valid():
        return _section_invalid(request, story, "story-milestones", milestone_form=form)
    milestone = form.save(commit=False)
    milestone.story = story
    milestone.save()
    return _section_saved(
        request,
        story,
        "story-milestones",
        _("The milestone of %(year)s was added.") % {"year": milestone.year},
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view()
def milestone_delete(request: TenantRequest, story_pk: int, milestone_pk: int) -> HttpResponse:
    story = _get_story(request, story_pk)
    milestone = get_object_or_404(story.milestones, pk=milestone_pk)
    back = _url("story_detail", request, story.pk) + "#story-milestones"
    if request.method == "POST":
        milestone.delete()
        messages.success(request, _("The milestone was removed."))
        return _go(request, back)
    return _confirm(
        request,
        heading=_("Remove the milestone of %(year)s?") % {"year": milestone.year},
        question=milestone.must_be_true,
        cancel_url=back,
    )


@require_POST
@vary_on_headers("HX-Request")
@tenant_view()
def implication_add(request: TenantRequest, story_pk: int) -> HttpResponse:
    story = _get_story(request, story_pk)
    form = ImplicationForm(request.POST, organisation=_org(request), story=story, prefix="implication")
    if not form.is_valid():
        return _section_invalid(request, story, "story-implications", implication_form=form)
    implication = form.save(commit=False)
    implication.story = story
    implication.save_new(by=request.user)
    return _section_saved(
        request,
        story,
        "story-implications",
        _("The implication for “%(goal)s” was added.") % {"goal": implication.goal},
    )


def _get_implication(request: TenantRequest, story: FutureStory, implication_pk: int) -> Implication:
    return get_object_or_404(story.implications.select_related("goal"), pk=implication_pk)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view()
def implication_edit(request: TenantRequest, story_pk: int, implication_pk: int) -> HttpResponse:
    story = _get_story(request, story_pk)
    implication = _get_implication(request, story, implication_pk)
    form = ImplicationEditForm(
        request.POST or None, instance=implication, organisation=_org(request), story=story
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            implication = form.save(commit=False)
            if not saved_if_current(form, by=request.user):
                status = 409
            else:
                messages.success(
                    request, _("The implication for “%(goal)s” was saved.") % {"goal": implication.goal}
                )
                return _go(request, _url("story_detail", request, story.pk) + "#story-implications")
        else:
            status = 422
    return _render(
        request,
        "futures/implication_form.html",
        "implication-form",
        {"form": form, "story": story, "implication": implication, "section": "stories"},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view()
def implication_delete(request: TenantRequest, story_pk: int, implication_pk: int) -> HttpResponse:
    story = _get_story(request, story_pk)
    implication = _get_implication(request, story, implication_pk)
    back = _url("story_detail", request, story.pk) + "#story-implications"
    if request.method == "POST":
        implication.delete()
        messages.success(request, _("The implication was removed."))
        return _go(request, back)
    return _confirm(
        request,
        heading=_("Remove the implication for “%(goal)s”?") % {"goal": implication.goal},
        question=_("The goal then counts as not assessed against this story in the robustness view."),
        cancel_url=back,
    )


# --- drivers --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view()
def driver_list(request: TenantRequest) -> HttpResponse:
    """The organisation's drivers of change, with a form to add one."""
    organisation = _org(request)
    form = DriverForm(request.POST or None, prefix="new")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            driver = form.save(commit=False)
            driver.organisation = organisation
            driver.save_new(by=request.user)
            messages.success(request, _("The driver “%(name)s” was added.") % {"name": driver.name})
            return _go(request, _url("driver_list", request))
        status = 422
    drivers = sorted_finnish(
        Driver.objects.for_organisation(organisation)
        .select_related("megatrend")
        .annotate(signal_count=Count("signals", distinct=True)),
        key=lambda d: d.name,
    )
    return _render(
        request,
        "futures/driver_list.html",
        "driver-list",
        {"drivers": drivers, "form": form, "section": "drivers"},
        status=status,
    )


def _get_driver(request: TenantRequest, driver_pk: int) -> Driver:
    return get_object_or_404(Driver.objects.for_organisation(_org(request)), pk=driver_pk)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view()
def driver_edit(request: TenantRequest, driver_pk: int) -> HttpResponse:
    driver = _get_driver(request, driver_pk)
    form = DriverEditForm(request.POST or None, instance=driver)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            driver = form.save(commit=False)
            if not saved_if_current(form, by=request.user):
                status = 409
            else:
                messages.success(request, _("The driver “%(name)s” was saved.") % {"name": driver.name})
                return _go(request, _url("driver_list", request))
        else:
            status = 422
    return _render(
        request,
        "futures/driver_form.html",
        "driver-form",
        {"form": form, "driver": driver, "section": "drivers"},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view()
def driver_delete(request: TenantRequest, driver_pk: int) -> HttpResponse:
    driver = _get_driver(request, driver_pk)
    if request.method == "POST":
        driver.delete()
        messages.success(request, _("The driver “%(name)s” was deleted.") % {"name": driver.name})
        return _go(request, _url("driver_list", request))
    stories = StoryDriver.objects.filter(driver=driver).count()
    variables = Variable.objects.filter(driver=driver).count()
    return _confirm(
        request,
        heading=_("Delete the driver “%(name)s”?") % {"name": driver.name},
        question=_("Deleting it also changes these:"),
        consequences=[
            _("%(count)s stories lose it and the state they assume for it") % {"count": stories}
            if stories
            else "",
            _("%(count)s futures-table variables keep their values but no longer name it")
            % {"count": variables}
            if variables
            else "",
            _("weak signals stay, without the link to it"),
        ],
        cancel_url=_url("driver_list", request),
        section="drivers",
    )


# --- weak signals ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view()
def signal_list(request: TenantRequest) -> HttpResponse:
    """The weak-signal log, newest first, optionally of one driver; and a form to log a signal."""
    organisation = _org(request)
    form = WeakSignalForm(request.POST or None, organisation=organisation, prefix="new")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            signal = form.save(commit=False)
            signal.organisation = organisation
            signal.save_new(by=request.user)
            form.save_m2m()
            messages.success(request, _("The signal was logged."))
            return _go(request, _url("signal_list", request))
        status = 422
    drivers = sorted_finnish(Driver.objects.for_organisation(organisation), key=lambda d: d.name)
    chosen_id = parse_id(request.GET.get("driver"))
    signals = WeakSignal.objects.for_organisation(organisation).prefetch_related(
        Prefetch("drivers", queryset=Driver.objects.order_by("name"))
    )
    chosen = ""
    if any(d.pk == chosen_id for d in drivers):
        signals = signals.filter(drivers=chosen_id)
        chosen = str(chosen_id)
    return _render(
        request,
        "futures/signal_list.html",
        "signal-list",
        {
            "signals": list(signals),
            "drivers": drivers,
            "chosen": chosen,
            "form": form,
            "section": "signals",
        },
        status=status,
    )


def _get_signal(request: TenantRequest, signal_pk: int) -> WeakSignal:
    return get_object_or_404(WeakSignal.objects.for_organisation(_org(request)), pk=signal_pk)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view()
def signal_edit(request: TenantRequest, signal_pk: int) -> HttpResponse:
    signal = _get_signal(request, signal_pk)
    form = WeakSignalEditForm(request.POST or None, instance=signal, organisation=_org(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            signal = form.save(commit=False)
            if not saved_if_current(form, by=request.user):
                status = 409
            else:
                form.save_m2m()
                messages.success(request, _("The signal was saved."))
                return _go(request, _url("signal_list", request))
        else:
            status = 422
    return _render(
        request,
        "futures/signal_form.html",
        "signal-form",
        {"form": form, "signal": signal, "section": "signals"},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view()
def signal_delete(request: TenantRequest, signal_pk: int) -> HttpResponse:
    signal = _get_signal(request, signal_pk)
    if request.method == "POST":
        signal.delete()
        messages.success(request, _("The signal was deleted from the log."))
        return _go(request, _url("signal_list", request))
    return _confirm(
        request,
        heading=_("Delete the signal from the log?"),
        question=signal.signal,
        cancel_url=_url("signal_list", request),
        section="signals",
    )


# --- futures tables -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view()
def table_list(request: TenantRequest) -> HttpResponse:
    """The organisation's futures tables, with a form to start one."""
    organisation = _org(request)
    form = FuturesTableForm(request.POST or None, prefix="new")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            table = form.save(commit=False)
            table.organisation = organisation
            table.save_new(by=request.user)
            messages.success(
                request,
                _("The table “%(name)s” was created. Next: add its variables and their alternative values.")
                % {"name": table.name},
            )
            return _go(request, _url("table_detail", request, table.pk))
        status = 422
    tables = sorted_finnish(
        FuturesTable.objects.for_organisation(organisation).annotate(
            variable_count=Count("variables", distinct=True),
            story_count=Count("stories", filter=Q(stories__deleted_at__isnull=True), distinct=True),
        ),
        key=lambda t: t.name,
    )
    return _render(
        request,
        "futures/table_list.html",
        "table-list",
        {"tables": tables, "form": form, "section": "tables"},
        status=status,
    )


@dataclass(frozen=True)
class ValueCell:
    value: VariableValue
    stories: list[FutureStory]
    form: ValueForm


@dataclass(frozen=True)
class VariableRow:
    variable: Variable
    cells: list[ValueCell]
    form: VariableForm
    add_value_form: ValueForm


def _table_context(request: TenantRequest, table: FuturesTable, **forms: Any) -> dict[str, Any]:
    """The table editor: variables × values with the stories that pick each value, and the checks."""
    organisation = _org(request)
    data = table_data(FuturesTable.objects.filter(pk=table.pk))[table.pk]
    stories = list(table.stories.order_by("horizon_year", "title", "pk"))
    picks = _picks_by_story(stories)
    coverage = analysis.coverage(data.shape, {s.pk: picks.get(s.pk, []) for s in stories})
    by_id = {s.pk: s for s in stories}
    bound = forms.get("bound", {})
    rows = [
        VariableRow(
            variable=variable,
            cells=[
                ValueCell(
                    value=value,
                    stories=[by_id[pk] for pk in coverage.get(value.pk, [])],
                    form=bound.get(f"value-{value.pk}")
                    or ValueEditForm(instance=value, prefix=f"value-{value.pk}"),
                )
                for value in variable.values.all()
            ],
            form=bound.get(f"variable-{variable.pk}")
            or VariableEditForm(
                instance=variable, organisation=organisation, prefix=f"variable-{variable.pk}"
            ),
            add_value_form=bound.get(f"new-value-{variable.pk}")
            or ValueForm(prefix=f"new-value-{variable.pk}"),
        )
        for variable in data.variables
    ]
    checks = [(story, check(picks.get(story.pk, []), data)) for story in stories]
    shape = data.shape
    return {
        "table": table,
        "rows": rows,
        "pairs": data.pairs,
        "checks": checks,
        "combinations_total": shape.combinations_total if data.variables else 0,
        "combinations_covered": analysis.covered_combinations(
            shape, {s.pk: picks.get(s.pk, []) for s in stories}
        ),
        "uncovered_values": sum(1 for stories_ in coverage.values() if not stories_),
        "variable_form": forms.get("variable_form")
        or VariableForm(organisation=organisation, prefix="variable"),
        "pair_form": forms.get("pair_form") or PairForm(table=table, prefix="pair"),
        "can_edit": request.tenant.can_edit,
        "section": "tables",
    }


@require_GET
@vary_on_headers("HX-Request")
@tenant_view()
def table_detail(request: TenantRequest, table_pk: int) -> HttpResponse:
    """The futures table editor and its coverage: which values and combinations the stories cover."""
    table = _get_table(request, table_pk)
    return _render(request, "futures/table_detail.html", "table-editor", _table_context(request, table))


def _table_saved(request: TenantRequest, table: FuturesTable, message: str) -> HttpResponse:
    if _fragment(request):
        context = {**_table_context(request, table), "live_message": message, "live_ok": True}
        return _render(request, "futures/table_detail.html", "table-editor", context)
    messages.success(request, message)
    return redirect(_url("table_detail", request, table.pk))


def _table_invalid(
    request: TenantRequest, table: FuturesTable, *, status: int = 422, **forms: Any
) -> HttpResponse:
    """The editor again with the posted forms and their errors (422), or with a conflict (409)."""
    if status == 409:
        message = conflict_message()
        if not _fragment(request):
            messages.error(request, message)  # the page's role="status" live region shows it
    else:
        message = _("Check the form: something is missing or wrong.")
    context = {
        **_table_context(request, table, **forms),
        "live_message": message if _fragment(request) else "",
        "live_ok": False,
    }
    return _render(request, "futures/table_detail.html", "table-editor", context, status=status)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view()
def table_edit(request: TenantRequest, table_pk: int) -> HttpResponse:
    table = _get_table(request, table_pk)
    form = FuturesTableEditForm(request.POST or None, instance=table)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            table = form.save(commit=False)
            if not saved_if_current(form, by=request.user):
                status = 409
            else:
                messages.success(request, _("The table “%(name)s” was saved.") % {"name": table.name})
                return _go(request, _url("table_detail", request, table.pk))
        else:
            status = 422
    return _render(
        request,
        "futures/table_form.html",
        "table-form",
        {"form": form, "table": table, "section": "tables"},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view()
def table_delete(request: TenantRequest, table_pk: int) -> HttpResponse:
    table = _get_table(request, table_pk)
    if request.method == "POST":
        table.delete()
        messages.success(request, _("The table “%(name)s” was deleted.") % {"name": table.name})
        return _go(request, _url("table_list", request))
    stories = table.stories.count()
    return _confirm(
        request,
        heading=_("Delete the futures table “%(name)s”?") % {"name": table.name},
        question=_("Its variables, values and incompatible pairs are deleted."),
        consequences=[
            _("%(count)s stories keep their texts but lose the values they pick from it") % {"count": stories}
            if stories
            else ""
        ],
        cancel_url=_url("table_detail", request, table.pk),
        section="tables",
    )


@require_POST
@vary_on_headers("HX-Request")
@tenant_view()
def variable_add(request: TenantRequest, table_pk: int) -> HttpResponse:
    table = _get_table(request, table_pk)
    form = VariableForm(request.POST, organisation=_org(request), prefix="variable")
    if not form.is_valid():
        return _table_invalid(request, table, variable_form=form)
    variable = form.save(commit=False)
    variable.table = table
    variable.order = next_order(table.variables)
    variable.save_new(by=request.user)
    return _table_saved(
        request,
        table,
        _("The variable “%(name)s” was added. Add its alternative values.") % {"name": variable.name},
    )


@require_POST
@vary_on_headers("HX-Request")
@tenant_view()
def variable_change(request: TenantRequest, table_pk: int) -> HttpResponse:
    table = _get_table(request, table_pk)
    variable = get_object_or_404(table.variables, pk=_posted_id(request, "variable"))
    prefix = f"variable-{variable.pk}"
    form = VariableEditForm(request.POST, instance=variable, organisation=_org(request), prefix=prefix)
    if not form.is_valid():
        return _table_invalid(request, table, bound={prefix: form})
    if not saved_if_current(form, by=request.user):
        return _table_invalid(request, table, status=409, bound={prefix: form})
    return _table_saved(request, table, _("The variable “%(name)s” was saved.") % {"name": variable.name})


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view()
def variable_remove(request: TenantRequest, table_pk: int) -> HttpResponse:
    table = _get_table(request, table_pk)
    variable = get_object_or_404(table.variables, pk=_posted_id(request, "variable"))
    back = _url("table_detail", request, table.pk)
    if request.method == "POST":
        variable.delete()
        messages.success(request, _("The variable “%(name)s” was removed.") % {"name": variable.name})
        return _go(request, back)
    picks = FutureStory.picks.through.objects.filter(variablevalue__variable=variable).count()
    return _confirm(
        request,
        heading=_("Remove the variable “%(name)s”?") % {"name": variable.name},
        question=_("Its alternative values and the incompatible pairs they are in go with it."),
        consequences=[_("%(count)s picks of stories are lost") % {"count": picks} if picks else ""],
        cancel_url=back,
        hidden={"variable": variable.pk},
        section="tables",
    )


@require_POST
@vary_on_headers("HX-Request")
@tenant_view()
def value_add(request: TenantRequest, table_pk: int) -> HttpResponse:
    table = _get_table(request, table_pk)
    variable = get_object_or_404(table.variables, pk=_posted_id(request, "variable"))
    prefix = f"new-value-{variable.pk}"
    form = ValueForm(request.POST, prefix=prefix)
    if not form.is_valid():
        return _table_invalid(request, table, bound={prefix: form})
    value = form.save(commit=False)
    value.variable = variable
    value.order = next_order(variable.values)
    value.save_new(by=request.user)
    return _table_saved(
        request,
        table,
        _("The value “%(label)s” was added to “%(name)s”.") % {"label": value.label, "name": variable.name},
    )


def _get_value(table: FuturesTable, request: TenantRequest) -> VariableValue:
    return get_object_or_404(
        VariableValue.objects.filter(variable__table=table).select_related("variable"),
        pk=_posted_id(request, "value"),
    )


@require_POST
@vary_on_headers("HX-Request")
@tenant_view()
def value_change(request: TenantRequest, table_pk: int) -> HttpResponse:
    table = _get_table(request, table_pk)
    value = _get_value(table, request)
    prefix = f"value-{value.pk}"
    form = ValueEditForm(request.POST, instance=value, prefix=prefix)
    if not form.is_valid():
        return _table_invalid(request, table, bound={prefix: form})
    if not saved_if_current(form, by=request.user):
        return _table_invalid(request, table, status=409, bound={prefix: form})
    return _table_saved(request, table, _("The value “%(label)s” was saved.") % {"label": value.label})


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view()
def value_remove(request: TenantRequest, table_pk: int) -> HttpResponse:
    table = _get_table(request, table_pk)
    value = _get_value(table, request)
    back = _url("table_detail", request, table.pk)
    if request.method == "POST":
        value.delete()
        messages.success(request, _("The value “%(label)s” was removed.") % {"label": value.label})
        return _go(request, back)
    stories = value.stories.count()
    return _confirm(
        request,
        heading=_("Remove the value “%(label)s” of “%(name)s”?")
        % {"label": value.label, "name": value.variable.name},
        question=_("Incompatible pairs with this value go with it."),
        consequences=[_("%(count)s stories lose this pick") % {"count": stories} if stories else ""],
        cancel_url=back,
        hidden={"value": value.pk},
        section="tables",
    )


@require_POST
@vary_on_headers("HX-Request")
@tenant_view()
def pair_add(request: TenantRequest, table_pk: int) -> HttpResponse:
    table = _get_table(request, table_pk)
    form = PairForm(request.POST, table=table, prefix="pair")
    if not form.is_valid():
        return _table_invalid(request, table, pair_form=form)
    pair = IncompatiblePair.objects.create(
        table=table,
        first=form.cleaned_data["first"],
        second=form.cleaned_data["second"],
        reason=form.cleaned_data["reason"],
    )
    return _table_saved(
        request,
        table,
        _("Marked incompatible: %(first)s × %(second)s.")
        % {"first": value_label(pair.first), "second": value_label(pair.second)},
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view()
def pair_remove(request: TenantRequest, table_pk: int) -> HttpResponse:
    table = _get_table(request, table_pk)
    pair = get_object_or_404(
        table.incompatible_pairs.select_related("first__variable", "second__variable"),
        pk=_posted_id(request, "pair"),
    )
    back = _url("table_detail", request, table.pk)
    if request.method == "POST":
        pair.delete()
        messages.success(request, _("The two values are no longer marked incompatible."))
        return _go(request, back)
    return _confirm(
        request,
        heading=_("Allow %(first)s together with %(second)s?")
        % {"first": value_label(pair.first), "second": value_label(pair.second)},
        question=_("Stories that pick both are then no longer flagged.")
        + (" " + _("The reason given was: %(reason)s") % {"reason": pair.reason} if pair.reason else ""),
        cancel_url=back,
        hidden={"pair": pair.pk},
        section="tables",
    )


# --- robustness -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    story: FutureStory
    implication: Implication | None

    @property
    def signed(self) -> int | None:
        return self.implication.signed_strength if self.implication else None

    @property
    def shown(self) -> str:
        """The number as the table shows it: +3 or −2 (a real minus sign), or a dash."""
        value = self.signed
        if value is None:
            return "–"
        return f"+{value}" if value > 0 else f"−{-value}"


@dataclass(frozen=True)
class RobustnessRow:
    goal: Goal
    cells: list[Cell]
    robustness: Robustness

    @property
    def label(self) -> str:
        return self.robustness.label


@dataclass(frozen=True)
class RobustnessView:
    stories: list[FutureStory]
    rows: list[RobustnessRow]
    unassessed: list[Goal]

    @property
    def matrix(self) -> list[list[int | None]]:
        return [[cell.signed for cell in row.cells] for row in self.rows]

    def figure(self) -> dict[str, Any]:
        return analysis.heatmap_figure(
            [str(row.goal) for row in self.rows],
            [f"{story.title} ({story.horizon_year})" for story in self.stories],
            self.matrix,
            _("What the future stories mean for the goals"),
        )

    def counts(self) -> list[tuple[str, str, int]]:
        """How many goals fall into each robustness class."""
        result: dict[Robustness, int] = defaultdict(int)
        for row in self.rows:
            result[row.robustness] += 1
        return [(r.value, r.label, result[r]) for r in Robustness if result[r]]


def robustness_view(organisation: Organisation) -> RobustnessView:
    """Goals × stories from the implications (four queries, whatever the number of rows)."""
    stories = list(FutureStory.objects.for_organisation(organisation).order_by("horizon_year", "title", "pk"))
    implications = list(
        Implication.objects.filter(story__organisation=organisation).only(
            "pk", "story_id", "goal_id", "kind", "strength", "action"
        )
    )
    by_goal: dict[int, dict[int, Implication]] = defaultdict(dict)
    for implication in implications:
        by_goal[implication.goal_id][implication.story_id] = implication
    _strategy, current = current_goals(organisation)
    current_ids = {goal.pk for goal, _depth in current}
    others = list(
        Goal.objects.filter(pk__in=set(by_goal) - current_ids).order_by(
            "-strategy__term_start", "strategy_id"
        )
    )
    ordered = [goal for goal, _depth in current] + [node.goal for node in flatten(build_tree(others))]
    # Goals of older strategies whose parent is not among them are roots of their own little trees.
    seen = {goal.pk for goal in ordered}
    ordered += [goal for goal in others if goal.pk not in seen]
    rows = []
    for goal in ordered:
        if goal.pk not in by_goal:
            continue
        cells = [Cell(story, by_goal[goal.pk].get(story.pk)) for story in stories]
        signed = {c.story.pk: c.signed for c in cells if c.signed is not None}
        rows.append(RobustnessRow(goal, cells, analysis.robustness(signed, len(stories))))  # type: ignore[arg-type]
    unassessed = [goal for goal, _depth in current if goal.pk not in by_goal]
    return RobustnessView(stories=stories, rows=rows, unassessed=unassessed)


@require_GET
@vary_on_headers("HX-Request")
@tenant_view()
def robustness(request: TenantRequest) -> HttpResponse:
    """Which goals hold across the futures and which depend on one: a heat map and the same numbers."""
    view = robustness_view(_org(request))
    figure = None
    if view.rows:
        figure = view.figure()
        # No mode bar: its buttons would be focusable inside the canvas hidden from assistive technology
        # (the table beside the chart is what screen-reader and keyboard users read).
        figure["config"] = {"displaylogo": False, "responsive": True, "displayModeBar": False}
    response = _render(
        request,
        "futures/robustness.html",
        "robustness",
        {"view": view, "figure": figure, "section": "robustness"},
    )
    if figure is not None:
        # A chart page: plotly.js's <style> elements carry the page's nonce (see indicators.views).
        response._csp_config = chart_page_csp()  # type: ignore[attr-defined]
    return response


# --- the signpost board ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StorySignposts:
    story: FutureStory
    rows: list[SignpostRow]

    @property
    def reached(self) -> int:
        return sum(1 for row in self.rows if row.state == SignpostState.REACHED)

    @property
    def with_data(self) -> int:
        return sum(1 for row in self.rows if row.state != SignpostState.NO_DATA)

    @property
    def share(self) -> float:
        return self.reached / len(self.rows) if self.rows else 0.0


@require_GET
@vary_on_headers("HX-Request")
@tenant_view()
def signpost_board(request: TenantRequest) -> HttpResponse:
    """Every story's signposts against the latest values: which future the data points towards now."""
    signposts = signposts_with_latest(
        Signpost.objects.filter(story__organisation=_org(request)).order_by(
            "story__horizon_year", "story__title", "story_id", "pk"
        )
    )
    groups: dict[int, StorySignposts] = {}
    for row in signpost_rows(signposts):
        story = row.signpost.story
        groups.setdefault(story.pk, StorySignposts(story, [])).rows.append(row)
    boards = list(groups.values())
    best = max((b.share for b in boards), default=0.0)
    leading = [b for b in boards if best > 0 and b.share == best]
    return _render(
        request,
        "futures/signpost_board.html",
        "signpost-board",
        {"boards": boards, "leading": leading, "section": "signposts"},
    )
