"""Load the real registry: 308 municipalities, 18 regional councils, the association. Idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from organisations.registry import load_registry


class Command(BaseCommand):
    help = "Load (or update) the official municipalities, regions, regional councils and Kuntaliitto."

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_registry()
        self.stdout.write(
            f"Registry: {result.created} created, {result.updated} updated, {result.unchanged} unchanged."
        )
