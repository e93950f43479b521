"""Loading the official registry of municipalities, regions and regional councils (idempotent)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
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

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


def _read(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


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
def load_registry() -> LoadResult:
    """Create or update the 19 regions, 308 municipalities, 18 regional councils and the association."""
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
    population = {row["code"]: row for row in _read("population_2024-12-31.csv")}
    for row in _read("municipalities_2025_extended.csv"):
        people = population.get(row["code"])
        _upsert(
            Organisation,
            {"kind": Organisation.Kind.MUNICIPALITY, "code": row["code"]},
            {
                "name_fi": row["name_fi"],
                "name_sv": _other_name(row["name_sv"], row["name_fi"]),
                "name_en": _other_name(row["name_en"], row["name_fi"]),
                "slug": slugify(row["name_fi"]),
                "region": regions[row["region_code"]],
                "population": int(people["population"]) if people else None,
                "population_date": date.fromisoformat(people["reference_date"]) if people else None,
                "content_language": "sv" if row["language_status_code"] in SWEDISH_MAJORITY else "fi",
            },
            result,
        )
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
