"""Top-level pages: the person's start page, the organisation's home page, public pages, health."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from organisations.models import Membership, Role
from organisations.tenancy import TenantRequest, tenant_view


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """The signed-in person's start page: the organisations they belong to."""
    memberships = Membership.objects.for_user(request.user).sorted_by_organisation()
    return TemplateResponse(request, "impact/start.html", {"memberships": memberships})


@require_GET
@tenant_view(read=Role.VIEWER)
def organisation_home(request: TenantRequest) -> HttpResponse:
    """The organisation's home page."""
    organisation = request.tenant.organisation
    return TemplateResponse(
        request,
        "impact/organisation_home.html",
        {
            "tenant": request.tenant,
            "organisation": organisation,
            "member_count": organisation.memberships.count(),
        },
    )


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


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    """A plain error page in the person's language, without a traceback or the page frame's queries."""
    from django.template import loader
    from django.utils.translation import get_language

    body = loader.get_template("500.html").render({"LANGUAGE_CODE": get_language()})
    return HttpResponse(body, status=500)
