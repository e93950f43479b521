"""The national comparison (/national/): shared indicator data of the organisations that share it.

Who may open it is decided by `Membership.opens_national_view` (stewards, and members of an
organisation that shares its data); anyone else signed in gets 403 with the reason and what to do about
it. 403 rather than the tenancy guard's 404: the page is not an organisation's, its address is the same
for everyone and is no secret, and the person can change the answer (their administrator can switch
sharing on). What the page shows is read through `indicators.national`, the one place of the sharing
rule, on every request: nothing is cached, so switching sharing off takes effect on the next request.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from impact.national_forms import NationalFilterForm
from indicators import national
from indicators.national import Comparison, Member, Peers, TemplateInfo
from indicators.views import chart_page_csp
from organisations.collation import cached_finnish_key
from organisations.models import Membership
from organisations.tenancy import AccessDenied

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class NationalAccess:
    """Why the signed-in person may open the national view, and as which organisations."""

    steward: bool
    own: list[Member]  # the person's organisations that share their data: "compare as" choices


def national_access(request: HttpRequest) -> NationalAccess:
    """The person's access to the national comparison, or 403 with the reason."""
    memberships = list(Membership.objects.for_user(request.user).select_related("organisation__region"))
    if not any(membership.opens_national_view for membership in memberships):
        raise AccessDenied(
            _(
                "The national comparison is open to the association's stewards and to members of "
                "organisations that share their indicator data. An administrator of your organisation "
                "can switch sharing on in the organisation's settings."
            ),
            event="tenancy.national_denied",
            reason="no membership opens the national view",
        )
    own = sorted(
        (Member.of(m.organisation) for m in memberships if m.organisation.shares_indicator_data),
        key=lambda member: cached_finnish_key(str(member.name)),
    )
    return NationalAccess(steward=any(m.role == "steward" for m in memberships), own=own)


@dataclass
class NationalState:
    """The filters as given and as honoured, and the comparison they lead to."""

    shown: QueryDict  # the honoured filters, as the form shows them
    own_choices: list[Member]
    templates: list[TemplateInfo]
    members: list[Member]
    template: TemplateInfo | None
    own: Member | None
    peers: str
    note: str
    comparison: Comparison | None
    group_text: str

    @cached_property
    def form(self) -> NationalFilterForm:
        """The filter form showing what is honoured, so that the page and its address agree. Built when
        the page asks for it: a fragment (#national-results) does not show the form."""
        form = NationalFilterForm(
            self.shown, templates=self.templates, own=self.own_choices, members=self.members
        )
        form.is_valid()
        return form

    def query(self) -> str:
        """The honoured filters as a query string (for the export links)."""
        data = QueryDict(mutable=True)
        if self.template is not None:
            data["template"] = self.template.code
        if self.own is not None:
            data["org"] = self.own.slug
        data["peers"] = self.peers
        if self.peers == Peers.CHOSEN:
            data.setlist("chosen", [m.slug for m in self.comparison.group] if self.comparison else [])
        return data.urlencode()


def _default_template(templates: list[TemplateInfo]) -> TemplateInfo | None:
    """The template with the most sharing organisations (the first by name among equals)."""
    return max(templates, key=lambda info: info.sharing_count, default=None)


def national_state(request: HttpRequest, access: NationalAccess) -> NationalState:
    """Read the filters from the URL and compare: a fixed number of queries whatever the data."""
    templates = national.template_infos(national.national_templates(), national.adoption_counts())
    members = national.sharing_members()
    given = NationalFilterForm(request.GET, templates=templates, own=access.own, members=members)
    by_code = {info.code: info for info in templates}
    template = by_code.get(given.value_of("template", "")) or _default_template(templates)
    own_by_slug = {member.slug: member for member in access.own}
    own = own_by_slug.get(given.value_of("org", "")) or (access.own[0] if access.own else None)
    peers, note = national.resolve_peers(given.value_of("peers", Peers.ALL), own)
    # Unknown or non-sharing organisations in the list are dropped, the rest of the list still counts.
    sharing = {member.slug for member in members}
    chosen = [
        slug
        for slug in dict.fromkeys(request.GET.getlist("chosen"))
        if slug in sharing and (own is None or slug != own.slug)
    ]

    comparison = None
    if template is not None:
        group = national.peer_group(members, own=own, peers=peers, chosen=chosen)
        comparison = national.compare(template, national.shared_values(template.code), group=group, own=own)
    shown = QueryDict(mutable=True)
    if template is not None:
        shown["template"] = template.code
    if own is not None:
        shown["org"] = own.slug
    shown["peers"] = peers
    shown.setlist("chosen", chosen)
    return NationalState(
        shown=shown,
        own_choices=access.own,
        templates=templates,
        members=members,
        template=template,
        own=own,
        peers=peers,
        note=note,
        comparison=comparison,
        group_text=national.group_description(peers, own, len(comparison.group) if comparison else 0),
    )


def _fragment(request: HttpRequest) -> bool:
    htmx: Any = getattr(request, "htmx", None)
    return bool(htmx and not htmx.history_restore_request)


@require_GET
@vary_on_headers("HX-Request")
def national_comparison(request: HttpRequest) -> HttpResponse:
    """Per shared template: adoption, the latest values' distribution and ranking, and the trend."""
    access = national_access(request)
    state = national_state(request, access)
    comparison = state.comparison
    template_name = "impact/national.html"
    if _fragment(request):
        template_name += "#national-results"  # feeds #national-results when a filter changes
    numbers = national.shown(comparison) if comparison else None
    context = {
        "state": state,
        "access": access,
        "comparison": comparison,
        "distribution": numbers.distribution if numbers else None,
        "ranked": numbers.ranked if numbers else [],
        "trend": numbers.trend if numbers else [],
        "own_row": numbers.own_row if numbers else None,
        "distribution_figure": national.distribution_figure(comparison) if comparison else None,
        "trend_figure": national.trend_figure(comparison) if comparison else None,
        "query": state.query(),
        "announce": _fragment(request),
    }
    response = TemplateResponse(request, template_name, context)
    # What django.views.decorators.csp.csp_override does, for this response only: plotly's styles.
    response._csp_config = chart_page_csp()  # type: ignore[attr-defined]
    return response


@require_GET
def national_export(request: HttpRequest) -> HttpResponse:
    """The ranked table of the current filters as CSV (default) or XLSX with the trend (?format=xlsx)."""
    access = national_access(request)
    state = national_state(request, access)
    if state.comparison is None or state.template is None:
        return HttpResponse(
            _("There are no shared templates to export."), status=404, content_type="text/plain"
        )
    stamp = timezone.localdate().isoformat()
    name = f"national-{state.template.code}-{stamp}"
    if request.GET.get("format") == "xlsx":
        title = _("National comparison: %(template)s, %(group)s") % {
            "template": state.template.name,
            "group": state.group_text,
        }
        response = HttpResponse(
            national.export_xlsx(state.comparison, title=title), content_type=XLSX_CONTENT_TYPE
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    else:
        response = HttpResponse(national.export_csv(state.comparison), content_type=CSV_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
