"""manage.py export_organisation <slug> <path>: all of an organisation's data as one ZIP of CSV and XLSX."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from organisations.archive import write_archive
from organisations.models import Organisation


class Command(BaseCommand):
    help = "Write all data of an organisation to one ZIP archive of CSV and XLSX files."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("slug")
        parser.add_argument("path")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(slug=options["slug"]).first()
        if organisation is None:
            raise CommandError(f"no organisation {options['slug']!r}")
        with open(options["path"], "wb") as target:
            names = write_archive(organisation, target)
        self.stdout.write(f"wrote {len(names)} files to {options['path']}")
