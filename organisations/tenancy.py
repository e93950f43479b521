"""The tenancy guard: every organisation page goes through `tenant_view`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from organisations.audit_log import audit
from organisations.models import Membership, Organisation, Role

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

P = ParamSpec("P")


@dataclass(frozen=True)
class Tenant:
    """The organisation a request is about and the signed-in person's membership in it."""

    organisation: Organisation
    membership: Membership

    @property
    def can_edit(self) -> bool:
        return self.membership.can_edit

    @property
    def can_admin(self) -> bool:
        return self.membership.can_admin


class TenantRequest(HttpRequest):
    """A request that passed the guard (for type checkers)."""

    tenant: Tenant
    htmx: HtmxDetails


class AccessDenied(PermissionDenied):
    """403 with a message for the person, and the one log record of the refusal.

    The 403 handler (impact.views.permission_denied) writes that record: the event (`tenancy.role_denied`,
    `tenancy.national_denied`, …), the route, a reason in words that do not depend on the person's
    language, and the fields given here. A plain PermissionDenied is logged as `access.forbidden`.
    """

    def __init__(self, message: str, *, event: str, reason: str, **fields: Any) -> None:
        super().__init__(message)
        self.area, _dot, self.event = event.partition(".")
        self.reason = reason
        self.fields = fields


def _role_message(needed: Role) -> str:
    if needed == Role.ADMIN:
        return _("Only the organisation's administrators can do this.")
    if needed == Role.STEWARD:
        return _("Only the association's stewards can do this.")
    return _("Your role lets you read this organisation's data but not change it. Ask an administrator.")


def resolve_tenant(request: HttpRequest, org_slug: str) -> Tenant:
    """The membership of the signed-in user in org_slug, or 404 exactly as for a missing organisation."""
    membership = (
        Membership.objects.for_user(request.user)
        .filter(organisation__slug=org_slug)
        .select_related("organisation__region")
        .first()
    )
    if membership is None:
        # A non-member asking for an organisation's page: a missing organisation looks the same to them,
        # but the log tells the two apart (exists=) for whoever investigates.
        audit(
            "tenancy",
            "denied",
            request=request,
            level=logging.WARNING,
            org=org_slug,
            org_exists=Organisation.objects.filter(slug=org_slug).exists(),
        )
        raise Http404(_("No such organisation, or you are not a member of it."))
    return Tenant(organisation=membership.organisation, membership=membership)


def tenant_view(
    *, read: Role = Role.VIEWER, write: Role = Role.EDITOR
) -> Callable[
    [Callable[Concatenate[TenantRequest, P], HttpResponse]],
    Callable[Concatenate[HttpRequest, str, P], HttpResponse],
]:
    """Guard a view under /o/<org_slug>/: members only (404 otherwise), `read` role for safe
    methods, `write` role for the rest (403 with a message saying why)."""

    def decorator(
        view: Callable[Concatenate[TenantRequest, P], HttpResponse],
    ) -> Callable[Concatenate[HttpRequest, str, P], HttpResponse]:
        @wraps(view)
        def guarded(request: HttpRequest, org_slug: str, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            tenant = resolve_tenant(request, org_slug)
            needed = read if request.method in SAFE_METHODS else write
            if not tenant.membership.has_role(needed):
                role = tenant.membership.role
                raise AccessDenied(
                    _role_message(needed),
                    event="tenancy.role_denied",
                    reason=f"role {role} is below {needed.value}",
                    org=org_slug,
                    role=role,
                    needed=needed.value,
                )
            request.tenant = tenant  # type: ignore[attr-defined]
            tenant_request: Any = request
            return view(tenant_request, *args, **kwargs)

        return guarded

    return decorator
