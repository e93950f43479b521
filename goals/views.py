"""Views of strategies and goals: the strategy list, the strategy page with its goal tree edited in place,
the goal page (SDG targets, indicators, roll-up, quality checklist, panels of other apps), the next council
term and the exports. Every view goes through the tenancy guard; objects are fetched through the
organisation, so another organisation's id is a 404."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format, localize
from django.utils.html import conditional_escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from goals import exports
from goals.forms import GoalDeleteForm, GoalEditForm, GoalForm, NextTermForm, StrategyEditForm, StrategyForm
from goals.measures import MeasuredIndicator, StrategyMeasures, measure_strategy
from goals.models import Goal, Strategy, StrategyQuerySet, current_of
from goals.quality import ItemResult, summarise
from goals.registry import goal_panels
from goals.services import (
    add_sdg_target,
    create_goal,
    delete_goal,
    link_indicator,
    remove_sdg_target,
    unlink_indicator,
)
from goals.tree import (
    LEVEL_NAMES,
    ROLLUP_AT_RISK,
    ROLLUP_ON_TRACK,
    Node,
    Rollup,
    TreeError,
    carry_over,
    indent,
    move_down,
    move_up,
    outdent,
)
from indicators import analysis
from indicators.models import Indicator, IndicatorTemplate, SdgTarget
from indicators.periods import period_label
from indicators.progress import Status
from indicators.views import chart_page_csp
from organisations.audit_log import audit
from organisations.base import saved_if_current
from organisations.collation import finnish_key, sorted_finnish
from organisations.models import User
from organisations.params import id_or_404, parse_text
from organisations.tenancy import TenantRequest, tenant_view

SEARCH_LIMIT = 20
SEARCH_LENGTH = 100  # characters of a search that count
FOCUS_VALUE = re.compile(r"^goal-(\d+)-(title|add|edit|delete)$|^add-top-goal$")


def _posted(request: TenantRequest) -> Any:
    """The form data of a POST (even an empty one, so the form is bound and says what is missing)."""
    return request.POST if request.method == "POST" else None


def _fragment(request: TenantRequest) -> bool:
    return bool(request.htmx and not request.htmx.history_restore_request)


def _strategies(request: TenantRequest) -> StrategyQuerySet:
    return Strategy.objects.for_organisation(request.tenant.organisation)


def _get_strategy(request: TenantRequest, strategy_pk: int) -> Strategy:
    return get_object_or_404(_strategies(request).select_related("predecessor"), pk=strategy_pk)


def _get_goal(request: TenantRequest, goal_pk: int) -> Goal:
    return get_object_or_404(
        Goal.objects.for_organisation(request.tenant.organisation).select_related(
            # The organisation too: panels link back to it (the robustness view of the futures panel).
            "strategy__organisation",
            "owner",
            "parent",
            "predecessor__strategy",
        ),
        pk=goal_pk,
    )


# --- the goal tree as the pages show it --------------------------------------------------------------


@dataclass
class GoalRow:
    """One goal of the tree with what the tree shows about it.

    The rows come as one list in tree order (a goal, then its sub-goals), so the page renders them in one
    loop instead of an include per goal: `has_children` opens the nested list after the row, `closes`
    counts the nested lists (`</ul></li>`) a last child closes after its own `</li>`. The texts come
    translated and escaped (`RowTexts`): a tree has hundreds of them, and a translation tag per text and
    row was most of the page's time.
    """

    node: Node
    rollup: Rollup
    quality: list[ItemResult]
    indicator_count: int
    is_first: bool
    is_last: bool
    urls: GoalUrls
    focus: str = ""  # which of the goal's controls gets the focus after an htmx action
    has_children: bool = False
    closes: range = range(0)
    text: RowText | None = None

    @property
    def ref(self) -> str:
        """The goal's pk as text, for the element ids (a number in a template goes through localisation)."""
        return str(self.node.goal.pk)

    @property
    def goal(self) -> Goal:
        return self.node.goal

    @property
    def passed(self) -> int:
        return sum(item.passed for item in self.quality)

    @property
    def to_fix(self) -> list[ItemResult]:
        return [item for item in self.quality if not item.passed]


@dataclass(frozen=True)
class RowText:
    """A row's texts as the translation tags of the tree template wrote them (HTML, values escaped)."""

    level: str
    status: str
    counted: SafeString
    quality: SafeString
    to_fix: SafeString
    owner: SafeString
    date: SafeString
    under: SafeString
    up: SafeString
    down: SafeString
    indent: SafeString
    outdent: SafeString


def _blocktranslated(message: str, **values: Any) -> SafeString:
    """What {% blocktranslate with name=value %} renders: the translation as it is, the values localised
    and escaped (pass text already escaped with conditional_escape: it is left as it is)."""
    return SafeString(message % {key: conditional_escape(localize(value)) for key, value in values.items()})


class RowTexts:
    """The tree's texts translated once per page, then filled in per row (see RowText)."""

    def __init__(self) -> None:
        self.levels = [capfirst(str(name)) for name in LEVEL_NAMES]
        self.statuses = {status: capfirst(str(status.label)) for status in Status}
        self.quality = _("Quality %(passed)s/%(total)s")
        self.owner = _("Owner: %(name)s")
        self.date = _("by %(date)s")
        self.under = _("under “%(title)s”")
        self.up = _("move “%(title)s” up")
        self.down = _("move “%(title)s” down")
        self.indent = _("make “%(title)s” a sub-goal of the goal above it")
        self.outdent = _("move “%(title)s” out one level")
        # Texts many rows share, made once each.
        self.to_fix: dict[str, str] = {}
        self.counted: dict[int, SafeString] = {}
        self.scores: dict[tuple[int, int], SafeString] = {}
        self.owners: dict[int, SafeString] = {}
        self.dates: dict[dt.date, SafeString] = {}

    def _to_fix(self, quality: list[ItemResult]) -> SafeString:
        labels = []
        for item in quality:
            if not item.passed:
                key = item.check.key
                if key not in self.to_fix:
                    self.to_fix[key] = conditional_escape(str(item.check.label).lower())
                labels.append(self.to_fix[key])
        return SafeString("; ".join(labels))

    def _counted(self, counted: int) -> SafeString:
        if counted not in self.counted:
            message = ngettext("(%(counter)s indicator counted)", "(%(counter)s indicators counted)", counted)
            self.counted[counted] = _blocktranslated(message, counter=counted)
        return self.counted[counted]

    def _quality(self, quality: list[ItemResult]) -> SafeString:
        key = (sum(item.passed for item in quality), len(quality))
        if key not in self.scores:
            self.scores[key] = _blocktranslated(self.quality, passed=key[0], total=key[1])
        return self.scores[key]

    def _owner(self, owner: User) -> SafeString:
        if owner.pk not in self.owners:
            self.owners[owner.pk] = _blocktranslated(self.owner, name=owner.display_name)
        return self.owners[owner.pk]

    def _date(self, day: dt.date) -> SafeString:
        if day not in self.dates:
            self.dates[day] = _blocktranslated(self.date, date=date_format(day, "SHORT_DATE_FORMAT"))
        return self.dates[day]

    def of(self, node: Node, rollup: Rollup, quality: list[ItemResult]) -> RowText:
        goal = node.goal
        title = {"title": conditional_escape(goal.title)}
        return RowText(
            level=self.levels[min(node.depth, len(self.levels) - 1)],
            status=self.statuses[rollup.status],
            counted=self._counted(rollup.counted),
            quality=self._quality(quality),
            to_fix=self._to_fix(quality),
            owner=self._owner(goal.owner) if goal.owner else SafeString(""),
            date=self._date(goal.target_date) if goal.target_date else SafeString(""),
            under=SafeString(self.under % title),
            up=SafeString(self.up % title),
            down=SafeString(self.down % title),
            indent=SafeString(self.indent % title),
            outdent=SafeString(self.outdent % title),
        )


@dataclass(frozen=True)
class GoalUrls:
    """The addresses of one goal's page and tree actions."""

    detail: str
    add: str
    edit: str
    move: str
    delete: str


class _GoalUrl:
    """reverse() once per page, then the goal's pk put in: the same address as reverse(name, [slug, pk])."""

    MARK = 918273645

    def __init__(self, name: str, slug: str) -> None:
        self.head, self.tail = reverse(name, args=[slug, self.MARK]).split(str(self.MARK), 1)

    def __call__(self, pk: int) -> str:
        return f"{self.head}{pk}{self.tail}"


def goal_rows(measures: StrategyMeasures, focus: str = "", *, slug: str) -> list[GoalRow]:
    """The tree as a flat list of rows in tree order; `focus` names the control (e.g. goal-12-edit) to
    focus after a swap."""
    wanted = FOCUS_VALUE.match(focus or "")
    focus_pk = int(wanted.group(1)) if wanted and wanted.group(1) else None
    focus_control = wanted.group(2) if wanted and wanted.group(2) else ""
    detail, edit = _GoalUrl("goals:goal_detail", slug), _GoalUrl("goals:goal_edit", slug)
    move, delete = _GoalUrl("goals:goal_move", slug), _GoalUrl("goals:goal_delete", slug)
    add = {
        pk: reverse("goals:goal_create", args=[slug, pk]) + "?parent="
        for pk in {goal.strategy_id for goal in measures.goals}
    }
    rows: list[GoalRow] = []
    texts = RowTexts()

    def grow(nodes: list[Node]) -> None:
        for index, node in enumerate(nodes):
            pk = node.goal.pk
            rollup, quality = measures.rollups[pk], measures.quality.get(pk, [])
            rows.append(
                GoalRow(
                    node=node,
                    rollup=rollup,
                    quality=quality,
                    indicator_count=len(measures.links.get(pk, ())),
                    is_first=index == 0,
                    is_last=index == len(nodes) - 1,
                    urls=GoalUrls(
                        detail=detail(pk),
                        add=f"{add[node.goal.strategy_id]}{pk}",
                        edit=edit(pk),
                        move=move(pk),
                        delete=delete(pk),
                    ),
                    focus=focus_control if pk == focus_pk else "",
                    has_children=bool(node.children),
                    text=texts.of(node, rollup, quality),
                )
            )
            grow(node.children)

    grow(measures.roots)
    for index, row in enumerate(rows):
        if not row.has_children:  # a leaf: close the lists between it and the next row (or the top)
            next_depth = rows[index + 1].node.depth if index + 1 < len(rows) else rows[0].node.depth
            row.closes = range(row.node.depth - next_depth)
    return rows


def tree_labels() -> dict[str, str]:
    """The tree's fixed words, translated once per page (not once per goal)."""
    return {
        "to_fix": _("to fix"),
        "no_owner": _("No owner"),
        "no_date": _("no target date"),
        "add": _("Add a sub-goal"),
        "edit": _("Edit"),
        "up": _("Up"),
        "down": _("Down"),
        "indent": _("Indent"),
        "outdent": _("Outdent"),
        "delete": _("Delete"),
    }


def rollup_rule() -> dict[str, int]:
    """The thresholds of the roll-up rule, as percentages for the explanation in the UI."""
    return {"on_track": round(100 * ROLLUP_ON_TRACK), "at_risk": round(100 * ROLLUP_AT_RISK)}


def _tree_context(request: TenantRequest, strategy: Strategy, *, focus: str = "") -> dict[str, Any]:
    measures = measure_strategy(strategy, today=timezone.localdate())
    return {
        "tenant": request.tenant,
        "organisation": request.tenant.organisation,
        "strategy": strategy,
        "rows": goal_rows(measures, focus, slug=request.tenant.organisation.slug),
        "tree_labels": tree_labels(),
        "goal_count": len(measures.goals),
        "summary": summarise(measures.quality) if measures.goals else [],
        "editing": request.tenant.can_edit,
        "focus_top": focus == "add-top-goal",
        "rule": rollup_rule(),
    }


def _tree_response(
    request: TenantRequest, strategy: Strategy, *, message: str, ok: bool = True, focus: str = ""
) -> HttpResponse:
    """After an action in the tree: with htmx the tree (#goal-tree), the quality summary and the message
    (out of band); without JavaScript back to the strategy page with the message."""
    if _fragment(request):
        context = _tree_context(request, strategy, focus=focus)
        context.update(oob=True, message=message, message_ok=ok)
        return TemplateResponse(request, "goals/strategy_detail.html#goal-tree", context)
    (messages.success if ok else messages.error)(request, message)
    url = reverse("goals:strategy_detail", args=[request.tenant.organisation.slug, strategy.pk])
    return redirect(url + (f"#{focus}" if focus else ""))


# --- strategies ------------------------------------------------------------------------------------


def _ordered_strategies(strategies: list[Strategy], current: Strategy | None) -> list[Strategy]:
    """The current strategy first, then the others newest first."""
    rest = sorted(
        (s for s in strategies if current is None or s.pk != current.pk),
        key=lambda s: (-s.term_start, finnish_key(s.name)),
    )
    return ([current] if current else []) + rest


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view()
def strategy_list(request: TenantRequest) -> HttpResponse:
    """The organisation's strategies (the current one first) and a form to create one."""
    organisation = request.tenant.organisation
    form = StrategyForm(_posted(request), initial={"term_start": timezone.localdate().year})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            strategy = form.save(commit=False)
            strategy.organisation = organisation
            strategy.save_new(by=request.user)
            messages.success(request, _("The strategy “%(name)s” was created.") % {"name": strategy.name})
            url = reverse("goals:strategy_detail", args=[organisation.slug, strategy.pk])
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
        status = 422
        if _fragment(request):
            # Feeds #strategy-form: the errors next to the fields, everything typed kept.
            return TemplateResponse(
                request,
                "goals/strategy_list.html#strategy-form",
                {"tenant": request.tenant, "form": form, "form_action": request.path},
                status=status,
            )
    strategies = list(_strategies(request))
    current = current_of(strategies)
    context: dict[str, Any] = {
        "tenant": request.tenant,
        "organisation": organisation,
        "strategies": _ordered_strategies(strategies, current),
        "current": current,
        "form": form,
        "form_action": request.path,
    }
    if current is not None:
        context.update(_tree_context(request, current))
        context["editing"] = False  # the tree is edited on the strategy's own page
    return TemplateResponse(request, "goals/strategy_list.html", context, status=status)


@require_GET
@vary_on_headers("HX-Request")
@tenant_view()
def strategy_detail(request: TenantRequest, strategy_pk: int) -> HttpResponse:
    """The strategy and its goal tree; the tree is edited in place with htmx."""
    strategy = _get_strategy(request, strategy_pk)
    focus = request.GET.get("focus", "")
    context = _tree_context(request, strategy, focus=focus if _fragment(request) else "")
    if _fragment(request):
        # Feeds #goal-tree (e.g. "Cancel" in a form opened inside the tree).
        return TemplateResponse(request, "goals/strategy_detail.html#goal-tree", context)
    context["successors"] = sorted_finnish(strategy.successors.all(), key=lambda s: s.name)
    return TemplateResponse(request, "goals/strategy_detail.html", context)


def _strategy_form_response(
    request: TenantRequest, template: str, context: dict[str, Any], status: int
) -> HttpResponse:
    if _fragment(request) and request.method == "POST":
        return TemplateResponse(request, f"{template}#strategy-form", context, status=status)
    return TemplateResponse(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view()
def strategy_edit(request: TenantRequest, strategy_pk: int) -> HttpResponse:
    """Edit a strategy's name, term, vision and approval."""
    strategy = _get_strategy(request, strategy_pk)
    form = StrategyEditForm(_posted(request), instance=strategy)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            if not saved_if_current(form, by=request.user):
                status = 409
            else:
                messages.success(request, _("The strategy was saved."))
                url = reverse("goals:strategy_detail", args=[request.tenant.organisation.slug, strategy.pk])
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
        else:
            status = 422
    context = {"tenant": request.tenant, "strategy": strategy, "form": form, "form_action": request.path}
    return _strategy_form_response(request, "goals/strategy_edit.html", context, status)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view()
def strategy_next_term(request: TenantRequest, strategy_pk: int) -> HttpResponse:
    """Start the next council term: a new strategy with every goal carried over (the old one stays)."""
    strategy = _get_strategy(request, strategy_pk)
    length = strategy.term_end - strategy.term_start or 4
    form = NextTermForm(
        _posted(request),
        initial={
            "name": strategy.name,
            "term_start": strategy.term_end,
            "term_end": strategy.term_end + length,
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            new = carry_over(strategy=strategy, by=request.user, **form.cleaned_data)
            messages.success(
                request,
                _(
                    "The strategy for %(start)s–%(end)s was created as a draft with %(count)s goals carried "
                    "over. The previous strategy stays as it was."
                )
                % {"start": new.term_start, "end": new.term_end, "count": new.goals.count()},
            )
            url = reverse("goals:strategy_detail", args=[request.tenant.organisation.slug, new.pk])
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
        status = 422
    context = {
        "tenant": request.tenant,
        "strategy": strategy,
        "form": form,
        "form_action": request.path,
        "goal_count": strategy.goals.count(),
    }
    return _strategy_form_response(request, "goals/strategy_next_term.html", context, status)


@require_GET
@tenant_view()
def strategy_export(request: TenantRequest, strategy_pk: int) -> HttpResponse:
    """The goal tree as XLSX (default) or CSV (?format=csv)."""
    strategy = _get_strategy(request, strategy_pk)
    measures = measure_strategy(strategy, today=timezone.localdate())
    sdg_codes: dict[int, list[str]] = {}
    for goal_id, code in Goal.sdg_targets.through.objects.filter(goal__strategy=strategy).values_list(
        "goal_id", "sdgtarget__code"
    ):
        sdg_codes.setdefault(goal_id, []).append(code)
    for codes in sdg_codes.values():
        codes.sort(key=SdgTarget.sort_key_for)
    rows = exports.tree_rows(measures, sdg_codes)
    name = slugify(f"{strategy.name}-{strategy.term_start}-{strategy.term_end}") or "strategy"
    if request.GET.get("format") == "csv":
        response = HttpResponse(exports.to_csv(rows), content_type=exports.CSV_CONTENT_TYPE)
        filename = f"{name}.csv"
    else:
        response = HttpResponse(
            exports.to_xlsx(rows, strategy=strategy), content_type=exports.XLSX_CONTENT_TYPE
        )
        filename = f"{name}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    audit(
        "exports",
        "strategy",
        request=request,
        org=request.tenant.organisation.slug,
        strategy=strategy.pk,
        format=filename.rsplit(".", 1)[-1],
    )
    return response


# --- goals in the tree -----------------------------------------------------------------------------


def _prefix(slot: str) -> str:
    """A form prefix per slot, so two forms open in the tree never share field ids."""
    return slot.removesuffix("-slot")


def _goal_form_response(
    request: TenantRequest,
    *,
    template: str,
    partial: str,
    context: dict[str, Any],
    slot: str,
    status: int = 200,
) -> HttpResponse:
    """A goal form (or confirmation): inside the tree with htmx (in the goal's slot), a page without."""
    context = {**context, "in_tree": _fragment(request), "slot": slot}
    if _fragment(request):
        response = TemplateResponse(request, f"{template}#{partial}", context, status=status)
        if request.method == "POST":
            # The form posts to #goal-tree; with errors it goes back into its own slot instead.
            retarget(response, f"#{slot}")
            reswap(response, "innerHTML")
        return response
    return TemplateResponse(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view()
def goal_create(request: TenantRequest, strategy_pk: int) -> HttpResponse:
    """Add a goal at the top of the tree, or under ?parent=<goal>."""
    strategy = _get_strategy(request, strategy_pk)
    parent_pk = request.GET.get("parent", "")
    parent = get_object_or_404(strategy.goals.all(), pk=id_or_404(parent_pk)) if parent_pk else None
    organisation = request.tenant.organisation
    slot = f"goal-{parent.pk}-slot" if parent else "goal-top-slot"
    form = GoalForm(_posted(request), organisation=organisation, prefix=_prefix(slot))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            goal = create_goal(strategy=strategy, parent=parent, by=request.user, **form.cleaned_data)
            return _tree_response(
                request,
                strategy,
                message=_("The goal “%(title)s” was added.") % {"title": goal.title},
                focus=f"goal-{goal.pk}-title",
            )
        status = 422
    action = reverse("goals:goal_create", args=[organisation.slug, strategy.pk])
    if parent is not None:
        action += "?" + urlencode({"parent": parent.pk})
    return _goal_form_response(
        request,
        template="goals/goal_form.html",
        partial="goal-form",
        context={
            "tenant": request.tenant,
            "strategy": strategy,
            "parent": parent,
            "goal": None,
            "form": form,
            "form_action": action,
            "cancel_focus": f"goal-{parent.pk}-add" if parent else "add-top-goal",
        },
        slot=slot,
        status=status,
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view()
def goal_edit(request: TenantRequest, goal_pk: int) -> HttpResponse:
    """Edit a goal's code, title, description, owner and target date."""
    goal = _get_goal(request, goal_pk)
    organisation = request.tenant.organisation
    slot = f"goal-{goal.pk}-slot"
    form = GoalEditForm(_posted(request), instance=goal, organisation=organisation, prefix=_prefix(slot))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            if not saved_if_current(form, by=request.user):
                status = 409
            else:
                message = _("The goal “%(title)s” was saved.") % {"title": goal.title}
                if _fragment(request):
                    return _tree_response(
                        request, goal.strategy, message=message, focus=f"goal-{goal.pk}-edit"
                    )
                messages.success(request, message)
                return redirect("goals:goal_detail", organisation.slug, goal.pk)
        else:
            status = 422
    return _goal_form_response(
        request,
        template="goals/goal_form.html",
        partial="goal-form",
        context={
            "tenant": request.tenant,
            "strategy": goal.strategy,
            "parent": goal.parent,
            "goal": goal,
            "form": form,
            "form_action": reverse("goals:goal_edit", args=[organisation.slug, goal.pk]),
            "cancel_focus": f"goal-{goal.pk}-edit",
        },
        slot=slot,
        status=status,
    )


MOVES = {"up": move_up, "down": move_down, "indent": indent, "outdent": outdent}


@require_POST
@vary_on_headers("HX-Request")
@tenant_view()
def goal_move(request: TenantRequest, goal_pk: int) -> HttpResponse:
    """Move a goal up or down among its siblings, under the goal above it, or out one level."""
    goal = _get_goal(request, goal_pk)
    direction = request.POST.get("direction", "")
    operation = MOVES.get(direction)
    if operation is None:
        return _tree_response(request, goal.strategy, message=_("Choose how to move the goal."), ok=False)
    try:
        operation(goal)
    except TreeError as error:
        return _tree_response(request, goal.strategy, message=str(error), ok=False)
    goal.refresh_from_db()
    where = ""
    if direction in {"indent", "outdent"}:
        parent = goal.parent
        where = (
            _("It is now under “%(parent)s”.") % {"parent": parent.title}
            if parent
            else _("It is now at the top level.")
        )
    done = {
        "up": _("“%(title)s” moved up."),
        "down": _("“%(title)s” moved down."),
        "indent": _("“%(title)s” moved under the goal above it."),
        "outdent": _("“%(title)s” moved out one level."),
    }[direction] % {"title": goal.title}
    # The button keeps its id, so htmx returns the focus to it after the swap.
    return _tree_response(request, goal.strategy, message=f"{done} {where}".strip())


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view()
def goal_delete(request: TenantRequest, goal_pk: int) -> HttpResponse:
    """Confirm, then delete a goal; a goal with sub-goals asks what happens to them."""
    goal = _get_goal(request, goal_pk)
    organisation = request.tenant.organisation
    children = list(goal.children.order_by("order", "pk"))
    link_count = goal.goal_indicators.count()
    slot = f"goal-{goal.pk}-slot"
    form = GoalDeleteForm(_posted(request), has_children=bool(children), prefix=_prefix(slot))
    if children and _fragment(request):
        form.fields["children"].widget.attrs["autofocus"] = True  # the choice is the first thing to make
    status = 200
    if request.method == "POST":
        if form.is_valid():
            strategy, parent = goal.strategy, goal.parent
            result = delete_goal(goal=goal, children=form.choice, by=request.user)
            message = _("The goal “%(title)s” was deleted.") % {"title": goal.title}
            if result.deleted > 1:
                message += " " + _("%(count)s sub-goals were deleted with it.") % {
                    "count": result.deleted - 1
                }
            if result.lifted:
                message += " " + _("%(count)s sub-goals moved up one level.") % {"count": result.lifted}
            if result.unlinked:
                message += " " + _("%(count)s indicator links were removed; the indicators stay.") % {
                    "count": result.unlinked
                }
            focus = f"goal-{parent.pk}-title" if parent else "add-top-goal"
            return _tree_response(request, strategy, message=message, focus=focus)
        status = 422
    return _goal_form_response(
        request,
        template="goals/goal_delete.html",
        partial="goal-delete-form",
        context={
            "tenant": request.tenant,
            "goal": goal,
            "strategy": goal.strategy,
            "children": children,
            "link_count": link_count,
            "form": form,
            "form_action": reverse("goals:goal_delete", args=[organisation.slug, goal.pk]),
            "cancel_focus": f"goal-{goal.pk}-delete",
        },
        slot=slot,
        status=status,
    )


# --- the goal page -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorCard:
    """A linked indicator on the goal page: status, latest value, target, chart and its data table."""

    measured: MeasuredIndicator
    latest_label: str
    latest_value: str
    target_label: str
    target_value: str
    rows: list[analysis.TrajectoryRow]
    figure: dict[str, Any] | None
    url: str

    @property
    def figure_json(self) -> str:
        return json.dumps(self.figure, cls=DjangoJSONEncoder) if self.figure else ""

    @property
    def chart_id(self) -> str:
        return f"chart-goal-{self.indicator.pk}"

    @property
    def indicator(self) -> Indicator:
        return self.measured.indicator

    @property
    def state(self) -> analysis.IndicatorState:
        return self.measured.state


def _indicator_url(organisation_slug: str, indicator: Indicator) -> str:
    """The indicator's own page, if the indicators app has installed it."""
    try:
        return reverse("indicators:detail", args=[organisation_slug, indicator.pk])
    except NoReverseMatch:
        return ""


def _card(measured: MeasuredIndicator, organisation_slug: str) -> IndicatorCard:
    indicator, state = measured.indicator, measured.state
    baseline = (
        analysis.Point(indicator.baseline_period, indicator.baseline_value)
        if indicator.baseline_period and indicator.baseline_value is not None
        else None
    )
    targets = measured.targets
    chosen = state.target
    rows = analysis.trajectory_rows(
        analysis.values_frame(measured.observations),
        periodicity=indicator.periodicity,
        baseline=baseline,
        target=analysis.Point(chosen.period, chosen.value) if chosen else None,
        targets=[analysis.Point(t.period, t.value) for t in analysis.current_targets(targets)],
    )
    figure = analysis.trajectory_figure(rows, baseline=baseline, unit=indicator.unit) if rows else None
    latest = state.latest
    return IndicatorCard(
        measured=measured,
        latest_label=period_label(latest.period, indicator.periodicity) if latest else "",
        latest_value=analysis.display_number(latest.value) if latest else "",
        target_label=period_label(chosen.period, indicator.periodicity) if chosen else "",
        target_value=analysis.display_number(chosen.value) if chosen else "",
        rows=rows,
        figure=figure,
        url=_indicator_url(organisation_slug, indicator),
    )


def _adopt_url(organisation_slug: str) -> str:
    """The indicators app's adopt page, if it is installed (another feature builds it)."""
    try:
        return reverse("indicators:adopt", args=[organisation_slug])
    except NoReverseMatch:
        return ""


def _indicator_search(request: TenantRequest, goal: Goal, query: str, linked: set[int]) -> dict[str, Any]:
    """The organisation's indicators (and library templates it has not adopted) matching the query."""
    organisation = request.tenant.organisation
    query = query.strip()[:SEARCH_LENGTH]
    found: list[Indicator] = []
    templates: list[dict[str, Any]] = []
    if query:
        words = Q(name_fi__icontains=query) | Q(name_sv__icontains=query) | Q(name_en__icontains=query)
        found = sorted_finnish(
            Indicator.objects.for_organisation(organisation)
            .filter(words)
            .exclude(pk__in=linked)[:SEARCH_LIMIT],
            key=lambda i: str(i.name),
        )
        adopt_url = _adopt_url(organisation.slug)
        if adopt_url:
            goal_url = reverse("goals:goal_detail", args=[organisation.slug, goal.pk])
            library = (
                IndicatorTemplate.objects.published()
                .filter(words | Q(code__icontains=query))
                .exclude(adoptions__organisation=organisation)[:SEARCH_LIMIT]
            )
            for template in sorted_finnish(library, key=lambda t: str(t.name)):
                back = goal_url + "?" + urlencode({"indicator_q": str(template.name)})
                templates.append(
                    {
                        "template": template,
                        "url": adopt_url
                        + "?"
                        + urlencode({"template": template.code, "goal": str(goal.pk), "next": back}),
                    }
                )
    return {"indicator_q": query, "found": found, "templates": templates, "searched": bool(query)}


def _sdg_search(query: str, chosen: set[int]) -> dict[str, Any]:
    query = query.strip()[:SEARCH_LENGTH]
    results: list[SdgTarget] = []
    if query:
        matches = SdgTarget.objects.exclude(pk__in=chosen)
        if re.fullmatch(r"\d{1,2}(\.\w{0,2})?", query):
            matches = matches.filter(code__startswith=query)
        else:
            matches = matches.filter(title_en__icontains=query)
        results = list(matches.order_by("sort_key")[:SEARCH_LIMIT])
    return {"sdg_q": query, "sdg_results": results, "sdg_searched": bool(query)}


def _goal_measures_context(
    request: TenantRequest, goal: Goal, *, indicator_q: str = "", focus_search: bool = False
) -> dict[str, Any]:
    """Everything of #goal-measures: indicators with charts, the roll-up and the quality checklist."""
    measures = measure_strategy(goal.strategy, today=timezone.localdate(), within=goal.pk)
    node = measures.nodes[goal.pk]
    own = measures.own_indicators(goal.pk)
    linked = {m.indicator.pk for m in own}
    sub_rows = [
        (child.goal, measures.rollups[child.goal.pk], measures.subtree_indicator_count(child.goal.pk))
        for child in node.children
    ]
    quality = measures.quality.get(goal.pk, [])
    return {
        "tenant": request.tenant,
        "goal": goal,
        "node": node,
        "cards": [_card(m, request.tenant.organisation.slug) for m in own],
        "own_rollup": measures.own_rollup(goal.pk),
        "subtree_rollup": measures.rollups[goal.pk],
        "subtree_count": measures.subtree_indicator_count(goal.pk),
        "sub_rows": sub_rows,
        "quality": quality,
        "quality_passed": sum(item.passed for item in quality),
        "rule": rollup_rule(),
        "editing": request.tenant.can_edit,
        "adopt_url": _adopt_url(request.tenant.organisation.slug),
        "focus_search": focus_search,
        **_indicator_search(request, goal, indicator_q, linked),
    }


def _goal_sdg_context(
    request: TenantRequest, goal: Goal, *, sdg_q: str = "", focus_search: bool = False
) -> dict[str, Any]:
    chosen = list(goal.sdg_targets.order_by("sort_key"))
    return {
        "tenant": request.tenant,
        "goal": goal,
        "sdg_targets": chosen,
        "editing": request.tenant.can_edit,
        "sdg_focus_search": focus_search,
        **_sdg_search(sdg_q, {t.pk for t in chosen}),
    }


def _panels(goal: Goal, request: TenantRequest) -> list[dict[str, Any]]:
    """The sections other apps registered for the goal page, rendered with their own context."""
    rendered = []
    for panel in goal_panels():
        html = render_to_string(panel.template, panel.context(goal, request), request=request)
        rendered.append({"key": panel.key, "title": panel.title, "html": SafeString(html)})
    return rendered


GOAL_PAGE_PARTIALS = {
    "indicator-results": "indicator-results",
    "sdg-results": "sdg-results",
    "goal-measures": "goal-measures",
    "goal-sdg": "goal-sdg",
}


@require_GET
@vary_on_headers("HX-Request")
@tenant_view()
def goal_detail(request: TenantRequest, goal_pk: int) -> HttpResponse:
    """The goal: what it is, its SDG targets, the indicators that measure it (status and chart), the
    roll-up of its subtree, its quality checklist, and the panels other apps add."""
    goal = _get_goal(request, goal_pk)
    indicator_q = parse_text(request.GET.get("indicator_q"), max_length=SEARCH_LENGTH)
    sdg_q = parse_text(request.GET.get("sdg_q"), max_length=SEARCH_LENGTH)
    target = request.htmx.target if _fragment(request) else None
    if target in {"sdg-results", "goal-sdg"}:
        # Feeds the SDG picker's results as the person types.
        context = _goal_sdg_context(request, goal, sdg_q=sdg_q)
        return TemplateResponse(request, f"goals/goal_detail.html#{GOAL_PAGE_PARTIALS[target]}", context)
    if target == "indicator-results":
        # Feeds the indicator search results as the person types: branch before the measuring and the
        # charts of the whole section, which the results do not show.
        linked = set(goal.goal_indicators.values_list("indicator_id", flat=True))
        context = {
            "tenant": request.tenant,
            "goal": goal,
            "adopt_url": _adopt_url(request.tenant.organisation.slug),
            **_indicator_search(request, goal, indicator_q, linked),
        }
        return TemplateResponse(request, "goals/goal_detail.html#indicator-results", context)
    context = _goal_measures_context(request, goal, indicator_q=indicator_q)
    if target == "goal-measures":
        # Feeds the indicator search results (or the whole measures section).
        return TemplateResponse(request, f"goals/goal_detail.html#{GOAL_PAGE_PARTIALS[target]}", context)
    context.update(_goal_sdg_context(request, goal, sdg_q=sdg_q))
    context.update(
        {
            "organisation": request.tenant.organisation,
            "strategy": goal.strategy,
            # The sub-goals in tree order, from the tree the measures loaded (no query of their own).
            "children": [child.goal for child in context["node"].children],
            "successors": list(goal.successors.select_related("strategy").order_by("strategy__term_start")),
            "panels": _panels(goal, request),
        }
    )
    response = TemplateResponse(request, "goals/goal_detail.html", context)
    # A chart page: plotly.js's <style> elements carry the page's nonce (see indicators.views).
    response._csp_config = chart_page_csp()  # type: ignore[attr-defined]
    return response


@require_POST
@vary_on_headers("HX-Request")
@tenant_view()
def goal_indicators(request: TenantRequest, goal_pk: int) -> HttpResponse:
    """Link an indicator of the organisation to the goal, or unlink it (the indicator stays)."""
    goal = _get_goal(request, goal_pk)
    indicator = get_object_or_404(
        Indicator.objects.for_organisation(request.tenant.organisation),
        pk=id_or_404(request.POST.get("indicator")),
    )
    action = request.POST.get("action")
    focus_search = False
    if action == "link":
        link_indicator(goal=goal, indicator=indicator, by=request.user)
        message = _("“%(indicator)s” now measures this goal.") % {"indicator": indicator.name}
    elif action == "unlink":
        unlink_indicator(goal=goal, indicator=indicator)
        message = _("“%(indicator)s” no longer measures this goal. The indicator and its values stay.") % {
            "indicator": indicator.name
        }
        focus_search = True
    else:
        message = _("Choose whether to link or unlink the indicator.")
    if _fragment(request):
        # Feeds #goal-measures: the list, the roll-up and the checklist all change together.
        context = _goal_measures_context(
            request,
            goal,
            indicator_q=parse_text(request.POST.get("indicator_q"), max_length=SEARCH_LENGTH),
            focus_search=focus_search,
        )
        if focus_search and any(i.pk == indicator.pk for i in context["found"]):
            context["focus_search"] = False  # the indicator is back in the results: its button keeps focus
        context.update(message=message, message_ok=action in {"link", "unlink"}, oob=True)
        return TemplateResponse(request, "goals/goal_detail.html#goal-measures", context)
    (messages.success if action in {"link", "unlink"} else messages.error)(request, message)
    return redirect(
        reverse("goals:goal_detail", args=[request.tenant.organisation.slug, goal.pk]) + "#indicators-heading"
    )


@require_POST
@vary_on_headers("HX-Request")
@tenant_view()
def goal_sdg_targets(request: TenantRequest, goal_pk: int) -> HttpResponse:
    """Add an SDG target to the goal or remove one."""
    goal = _get_goal(request, goal_pk)
    target = get_object_or_404(SdgTarget.objects.all(), pk=id_or_404(request.POST.get("target")))
    action = request.POST.get("action")
    focus_search = False
    if action == "add":
        add_sdg_target(goal=goal, target=target)
        message = _("SDG target %(code)s was added.") % {"code": target.code}
    elif action == "remove":
        remove_sdg_target(goal=goal, target=target)
        message = _("SDG target %(code)s was removed.") % {"code": target.code}
        focus_search = True
    else:
        message = _("Choose whether to add or remove the SDG target.")
    if _fragment(request):
        # Feeds #goal-sdg.
        context = _goal_sdg_context(
            request,
            goal,
            sdg_q=parse_text(request.POST.get("sdg_q"), max_length=SEARCH_LENGTH),
            focus_search=focus_search,
        )
        if focus_search and any(t.pk == target.pk for t in context["sdg_results"]):
            context["sdg_focus_search"] = False
        context.update(message=message, message_ok=action in {"add", "remove"}, oob=True)
        return TemplateResponse(request, "goals/goal_detail.html#goal-sdg", context)
    (messages.success if action in {"add", "remove"} else messages.error)(request, message)
    return redirect(
        reverse("goals:goal_detail", args=[request.tenant.organisation.slug, goal.pk]) + "#sdg-heading"
    )
