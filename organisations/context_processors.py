"""What the page frame (header, organisation switch) needs on every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from organisations.models import LANGUAGE_CHOICES, Membership


def frame(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    return {
        "current_organisation": tenant.organisation if tenant else None,
        # Lazy: a page that does not render the switch costs no query.
        "my_memberships": SimpleLazyObject(
            lambda: Membership.objects.for_user(request.user).sorted_by_organisation()
        ),
        "ui_languages": LANGUAGE_CHOICES,
    }
