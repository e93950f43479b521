"""THL Sotkanet data responses (REST 1.1): the CSV and the JSON form, joined to organisations by region.

Sotkanet names areas by its own region ids; its region list (data/sotkanet_regions.json, THL, CC BY 4.0)
gives each id a category (KUNTA, MAAKUNTA, …) and an official code. The list still holds municipalities
that have merged since; their values are reported, not dropped silently.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any

import pandas as pd
from django.conf import settings
from django.utils.translation import gettext as _

from indicators.importers.errors import DecodeError, ImportDataError
from indicators.importers.jsonstat import (
    AreaScope,
    add_preview,
    indicators_by_code,
    no_municipality_reason,
    value_candidate,
)
from indicators.importers.numbers import parse_number
from indicators.importers.report import Candidate, Progress, Report
from indicators.importers.tabular import check_header_width
from indicators.importers.uploads import CheckedFile, FileKind
from indicators.models import Indicator, Source
from indicators.periods import PeriodError, parse_period
from organisations.models import Organisation

CSV_HEADER = ["indicator", "region", "year", "gender", "primary value", "absolute value"]
PROGRESS_EVERY = 500


@dataclass(frozen=True)
class Region:
    id: int
    code: str
    category: str
    title: str


@dataclass(frozen=True)
class SotkanetRow:
    row: int
    indicator: str
    region: str
    year: str
    gender: str
    value: Any


def regions_path() -> Path:
    return Path(settings.BASE_DIR) / "data" / "sotkanet_regions.json"


@cache
def regions() -> dict[int, Region]:
    """Sotkanet's region list by id (read once per process)."""
    data = json.loads(regions_path().read_text(encoding="utf-8"))
    return {
        int(item["id"]): Region(
            id=int(item["id"]),
            code=str(item.get("code", "")),
            category=str(item.get("category", "")),
            title=str((item.get("title") or {}).get("fi", "")),
        )
        for item in data
    }


def is_sotkanet_csv_header(first_line: str) -> bool:
    fields = [f.strip().lower() for f in first_line.lstrip("\ufeff").split(";")]
    return fields[:5] == CSV_HEADER[:5]


def is_sotkanet_json(data: Any) -> bool:
    return (
        isinstance(data, list)
        and bool(data)
        and isinstance(data[0], dict)
        and {"indicator", "region", "year"} <= set(data[0])
    )


def read_csv(file: IO[bytes], encoding: str = "utf-8-sig") -> list[SotkanetRow]:
    check_header_width(file, encoding, ";")
    file.seek(0)
    try:
        frame = pd.read_csv(
            file,
            sep=";",
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            encoding=encoding,
            engine="c",
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as error:
        raise DecodeError(
            _("The Sotkanet CSV file cannot be read: %(error)s") % {"error": str(error)[:200]}
        ) from error
    columns = [str(c).strip().lower() for c in frame.columns]
    if columns[:5] != CSV_HEADER[:5]:
        raise DecodeError(
            _("A Sotkanet CSV file starts with the header “%(header)s”.") % {"header": ";".join(CSV_HEADER)}
        )
    frame.columns = pd.Index(columns)
    return [
        SotkanetRow(
            row=number,
            indicator=record["indicator"].strip(),
            region=record["region"].strip(),
            year=record["year"].strip(),
            gender=record["gender"].strip().lower(),
            value=record["primary value"].strip(),
        )
        for number, record in enumerate(frame.to_dict("records"), start=2)
    ]


def read_json(data: Any) -> list[SotkanetRow]:
    if not isinstance(data, list):
        raise DecodeError(_("A Sotkanet JSON response is a list of values."))
    rows = []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise DecodeError(_("Item %(n)s of the Sotkanet response is not an object.") % {"n": number})
        rows.append(
            SotkanetRow(
                row=number,
                indicator=_plain(item.get("indicator")),
                region=_plain(item.get("region")),
                year=_plain(item.get("year")),
                gender=_plain(item.get("gender", "total")).lower(),
                value=item.get("value"),
            )
        )
    return rows


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(file: IO[bytes], checked: CheckedFile) -> list[SotkanetRow]:
    from indicators.importers.jsonstat import load_json

    if checked.kind == FileKind.JSON:
        return read_json(load_json(file, checked.encoding))
    if checked.kind == FileKind.CSV:
        return read_csv(file, checked.encoding)
    raise DecodeError(_("Sotkanet data comes as CSV or JSON."))


def rows_from_text(text: str) -> list[SotkanetRow]:
    """Rows from a CSV response already in memory (tests, and data fetched elsewhere)."""
    return read_csv(io.BytesIO(text.encode("utf-8")))


def _region(known: dict[int, Region], text: str) -> Region | None:
    if not (text.isascii() and text.isdigit() and len(text) < 10):
        return None
    return known.get(int(text))


def _organisation(region: Region, scope: AreaScope) -> tuple[Organisation | None, str]:
    """The organisation of a Sotkanet region, or None and why not."""
    if region.category == "KUNTA":
        code = region.code.zfill(3)
        org = scope.find(Organisation.Kind.MUNICIPALITY, code)
        if org is None:
            return None, no_municipality_reason(code)
        return org, ""
    if region.category == "MAAKUNTA":
        code = region.code.zfill(2)
        org = scope.find(Organisation.Kind.REGIONAL_COUNCIL, code)
        if org is None:
            return None, _("no regional council has region code %(code)s") % {"code": code}
        return org, ""
    if region.category == "MAA":
        return None, _("values for the whole country belong to no organisation")
    return None, _("areas of the kind %(category)s are not organisations") % {"category": region.category}


def sotkanet_candidates(
    rows: list[SotkanetRow], *, scope: AreaScope, report: Report, progress: Progress | None = None
) -> list[Candidate]:
    """Sotkanet rows as values of organisations' indicators; every skipped row reported with its reason."""
    report.unit = "rows"
    known = regions()
    organisations: dict[str, Organisation] = {}
    for row in rows:
        region = _region(known, row.region)
        if region is not None and row.region not in organisations:
            org, _why = _organisation(region, scope)
            if org is not None and scope.accepts(org):
                organisations[row.region] = org
    codes = {row.indicator.lower() for row in rows}
    indicators: dict[tuple[int, str], list[Indicator]] = (
        indicators_by_code(
            list({o.pk: o for o in organisations.values()}.values()), codes, source=Source.SOTKANET
        )
        if organisations
        else {}
    )
    seen: dict[tuple[int, dt.date], int] = {}
    candidates: list[Candidate] = []
    source_name = _("Sotkanet")
    total = len(rows)
    for done, row in enumerate(rows, start=1):
        if progress and done % PROGRESS_EVERY == 0:
            progress(done, total)
        report.read += 1
        region = _region(known, row.region)
        if region is None:
            report.notice(
                _("region %(id)s") % {"id": row.region or "?"},
                _("this region id is not in Sotkanet's region list"),
            )
            continue
        area = f"{region.code} {region.title}".strip()
        org, why = _organisation(region, scope)
        if org is None:
            # Municipalities and regions are named one by one; other kinds of area (sub-regions, hospital
            # districts, …) are counted by kind.
            known_kind = region.category in {"KUNTA", "MAAKUNTA", "MAA"}
            report.notice(area if known_kind else region.category, why)
            continue
        if not scope.accepts(org):
            report.notice(_("other areas"), scope.refused_reason())
            continue
        if row.gender not in {"total", ""}:
            report.notice(
                _("gender %(gender)s") % {"gender": row.gender},
                _("values by gender are not imported; only totals are"),
            )
            continue
        matched = indicators.get((org.pk, row.indicator.lower()), [])
        if not matched:
            report.notice(
                _("Sotkanet indicator %(id)s") % {"id": row.indicator},
                _("no indicator with this Sotkanet id in %(org)s") % {"org": org.name}
                if scope.organisation
                else _("the organisation of the area has no indicator with this Sotkanet id"),
            )
            continue
        value = None
        if _plain(row.value) != "":
            try:
                value = parse_number(row.value)
            except ImportDataError as error:
                report.problem(
                    row.row, "primary value" if isinstance(row.value, str) else "value", error.message
                )
                continue
        report.matched += 1
        for indicator in matched:
            try:
                period = parse_period(row.year, indicator.periodicity)
            except PeriodError:
                report.problem(
                    row.row,
                    "year",
                    _("“%(time)s” is not a period of %(name)s, which is measured by %(periodicity)s.")
                    % {
                        "time": row.year,
                        "name": indicator.name,
                        "periodicity": indicator.get_periodicity_display(),
                    },
                )
                continue
            key = (indicator.pk, period)
            if key in seen:
                report.problem(
                    row.row,
                    "region",
                    _("row %(other)s already gives %(name)s for %(period)s")
                    % {"other": seen[key], "name": indicator.name, "period": row.year},
                )
                continue
            seen[key] = row.row
            candidate = value_candidate(indicator, period, value, None, row.row, source_name)
            candidates.append(candidate)
            add_preview(report, candidate, indicator, org)
    if progress:
        progress(total, total)
    return candidates
