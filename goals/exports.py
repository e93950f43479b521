"""The goal tree as a spreadsheet (XLSX) or a CSV file, safe to open in a spreadsheet program.

A text cell that starts with = + - @, a tab or a carriage return could be run as a formula by Excel or
LibreOffice (CWE-1236); such cells get a leading apostrophe. Numbers and dates stay numbers and dates.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from goals.measures import StrategyMeasures
from goals.models import Strategy
from goals.tree import flatten
from organisations.collation import sorted_finnish

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def safe_cell(value: Any) -> Any:
    """A cell value that a spreadsheet program shows as text, never runs as a formula."""
    if isinstance(value, str) and value.startswith(DANGEROUS_START):
        return "'" + value
    return value


@dataclass(frozen=True)
class ExportRow:
    depth: int
    values: list[Any]


def headers() -> list[str]:
    return [
        _("Level"),
        _("Code"),
        _("Goal"),
        _("Higher goal"),
        _("Description"),
        _("Owner"),
        _("Target date"),
        _("SDG targets"),
        _("Indicators"),
        _("Roll-up status"),
        _("Quality items passed"),
        _("Quality items to fix"),
    ]


def tree_rows(measures: StrategyMeasures, sdg_codes: dict[int, list[str]]) -> list[ExportRow]:
    """One row per goal, in tree order (a parent before its sub-goals)."""
    rows = []
    for node in flatten(measures.roots):
        goal = node.goal
        parent = measures.nodes[goal.parent_id].goal if goal.parent_id else None
        items = measures.quality.get(goal.pk, [])
        indicators = sorted_finnish(
            (str(m.indicator.name) for m in measures.own_indicators(goal.pk)), key=lambda name: name
        )
        rows.append(
            ExportRow(
                node.depth,
                [
                    node.level_name,
                    goal.code,
                    goal.title,
                    str(parent) if parent else "",
                    goal.description,
                    goal.owner.display_name if goal.owner else "",
                    goal.target_date,
                    ", ".join(sdg_codes.get(goal.pk, [])),
                    "; ".join(indicators),
                    measures.rollups[goal.pk].status.label,
                    f"{sum(item.passed for item in items)}/{len(items)}",
                    "; ".join(str(item.check.label) for item in items if not item.passed),
                ],
            )
        )
    return rows


def to_csv(rows: list[ExportRow]) -> bytes:
    """Semicolon-separated UTF-8 with a byte-order mark, as Finnish spreadsheet programs expect."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(headers())
    for row in rows:
        writer.writerow(
            [safe_cell(v.strftime("%d.%m.%Y") if isinstance(v, dt.date) else v) for v in row.values]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: list[ExportRow], *, strategy: Strategy) -> bytes:
    """A workbook with one sheet: the tree, indented and grouped by level (Excel's outline)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Goals")[:31]
    sheet.append([safe_cell(str(strategy))])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append(headers())
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A4"
    title_column = 3
    for row in rows:
        sheet.append([safe_cell(value) for value in row.values])
        index = sheet.max_row
        sheet.cell(row=index, column=title_column).alignment = Alignment(indent=2 * row.depth, wrap_text=True)
        date_cell = sheet.cell(row=index, column=7)
        if isinstance(date_cell.value, dt.date):
            date_cell.number_format = "DD.MM.YYYY"
        if row.depth:
            sheet.row_dimensions[index].outline_level = min(row.depth, 7)
    widths = [18, 8, 50, 30, 40, 20, 12, 16, 40, 16, 10, 40]
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
