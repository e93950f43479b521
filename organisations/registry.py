"""Loading the official registry of municipalities, regions and regional councils (idempotent).

A newer registry (the classification of a later year) loads the same way with `municipalities=` (and
`population=`): municipalities in it are created or updated; a municipality in the database that the
newer registry lacks is never deleted (its data stays): when `data/municipality_mergers.csv` lists it,
it is marked with its successor (Organisation.successor), otherwise it is reported as absent. Its data
moves to the successor only when an operator runs `manage.py merge_organisation` (organisations/merge.py).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify

from organisations.models import Organisation, Region

DATA_DIR = Path(settings.BASE_DIR) / "data"
ASSOCIATION = {
    "slug": "kuntaliitto",
    "name_fi": "Suomen Kuntaliitto",
    "name_sv": "Finlands Kommunförbund",
    "name_en": "Association of Finnish Municipalities",
}
# Language status codes of the classification: 2 Swedish, 3 bilingual with a Swedish majority.
SWEDISH_MAJORITY = {"2", "3"}


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # "Pertunmaa (588) → Mäntyharju (507)" for each municipality newly marked with its successor.
    merged: list[str] = field(default_factory=list)
    # Municipalities in the database but not in the registry, and not listed as merged.
    absent: list[str] = field(default_factory=list)

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


@dataclass(frozen=True)
class Merger:
    """A municipality that merged into another on a date (data/municipality_mergers.csv)."""

    code: str
    name_fi: str
    successor_code: str
    merged_on: date


def _read(name: str | Path) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_mergers(path: str | Path = "municipality_mergers.csv") -> dict[str, Merger]:
    """The listed mergers by the merged municipality's code."""
    return {
        row["code"]: Merger(
            row["code"], row["name_fi"], row["successor_code"], date.fromisoformat(row["merged_on"])
        )
        for row in _read(path)
    }


def _other_name(name: str, finnish: str) -> str:
    # The source repeats the Finnish name where no other exists; storing it would pretend a translation.
    return "" if name.strip() == finnish.strip() else name.strip()


def _upsert(model: Any, lookup: dict[str, Any], values: dict[str, Any], result: LoadResult) -> Any:
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        result.count("created")
        return obj
    changed = {key: value for key, value in values.items() if getattr(obj, key) != value}
    if changed:
        model.objects.filter(pk=obj.pk).update(**changed)
        result.count("updated")
    else:
        result.count("unchanged")
    return obj


@transaction.atomic
def load_registry(
    *,
    municipalities: str | Path = "municipalities_2025_extended.csv",
    population: str | Path = "population_2024-12-31.csv",
    mergers: str | Path = "municipality_mergers.csv",
) -> LoadResult:
    """Create or update the 19 regions, 308 municipalities, 18 regional councils and the association.

    Paths are relative to data/ unless absolute. A municipalities file needs the columns code, name_fi,
    name_sv, region_code; name_en and language_status_code are used where present.
    """
    result = LoadResult()
    regions: dict[str, Region] = {}
    for row in _read("regions_2025.csv"):
        regions[row["code"]] = _upsert(
            Region,
            {"code": row["code"]},
            {
                "name_fi": row["name_fi"],
                "name_sv": _other_name(row["name_sv"], row["name_fi"]),
                "name_en": _other_name(row["name_en"], row["name_fi"]),
            },
            result,
        )
    people_by_code = {row["code"]: row for row in _read(population)}
    registry_codes: set[str] = set()
    for row in _read(municipalities):
        registry_codes.add(row["code"])
        people = people_by_code.get(row["code"])
        values: dict[str, Any] = {
            "name_fi": row["name_fi"],
            "name_sv": _other_name(row["name_sv"], row["name_fi"]),
            "slug": slugify(row["name_fi"]),
            "region": regions[row["region_code"]],
            "population": int(people["population"]) if people else None,
            "population_date": date.fromisoformat(people["reference_date"]) if people else None,
            "successor": None,  # a municipality in the registry exists: it has merged into nobody
        }
        if "name_en" in row:
            values["name_en"] = _other_name(row["name_en"], row["name_fi"])
        if "language_status_code" in row:
            values["content_language"] = "sv" if row["language_status_code"] in SWEDISH_MAJORITY else "fi"
        _upsert(Organisation, {"kind": Organisation.Kind.MUNICIPALITY, "code": row["code"]}, values, result)
    _mark_mergers(registry_codes, read_mergers(mergers), result)
    for row in _read("regional_councils_2025.csv"):
        _upsert(
            Organisation,
            {"kind": Organisation.Kind.REGIONAL_COUNCIL, "code": row["region_code"]},
            {
                "name_fi": row["name_fi"],
                "name_sv": row["name_sv"],
                "slug": slugify(row["name_fi"]),
                "region": regions[row["region_code"]],
            },
            result,
        )
    _upsert(
        Organisation,
        {"kind": Organisation.Kind.ASSOCIATION, "slug": ASSOCIATION["slug"]},
        {key: value for key, value in ASSOCIATION.items() if key != "slug"},
        result,
    )
    return result


def _mark_mergers(registry_codes: set[str], mergers: dict[str, Merger], result: LoadResult) -> None:
    """Mark each municipality missing from the registry with its successor, when its merger is listed."""
    gone = (
        Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY, is_demo=False)
        .exclude(code="")
        .exclude(code__in=registry_codes)
        .select_related("successor")
    )
    for organisation in gone:
        merger = mergers.get(organisation.code)
        successor = (
            Organisation.objects.filter(
                kind=Organisation.Kind.MUNICIPALITY, code=merger.successor_code
            ).first()
            if merger
            else None
        )
        if successor is None:
            result.absent.append(f"{organisation.name_fi} ({organisation.code})")
            continue
        if organisation.successor_id != successor.pk:
            Organisation.objects.filter(pk=organisation.pk).update(successor=successor)
            result.merged.append(
                f"{organisation.name_fi} ({organisation.code}) → {successor.name_fi} ({successor.code}) "
                f"on {merger.merged_on.isoformat()}"  # type: ignore[union-attr]
            )
