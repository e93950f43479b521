"""Load the shared indicator library: the 169 SDG targets and the seeded templates. Idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from indicators.library import load_indicator_library


class Command(BaseCommand):
    help = (
        "Load the SDG targets and publish the library's seeded templates (Statistics Finland's municipal "
        "key figures and the international-activity indicators). Templates that exist are left as they are."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_indicator_library()
        self.stdout.write(
            f"SDG targets: {result.sdg_created} created, {result.sdg_updated} updated. "
            f"Templates: {result.templates_created} created and published, "
            f"{result.templates_unchanged} already in the library."
        )
