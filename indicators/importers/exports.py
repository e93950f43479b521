"""An organisation's indicators and values as CSV or XLSX: one row per indicator and period.

Text cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return)
get a leading apostrophe (CWE-1236); numbers stay numbers. The column titles are the ones the table
importer recognises, so an export imports back unchanged.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.importers.numbers import plain_number
from indicators.importers.tabular import COLUMN_TITLES, FORMULA_START
from indicators.models import Indicator, Observation, ObservationSource, ObservationStatus
from indicators.periods import period_label
from organisations.models import Organisation

COLUMNS = tuple(COLUMN_TITLES)
# The licences ask for these words; they stay in English like the licence names (CC BY 4.0).
ATTRIBUTIONS: dict[str, str] = {
    ObservationSource.STATFIN.value: "Source: Statistics Finland, CC BY 4.0",
    ObservationSource.SOTKANET.value: "Source: THL / Sotkanet, CC BY 4.0",
}


def attribution(source: str) -> str:
    """The licence attribution a value from this source must carry ("" for typed-in and file values)."""
    return ATTRIBUTIONS.get(str(source), "")


def escape_text(text: str) -> str:
    """A text cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def export_rows(organisation: Organisation) -> list[dict[str, Any]]:
    """One row per indicator and period (an indicator without values gets one row without a period).

    Two queries whatever the number of indicators and values.
    """
    indicators = (
        Indicator.objects.for_organisation(organisation)
        .select_related("template")
        .prefetch_related(Prefetch("observations", queryset=Observation.objects.order_by("period")))
    )
    rows: list[dict[str, Any]] = []
    for indicator in sorted(indicators, key=lambda i: (str(i.name).lower(), i.pk)):
        base = {
            "indicator_id": indicator.pk,
            "code": indicator.template.code if indicator.template else "",
            "indicator": str(indicator.name),
            "unit": indicator.unit,
        }
        observations = list(indicator.observations.all())
        if not observations:
            rows.append({**base, **dict.fromkeys(COLUMNS[4:], "")})
            continue
        for observation in observations:
            missing = observation.status == ObservationStatus.MISSING
            rows.append(
                {
                    **base,
                    "period": period_label(observation.period, indicator.periodicity),
                    "value": observation.value,
                    "status": str(ObservationStatus(observation.status).label),
                    "note": observation.missing_reason if missing else observation.note,
                    "source": str(ObservationSource(observation.source).label),
                    "provenance": observation.provenance,
                    "retrieved_at": (
                        timezone.localtime(observation.retrieved_at).strftime("%Y-%m-%d %H:%M")
                        if observation.retrieved_at
                        else ""
                    ),
                    "attribution": attribution(observation.source),
                }
            )
    return rows


def _titles() -> list[str]:
    return [_(COLUMN_TITLES[key]) for key in COLUMNS]


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return plain_number(value)
    if isinstance(value, int):
        return str(value)
    return escape_text(str(value))


def export_csv(organisation: Organisation) -> bytes:
    """CSV as Finnish spreadsheets open it: UTF-8 with a byte order mark, semicolons, decimal commas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([escape_text(t) for t in _titles()])
    for row in export_rows(organisation):
        writer.writerow([_csv_cell(row[key]) for key in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Decimal | int):
        return value  # a number cell
    return escape_text(str(value))


def export_xlsx(organisation: Organisation) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("Values")[:31])
    sheet.append([escape_text(t) for t in _titles()])
    for row in export_rows(organisation):
        sheet.append([_xlsx_cell(row[key]) for key in COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
