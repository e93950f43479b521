"""Send (or with --dry-run print) today's reminder digests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from impact.digests import send_digests


class Command(BaseCommand):
    help = "Send each person's digest of due and overdue items (at most one a day)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="print the digests, send nothing")
        parser.add_argument("--date", help="act as if today were YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            today = dt.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--date must be YYYY-MM-DD: {error}") from error
        digests = send_digests(today, dry_run=options["dry_run"])
        for digest in digests:
            self.stdout.write(f"To: {digest.user.email}\nSubject: {digest.subject}\n\n{digest.body}\n")
        verb = "would send" if options["dry_run"] else "sent"
        self.stdout.write(f"{len(digests)} digest(s) {verb} for {today.isoformat()}.")
