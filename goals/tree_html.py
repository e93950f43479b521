"""The goal tree's rows as HTML, written in one pass.

The markup is that of the tree template it replaced (kept as the reference the tests compare with:
tests/goals/templates/goals/tests/goal_tree_reference.html). A strategy has tens of goals and each row carries some fifty
values (ids, addresses, titles and texts for screen readers); through the template language they were most
of the tree's time, so the rows are filled in here with the same escaping (`conditional_escape`) and texts
(`goals.views.RowTexts`, `tree_labels`) instead.
"""

# ruff: noqa: E501 (the markup keeps the template's lines, so that it reads and diffs as HTML)
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString

if TYPE_CHECKING:
    from goals.views import GoalRow

ROW = """
<li id="goal-{ref}" class="goal-node depth-{depth}">
  <div class="goal-row">
    <div class="goal-head">
      <span class="goal-level">{level}</span>
      {code}
      <a href="{detail}" id="goal-{ref}-title" class="goal-title" lang="{language}"{title_focus}>{title}</a>
    </div>
    <ul class="goal-facts">
      <li><span class="goal-status status-{status}"><span class="status-dot" aria-hidden="true"></span>{status_label}</span>
        <span class="muted">{counted}</span></li>
      <li>{quality}{to_fix}</li>
      <li>{owner}
        · {date}</li>
    </ul>
    {actions}
  </div>
  {end}
"""

ACTIONS = """
    <div class="goal-actions no-print">
      <a href="{add}" id="goal-{ref}-add" class="tree-action"
         hx-get="{add}" hx-target="#goal-{ref}-slot"{add_focus}>{l_add}<span class="visually-hidden"> {under}</span></a>
      <a href="{edit}" id="goal-{ref}-edit" class="tree-action"
         hx-get="{edit}" hx-target="#goal-{ref}-slot"{edit_focus}>{l_edit}<span class="visually-hidden"> “{title}”</span></a>
      <form method="post" action="{move}" class="move-form"
            hx-post="{move}" hx-target="#goal-tree" hx-swap="outerHTML">{csrf}
        <button type="submit" name="direction" value="up" id="goal-{ref}-up" class="tree-button"{first}>{l_up}<span class="visually-hidden">: {up}</span></button>
        <button type="submit" name="direction" value="down" id="goal-{ref}-down" class="tree-button"{last}>{l_down}<span class="visually-hidden">: {down}</span></button>
        <button type="submit" name="direction" value="indent" id="goal-{ref}-indent" class="tree-button"{first}>{l_indent}<span class="visually-hidden">: {indent}</span></button>
        <button type="submit" name="direction" value="outdent" id="goal-{ref}-outdent" class="tree-button"{top}>{l_outdent}<span class="visually-hidden">: {outdent}</span></button>
      </form>
      <a href="{delete}" id="goal-{ref}-delete" class="tree-action danger-link"
         hx-get="{delete}" hx-target="#goal-{ref}-slot"{delete_focus}>{l_delete}<span class="visually-hidden"> “{title}”</span></a>
    </div>
    <div id="goal-{ref}-slot" class="goal-slot"></div>
    """

AUTOFOCUS = " autofocus"
DISABLED = ' aria-disabled="true"'


def _focus(row: GoalRow, control: str) -> str:
    return AUTOFOCUS if row.focus == control else ""


def tree_rows_html(
    rows: list[GoalRow], *, editing: bool, language: str, labels: dict[str, str], csrf_token: Any
) -> SafeString:
    """The rows of <ul class="goal-tree"> in tree order (see goals.views.goal_rows for the nesting)."""
    esc = conditional_escape
    words = {f"l_{key}": esc(value) for key, value in labels.items()}
    to_fix_label, no_owner, no_date = words["l_to_fix"], words["l_no_owner"], words["l_no_date"]
    csrf = (
        format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf_token)
        if editing and csrf_token and csrf_token != "NOTPROVIDED"  # noqa: S105 (csrf_token tag's marker)
        else ""
    )
    language = esc(language)
    parts = ["\n"]
    for row in rows:
        goal, text = row.goal, row.text
        assert text is not None
        ref = row.ref
        title = esc(goal.title)
        urls = row.urls
        actions = ""
        if editing:
            actions = ACTIONS.format(
                ref=ref,
                add=esc(urls.add),
                edit=esc(urls.edit),
                move=esc(urls.move),
                delete=esc(urls.delete),
                add_focus=_focus(row, "add"),
                edit_focus=_focus(row, "edit"),
                delete_focus=_focus(row, "delete"),
                title=title,
                csrf=csrf,
                first=DISABLED if row.is_first else "",
                last=DISABLED if row.is_last else "",
                top="" if row.node.depth else DISABLED,
                under=text.under,
                up=text.up,
                down=text.down,
                indent=text.indent,
                outdent=text.outdent,
                **words,
            )
        parts.append(
            ROW.format(
                ref=ref,
                depth=row.node.depth,
                level=esc(text.level),
                code=f'<span class="goal-code">{esc(goal.code)}</span>' if goal.code else "",
                detail=esc(urls.detail),
                language=language,
                title_focus=_focus(row, "title"),
                title=title,
                status=esc(row.rollup.status),
                status_label=esc(text.status),
                counted=text.counted,
                quality=text.quality,
                to_fix=f'<span class="muted">: {to_fix_label} – {text.to_fix}</span>' if text.to_fix else "",
                owner=text.owner or f'<span class="muted">{no_owner}</span>',
                date=text.date or f'<span class="muted">{no_date}</span>',
                actions=actions,
                end="<ul>" if row.has_children else "</li>" + "</ul></li>" * len(row.closes),
            )
        )
    parts.append("\n")
    return SafeString("".join(parts))
