"""Template helpers of the activity pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def autofocus(context: template.Context, *parts: Any) -> SafeString:
    """` autofocus` on the element whose id the view asked to focus after an in-place change.

    htmx focuses an [autofocus] element of swapped-in content, so focus returns to the control the
    person used (or its successor) instead of falling back to the page's body.
    """
    wanted = context.get("focus") or ""
    return mark_safe(" autofocus") if wanted and wanted == "-".join(str(p) for p in parts) else SafeString("")


@dataclass(frozen=True)
class WebLink:
    url: str
    safe: bool  # only http(s) addresses become links


@register.filter
def web_links(text: str) -> list[WebLink]:
    """The evidence addresses of a report, one per line; anything but http(s) stays plain text."""
    return [
        WebLink(line.strip(), line.strip().lower().startswith(("https://", "http://")))
        for line in (text or "").splitlines()
        if line.strip()
    ]
