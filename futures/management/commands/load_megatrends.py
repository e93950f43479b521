"""Seed the shared megatrend library from data/sitra_megatrends.csv (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from futures.seed import load_megatrends


class Command(BaseCommand):
    help = "Create the Sitra megatrends (2026 edition current, 2023 archived) that are not there yet."

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_megatrends()
        self.stdout.write(f"Megatrends: {result.created} created, {result.kept} already there.")
