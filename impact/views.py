"""Top-level pages: the person's start page, the organisation's home page, public pages, health."""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views import csrf, defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from goals.views import rollup_rule
from impact.dashboard import load_dashboard
from impact.digests import user_from_token
from impact.reminders import DueItem, due_items, items_for_user
from indicators.views import chart_page_csp
from organisations.audit_log import log_forbidden
from organisations.data_version import versioned_key
from organisations.middleware import language_without_database
from organisations.models import Invitation, Membership, Organisation, Role, User
from organisations.params import parse_id
from organisations.tenancy import AccessDenied, TenantRequest, tenant_view


@dataclass(frozen=True)
class DueList:
    """What is overdue and what is due soon, for a due-and-overdue list."""

    overdue: list[DueItem]
    soon: list[DueItem]

    @classmethod
    def build(cls, items: list[DueItem], today: dt.date) -> DueList:
        return cls([i for i in items if i.is_overdue(today)], [i for i in items if not i.is_overdue(today)])


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """The signed-in person's start page: invitations waiting for them, their organisations and what is
    due for them."""
    memberships = Membership.objects.for_user(request.user).sorted_by_organisation()
    invitations = Invitation.objects.for_user(request.user).open().select_related("organisation")
    today = timezone.localdate()
    return TemplateResponse(
        request,
        "impact/start.html",
        {
            "memberships": memberships,
            "invitations": list(invitations),
            "due": DueList.build(items_for_user(request.user, today), today),
        },
    )


@dataclass(frozen=True)
class RenderedDashboard:
    """The dashboard's HTML and what the live region says of it (kept per data version)."""

    html: str
    strategy: str  # the strategy shown ("" when the organisation has none)
    year: int | None


def _filter_key(value: str | None, *, empty: bool) -> str:
    """A URL filter value as a cache key part: what choose_filters can tell apart, nothing else (so any
    unknown value shares the default's key instead of filling the cache)."""
    if empty and value == "":
        return ""
    number = parse_id(value)
    return "-" if number is None else str(number)


def dashboard_html(
    organisation: Organisation, *, strategy: str | None, year: str | None, today: dt.date
) -> RenderedDashboard:
    """The dashboard of the organisation, computed and rendered once per data version.

    Kept under the organisation's data version (organisations.data_version: database triggers count every
    change of its goals, indicators, values, activities and futures), the filters, the day and the
    language. A change makes the version larger, so the next request computes anew; nothing in the HTML
    depends on who reads it (viewers and editors see the same dashboard) or on the request (it holds no
    token or nonce).
    """
    key = versioned_key(
        "dashboard",
        organisation.pk,
        _filter_key(strategy, empty=False),
        _filter_key(year, empty=True),
        today.isoformat(),
    )
    kept = caches["pages"].get(key)
    if isinstance(kept, RenderedDashboard):
        return kept
    board = load_dashboard(organisation, strategy=strategy, year=year, today=today)
    context = {
        "organisation": organisation,
        "board": board,
        "figures": {name: json.dumps(value, cls=DjangoJSONEncoder) for name, value in board.figures.items()},
        "rollup_rule": rollup_rule(),
    }
    rendered = RenderedDashboard(
        html=loader.render_to_string("impact/dashboard_body.html", context),
        strategy=str(board.filters.strategy) if board.filters.strategy else "",
        year=board.filters.year,
    )
    caches["pages"].set(key, rendered)
    return rendered


def _announcement(dashboard: RenderedDashboard) -> str:
    """What the live region says after a filter changed the dashboard."""
    if not dashboard.strategy:
        return _("The dashboard was updated.")
    if dashboard.year is None:
        return _("The dashboard now shows %(strategy)s, the whole council term.") % {
            "strategy": dashboard.strategy
        }
    return _("The dashboard now shows %(strategy)s, the year %(year)s.") % {
        "strategy": dashboard.strategy,
        "year": dashboard.year,
    }


@require_GET
@vary_on_headers("HX-Request")
@tenant_view(read=Role.VIEWER)
def organisation_home(request: TenantRequest) -> HttpResponse:
    """The organisation's home page: the leadership dashboard (filtered by strategy and year) and what is
    due. Every computation is in impact.dashboard."""
    organisation = request.tenant.organisation
    today = timezone.localdate()
    dashboard = dashboard_html(
        organisation, strategy=request.GET.get("strategy"), year=request.GET.get("year"), today=today
    )
    context = {"tenant": request.tenant, "organisation": organisation, "dashboard": dashboard}
    if request.htmx and not request.htmx.history_restore_request:
        # Feeds #dashboard when a filter changes; the live region says what it now shows.
        context["announcement"] = _announcement(dashboard)
        return TemplateResponse(request, "impact/organisation_home.html#dashboard", context)
    context["member_count"] = organisation.memberships.count()
    context["due"] = DueList.build(due_items(today=today, organisations=[organisation]), today)
    response = TemplateResponse(request, "impact/organisation_home.html", context)
    # A chart page: plotly.js's <style> elements carry the page's nonce (see indicators.views).
    response._csp_config = chart_page_csp()  # type: ignore[attr-defined]
    return response


@login_not_required
@require_GET
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "impact/accessibility.html")


@login_not_required
@require_GET
def privacy_notice(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "impact/privacy.html")


@login_not_required
@require_GET
def about_data(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "impact/about_data.html")


@login_not_required
@never_cache
@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """For the load balancer: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any database failure means "not healthy"; the reason is in the server log
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def _plain_page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    """A page that renders without the database and without the request's context processors.

    Error pages must work when what failed was the database, a middleware or the request itself, so they
    neither extend the page frame (which queries the person's organisations) nor trust the thread's
    active language (a failure can come before the language middleware): the language is chosen again.
    """
    language = language_without_database(request)
    with translation.override(language):
        body = loader.get_template(template).render({"LANGUAGE_CODE": language})
    response = HttpResponse(body, status=status)
    response["Content-Language"] = language
    return response


def database_unavailable(error: BaseException | None) -> bool:
    """Whether an error means "the database cannot be reached now" (not a bug): pool exhausted, server down.

    Django wraps psycopg's errors (the pool's PoolTimeout is a psycopg OperationalError) in its own
    OperationalError/InterfaceError; the unwrapped psycopg ones count too, for code outside the wrapper.
    """
    import psycopg
    from django.db import InterfaceError, OperationalError

    return isinstance(
        error, OperationalError | InterfaceError | psycopg.OperationalError | psycopg.InterfaceError
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403 with the reason on the page (Django's own view and template 403.html) and one line in the log.

    Django would log every PermissionDenied as a WARNING with the full traceback; the line written here
    (route and reason) is that record, so the response is marked as logged.
    """
    response = defaults.permission_denied(request, exception or PermissionDenied())
    if isinstance(exception, AccessDenied):
        log_forbidden(
            request, exception.reason, area=exception.area, event=exception.event, **exception.fields
        )
    else:
        log_forbidden(request, str(exception or "") or "permission denied")
    response._has_been_logged = True  # type: ignore[attr-defined]  # read by django.utils.log.log_response
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form without a valid CSRF token: Django's 403 page, and the one log line of permission_denied."""
    response = csrf.csrf_failure(request, reason=reason)
    log_forbidden(request, reason or "CSRF verification failed")
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


@login_not_required
def bad_request(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    """400: a plain page in the person's language (the request itself may be what is wrong)."""
    return _plain_page(request, "400.html", 400)


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    """500 in the person's language, no traceback; 503 with Retry-After when the database is unavailable.

    Django calls this from inside its exception handling, so sys.exc_info() is the error that got here,
    whether a view or a middleware raised it (a middleware's error never reaches process_exception).
    """
    if database_unavailable(sys.exc_info()[1]):
        response = _plain_page(request, "503.html", 503)
        response["Retry-After"] = str(settings.SERVICE_UNAVAILABLE_RETRY_AFTER)
        return response
    return _plain_page(request, "500.html", 500)


@login_not_required
@require_http_methods(["GET", "POST"])
def digest_preference(request: HttpRequest, token: str) -> HttpResponse:
    """Change how often reminders come, from the signed link in a digest (no sign-in needed)."""
    user = user_from_token(token)
    if user is None:
        return TemplateResponse(request, "impact/digest_preference.html", {"invalid": True}, status=404)
    saved = False
    if request.method == "POST":
        choice = request.POST.get("digest", "")
        if choice in User.Digest.values:
            User.objects.filter(pk=user.pk).update(digest=choice)
            user.digest = choice
            saved = True
    return TemplateResponse(
        request,
        "impact/digest_preference.html",
        {
            "person": user,
            "choices": User.Digest.choices,
            "saved": saved,
            "message": _("Your choice was saved.") if saved else "",
        },
    )
