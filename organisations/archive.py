"""All of an organisation's data as one ZIP archive of CSV and XLSX files (for an organisation that leaves).

Upper apps register the tables they own (`register_part`) from `AppConfig.ready()`; each table is every
alive row of a model for the organisation, one column per field titled with its verbose name. Text cells a
spreadsheet would run as a formula get a leading apostrophe (CWE-1236, the rule of the other exports);
numbers stay numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

from django.db import models
from django.utils import timezone

if TYPE_CHECKING:
    from organisations.models import Organisation

# The same cells as indicators.importers.tabular.FORMULA_START (this app cannot import that one).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOOKKEEPING = frozenset({"version", "deleted_at", "deleted_by"})


@dataclass(frozen=True)
class Part:
    name: str  # file name without extension, e.g. "indicators"
    rows: Callable[[Organisation], models.QuerySet[Any]]
    order: int = 100


_parts: dict[str, Part] = {}


def register_part(part: Part) -> Part:
    _parts[part.name] = part
    return part


def parts() -> list[Part]:
    return sorted(_parts.values(), key=lambda p: (p.order, p.name))


def escape_text(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def _columns(model: type[models.Model]) -> list[tuple[str, models.Field[Any, Any], bool]]:
    """(title, field, is the id column of a foreign key)."""
    columns: list[tuple[str, models.Field[Any, Any], bool]] = []
    for f in model._meta.concrete_fields:
        if f.name in BOOKKEEPING:
            continue
        title = "id" if f.primary_key else str(f.verbose_name)
        columns.append((title, f, False))
        if f.is_relation:
            columns.append((f"{title} (id)", f, True))
    return columns


def _cell(obj: models.Model, f: models.Field[Any, Any], as_id: bool) -> Any:
    if f.is_relation:
        if as_id:
            return getattr(obj, f.attname)
        related = getattr(obj, f.name)
        return escape_text(str(related)) if related is not None else None
    value = getattr(obj, f.attname)
    if value is None or isinstance(value, bool | int | Decimal | float):
        return value
    if f.choices:
        value = dict(f.flatchoices).get(value, value)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, dt.date):
        return value
    return escape_text(str(value))


def table(queryset: models.QuerySet[Any]) -> tuple[list[str], list[list[Any]]]:
    columns = _columns(queryset.model)
    related = [f.name for _title, f, as_id in columns if f.is_relation and not as_id]
    rows = [
        [_cell(obj, f, as_id) for _title, f, as_id in columns] for obj in queryset.select_related(*related)
    ]
    return [escape_text(title) for title, _f, _id in columns], rows


def _csv(titles: list[str], rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(titles)
    for row in rows:
        writer.writerow(
            [
                "" if v is None else str(v).replace(".", ",") if isinstance(v, Decimal | float) else v
                for v in row
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx(name: str, titles: list[str], rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=name[:31])
    sheet.append(titles)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_archive(organisation: Organisation, target: IO[bytes]) -> list[str]:
    """Write the ZIP to `target`; return the names of the files in it."""
    names: list[str] = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for part in parts():
            titles, rows = table(part.rows(organisation))
            for name, data in (
                (f"{part.name}.csv", _csv(titles, rows)),
                (f"{part.name}.xlsx", _xlsx(part.name, titles, rows)),
            ):
                archive.writestr(name, data)
                names.append(name)
    return names


def archive_name(organisation: Organisation) -> str:
    return f"{organisation.slug}-{timezone.localdate():%Y-%m-%d}.zip"
