"""{% goal_tree_rows %}: the goal tree's rows (goals.tree_html) from the page's context."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from goals.tree_html import tree_rows_html

register = template.Library()


@register.simple_tag(takes_context=True)
def goal_tree_rows(context: template.Context) -> SafeString:
    """Needs `rows`, `tree_labels`, `editing` and `tenant`; the CSRF token only when editing."""
    editing = bool(context.get("editing"))
    csrf_token: Any = context.get("csrf_token") if editing else None
    return tree_rows_html(
        context["rows"],
        editing=editing,
        language=context["tenant"].organisation.content_language,
        labels=context["tree_labels"],
        csrf_token=csrf_token,
    )
