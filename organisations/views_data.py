"""Views over an organisation's data as a whole: audit history per object, recently deleted, the archive."""

from __future__ import annotations

import io

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from organisations import archive, history
from organisations.base import RETENTION
from organisations.models import Role
from organisations.retention import recently_deleted
from organisations.tenancy import TenantRequest, tenant_view


def _kind(key: str) -> history.Kind:
    kind = history.kind(key)
    if kind is None:
        raise Http404(_("No such kind of object."))
    return kind


@require_GET
@tenant_view(read=Role.EDITOR)
def object_history(request: TenantRequest, kind: str, object_pk: int) -> HttpResponse:
    """Who changed what and when, for one object and the rows written under it (editors and admins)."""
    found = _kind(kind)
    # Deleted objects keep their history; only this organisation's rows are found (others are a 404).
    obj = found.rows(request.tenant.organisation).filter(pk=object_pk).first()
    if obj is None:
        raise Http404(_("No such object in this organisation."))
    return TemplateResponse(
        request,
        "organisations/object_history.html",
        {
            "tenant": request.tenant,
            "obj": obj,
            "kind": found,
            "entries": history.object_history(obj, found),
            "object_url": found.url(obj) if getattr(obj, "deleted_at", None) is None else "",
        },
    )


@require_GET
@tenant_view(read=Role.EDITOR)
def deleted_list(request: TenantRequest) -> HttpResponse:
    """What editors deleted in the last 30 days, with a button to restore each."""
    return TemplateResponse(
        request,
        "organisations/deleted_list.html",
        {
            "tenant": request.tenant,
            "rows": recently_deleted(request.tenant.organisation),
            "retention_days": RETENTION.days,
        },
    )


@require_POST
@tenant_view(write=Role.EDITOR)
def deleted_restore(request: TenantRequest, kind: str, object_pk: int) -> HttpResponse:
    found = _kind(kind)
    if not found.soft_delete or found.restore is None:
        raise Http404(_("No such kind of object."))
    obj = (
        found.rows(request.tenant.organisation)
        .filter(pk=object_pk, deleted_at__isnull=False, deleted_at__gt=timezone.now() - RETENTION)
        .first()
    )
    if obj is None:
        raise Http404(_("No such deleted object in this organisation."))
    try:
        found.restore(obj, request.user)
    except history.RestoreRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("“%(title)s” was restored.") % {"title": obj})
    return redirect("organisations:deleted", request.tenant.organisation.slug)


@require_GET
@tenant_view(read=Role.ADMIN)
def organisation_export(request: TenantRequest) -> HttpResponse:
    """All of the organisation's data as one ZIP of CSV and XLSX files (for the administrators)."""
    organisation = request.tenant.organisation
    buffer = io.BytesIO()
    archive.write_archive(organisation, buffer)
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{archive.archive_name(organisation)}"'
    return response
