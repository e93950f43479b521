"""What the page frame (header, organisation switch) needs on every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from organisations.models import LANGUAGE_CHOICES, Membership


def frame(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    # Lazy: a page that does not render the switch costs no query.
    memberships = SimpleLazyObject(lambda: Membership.objects.for_user(request.user).sorted_by_organisation())
    return {
        "current_organisation": tenant.organisation if tenant else None,
        "my_memberships": memberships,
        # The header's link to the national comparison, from the same memberships (no extra query).
        "opens_national_view": SimpleLazyObject(
            lambda: any(membership.opens_national_view for membership in memberships)
        ),
        "ui_languages": LANGUAGE_CHOICES,
    }
