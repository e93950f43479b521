"""Move a merged organisation's data into its successor, in one transaction.

    python manage.py merge_organisation pertunmaa mantyharju --dry-run   # report only, change nothing
    python manage.py merge_organisation pertunmaa mantyharju

The conflict rules (duplicate indicators, strategies of the same term, people in both) are in
organisations/merge.py and the README ("Operations").
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from organisations.audit_log import audit
from organisations.merge import MergeRefused, merge_organisation
from organisations.models import Organisation


class Command(BaseCommand):
    help = (
        "Move every row of a merged organisation (members, indicators, strategies, ...) into its successor."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "merged", help="address name (slug) of the organisation that merged, e.g. pertunmaa"
        )
        parser.add_argument("into", help="address name (slug) of its successor, e.g. mantyharju")
        parser.add_argument("--dry-run", action="store_true", help="report what would move; change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        merged = self._organisation(options["merged"])
        into = self._organisation(options["into"])
        try:
            report = merge_organisation(merged=merged, into=into, dry_run=options["dry_run"])
        except MergeRefused as refused:
            raise CommandError(str(refused)) from refused
        for line in report.lines():
            self.stdout.write(line)
        if options["dry_run"]:
            self.stdout.write(self.style.WARNING("Dry run: nothing was changed."))
        else:
            audit("organisations", "merged", merged_org=merged.slug, into_org=into.slug, moved=report.moved)
            self.stdout.write(
                self.style.SUCCESS(f"{merged.name_fi} is now marked as merged into {into.name_fi}.")
            )

    def _organisation(self, slug: str) -> Organisation:
        try:
            return Organisation.objects.get(slug=slug)
        except Organisation.DoesNotExist as error:
            raise CommandError(f"No organisation with the address name “{slug}”.") from error
