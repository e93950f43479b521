"""Database faults, on a PostgreSQL server of the test's own behind a real gunicorn (threads, small pool).

- restart: while the server is down /health/ answers 503; after it is back, the next 20 requests all
  succeed (pooled connections are checked before use: CONN_HEALTH_CHECKS with the psycopg pool).
- pool exhaustion: more concurrent slow requests than pool slots → the surplus gets 503 with Retry-After
  and a page in the person's language, never a 500 and never a hang; then it recovers by itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from tests.ops.pg_server import OwnServer, free_port, wait_for_http

pytestmark = pytest.mark.own_postgres

POOL_SLOTS = 2
THREADS = 6


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: str


def get(url: str, *, language: str = "") -> Answer:
    request = urllib.request.Request(url)  # noqa: S310  (loopback URL built by the test)
    if language:
        request.add_header("Cookie", f"{settings.LANGUAGE_COOKIE_NAME}={language}")
    try:
        # The timeout is the "never a hang" bound: a request still waiting after it fails the test.
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return Answer(response.status, dict(response.headers), response.read().decode())
    except urllib.error.HTTPError as error:
        return Answer(error.code, dict(error.headers), error.read().decode())


@pytest.fixture(scope="module")
def server() -> Iterator[OwnServer]:
    # Not under pytest's own temporary folders: those are private to root (0700), and other pytest runs
    # on the machine prune them; the server runs as another system user when the tests run as root.
    own = OwnServer(Path(tempfile.mkdtemp(prefix="vaikuttava-own-postgres-"))).init()
    own.start()
    own.create_database("app")
    yield own
    own.destroy()


@contextmanager
def gunicorn(server: OwnServer, log: Path, *, pool_timeout: float) -> Iterator[str]:
    """gunicorn with the production config file: one worker, THREADS threads, POOL_SLOTS connections."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": server.url("app"),
        "DJANGO_SETTINGS_MODULE": "tests.error_settings",
        "DB_POOL_MAX_SIZE": str(POOL_SLOTS),
        "DB_POOL_TIMEOUT": str(pool_timeout),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": str(THREADS),
        "SECRET_KEY": "test-only-key-for-the-database-fault-tests-0123456789",
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "impact.wsgi"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{base}/health/")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_after_a_database_restart_the_next_20_requests_succeed(server: OwnServer, tmp_path: Path) -> None:
    log = tmp_path / "gunicorn.log"
    # The production pool timeout (10 s): after a restart the pool discards each dead connection it
    # finds and waits (a backoff of about a second) for a new one, which a 1 s timeout would not allow.
    with gunicorn(server, log, pool_timeout=10) as base:
        _restart_and_request(server, base, log)


def _restart_and_request(server: OwnServer, base: str, log: Path) -> None:
    # Fill the pool with connections that the restart will kill.
    with ThreadPoolExecutor(POOL_SLOTS) as pool:
        warm = list(pool.map(lambda _: get(f"{base}/slow/?seconds=0.2"), range(POOL_SLOTS)))
    assert [a.status for a in warm] == [200] * POOL_SLOTS
    server.stop()
    # While the server is down the health check says so (503, for the load balancer) instead of hanging.
    down = get(f"{base}/health/")
    assert (down.status, json.loads(down.body)) == (503, {"status": "unavailable"})
    server.start()
    answers = [get(f"{base}/health/" if i % 2 else f"{base}/slow/?seconds=0") for i in range(20)]
    assert [a.status for a in answers] == [200] * 20, log.read_text()[-3000:]


def test_an_exhausted_pool_answers_503_in_the_persons_language_and_recovers(
    server: OwnServer, tmp_path: Path
) -> None:
    log = tmp_path / "gunicorn.log"
    with gunicorn(server, log, pool_timeout=1) as base:
        _exhaust_the_pool(base, log)


def _exhaust_the_pool(base: str, log: Path) -> None:
    # THREADS concurrent requests, each holding a connection for 5 s, against POOL_SLOTS connections
    # and a 1 s pool timeout: POOL_SLOTS of them get a connection, the rest wait 1 s and give up.
    with ThreadPoolExecutor(THREADS) as pool:
        answers = list(pool.map(lambda _: get(f"{base}/slow/?seconds=5", language="sv"), range(THREADS)))
    statuses = sorted(a.status for a in answers)
    assert set(statuses) == {200, 503}, statuses
    assert statuses.count(200) <= POOL_SLOTS
    for answer in answers:
        if answer.status == 503:
            assert answer.headers["Retry-After"] == str(settings.SERVICE_UNAVAILABLE_RETRY_AFTER)
            assert '<html lang="sv">' in answer.body and "Traceback" not in answer.body
            assert answer.headers["Content-Language"] == "sv"
    # It recovers by itself: the connections are back in the pool.
    assert get(f"{base}/slow/?seconds=0").status == 200
    assert get(f"{base}/health/").status == 200
    # Every line gunicorn and Django wrote is a JSON object; the 503s are in the access log.
    records = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    assert any(r["logger"] == "gunicorn.access" and '" 503 ' in r["message"] for r in records)
