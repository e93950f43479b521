"""Load the real registry: 308 municipalities, 18 regional councils, the association. Idempotent.

    python manage.py load_registry [--municipalities FILE] [--population FILE] [--mergers FILE]

With a newer classification (`--municipalities`), a municipality missing from it is marked with its
successor when data/municipality_mergers.csv (or --mergers) lists its merger; move its data with
`manage.py merge_organisation`.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from organisations.registry import load_registry


class Command(BaseCommand):
    help = "Load (or update) the official municipalities, regions, regional councils and Kuntaliitto."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--municipalities",
            default="municipalities_2025_extended.csv",
            help="CSV of the municipality classification (code, name_fi, name_sv, region_code[, name_en, "
            "language_status_code]); relative paths are under data/",
        )
        parser.add_argument(
            "--population", default="population_2024-12-31.csv", help="CSV: code, population, reference_date"
        )
        parser.add_argument(
            "--mergers",
            default="municipality_mergers.csv",
            help="CSV of mergers: code, name_fi, successor_code, successor_name_fi, merged_on",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_registry(
            municipalities=options["municipalities"],
            population=options["population"],
            mergers=options["mergers"],
        )
        self.stdout.write(
            f"Registry: {result.created} created, {result.updated} updated, {result.unchanged} unchanged."
        )
        for line in result.merged:
            self.stdout.write(f"Merged: {line} (move its data with manage.py merge_organisation)")
        for line in result.absent:
            self.stdout.write(self.style.WARNING(f"Not in the registry and no merger listed: {line}"))
