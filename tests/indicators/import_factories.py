"""Factories for the import and export tests: indicators with a source, files in memory."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from indicators.models import Indicator, IndicatorTemplate, Observation
from organisations.models import Organisation

DATA = Path(__file__).parent / "data"
_seq = itertools.count(1)


def make_source_indicator(
    *, organisation: Organisation, name: str = "", template: IndicatorTemplate | None = None, **fields: Any
) -> Indicator:
    """An indicator of the organisation (yearly unless told otherwise)."""
    n = next(_seq)
    fields.setdefault("chain_level", "outcome")
    fields.setdefault("name_fi", name or f"Tuontimittari {n}")
    return Indicator.objects.create(organisation=organisation, template=template, **fields)


def make_import_template(*, code: str = "", **fields: Any) -> IndicatorTemplate:
    n = next(_seq)
    fields.setdefault("chain_level", "outcome")
    fields.setdefault("name_fi", f"Mallimittari {n}")
    return IndicatorTemplate.objects.create(code=code or f"import-template-{n}", status="published", **fields)


def observe(indicator: Indicator, year: int, value: str | None, **fields: Any) -> Observation:
    if value is None:
        fields.setdefault("status", "missing")
    return Observation.objects.create(
        indicator=indicator,
        period=dt.date(year, 1, 1),
        value=None if value is None else Decimal(value),
        **fields,
    )


def csv_file(rows: list[list[Any]], *, sep: str = ";", encoding: str = "utf-8") -> io.BytesIO:
    text = "\r\n".join(sep.join(str(cell) for cell in row) for row in rows) + "\r\n"
    return io.BytesIO(text.encode(encoding))


def xlsx_file(rows: list[list[Any]]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer
