"""CSV and XLSX tables of values: read them, guess which column is which, check every row.

CSV goes through pandas' C parser (fast for 100,000 rows); XLSX through openpyxl in read-only mode
(what pandas would use too), read directly so each cell keeps its type and its row number.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

import pandas as pd
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from indicators.importers.errors import DecodeError, ImportDataError
from indicators.importers.numbers import parse_number
from indicators.importers.report import PREVIEW_ROWS, Candidate, Progress, Report, preview_value
from indicators.importers.uploads import CHUNK, CheckedFile, FileKind
from indicators.models import Indicator, ObservationStatus
from indicators.periods import PeriodError, parse_period, period_label
from organisations.models import Organisation

MAX_TABLE_ROWS = 500_000
# A table of values needs five columns (an export has twelve); past this many it is something else, and
# every column costs work in the parser, the mapping page and its choices.
MAX_COLUMNS = 200
PROGRESS_EVERY = 500
FIELDS = ("indicator", "period", "value", "status", "note")
REQUIRED = ("indicator", "period", "value")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# The column titles of an export, in English (the source text of the translations). The importer
# recognises them in every UI language, so an export re-imports whatever language it was made in.
COLUMN_TITLES = {
    "indicator_id": gettext_noop("Indicator ID"),
    "code": gettext_noop("Code"),
    "indicator": gettext_noop("Indicator"),
    "unit": gettext_noop("Unit"),
    "period": gettext_noop("Period"),
    "value": gettext_noop("Value"),
    "status": gettext_noop("Status"),
    "note": gettext_noop("Note"),
    "source": gettext_noop("Source"),
    "provenance": gettext_noop("Provenance"),
    "retrieved_at": gettext_noop("Retrieved at"),
    "attribution": gettext_noop("Attribution"),
}

# Words people put in headers, best first for each field (compared in lower case, without punctuation).
_SYNONYMS: dict[str, list[str]] = {
    "indicator": [
        "indicator id", "indikaattorin id", "indikator id", "id", "indicator code", "code", "koodi", "kod",
        "tunnus", "indicator", "indikaattori", "indikator", "mittari", "name", "nimi", "namn",
    ],
    "period": ["period", "kausi", "ajanjakso", "vuosi", "year", "år", "aika", "time", "tid", "tidsperiod"],
    "value": ["value", "arvo", "värde", "luku", "määrä", "lukuarvo"],
    "status": ["status", "tila", "tieto", "tietojen tila", "laji"],
    "note": ["note", "huomautus", "huomio", "selite", "kommentti", "lisätieto", "anmärkning", "comment",
             "reason", "syy", "orsak"],
}  # fmt: skip
_TITLE_FIELDS = {
    "indicator_id": "indicator",
    "period": "period",
    "value": "value",
    "status": "status",
    "note": "note",
}


@dataclass
class Table:
    """A sheet: its column titles and its rows, each with the row number a spreadsheet shows."""

    columns: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)


# --- reading ---------------------------------------------------------------------------------------


def unescape_text(text: str) -> str:
    """Undo the export's protection against formula injection ('=SUM → =SUM)."""
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_START:
        return text[1:]
    return text


def cell_value(value: Any) -> Any:
    """A cell as str, int, float, Decimal or date; an empty cell as ""."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, str):
        return unescape_text(value.strip())
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def text_of(value: Any) -> str:
    """A cell already read by cell_value, as text: 2024.0 → "2024", a date → its ISO form."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def cell_text(value: Any) -> str:
    """A raw cell as text."""
    return text_of(cell_value(value))


def unique_titles(raw: Iterable[Any]) -> list[str]:
    """The column titles, each once: an empty title becomes "Column n", a repeated one "Title (2)", ….

    Linear in the number of titles: the titles taken are a set, and for each repeated title the number to
    try next is kept, so a header that repeats one title n times costs n steps (not n² or n³).
    """
    titles: list[str] = []
    taken: set[str] = set()
    next_number: dict[str, int] = {}
    for position, value in enumerate(raw, start=1):
        base = cell_text(value) or _("Column %(n)s") % {"n": position}
        title = base
        if title in taken:
            # A title of the file may already read "Title (3)": then the next number is tried. Each title
            # taken stops the numbering of exactly one base at most once, so the loop stays linear.
            n = next_number.get(base, 2)
            title = f"{base} ({n})"
            while title in taken:
                n += 1
                title = f"{base} ({n})"
            next_number[base] = n + 1
        taken.add(title)
        titles.append(title)
    return titles


def too_many_columns() -> str:
    return _(
        "The table has more than %(n)s columns. Keep the columns of the indicator, the period and the value "
        "(and of the status and a note, if there are such) and upload it again."
    ) % {"n": MAX_COLUMNS}


def check_header_width(file: IO[bytes], encoding: str, sep: str) -> None:
    """Refuse a CSV whose first row has more than MAX_COLUMNS columns before any parser reads it.

    pandas builds an object per column (a first row of a million columns takes it minutes), so the
    first row is counted here, within the first CHUNK of the file, by the csv module (quotes respected).
    """
    file.seek(0)
    raw = file.read(CHUNK)
    file.seek(0)
    text = raw.decode(encoding, errors="replace")
    stream = io.StringIO(text, newline="")
    try:
        first = next(csv.reader(stream, delimiter=sep), [])
    except csv.Error:
        return  # pandas names the fault of the file in its own words
    if len(first) > MAX_COLUMNS:
        raise DecodeError(too_many_columns())
    if len(raw) == CHUNK and not stream.read(1):
        # The first row did not end within the first CHUNK bytes: no table of values has such titles.
        raise DecodeError(
            _("The first row of the table (the column titles) is longer than %(size)s. Check the file.")
            % {"size": filesizeformat(CHUNK)}
        )


def _delimiter(file: IO[bytes], encoding: str) -> str:
    file.seek(0)
    head = file.read(CHUNK).decode(encoding, errors="replace")
    file.seek(0)
    first = head.splitlines()[0] if head.splitlines() else ""
    counts = {sep: first.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def read_csv(file: IO[bytes], *, encoding: str = "utf-8-sig", limit: int | None = None) -> Table:
    sep = _delimiter(file, encoding)
    check_header_width(file, encoding, sep)
    file.seek(0)
    try:
        frame = pd.read_csv(
            file,
            sep=sep,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            encoding=encoding,
            nrows=None if limit is None else limit + 1,
            engine="c",
        )
    except pd.errors.EmptyDataError as error:
        raise DecodeError(_("The file has no rows.")) from error
    except pd.errors.ParserError as error:
        match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
        if match:
            raise DecodeError(
                _(
                    "Row %(row)s has %(saw)s columns but the first row has %(expected)s. "
                    "Check its quotes and %(sep)s."
                )
                % {
                    "row": match[2],
                    "saw": match[3],
                    "expected": match[1],
                    "sep": "“" + sep.replace("\t", "tab") + "”",
                }
            ) from error
        raise DecodeError(_("The CSV file cannot be read: %(error)s") % {"error": error}) from error
    except (UnicodeDecodeError, ValueError) as error:
        raise DecodeError(_("The CSV file cannot be read: %(error)s") % {"error": error}) from error
    if len(frame) > MAX_TABLE_ROWS + 1:
        raise DecodeError(_too_many_rows())
    values = frame.to_numpy(dtype=object).tolist()
    if not values:
        raise DecodeError(_("The file has no rows."))
    if len(values[0]) > MAX_COLUMNS:
        raise DecodeError(too_many_columns())
    table = Table(columns=unique_titles(values[0]))
    table.rows = [(number, row) for number, row in enumerate(values[1:], start=2)]
    return table


def _too_many_rows() -> str:
    return _("The file has more than %(n)s rows. Split it into smaller files.") % {"n": f"{MAX_TABLE_ROWS:,}"}


def read_xlsx(file: IO[bytes], *, limit: int | None = None) -> Table:
    from openpyxl import load_workbook

    file.seek(0)
    try:
        book = load_workbook(file, read_only=True, data_only=True, keep_links=False)
    except (KeyError, ValueError, TypeError, OSError, zipfile.BadZipFile, AttributeError) as error:
        # defusedxml's refusals (entities, DTDs) are ValueErrors too.
        raise DecodeError(_("The workbook cannot be read: %(error)s") % {"error": error}) from error
    try:
        if not book.worksheets:
            raise DecodeError(_("The workbook has no sheet of values."))
        sheet = book.worksheets[0]
        # openpyxl pads every row to the sheet's width, which a workbook may declare as 16,384 columns
        # (or imply with one cell far to the right): read at most one column more than the cap.
        declared = sheet.max_column
        width = MAX_COLUMNS + 1 if declared is None else min(declared, MAX_COLUMNS + 1)
        rows = sheet.iter_rows(values_only=True, max_col=width)
        header: tuple[Any, ...] | None = None
        table = Table(columns=[])
        try:
            for number, row in enumerate(rows, start=1):
                if header is None:
                    if any(cell_text(c) for c in row):
                        header = row
                        titles = _trim(list(row))
                        if len(titles) > MAX_COLUMNS:
                            raise DecodeError(too_many_columns())
                        table.columns = unique_titles(titles)
                    continue
                # Only the header's columns are ever read; cells beyond them are not kept.
                table.rows.append((number, list(row[: len(table.columns)])))
                if len(table.rows) > MAX_TABLE_ROWS:
                    raise DecodeError(_too_many_rows())
                if limit is not None and len(table.rows) >= limit:
                    break
        except DecodeError:
            raise
        except (KeyError, ValueError, TypeError, AttributeError, zipfile.BadZipFile) as error:
            raise DecodeError(_("The workbook cannot be read: %(error)s") % {"error": error}) from error
        if header is None:
            raise DecodeError(_("The first sheet of the workbook is empty."))
        return table
    finally:
        book.close()


def _trim(row: list[Any]) -> list[Any]:
    while row and not cell_text(row[-1]):
        row.pop()
    return row


def read_table(file: IO[bytes], checked: CheckedFile, *, limit: int | None = None) -> Table:
    if checked.kind == FileKind.XLSX:
        return read_xlsx(file, limit=limit)
    if checked.kind == FileKind.CSV:
        return read_csv(file, encoding=checked.encoding, limit=limit)
    raise DecodeError(_("The file is not a CSV table or an Excel workbook."))


def estimate_rows(file: IO[bytes], checked: CheckedFile) -> int:
    """About how many data rows the table has, cheaply (decides whether the import runs in the background)."""
    if checked.kind == FileKind.CSV:
        file.seek(0)
        lines, last = 0, b""
        for chunk in iter(lambda: file.read(CHUNK), b""):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
        file.seek(0)
        if last not in {b"\n", b""}:
            lines += 1  # a last line without a line break
        return max(lines - 1, 0)
    from openpyxl import load_workbook

    file.seek(0)
    try:
        book = load_workbook(file, read_only=True, data_only=True, keep_links=False)
        try:
            rows = book.worksheets[0].max_row if book.worksheets else 0
        finally:
            book.close()
    except (KeyError, ValueError, TypeError, OSError, zipfile.BadZipFile, AttributeError, IndexError):
        rows = None
    file.seek(0)
    # A sheet without a recorded dimension says nothing: treat it as large, so it runs in the background.
    return (rows - 1) if rows else MAX_TABLE_ROWS


# --- mapping ---------------------------------------------------------------------------------------


def _normal(title: str) -> str:
    return re.sub(r"[^\w ]+", " ", title.lower()).strip().replace("  ", " ")


def _title_synonyms() -> dict[str, list[str]]:
    """The synonyms, with the export's own column titles in every UI language first."""
    synonyms = {name: list(words) for name, words in _SYNONYMS.items()}
    for lang in ("fi", "sv", "en"):
        with translation.override(lang):
            for key, target in _TITLE_FIELDS.items():
                synonyms[target].insert(0, _normal(_(COLUMN_TITLES[key])))
    return synonyms


def guess_mapping(columns: list[str]) -> dict[str, str]:
    """Which column holds which field, from the titles; a field without a likely column is left out."""
    normal = {column: _normal(column) for column in columns}
    mapping: dict[str, str] = {}
    used: set[str] = set()
    synonyms = _title_synonyms()
    for name in FIELDS:
        for word in synonyms[name]:
            found = next((c for c in columns if normal[c] == word and c not in used), None)
            if found:
                mapping[name] = found
                used.add(found)
                break
    return mapping


def mapping_errors(mapping: dict[str, str], columns: list[str]) -> list[str]:
    errors = []
    for name in REQUIRED:
        if not mapping.get(name):
            errors.append(_("Choose the column that holds the %(field)s.") % {"field": field_label(name)})
    chosen = [c for c in mapping.values() if c]
    for column in sorted(set(chosen)):
        if chosen.count(column) > 1:
            errors.append(_("The column “%(column)s” is chosen for two fields.") % {"column": column})
    for column in chosen:
        if column not in columns:
            errors.append(_("The file has no column “%(column)s”.") % {"column": column})
    return errors


def field_label(name: str) -> str:
    return {
        "indicator": _("indicator"),
        "period": _("period"),
        "value": _("value"),
        "status": _("status"),
        "note": _("note or reason"),
    }[name]


# --- checking --------------------------------------------------------------------------------------


class IndicatorMatcher:
    """Finds an organisation's indicator by its ID, its template code or its name (fi, sv or en)."""

    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation
        self.indicators = list(Indicator.objects.for_organisation(organisation).select_related("template"))
        self.by_id = {str(i.pk): i for i in self.indicators}
        self.by_code = {i.template.code.lower(): i for i in self.indicators if i.template}
        self.by_name: dict[str, list[Indicator]] = {}
        for indicator in self.indicators:
            for name in {indicator.name_fi, indicator.name_sv, indicator.name_en} - {""}:
                self.by_name.setdefault(name.strip().lower(), []).append(indicator)

    def match(self, text: str) -> Indicator:
        key = text.strip()
        if key.endswith(".0") and key[:-2].isdigit():
            key = key[:-2]
        if key in self.by_id:
            return self.by_id[key]
        if key.lower() in self.by_code:
            return self.by_code[key.lower()]
        named = self.by_name.get(key.lower(), [])
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            raise ImportDataError(
                _("%(count)s indicators are named “%(name)s”: use the indicator ID instead.")
                % {"count": len(named), "name": key}
            )
        raise ImportDataError(
            _("%(org)s has no indicator “%(text)s”. Use the indicator's ID, template code or name.")
            % {"org": self.organisation.name, "text": key[:60]}
        )


def _status_words() -> dict[str, str]:
    words: dict[str, str] = {}
    for lang in ("en", "sv", "fi"):
        with translation.override(lang):
            for value, label in ObservationStatus.choices:
                words[str(label).lower()] = value
    words.update({value: value for value in ObservationStatus.values})
    words.update(
        {
            "lopullinen": "final", "ennakko": "preliminary", "ennakollinen": "preliminary",
            "ennakkotieto": "preliminary", "puuttuu": "missing", "puuttuva": "missing",
            "slutlig": "final", "preliminär": "preliminary", "saknas": "missing",
        }
    )  # fmt: skip
    return words


def parse_status(text: str, words: dict[str, str]) -> str | None:
    key = text.strip().lower()
    if not key:
        return None
    if key in words:
        return words[key]
    raise ImportDataError(
        _("“%(text)s” is not a status: use final, preliminary or missing.") % {"text": text.strip()[:40]}
    )


def parse_table_period(value: Any, indicator: Indicator) -> dt.date:
    """The period of a cell (already read by cell_value) for this indicator's periodicity."""
    if isinstance(value, dt.date):
        value = period_label(value, indicator.periodicity)
    try:
        return parse_period(text_of(value), indicator.periodicity)
    except PeriodError as error:
        raise ImportDataError(
            _(
                "“%(text)s” is not a period of %(name)s, which is measured by %(periodicity)s: "
                "write it like %(example)s."
            )
            % {
                "text": text_of(value)[:40],
                "name": indicator.name,
                "periodicity": indicator.get_periodicity_display(),
                "example": period_label(dt.date(2024, 4, 1), indicator.periodicity),
            }
        ) from error


def check_table(
    table: Table,
    mapping: dict[str, str],
    organisation: Organisation,
    *,
    progress: Progress | None = None,
) -> tuple[list[Candidate], Report]:
    """Every row of the table as a candidate value, and every problem by row, column and reason."""
    report = Report(unit="rows", columns=table.columns)
    errors = mapping_errors(mapping, table.columns)
    if errors:
        raise DecodeError(" ".join(errors))
    position = {name: table.columns.index(column) for name, column in mapping.items() if column}
    matcher = IndicatorMatcher(organisation)
    status_words = _status_words()
    candidates: list[Candidate] = []
    seen: dict[tuple[int, dt.date], int] = {}
    total = len(table.rows)

    def cell(row: list[Any], name: str) -> Any:
        index = position.get(name)
        if index is None or index >= len(row):
            return ""
        return cell_value(row[index])

    for done, (number, row) in enumerate(table.rows, start=1):
        if progress and done % PROGRESS_EVERY == 0:
            progress(done, total)
        if not any(cell_text(c) for c in row):
            continue
        report.read += 1
        indicator: Indicator | None = None
        period: dt.date | None = None
        value: Decimal | None = None
        status: str | None = None
        ok = True
        indicator_text = text_of(cell(row, "indicator"))
        if not indicator_text:
            report.problem(number, mapping["indicator"], _("The indicator is missing."))
            ok = False
        else:
            try:
                indicator = matcher.match(indicator_text)
            except ImportDataError as error:
                report.problem(number, mapping["indicator"], error.message)
                ok = False
        if "status" in position:
            try:
                status = parse_status(text_of(cell(row, "status")), status_words)
            except ImportDataError as error:
                report.problem(number, mapping["status"], error.message)
                ok = False
        raw_value = cell(row, "value")
        note_text = text_of(cell(row, "note")) if "note" in position else None
        if text_of(raw_value) == "":
            if status is None:
                report.notice(_("Row %(row)s") % {"row": number}, _("no value: the row was skipped"))
                continue
            if status != ObservationStatus.MISSING:
                report.problem(
                    number,
                    mapping["value"],
                    _("The value is empty. Give a value, or mark the status as missing."),
                )
                ok = False
        else:
            try:
                value = parse_number(raw_value)
            except ImportDataError as error:
                report.problem(number, mapping["value"], error.message)
                ok = False
            if status == ObservationStatus.MISSING:
                report.problem(
                    number,
                    mapping["status"],
                    _("The status is missing but the row has a value. Remove one of them."),
                )
                ok = False
        raw_period = cell(row, "period")
        if text_of(raw_period) == "":
            report.problem(number, mapping["period"], _("The period is missing."))
            ok = False
        elif indicator is not None:
            try:
                period = parse_table_period(raw_period, indicator)
            except ImportDataError as error:
                report.problem(number, mapping["period"], error.message)
                ok = False
        if note_text is not None and len(note_text) > 255:
            report.problem(number, mapping["note"], _("The note is longer than 255 characters."))
            ok = False
        if not ok or indicator is None or period is None:
            continue
        key = (indicator.pk, period)
        if key in seen:
            report.problem(
                number,
                mapping["period"],
                _("Row %(row)s already gives %(name)s for %(period)s.")
                % {
                    "row": seen[key],
                    "name": indicator.name,
                    "period": period_label(period, indicator.periodicity),
                },
            )
            continue
        seen[key] = number
        report.matched += 1
        missing = status == ObservationStatus.MISSING
        candidates.append(
            Candidate(
                indicator_id=indicator.pk,
                period=period,
                value=value,
                row=number,
                status=status,
                reason=note_text if missing else None,
                note=None if missing else note_text,
            )
        )
        if len(report.preview) < PREVIEW_ROWS:
            report.preview.append(
                {
                    "row": str(number),
                    "indicator": str(indicator.name),
                    "period": period_label(period, indicator.periodicity),
                    "value": preview_value(value),
                    "status": str(ObservationStatus(status).label) if status else "",
                    "note": note_text or "",
                }
            )
    if progress:
        progress(total, total)
    return candidates, report


def preview_rows(table: Table, mapping: dict[str, str], organisation: Organisation) -> list[dict[str, Any]]:
    """The first rows as the mapping reads them, each with its problems (the mapping page's preview)."""
    head = Table(columns=table.columns, rows=table.rows[:PREVIEW_ROWS])
    if mapping_errors(mapping, table.columns):
        return []
    _candidates, report = check_table(head, mapping, organisation)
    problems: dict[int, list[str]] = {}
    for problem in report.problems:
        if problem.row is not None:
            problems.setdefault(problem.row, []).append(f"{problem.column}: {problem.reason}")
    position = {name: table.columns.index(column) for name, column in mapping.items() if column}
    rows = []
    for number, row in head.rows:
        cells = {name: cell_text(row[index]) if index < len(row) else "" for name, index in position.items()}
        rows.append(
            {
                "row": number,
                "cells": [cells.get(name, "") for name in FIELDS],
                "problems": problems.get(number, []),
            }
        )
    return rows


def table_bytes(text: str, encoding: str = "utf-8") -> io.BytesIO:
    """A text as a seekable binary file (for tests and for data already in memory)."""
    return io.BytesIO(text.encode(encoding))
