"""Generate an invented country on the real registry, for benchmarks (never in production).

python manage.py generate_country [--scale 1.0] [--seed 1] [--replace] [--organisations N]
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from impact.country import PASSWORD, CountryExists, Plan, generate_country


class Command(BaseCommand):
    help = (
        "Generate every municipality and regional council with a strategy, indicators with ten years of "
        "values, activities, stories and members (invented data: refuses unless DEMO_DATA_ALLOWED)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="share of the country (0.02: a few)")
        parser.add_argument("--seed", type=int, default=1, help="the same seed gives the same data")
        parser.add_argument(
            "--organisations", type=int, default=None, help="at most this many organisations (e.g. 1)"
        )
        parser.add_argument(
            "--replace", action="store_true", help="delete the organisations' data and generate it again"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(
                "Invented data is not allowed here (set DEMO_DATA_ALLOWED=1 outside production): "
                "the country is generated on the real municipalities."
            )
        if not 0 < options["scale"] <= 1:
            raise CommandError("--scale is a share of the country: more than 0, at most 1.")
        plan = Plan(scale=options["scale"], seed=options["seed"], limit=options["organisations"])
        started = time.monotonic()
        try:
            totals = generate_country(plan=plan, replace=options["replace"], progress=self.stdout.write)
        except CountryExists as error:
            raise CommandError(str(error)) from error
        seconds = time.monotonic() - started
        self.stdout.write(", ".join(f"{name} {number:,}" for name, number in totals.items()))
        self.stdout.write(f"Generated in {seconds:.0f} s. Every generated person's password: {PASSWORD}")
