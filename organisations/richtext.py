"""Rich text: user HTML reduced to a small allowlist (nh3, the Ammonia sanitiser)."""

from __future__ import annotations

import nh3
from django.utils.safestring import SafeString, mark_safe

TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "a", "h2", "h3", "h4", "blockquote"}
ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitise(html: str) -> str:
    """Keep harmless formatting only: no scripts, handlers, styles, htmx attributes or javascript: links."""
    return nh3.clean(
        html or "",
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render(html: str) -> SafeString:
    """Sanitise again when showing (stored text may predate a stricter allowlist)."""
    return mark_safe(sanitise(html))  # noqa: S308  (the text has just been sanitised)
