"""Statistics Finland data in JSON-stat 2.0 (PxWeb's `json-stat2` response): decode, then map to indicators.

No maintained Python library reads every form JSON-stat 2.0 allows (the `jsonstat.py` package is
unmaintained and does not take sparse values or status objects), so this is a small decoder that accepts:
`category.index` as an object or an array, or absent for a dimension of one category; `value` as an array
or a sparse object; `status` as a string, an array or an object; `null` values; a collection with
embedded datasets; and the dimension `id`/`size` of the 1.x layout. Anything else is an ImportDataError
with a message, never a crash.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from indicators.importers.errors import DecodeError, ImportDataError, UploadRefused
from indicators.importers.numbers import parse_number
from indicators.importers.report import PREVIEW_ROWS, Candidate, Progress, Report, preview_value
from indicators.importers.uploads import max_bytes
from indicators.models import Indicator, ObservationStatus, Source
from indicators.periods import PeriodError, parse_period, period_label
from organisations.models import Organisation

# A dataset may describe more combinations than it holds values for (sparse values); past this many it is
# not a table of municipal indicators.
MAX_CELLS = 50_000_000
# Statistics Finland's tables have a handful of dimensions; every cell costs work per dimension.
MAX_DIMENSIONS = 32
PROGRESS_EVERY = 500
PXWEB_HOSTS = frozenset({"pxdata.stat.fi", "statfin.stat.fi"})
PXWEB_TIMEOUT = 30.0

AREA_IDS = {"alue", "kunta", "area", "region", "område", "maakunta", "kommun", "landskap", "geo"}
TIME_IDS = {"vuosi", "year", "år", "aika", "time", "tid", "vuosineljännes", "kuukausi", "kvartal", "månad"}
METRIC_IDS = {
    "tiedot",
    "information",
    "uppgifter",
    "contents",
    "metric",
    "indicator",
    "indikaattori",
    "mittari",
}
TOTAL_CODES = {"sss", "total", "yht", "tot"}
TOTAL_LABELS = {"yhteensä", "totalt", "total", "kaikki", "alla", "all"}
PRELIMINARY_MARKS = {"p", "e", "*", "ennakko", "preliminary", "preliminär"}
# The explanation of Statistics Finland's symbols for values that are not given.
STATUS_MEANINGS = {
    ".": "logically impossible",
    "..": "not available or too uncertain to be published",
    "...": "not available",
    "-": "magnitude nil",
}

_MUNICIPALITY = re.compile(r"^(?:KU)?(\d{3})$", re.IGNORECASE)
_REGION = re.compile(r"^MK(\d{2})$", re.IGNORECASE)


@dataclass(frozen=True)
class Dimension:
    id: str
    label: str
    categories: tuple[str, ...]
    labels: dict[str, str]

    def label_of(self, category: str) -> str:
        return self.labels.get(category, category)


@dataclass(frozen=True)
class Cell:
    position: int
    coordinates: tuple[str, ...]
    value: Decimal | None
    status: str | None
    error: str | None = None


@dataclass
class Dataset:
    """A decoded JSON-stat dataset: its dimensions in order, and its values by position."""

    label: str
    source: str
    table_id: str
    dimensions: list[Dimension]
    roles: dict[str, list[str]]
    values: dict[int, Any] | list[Any]
    status: dict[int, str | None] | list[str | None] | str | None
    sizes: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.values)

    def index_of(self, dimension_id: str) -> int | None:
        return next((i for i, d in enumerate(self.dimensions) if d.id == dimension_id), None)

    def _status_at(self, position: int) -> str | None:
        status = self.status
        if status is None or isinstance(status, str):
            return status
        if isinstance(status, list):
            return status[0] if len(status) == 1 else status[position]
        return status.get(position)

    def cells(self) -> Iterator[Cell]:
        strides = _strides(self.sizes)
        items = enumerate(self.values) if isinstance(self.values, list) else sorted(self.values.items())
        for position, raw in items:
            coordinates = tuple(
                dimension.categories[(position // stride) % size]
                for dimension, stride, size in zip(self.dimensions, strides, self.sizes, strict=True)
            )
            value: Decimal | None = None
            error = None
            if raw is not None:
                try:
                    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
                        raise ImportDataError(_("“%(text)s” is not a number.") % {"text": str(raw)[:30]})
                    value = parse_number(raw)
                except ImportDataError as problem:
                    error = problem.message
            yield Cell(position, coordinates, value, self._status_at(position), error)

    def cell(self, **coordinates: str) -> Cell | None:
        """The cell at the given category of each dimension (for tests and look-ups)."""
        wanted = tuple(coordinates[d.id] for d in self.dimensions)
        return next((c for c in self.cells() if c.coordinates == wanted), None)


def _strides(sizes: list[int]) -> list[int]:
    """How many cells one step along each dimension skips (row-major order), in one pass."""
    strides = [1] * len(sizes)
    for i in range(len(sizes) - 2, -1, -1):
        strides[i] = strides[i + 1] * sizes[i + 1]
    return strides


# --- decoding --------------------------------------------------------------------------------------


def load_json(file: IO[bytes], encoding: str = "utf-8-sig") -> Any:
    file.seek(0)
    data = file.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise UploadRefused(_("The file is larger than the largest file that can be imported."))
    return load_json_bytes(data, encoding)


def load_json_bytes(data: bytes, encoding: str = "utf-8-sig") -> Any:
    try:
        return json.loads(data.decode(encoding))
    except (UnicodeDecodeError, ValueError) as error:
        raise DecodeError(_("The file is not valid JSON: %(error)s") % {"error": str(error)[:200]}) from error
    except RecursionError as error:
        raise DecodeError(_("The JSON file is nested too deeply to be data.")) from error


def decode(data: Any) -> list[Dataset]:
    """The datasets of a JSON-stat 2.0 response: a dataset, or a collection with embedded datasets."""
    if not isinstance(data, dict):
        raise DecodeError(_("This is not a JSON-stat dataset: it does not start with an object."))
    if "error" in data and "dimension" not in data:
        raise DecodeError(
            _("The response is an error report, not data: %(error)s") % {"error": str(data["error"])[:200]}
        )
    kind = data.get("class")
    if kind == "collection":
        link = data.get("link")
        items = link.get("item") if isinstance(link, dict) else None
        embedded = [
            item
            for item in items or []
            if isinstance(item, dict) and item.get("class") == "dataset" and "dimension" in item
        ]
        if not embedded:
            raise DecodeError(_("The JSON-stat collection holds no embedded dataset to import."))
        return [decode_dataset(item) for item in embedded]
    if kind == "dimension":
        raise DecodeError(_("This JSON-stat file describes a dimension, not values."))
    if kind not in (None, "dataset"):
        raise DecodeError(
            _("This is not a JSON-stat dataset (its class is “%(kind)s”).") % {"kind": str(kind)[:40]}
        )
    if "dimension" not in data:
        raise DecodeError(_("This is not a JSON-stat dataset: it has no dimensions."))
    return [decode_dataset(data)]


def _text(value: Any, default: str = "") -> str:
    return value if isinstance(value, str) else default


def _positions(mapping: Any, count: int, what: str) -> dict[int, Any]:
    if not isinstance(mapping, dict):
        raise DecodeError(_("The dataset's %(what)s is neither a list nor an object.") % {"what": what})
    positions: dict[int, Any] = {}
    for key, item in mapping.items():
        try:
            position = int(key)
        except (TypeError, ValueError) as error:
            raise DecodeError(
                _("The dataset's %(what)s has a position “%(key)s” that is not a number.")
                % {"what": what, "key": str(key)[:20]}
            ) from error
        if not 0 <= position < count:
            raise DecodeError(
                _("The dataset's %(what)s has a position %(key)s outside its %(count)s cells.")
                % {"what": what, "key": position, "count": count}
            )
        positions[position] = item
    return positions


def _categories(dimension_id: str, dimension: Any, size: int) -> Dimension:
    if not isinstance(dimension, dict) or not isinstance(dimension.get("category"), dict):
        raise DecodeError(_("The dimension “%(id)s” has no categories.") % {"id": dimension_id})
    category = dimension["category"]
    labels_raw = category.get("label") or {}
    if not isinstance(labels_raw, dict):
        raise DecodeError(_("The labels of dimension “%(id)s” are not an object.") % {"id": dimension_id})
    labels = {str(k): str(v) for k, v in labels_raw.items()}
    index = category.get("index")
    if index is None:
        if len(labels) != 1:
            raise DecodeError(
                _(
                    "The dimension “%(id)s” has no category index, which only a dimension of one category "
                    "may omit."
                )
                % {"id": dimension_id}
            )
        ordered = list(labels)
    elif isinstance(index, list):
        if not all(isinstance(c, str | int) and not isinstance(c, bool) for c in index):
            raise DecodeError(
                _("The category index of “%(id)s” holds something other than codes.") % {"id": dimension_id}
            )
        ordered = [str(c) for c in index]
    elif isinstance(index, dict):
        slots: dict[int, str] = {}
        for code, position in index.items():
            if isinstance(position, bool) or not isinstance(position, int) or position in slots:
                raise DecodeError(
                    _("The category index of “%(id)s” has a wrong position.") % {"id": dimension_id}
                )
            slots[position] = str(code)
        if sorted(slots) != list(range(len(slots))):
            raise DecodeError(
                _("The category positions of “%(id)s” are not 0, 1, 2, …") % {"id": dimension_id}
            )
        ordered = [slots[i] for i in range(len(slots))]
    else:
        raise DecodeError(
            _("The category index of “%(id)s” is neither a list nor an object.") % {"id": dimension_id}
        )
    if len(set(ordered)) != len(ordered):
        raise DecodeError(_("The dimension “%(id)s” repeats a category.") % {"id": dimension_id})
    if len(ordered) != size:
        raise DecodeError(
            _("The dimension “%(id)s” has %(count)s categories but its size says %(size)s.")
            % {"id": dimension_id, "count": len(ordered), "size": size}
        )
    return Dimension(dimension_id, _text(dimension.get("label"), dimension_id), tuple(ordered), labels)


def decode_dataset(data: dict[str, Any]) -> Dataset:
    dimensions_raw = data.get("dimension")
    if not isinstance(dimensions_raw, dict):
        raise DecodeError(_("This is not a JSON-stat dataset: it has no dimensions."))
    # JSON-stat 2.0 puts id, size and role on the dataset; 1.x put them inside "dimension".
    ids = data.get("id", dimensions_raw.get("id"))
    sizes = data.get("size", dimensions_raw.get("size"))
    roles_raw = data.get("role", dimensions_raw.get("role")) or {}
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids) or len(set(ids)) != len(ids):
        raise DecodeError(_("The dataset's “id” must list its dimensions, each once."))
    if len(ids) > MAX_DIMENSIONS:
        raise DecodeError(
            _("The dataset has %(count)s dimensions; at most %(n)s can be imported.")
            % {"count": len(ids), "n": MAX_DIMENSIONS}
        )
    if (
        not isinstance(sizes, list)
        or len(sizes) != len(ids)
        or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in sizes)
    ):
        raise DecodeError(_("The dataset's “size” must give a number of categories for each dimension."))
    count = math.prod(sizes)
    if count > MAX_CELLS:
        raise DecodeError(
            _("The dataset describes %(count)s cells, too many to import.") % {"count": f"{count:,}"}
        )
    dimensions = [_categories(i, dimensions_raw.get(i), size) for i, size in zip(ids, sizes, strict=True)]
    values_raw = data.get("value")
    values: list[Any] | dict[int, Any]
    if isinstance(values_raw, list):
        if len(values_raw) != count:
            raise DecodeError(
                _("The dataset has %(n)s values but its dimensions make %(count)s cells.")
                % {"n": len(values_raw), "count": count}
            )
        values = values_raw
    elif values_raw is None:
        raise DecodeError(_("The dataset has no values."))
    else:
        values = _positions(values_raw, count, "value")
    status_raw = data.get("status")
    status: Any
    if status_raw is None or isinstance(status_raw, str):
        status = status_raw
    elif isinstance(status_raw, list):
        if len(status_raw) not in {1, count}:
            raise DecodeError(_("The dataset's status list does not have one entry for each value."))
        status = [None if s is None else str(s) for s in status_raw]
    else:
        status = {
            k: None if s is None else str(s) for k, s in _positions(status_raw, count, "status").items()
        }
    roles: dict[str, list[str]] = {}
    if isinstance(roles_raw, dict):
        for role, members in roles_raw.items():
            if isinstance(members, list):
                roles[str(role)] = [m for m in members if isinstance(m, str) and m in ids]
    extension = data.get("extension")
    px = extension.get("px") if isinstance(extension, dict) else None
    table_id = _text(px.get("tableid")) if isinstance(px, dict) else ""
    return Dataset(
        label=_text(data.get("label")),
        source=_text(data.get("source")),
        table_id=table_id,
        dimensions=dimensions,
        roles=roles,
        values=values,
        status=status,
        sizes=list(sizes),
    )


# --- mapping to organisations and indicators --------------------------------------------------------


def _find(dataset: Dataset, role: str, names: set[str]) -> int | None:
    for dimension_id in dataset.roles.get(role, []):
        index = dataset.index_of(dimension_id)
        if index is not None:
            return index
    for index, dimension in enumerate(dataset.dimensions):
        if dimension.id.lower() in names or dimension.label.lower() in names:
            return index
    return None


def area_index(dataset: Dataset) -> int | None:
    index = _find(dataset, "geo", AREA_IDS)
    if index is not None:
        return index
    # No role and no telling name: a dimension whose every category looks like an area code.
    for i, dimension in enumerate(dataset.dimensions):
        codes = dimension.categories
        if (
            codes
            and all(_MUNICIPALITY.match(c) or _REGION.match(c) or c.upper() == "SSS" for c in codes)
            and any(_MUNICIPALITY.match(c) or _REGION.match(c) for c in codes)
        ):
            return i
    return None


def parse_area(code: str) -> tuple[str, str]:
    """('municipality', '091'), ('regional_council', '01'), ('country', '') or ('other', code)."""
    if match := _MUNICIPALITY.match(code.strip()):
        return Organisation.Kind.MUNICIPALITY, match[1]
    if match := _REGION.match(code.strip()):
        return Organisation.Kind.REGIONAL_COUNCIL, match[1]
    if code.strip().upper() == "SSS":
        return "country", ""
    return "other", code


class AreaScope:
    """Which organisations receive values: one (the web import), or every one an area code names."""

    def __init__(self, organisation: Organisation | None) -> None:
        self.organisation = organisation
        self._orgs: dict[tuple[str, str], Organisation] | None = None

    def organisations(self) -> dict[tuple[str, str], Organisation]:
        if self._orgs is None:
            queryset = Organisation.objects.filter(
                kind__in=[Organisation.Kind.MUNICIPALITY, Organisation.Kind.REGIONAL_COUNCIL]
            ).exclude(code="")
            self._orgs = {(o.kind, o.code): o for o in queryset}
        return self._orgs

    def find(self, kind: str, code: str) -> Organisation | None:
        return self.organisations().get((kind, code))

    def accepts(self, organisation: Organisation) -> bool:
        return self.organisation is None or organisation.pk == self.organisation.pk

    def refused_reason(self) -> str:
        assert self.organisation is not None
        return _("values of other areas are not imported into %(org)s") % {"org": self.organisation.name}


@cache
def current_municipality_codes() -> frozenset[str]:
    """The municipality codes of the official classification the product ships (data/)."""
    path = Path(settings.BASE_DIR) / "data" / "municipalities_2025_extended.csv"
    with path.open(encoding="utf-8") as handle:
        return frozenset(row["code"] for row in csv.DictReader(handle))


def no_municipality_reason(code: str) -> str:
    """Why a municipality code has no organisation: merged away, or simply not in this service."""
    if code not in current_municipality_codes():
        return _(
            "municipality %(code)s no longer exists (it has merged into another); its values are not imported"
        ) % {"code": code}
    return _("no organisation for municipality %(code)s in this service") % {"code": code}


def indicators_by_code(
    organisations: list[Organisation], codes: set[str], *, source: str
) -> dict[tuple[int, str], list[Indicator]]:
    """The organisations' indicators whose source code is one of `codes`, by (organisation, code)."""
    found: dict[tuple[int, str], list[Indicator]] = {}
    queryset = Indicator.objects.filter(organisation__in=organisations).exclude(source_code="")
    queryset = (
        queryset.filter(source=Source.SOTKANET)
        if source == Source.SOTKANET
        else queryset.exclude(source=Source.SOTKANET)
    )
    for indicator in queryset.select_related("organisation"):
        code = indicator.source_code.strip().lower()
        if code in codes:
            found.setdefault((indicator.organisation_id, code), []).append(indicator)
    return found


def _is_total(dimension: Dimension, category: str) -> bool:
    return category.lower() in TOTAL_CODES or dimension.label_of(category).strip().lower() in TOTAL_LABELS


def missing_reason(status: str | None, source_name: str) -> str:
    if not status:
        return _("no value in %(source)s") % {"source": source_name}
    meaning = STATUS_MEANINGS.get(status.strip())
    return f"{status} ({meaning})" if meaning else status


def dataset_candidates(
    dataset: Dataset,
    *,
    scope: AreaScope,
    report: Report,
    progress: Progress | None = None,
) -> list[Candidate]:
    """The cells of a dataset as values of organisations' indicators; the rest reported by reason."""
    report.unit = "cells"
    area_at = area_index(dataset)
    time_at = _find(dataset, "time", TIME_IDS)
    metric_at = _find(dataset, "metric", METRIC_IDS)
    others = [
        (i, d)
        for i, d in enumerate(dataset.dimensions)
        if i not in {area_at, time_at, metric_at} and len(d.categories) > 1
    ]
    organisations: list[Organisation] = []
    if area_at is not None:
        for code in dataset.dimensions[area_at].categories:
            kind, number = parse_area(code)
            org = scope.find(kind, number)
            if org is not None and scope.accepts(org):
                organisations.append(org)
    codes = {c.lower() for c in dataset.dimensions[metric_at].categories} if metric_at is not None else set()
    indicators = (
        indicators_by_code(organisations, codes, source=Source.STATFIN) if organisations and codes else {}
    )
    whole = _("the whole dataset")
    seen: dict[tuple[int, dt.date], int] = {}
    candidates: list[Candidate] = []
    statfin = _("Statistics Finland")
    total = dataset.count
    for done, cell in enumerate(dataset.cells(), start=1):
        if progress and done % PROGRESS_EVERY == 0:
            progress(done, total)
        report.read += 1
        coordinates = " · ".join(cell.coordinates)
        breakdown = next(
            ((d, cell.coordinates[i]) for i, d in others if not _is_total(d, cell.coordinates[i])), None
        )
        if breakdown is not None:
            report.notice(
                breakdown[0].label,
                _("values broken down by %(dimension)s are not imported; only totals are")
                % {"dimension": breakdown[0].label},
            )
            continue
        if area_at is None:
            report.notice(whole, _("no area dimension: the values are for the whole country"))
            continue
        area_code = cell.coordinates[area_at]
        area_name = f"{area_code} {dataset.dimensions[area_at].label_of(area_code)}".strip()
        kind, number = parse_area(area_code)
        if kind == "country":
            report.notice(area_name, _("values for the whole country belong to no organisation"))
            continue
        if kind == "other":
            report.notice(area_name, _("this area is not a municipality or a region"))
            continue
        org = scope.find(kind, number)
        if org is None:
            report.notice(
                area_name,
                no_municipality_reason(number)
                if kind == Organisation.Kind.MUNICIPALITY
                else _("no regional council has region code %(code)s") % {"code": number},
            )
            continue
        if not scope.accepts(org):
            report.notice(_("other areas"), scope.refused_reason())
            continue
        if time_at is None:
            report.notice(whole, _("no time dimension: the values have no period"))
            continue
        if metric_at is None:
            report.notice(whole, _("no metric dimension: the values cannot be matched to indicators"))
            continue
        metric = cell.coordinates[metric_at]
        matched = indicators.get((org.pk, metric.lower()), [])
        if not matched:
            report.notice(
                f"{metric} {dataset.dimensions[metric_at].label_of(metric)}".strip(),
                _("no indicator with this Statistics Finland code in %(org)s") % {"org": org.name}
                if scope.organisation
                else _("the organisation of the area has no indicator with this Statistics Finland code"),
            )
            continue
        if cell.error:
            report.problem(cell.position + 1, coordinates, cell.error)
            continue
        report.matched += 1
        time_code = cell.coordinates[time_at]
        for indicator in matched:
            try:
                period = parse_period(time_code, indicator.periodicity)
            except PeriodError:
                report.problem(
                    cell.position + 1,
                    coordinates,
                    _("“%(time)s” is not a period of %(name)s, which is measured by %(periodicity)s.")
                    % {
                        "time": time_code,
                        "name": indicator.name,
                        "periodicity": indicator.get_periodicity_display(),
                    },
                )
                continue
            key = (indicator.pk, period)
            if key in seen:
                report.problem(
                    cell.position + 1,
                    coordinates,
                    _("cell %(other)s already gives %(name)s for %(period)s")
                    % {"other": seen[key], "name": indicator.name, "period": time_code},
                )
                continue
            seen[key] = cell.position + 1
            candidate = value_candidate(
                indicator, period, cell.value, cell.status, cell.position + 1, statfin
            )
            candidates.append(candidate)
            add_preview(report, candidate, indicator, org)
    if progress:
        progress(total, total)
    return candidates


def value_candidate(
    indicator: Indicator,
    period: dt.date,
    value: Decimal | None,
    status: str | None,
    row: int,
    source_name: str,
) -> Candidate:
    if value is None:
        return Candidate(
            indicator_id=indicator.pk,
            period=period,
            value=None,
            row=row,
            status=ObservationStatus.MISSING,
            reason=missing_reason(status, source_name),
        )
    preliminary = bool(status) and str(status).strip().lower() in PRELIMINARY_MARKS
    return Candidate(
        indicator_id=indicator.pk,
        period=period,
        value=value,
        row=row,
        status=ObservationStatus.PRELIMINARY if preliminary else ObservationStatus.FINAL,
    )


def add_preview(
    report: Report, candidate: Candidate, indicator: Indicator, organisation: Organisation
) -> None:
    if len(report.preview) < PREVIEW_ROWS:
        report.preview.append(
            {
                "row": str(candidate.row),
                "organisation": str(organisation.name),
                "indicator": str(indicator.name),
                "period": period_label(candidate.period, indicator.periodicity),
                "value": preview_value(candidate.value),
                "status": str(ObservationStatus(candidate.status).label) if candidate.status else "",
                "note": candidate.reason or "",
            }
        )


# --- PxWeb -------------------------------------------------------------------------------------------


class _SameHostRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        if urlsplit(newurl).hostname not in PXWEB_HOSTS:
            raise urllib.error.URLError(f"redirect to another host refused: {newurl}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def pxweb_query(selections: dict[str, list[str]]) -> dict[str, Any]:
    """A PxWeb v1 query selecting these categories of these variables, answered in JSON-stat 2.0."""
    return {
        "query": [
            {"code": code, "selection": {"filter": "item", "values": values}}
            for code, values in selections.items()
        ],
        "response": {"format": "json-stat2"},
    }


def fetch_pxweb(table_url: str, query: dict[str, Any] | list[Any], *, timeout: float = PXWEB_TIMEOUT) -> Any:
    """POST a query to a Statistics Finland PxWeb table and return the JSON-stat answer (parsed)."""
    parts = urlsplit(table_url)
    if parts.scheme != "https" or parts.hostname not in PXWEB_HOSTS:
        raise ImportDataError(
            _("Only Statistics Finland's PxWeb addresses (https://pxdata.stat.fi/…) can be fetched.")
        )
    body: dict[str, Any] = {"query": query} if isinstance(query, list) else dict(query)
    body["response"] = {"format": "json-stat2"}
    request = urllib.request.Request(  # noqa: S310  (the scheme and host are checked above)
        table_url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        method="POST",
    )
    opener = urllib.request.build_opener(_SameHostRedirects)
    try:
        with opener.open(request, timeout=timeout) as response:
            data = response.read(max_bytes() + 1)
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        raise DecodeError(
            _("Statistics Finland did not answer (%(error)s). Try again later.") % {"error": str(error)[:200]}
        ) from error
    if len(data) > max_bytes():
        raise UploadRefused(
            _("Statistics Finland's answer is larger than the largest file that can be imported.")
        )
    return load_json_bytes(data)
