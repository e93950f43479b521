"""Template filters of the foresight pages."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from organisations.richtext import render

register = template.Library()


@register.filter
def rich_text(html: str) -> SafeString:
    """Stored rich text, sanitised again as it is shown."""
    return render(html)
