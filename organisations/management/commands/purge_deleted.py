"""manage.py purge_deleted: delete for good what users deleted more than 30 days ago (run daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from organisations.retention import purge_deleted


class Command(BaseCommand):
    help = "Delete for good the goals, indicators, activities and stories deleted over 30 days ago."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count what would be purged.")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = purge_deleted(dry_run=options["dry_run"])
        verb = "would purge" if options["dry_run"] else "purged"
        for key, count in counts.items():
            self.stdout.write(f"{verb} {count} {key}")
