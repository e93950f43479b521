"""Import indicator values from a file (or a Statistics Finland PxWeb query), as the web import does.

    python manage.py import_values FILE --format csv|xlsx|jsonstat|sotkanet [--organisation SLUG] [--dry-run]
    python manage.py import_values --pxweb-url URL --query QUERY.json [--organisation SLUG] [--dry-run]

Exit status: 0 when the values were imported (or, with --dry-run, could be); 1 when the file cannot be
read at all; 2 when rows were rejected (then nothing was written).
"""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from indicators.importers import jsonstat
from indicators.importers.errors import ImportDataError
from indicators.importers.pipeline import FORMATS, TABLE_FORMATS, detect_format, execute, prepare
from indicators.importers.report import Report
from organisations.audit_log import audit
from organisations.models import Organisation


class Command(BaseCommand):
    help = "Import indicator values from CSV, XLSX, Statistics Finland JSON-stat or THL Sotkanet files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="the file to import")
        parser.add_argument("--format", choices=("auto", *FORMATS), default="auto", help="the file's format")
        parser.add_argument(
            "--organisation",
            help="slug of the organisation (required for csv/xlsx; for jsonstat/sotkanet the areas decide)",
        )
        parser.add_argument("--dry-run", action="store_true", help="check and report without writing")
        parser.add_argument("--user", help="username recorded as the one who imported the values")
        parser.add_argument(
            "--column",
            action="append",
            default=[],
            metavar="FIELD=TITLE",
            help="which column holds a field (indicator, period, value, status, note), once per field; "
            "without it the columns are guessed from their titles",
        )
        parser.add_argument("--pxweb-url", help="fetch JSON-stat from this Statistics Finland PxWeb table")
        parser.add_argument("--query", help="a JSON file with the PxWeb query (with --pxweb-url)")
        parser.add_argument(
            "--language", default="en", choices=("fi", "sv", "en"), help="language of the report"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            report = self._import(options)
            lines = report.lines()
        for line in lines:
            self.stdout.write(line)
        if not report.ok:
            raise CommandError("Rows were rejected: nothing was written.", returncode=2)

    def _import(self, options: dict[str, Any]) -> Report:
        organisation = self._organisation(options.get("organisation"))
        user = self._user(options.get("user"))
        mapping = self._mapping(options["column"])
        handle, name, fmt = self._source(options)
        try:
            found, checked = detect_format(handle, name=name, requested=fmt)
            if found in TABLE_FORMATS and organisation is None:
                raise CommandError("--organisation is required for a csv or xlsx table")
            prepared = prepare(
                handle,
                name=name,
                fmt=found,
                checked=checked,
                organisation=organisation,
                mapping=mapping or None,
            )
            report = execute(
                prepared, by=user, dry_run=options["dry_run"], context={"command": "import_values"}
            )
            audit(
                "imports",
                "checked" if options["dry_run"] else "imported",
                level=logging.INFO if report.ok else logging.WARNING,
                command="import_values",
                user_id=getattr(user, "pk", None),
                org=organisation.slug if organisation else None,
                format=found,
                source=prepared.provenance,
                rows_read=report.read,
                rows_created=report.created,
                rows_updated=report.updated,
                rows_unchanged=report.unchanged,
                rows_rejected=report.rejected,
                written=report.written,
            )
            return report
        except ImportDataError as error:
            raise CommandError(f"The file cannot be imported: {error.message}") from error
        finally:
            handle.close()

    def _source(self, options: dict[str, Any]) -> tuple[IO[bytes], str, str]:
        if options.get("pxweb_url"):
            if not options.get("query"):
                raise CommandError("--pxweb-url needs --query with the PxWeb query (JSON)")
            try:
                query = json.loads(Path(options["query"]).read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                raise CommandError(f"The query cannot be read: {error}") from error
            try:
                data = jsonstat.fetch_pxweb(options["pxweb_url"], query)
            except ImportDataError as error:
                raise CommandError(error.message) from error
            return io.BytesIO(json.dumps(data).encode()), options["pxweb_url"].rsplit("/", 1)[-1], "jsonstat"
        if not options.get("file"):
            raise CommandError("Name a FILE to import, or --pxweb-url and --query.")
        path = Path(options["file"])
        try:
            content = path.open("rb")
        except OSError as error:
            raise CommandError(f"The file cannot be read: {error}") from error
        return content, path.name, options["format"]

    def _organisation(self, slug: str | None) -> Organisation | None:
        if not slug:
            return None
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise CommandError(f"No organisation {slug!r}.")
        return organisation

    def _user(self, username: str | None) -> Any:
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        return user

    def _mapping(self, columns: list[str]) -> dict[str, str]:
        mapping = {}
        for item in columns:
            field, sep, title = item.partition("=")
            if not sep or field not in {"indicator", "period", "value", "status", "note"}:
                raise CommandError(
                    f"--column takes FIELD=TITLE (indicator, period, value, status or note): {item!r}"
                )
            mapping[field] = title
        return mapping
