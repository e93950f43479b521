"""scripts/backup_restore.py: pg_dump -Fc → new database → pg_restore → migrate --check → equal sums.

The round trip runs against the test database on the PostgreSQL service (its rows committed by
`transactional_db`) and restores into a throwaway database beside it, which the script drops again.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from urllib.parse import urlencode

import psycopg
import pytest
from django.conf import settings

from indicators.models import Observation
from organisations.models import Role
from tests.factories import make_member, make_organisation
from tests.indicators.import_factories import make_source_indicator

SCRIPT = Path(settings.BASE_DIR) / "scripts" / "backup_restore.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("backup_restore", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["backup_restore"] = module
    spec.loader.exec_module(module)
    return module


backup_restore = _script()


def _test_database_url(name: str | None = None) -> str:
    db = settings.DATABASES["default"]
    options = db.get("OPTIONS", {})
    name = name or db["NAME"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    # The embedded server's URL keeps its socket folder in the query (?host=...), which Django puts in
    # OPTIONS; dropping it would reach the machine's own server through the default socket.
    host = str(db.get("HOST") or options.get("host") or "")
    port = str(db.get("PORT") or options.get("port") or "")
    if not host or host.startswith("/"):
        query = urlencode({key: value for key, value in (("host", host), ("port", port)) if value})
        return f"postgresql://{db['USER']}{password}@/{name}" + (f"?{query}" if query else "")
    return f"postgresql://{db['USER']}{password}@{host}:{port or 5432}/{name}"


def _database_exists(name: str) -> bool:
    with psycopg.connect(_test_database_url("postgres")) as connection:
        return (
            connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
        )


def test_a_backup_restores_into_a_new_database_with_equal_rows_and_checksums(
    transactional_db: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    org = make_organisation(name="Varmuusla", slug="varmuusla")
    make_member(organisation=org, role=Role.EDITOR)
    indicator = make_source_indicator(organisation=org, name="Väkiluku ääkkösin")
    for year in range(2015, 2025):
        Observation.objects.create(
            indicator=indicator, period=dt.date(year, 1, 1), value=Decimal(f"{year}.5")
        )
    target = f"{settings.DATABASES['default']['NAME']}_restore_{os.getpid()}"
    dump = tmp_path / "backup.dump"

    status = backup_restore.main(
        ["--database-url", _test_database_url(), "--target", target, "--dump", str(dump)]
    )

    out = capsys.readouterr()
    assert status == 0, out.out + out.err
    assert "restore took" in out.out
    assert "manage.py migrate --check: no migration missing" in out.out
    assert "row counts and md5 checksums equal" in out.out
    assert "indicators_observation: 10 rows" in out.out
    assert dump.read_bytes()[:5] == b"PGDMP"  # the custom format of pg_dump -Fc
    assert not _database_exists(target)  # dropped after the check


def test_a_difference_is_reported_table_by_table() -> None:
    same = backup_restore.TableSum(3, "abc")
    before = {"a": same, "b": same, "c": same}
    after = {"a": same, "b": backup_restore.TableSum(3, "abd"), "d": same}
    assert backup_restore.compare(before, after) == [
        "b: 3 rows (md5 abc) before, 3 rows (md5 abd) after",
        "c: missing after the restore",
        "d: only in the restored database",
    ]
    assert backup_restore.compare(before, dict(before)) == []


def test_client_tools_of_another_major_version_are_refused() -> None:
    with pytest.raises(
        backup_restore.Failure, match=r"No pg_dump/pg_restore of PostgreSQL 9 .*postgresql-client-9"
    ):
        backup_restore.find_tools(9)


def test_the_embedded_servers_tools_serve_its_major_version() -> None:
    folder = backup_restore.find_tools(18)
    assert backup_restore.tool_major(folder / "pg_restore") == 18


def test_missing_tools_stop_the_script_with_a_clear_message(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    status = backup_restore.main(["--database-url", _test_database_url(), "--bin-dir", "/nonexistent"])
    assert status == 2
    assert "No pg_dump/pg_restore of PostgreSQL" in capsys.readouterr().err
