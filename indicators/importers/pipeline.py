"""One path for every import, from the web page, the background task and the management command:
guard the file, tell its format by content, read it into candidate values and a report, then write."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO, Any

from django.utils.translation import gettext as _

from indicators.importers import jsonstat, sotkanet, tabular
from indicators.importers.apply import write_values
from indicators.importers.errors import ImportDataError, UploadRefused
from indicators.importers.report import Candidate, Progress, Report
from indicators.importers.uploads import CHUNK, CheckedFile, FileKind, check_file
from indicators.models import ObservationSource
from organisations.models import Organisation

FORMATS = ("csv", "xlsx", "jsonstat", "sotkanet")
TABLE_FORMATS = ("csv", "xlsx")
# Imports of more rows (or cells) than this run as a background task, not inside the request.
BACKGROUND_ROWS = 2000


@dataclass
class Prepared:
    """A file read and checked: what would be written, and the report so far."""

    format: str
    candidates: list[Candidate]
    report: Report
    source: str
    provenance: str
    mapping: dict[str, str] = field(default_factory=dict)


def format_label(name: str) -> str:
    return {
        "csv": _("CSV table"),
        "xlsx": _("Excel workbook"),
        "jsonstat": _("Statistics Finland JSON-stat"),
        "sotkanet": _("THL Sotkanet"),
    }.get(name, name)


def _first_line(file: IO[bytes], encoding: str) -> str:
    file.seek(0)
    head = file.read(CHUNK).decode(encoding, errors="replace")
    file.seek(0)
    return head.lstrip("\ufeff").splitlines()[0] if head.strip() else ""


def _first_char(file: IO[bytes], encoding: str) -> str:
    return _first_line(file, encoding).lstrip()[:1]


def detect_format(file: IO[bytes], *, name: str, requested: str = "auto") -> tuple[str, CheckedFile]:
    """Guard the file (UploadRefused) and tell its format from its content; a requested format must fit."""
    checked = check_file(file, name=name)
    if checked.kind == FileKind.XLSX:
        found = "xlsx"
    elif checked.kind == FileKind.JSON:
        found = "sotkanet" if _first_char(file, checked.encoding) == "[" else "jsonstat"
    else:
        found = "sotkanet" if sotkanet.is_sotkanet_csv_header(_first_line(file, checked.encoding)) else "csv"
    if requested in ("", "auto", found):
        return found, checked
    fits = {
        "csv": checked.kind == FileKind.CSV,
        "xlsx": False,
        "jsonstat": checked.kind == FileKind.JSON,
        "sotkanet": checked.kind in {FileKind.CSV, FileKind.JSON},
    }
    if not fits.get(requested, False):
        raise UploadRefused(
            _("The file was to be read as %(requested)s, but its content is %(found)s.")
            % {"requested": format_label(requested), "found": format_label(found)}
        )
    return requested, checked


def estimate_size(file: IO[bytes], fmt: str, checked: CheckedFile) -> int:
    """About how many rows or cells the file holds (decides whether the import runs in the background)."""
    if fmt in TABLE_FORMATS or (fmt == "sotkanet" and checked.kind == FileKind.CSV):
        return tabular.estimate_rows(file, checked)
    data = jsonstat.load_json(file, checked.encoding)
    if fmt == "sotkanet":
        return len(data) if isinstance(data, list) else 0
    return sum(dataset.count for dataset in jsonstat.decode(data))


def prepare(
    file: IO[bytes],
    *,
    name: str,
    fmt: str,
    checked: CheckedFile,
    organisation: Organisation | None,
    mapping: dict[str, str] | None = None,
    progress: Progress | None = None,
) -> Prepared:
    """Read and check the whole file. Raises ImportDataError when the file as a whole cannot be read."""
    provenance = PurePath(name).name[:255]
    if fmt in TABLE_FORMATS:
        if organisation is None:
            raise ImportDataError(_("A table of values is imported into one organisation: name it."))
        table = tabular.read_table(file, checked)
        mapping = mapping or tabular.guess_mapping(table.columns)
        candidates, report = tabular.check_table(table, mapping, organisation, progress=progress)
        return Prepared(fmt, candidates, report, ObservationSource.FILE, provenance, mapping)
    scope = jsonstat.AreaScope(organisation)
    if fmt == "jsonstat":
        datasets = jsonstat.decode(jsonstat.load_json(file, checked.encoding))
        report = Report(unit="cells")
        candidates = []
        for dataset in datasets:
            candidates += jsonstat.dataset_candidates(dataset, scope=scope, report=report, progress=progress)
        tables = sorted({d.table_id for d in datasets if d.table_id})
        return Prepared(
            fmt, candidates, report, ObservationSource.STATFIN, ", ".join(tables)[:255] or provenance
        )
    if fmt == "sotkanet":
        rows = sotkanet.read_rows(file, checked)
        report = Report(unit="rows")
        candidates = sotkanet.sotkanet_candidates(rows, scope=scope, report=report, progress=progress)
        ids = sorted({row.indicator for row in rows}, key=lambda i: (len(i), i))
        label = _("Sotkanet indicator %(ids)s") % {"ids": ", ".join(ids[:10])} if ids else provenance
        return Prepared(fmt, candidates, report, ObservationSource.SOTKANET, label[:255])
    raise ImportDataError(_("Unknown format “%(format)s”.") % {"format": fmt})


def execute(
    prepared: Prepared,
    *,
    by: Any = None,
    dry_run: bool = False,
    retrieved_at: dt.datetime | None = None,
    context: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> Report:
    """Write the prepared values, all or nothing: any problem and nothing is written."""
    report = prepared.report
    if not report.ok:
        report.written = False
        return report
    return write_values(
        prepared.candidates,
        report=report,
        source=prepared.source,
        provenance=prepared.provenance,
        retrieved_at=retrieved_at,
        by=by,
        dry_run=dry_run,
        context=context,
        progress=progress,
    )


def import_file(
    file: IO[bytes],
    *,
    name: str,
    fmt: str = "auto",
    organisation: Organisation | None = None,
    mapping: dict[str, str] | None = None,
    by: Any = None,
    dry_run: bool = False,
) -> Report:
    """Guard, read, check and write one file in one call (the management command and tests)."""
    found, checked = detect_format(file, name=name, requested=fmt)
    prepared = prepare(
        file, name=name, fmt=found, checked=checked, organisation=organisation, mapping=mapping
    )
    return execute(prepared, by=by, dry_run=dry_run)
