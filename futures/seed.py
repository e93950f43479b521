"""Seeding the shared megatrend library from the shipped Sitra file (data/sitra_megatrends.csv)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from futures.models import Megatrend

MEGATRENDS_FILE = Path(settings.BASE_DIR) / "data" / "sitra_megatrends.csv"


@dataclass(frozen=True)
class SeedResult:
    created: int
    kept: int


@transaction.atomic
def load_megatrends(path: Path = MEGATRENDS_FILE) -> SeedResult:
    """Create the megatrends of the file that are missing; the newest edition is the current one.

    Rows that exist are kept as they are: stewards may have corrected or translated them since, and a
    second run must not undo that. Swedish names are left blank (the file has none and no official
    Swedish titles could be verified); English names carry the file's official/unofficial flag.
    """
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    newest = max(int(row["edition"]) for row in rows)
    created = kept = 0
    for row in rows:
        edition = int(row["edition"])
        _megatrend, was_created = Megatrend.objects.get_or_create(
            edition=edition,
            number=int(row["number"]),
            defaults={
                "name_fi": row["name_fi"].strip(),
                "name_en": row["name_en"].strip(),
                "name_en_official": row["name_en_status"].strip() == "official",
                "theme_fi": row["theme_fi"].strip(),
                "theme_en": row["theme_en"].strip(),
                "is_current": edition == newest,
            },
        )
        if was_created:
            created += 1
        else:
            kept += 1
    return SeedResult(created=created, kept=kept)
