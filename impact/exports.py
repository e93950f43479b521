"""The activity register as a CSV or XLSX file, safe to open in a spreadsheet program.

A text cell that starts with = + - @, a tab or a carriage return could run as a formula in Excel or
LibreOffice (CWE-1236): such cells get a leading apostrophe. Numbers stay numbers and dates stay dates.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from impact.analysis import RegisterRow

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
MONEY_COLUMNS = (6, 7, 8)  # zero-based: total budget, own share, external funding
DATE_COLUMNS = (3, 4, 12, 14)


def safe_cell(value: Any) -> Any:
    """A cell value that a spreadsheet program shows as text, never runs as a formula."""
    if isinstance(value, str) and value.startswith(DANGEROUS_START):
        return "'" + value
    return value


def headers() -> list[str]:
    return [
        _("Activity"),
        _("Kind"),
        _("Status"),
        _("Start date"),
        _("End date"),
        _("Funding programme"),
        _("Total budget (€)"),
        _("Own share (€)"),
        _("External funding (€)"),
        _("Goals served"),
        _("Partners"),
        _("Partner countries"),
        _("Latest report"),
        _("Latest report status"),
        _("Next report due"),
        _("Flags"),
        _("Responsible person"),
    ]


def register_table(
    rows: Sequence[RegisterRow],
    *,
    goals: dict[int, list[str]],
    partners: dict[int, list[str]],
    countries: dict[int, list[str]],
) -> list[list[Any]]:
    """One list of cell values per activity, in the register's order."""
    table = []
    for row in rows:
        activity = row.activity
        flags = []
        if row.serves_no_goal:
            flags.append(_("serves no goal"))
        if row.follow.report_overdue:
            flags.append(_("report overdue"))
        if row.follow.review_is_due:
            flags.append(_("review due"))
        table.append(
            [
                activity.name,
                activity.get_kind_display(),
                activity.get_status_display(),
                activity.start_date,
                activity.end_date,
                activity.get_programme_display() if activity.programme else "",
                activity.total_budget,
                activity.own_share,
                activity.external_funding,
                "; ".join(goals.get(activity.pk, [])),
                "; ".join(partners.get(activity.pk, [])),
                ", ".join(countries.get(activity.pk, [])),
                row.last_report_on,
                row.last_report_label,
                row.follow.report_due,
                ", ".join(flags),
                activity.responsible.display_name if activity.responsible else "",
            ]
        )
    return table


def _csv_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")  # Finnish spreadsheets read a decimal comma
    return safe_cell(value)


def to_csv(table: list[list[Any]]) -> bytes:
    """Semicolon-separated UTF-8 with a byte-order mark, as Finnish spreadsheet programs expect."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([safe_cell(header) for header in headers()])
    for values in table:
        writer.writerow([_csv_value(value) for value in values])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(table: list[list[Any]], *, title: str) -> bytes:
    """A workbook with one sheet: a title row, the headers and one row per activity."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Activities")[:31]
    sheet.append([safe_cell(title)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append(headers())
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "B4"
    for values in table:
        sheet.append([safe_cell(value) for value in values])
        index = sheet.max_row
        for column in MONEY_COLUMNS:
            sheet.cell(row=index, column=column + 1).number_format = "#,##0.00"
        for column in DATE_COLUMNS:
            sheet.cell(row=index, column=column + 1).number_format = "DD.MM.YYYY"
    widths = [40, 22, 12, 12, 12, 18, 14, 14, 14, 40, 40, 24, 12, 18, 14, 30, 22]
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
