"""The performance benchmark (`make bench`; not part of `make test`). See docs/performance.md.

    .venv/bin/python bench/run.py [--scale 1.0] [--rounds 40] [--wrk-seconds 15] [--reuse]

Generates the country into a database of its own (`vaikuttava_bench`, and `vaikuttava_bench_small` with
one organisation) on DATABASE_URL's server (or the embedded one without DATABASE_URL), serves it with
gunicorn (two workers, four threads, DEBUG off), signs in and measures every page and fragment of the
tables below against the floor (a trivial signed-in page), counts their queries in both databases,
weighs them, imports 100,000 values against PostgreSQL's COPY, and runs wrk. Writes bench/results.json
and the generated part of docs/performance.md, and prints the tables.

To measure a new page, add a line to PAGES or FRAGMENTS: its path may use {org}, {strategy}, {goal},
{indicator}, {activity} and {story}; a path that does not resolve is skipped with a note.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BASE = Path(__file__).resolve().parent.parent
if str(BASE) not in sys.path:
    sys.path.insert(0, str(BASE))

from bench import stats  # noqa: E402  (after the project is on the path)

PYTHON = str(BASE / ".venv" / "bin" / "python")
GUNICORN = str(BASE / ".venv" / "bin" / "gunicorn")
RESULTS = BASE / "bench" / "results.json"
DOC = BASE / "docs" / "performance.md"
WORKERS, THREADS = 2, 4
PAGE_LIMIT, FRAGMENT_LIMIT = 5.0, 3.0  # targets: pages within 5× the floor, fragments within 3×
IMPORT_INDICATORS, IMPORT_MONTHS = 200, 500  # 100,000 values
COPY_ROWS = 2000  # rows per COPY transaction (see import_against_copy)
SMALL_PLAN = ("--scale", "0.2", "--organisations", "1")  # one organisation with a fifth of the rows


@dataclass(frozen=True)
class Target:
    """A page or an htmx fragment: a path with placeholders, the element a fragment feeds, and who asks.

    `user` is "" for the largest organisation's administrator, or "steward" for the association's steward
    (the national view is open to stewards and to members of sharing organisations only).
    """

    name: str
    path: str
    htmx_target: str = ""
    user: str = ""
    after_change: bool = False  # timed right after a change of the organisation's data (see AFTER_CHANGE)


FLOOR = Target("floor", "/accounts/settings/")
PAGES = [
    Target("dashboard", "/o/{org}/"),
    Target("goal tree", "/o/{org}/goals/strategies/{strategy}/"),
    Target("goal page", "/o/{org}/goals/{goal}/"),
    Target("indicator list", "/o/{org}/indicators/"),
    Target("indicator page", "/o/{org}/indicators/{indicator}/"),
    Target("value grid", "/o/{org}/indicators/grid/"),
    Target("activity register", "/o/{org}/activities/"),
    Target("activity page", "/o/{org}/activities/{activity}/"),
    Target("story page", "/o/{org}/futures/stories/{story}/"),
    Target("national view", "/national/", user="steward"),
    Target("annual report", "/o/{org}/report/"),
    Target("strategy list", "/o/{org}/goals/"),
    Target("indicator library", "/library/indicators/"),
    Target("start page", "/"),
]
FRAGMENTS = [
    Target("dashboard filter", "/o/{org}/?strategy={strategy}&year={year}", "dashboard"),
    Target("national view filter", "/national/?peers=all", "national-results", user="steward"),
    Target("activity register filter", "/o/{org}/activities/?status=ongoing", "activity-results"),
    Target("indicator list filter", "/o/{org}/indicators/?chain_level=outcome", "indicator-table"),
    Target("library filter", "/library/indicators/?q=osuus", "library-results"),
    Target("goal tree partial", "/o/{org}/goals/strategies/{strategy}/", "goal-tree"),
    Target("goal indicator search", "/o/{org}/goals/{goal}/?indicator_q=a", "indicator-results"),
    Target("goal SDG search", "/o/{org}/goals/{goal}/?sdg_q=work", "sdg-results"),
    Target("adopt template search", "/o/{org}/indicators/adopt/?q=osuus", "template-results"),
    Target("activity chain section", "/o/{org}/activities/{activity}/", "chain"),
    Target("contribution goal options", "/o/{org}/activities/{activity}/goals/add/", "goal-options"),
    Target("goal form", "/o/{org}/goals/strategies/{strategy}/goals/new/?parent={goal}", "goal-{goal}-slot"),
]
# The dashboard and the annual report are kept per data version of the organisation
# (organisations.data_version), so PAGES and FRAGMENTS time what a reader gets between changes. These
# time the first request after a change (the bench records a change before each one): the reader who
# comes right after an edit waits this once.
AFTER_CHANGE = [
    Target("dashboard, after a change", "/o/{org}/", after_change=True),
    Target(
        "dashboard filter, after a change",
        "/o/{org}/?strategy={strategy}&year={year}",
        "dashboard",
        after_change=True,
    ),
    Target("annual report, after a change", "/o/{org}/report/", after_change=True),
]
LOAD = {
    "dashboard": "dashboard",
    "activity register": "activity register",
    "fragment": "activity register filter",
}


def say(message: str) -> None:
    print(message, flush=True)


# --- databases ------------------------------------------------------------------------------------------


def server_url() -> str:
    """DATABASE_URL without its database name, or the embedded server's."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        from impact.embedded_db import ensure_running

        url = ensure_running(BASE)
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, "", parts.query, ""))


def database_url(server: str, name: str) -> str:
    parts = urllib.parse.urlsplit(server)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def recreate_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(database_url(server, "postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def database_exists(server: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(database_url(server, "postgres"), autocommit=True) as connection:
        return (
            connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
        )


def environment(url: str) -> dict[str, str]:
    """Production-like settings over plain HTTP on loopback."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "impact.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECURE": "0",  # plain HTTP on loopback: no HTTPS redirect, cookies without __Host-
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DEMO_DATA_ALLOWED": "1",
        # The generated administrators and the steward have no one-time codes; production would send them
        # to set codes up first (REQUIRE_MFA_FOR_PRIVILEGED). The bench measures the pages behind that.
        "REQUIRE_MFA_FOR_PRIVILEGED": "0",
    }


def python(url: str, *args: str) -> str:
    """Run the project's Python in a database; on failure show what it said and stop."""
    done = subprocess.run(  # noqa: S603  (fixed argv)
        [PYTHON, *args], cwd=BASE, env=environment(url), capture_output=True, text=True
    )
    if done.returncode:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-6000:])
        raise SystemExit(f"{' '.join(args)} failed (exit status {done.returncode}).")
    return done.stdout


def manage(url: str, *args: str) -> str:
    return python(url, "manage.py", *args)


def prepare_database(server: str, name: str, plan: tuple[str, ...], *, reuse: bool) -> float | None:
    """Migrate and generate (unless reused); return the generation's seconds."""
    url = database_url(server, name)
    if not reuse or not database_exists(server, name):
        recreate_database(server, name)
        reuse = False
    manage(url, "migrate", "--no-input", "-v", "0")
    if reuse:
        return None
    say(f"Generating {name} ({' '.join(plan)})…")
    started = time.monotonic()
    manage(url, "generate_country", *plan)
    return time.monotonic() - started


# --- inside a database: objects, paths and query counts (run as a subprocess) ----------------------------


def resolve_targets(targets: list[Target]) -> dict[str, Any]:
    """Pick the measured organisation and objects; count each target's queries with Django's client."""
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import Resolver404, resolve

    from futures.models import FutureStory
    from goals.models import Goal, Strategy
    from impact.country import PASSWORD, STEWARD_USERNAME
    from impact.models import Activity
    from indicators.models import Indicator
    from organisations.models import Organisation, User

    # The largest organisation: the generator gives Helsinki the top of every range.
    organisation = (
        Organisation.objects.filter(strategies__isnull=False, is_demo=False)
        .annotate(goals=Count("strategies__goals"))
        .order_by("-goals", "pk")
        .first()
    )
    if organisation is None:
        raise SystemExit("No generated organisation (run generate_country).")
    strategy = Strategy.objects.for_organisation(organisation).current()
    assert strategy is not None
    goal = (
        Goal.objects.filter(strategy=strategy, parent__isnull=False, parent__parent__isnull=True)
        .annotate(n=Count("goal_indicators", distinct=True) + Count("children", distinct=True))
        .order_by("-n", "pk")
        .first()
    )
    indicator = (
        Indicator.objects.for_organisation(organisation)
        .filter(template__isnull=False)
        .annotate(n=Count("goal_links"))
        .order_by("-n", "pk")
        .first()
    )
    activity = (
        Activity.objects.for_organisation(organisation)
        .annotate(n=Count("reports", distinct=True) + Count("contributions", distinct=True))
        .order_by("-n", "pk")
        .first()
    )
    story = (
        FutureStory.objects.for_organisation(organisation)
        .annotate(n=Count("implications"))
        .order_by("-n", "pk")
        .first()
    )
    ids = {
        "org": organisation.slug,
        "strategy": strategy.pk,
        "goal": goal.pk if goal else 0,
        "indicator": indicator.pk if indicator else 0,
        "activity": activity.pk if activity else 0,
        "story": story.pk if story else 0,
        "year": min(strategy.term_start + 1, strategy.term_end),
    }
    user = User.objects.get(username=f"{organisation.slug}-admin-1")
    users = {"": user.username, "steward": STEWARD_USERNAME}
    clients = {}
    for key, username in users.items():
        clients[key] = Client()
        clients[key].force_login(User.objects.get(username=username))
    found: dict[str, Any] = {}
    for target in [FLOOR, *targets]:
        client = clients[target.user]
        path = target.path.format(**ids)
        try:
            resolve(urllib.parse.urlsplit(path).path)
        except Resolver404:
            found[target.name] = {
                "path": path,
                "skipped": f"{path} does not resolve (not built on this branch)",
            }
            continue
        headers = (
            {"HX-Request": "true", "HX-Target": target.htmx_target.format(**ids)}
            if target.htmx_target
            else {}
        )
        client.get(path, headers=headers)  # the first request fills the per-process caches
        if target.after_change:
            record_change(organisation.pk)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, headers=headers)
        found[target.name] = {
            "path": path,
            "headers": headers,
            "user": target.user,
            "status": response.status_code,
            "queries": len(queries),
            "after_change": target.after_change,
            "organisation_id": organisation.pk,
        }
    return {"ids": ids, "username": user.username, "users": users, "password": PASSWORD, "targets": found}


def record_change(organisation_id: int, url: str | None = None) -> None:
    """A change of the organisation's data as its triggers record one (a new data version)."""
    if url is None:
        from organisations.models import DataChange

        DataChange.objects.create(organisation_id=organisation_id)
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            "INSERT INTO organisations_datachange (organisation_id) VALUES (%s)", [organisation_id]
        )


def targets_in(url: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(python(url, str(Path(__file__)), "targets").strip().splitlines()[-1])
    return result


# --- the import against COPY (run as a subprocess in the country database) -------------------------------


def import_against_copy() -> dict[str, Any]:
    """100,000 values from a CSV through the product's importer, and the same rows by COPY."""
    import django

    django.setup()
    import pghistory
    from django.db import connection, transaction

    from indicators.importers.pipeline import detect_format, execute, prepare
    from indicators.models import Indicator, Periodicity
    from indicators.periods import period_label
    from organisations.models import Organisation

    organisation, _created = Organisation.objects.update_or_create(
        slug="benchmark-import",
        defaults={"kind": Organisation.Kind.MUNICIPALITY, "name_fi": "Tuontikoe", "is_demo": True},
    )
    Indicator.objects.filter(organisation=organisation).delete()
    sets = []
    for part in ("importer", "copy"):
        rows = [
            Indicator(organisation=organisation, name_fi=f"{part} {n}", unit="n", chain_level="output",
                      periodicity=Periodicity.MONTH)
            for n in range(IMPORT_INDICATORS)
        ]  # fmt: skip
        sets.append(Indicator.objects.bulk_create(rows))
    periods = [dt.date(1984 + m // 12, m % 12 + 1, 1) for m in range(IMPORT_MONTHS)]
    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    product_csv, copy_csv = folder / "values.csv", folder / "copy.csv"
    now = dt.datetime.now(dt.UTC).isoformat()
    with product_csv.open("w", newline="", encoding="utf-8") as one, copy_csv.open("w", newline="") as two:
        product, plain = csv.writer(one), csv.writer(two)
        product.writerow(["Indicator ID", "Period", "Value"])
        for number, (ours, theirs) in enumerate(zip(sets[0], sets[1], strict=True)):
            for step, period in enumerate(periods):
                value = f"{(number * 7 + step * 13) % 10000 / 10:.1f}"
                product.writerow([ours.pk, period_label(period, Periodicity.MONTH), value])
                plain.writerow(
                    [
                        theirs.pk,
                        period.isoformat(),
                        value,
                        "final",
                        "",
                        "file",
                        "copy.csv",
                        now,
                        "",
                        now,
                        now,
                        1,
                    ]
                )
    started = time.monotonic()
    with product_csv.open("rb") as handle:
        found, checked = detect_format(handle, name=product_csv.name, requested="csv")
        prepared = prepare(
            handle, name=product_csv.name, fmt=found, checked=checked, organisation=organisation
        )
        report = execute(prepared, context={"command": "bench"})
    importer = time.monotonic() - started
    started = time.monotonic()
    # The same settings as the importer's transaction: the audit context and pgtrigger's setting defined
    # (undefined, every row's trigger raises and catches an error). COPY goes in transactions of 2,000
    # rows: the audit trigger's per-row context upsert makes one 100,000-row COPY transaction take
    # minutes (superlinear), and the baseline should be the fastest COPY, not a slow one.
    lines = copy_csv.read_bytes().splitlines(keepends=True)
    for first in range(0, len(lines), COPY_ROWS):
        with transaction.atomic(), pghistory.context(command="bench-copy"), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('pgtrigger.ignore', '{}', true)")
            with cursor.cursor.copy(
                "COPY indicators_observation (indicator_id, period, value, status, missing_reason, source, "
                "provenance, retrieved_at, note, created_at, updated_at, version) "
                "FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL (missing_reason, note))"
            ) as copy:
                copy.write(b"".join(lines[first : first + COPY_ROWS]))
    copied = time.monotonic() - started
    return {
        "rows": IMPORT_INDICATORS * IMPORT_MONTHS,
        "written": report.created,
        "problems": len(report.problems),
        "importer_s": round(importer, 2),
        "copy_s": round(copied, 2),
    }


# --- over HTTP ------------------------------------------------------------------------------------------


class Browser:
    """One keep-alive connection with a cookie jar: what a person's browser does, minus the rendering."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, body: str | None = None
    ) -> tuple[int, dict[str, str], bytes, float]:
        sent = {"Host": "127.0.0.1", "Accept-Encoding": "gzip", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=sent)
            response = self.connection.getresponse()
            content = response.read()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            self.connection.request(method, path, body=body, headers=sent)
            response = self.connection.getresponse()
            content = response.read()
        seconds = time.perf_counter() - started
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _eq, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, {k.lower(): v for k, v in response.getheaders()}, content, seconds

    def sign_in(self, username: str, password: str) -> None:
        _status, _headers, body, _s = self.request(
            "GET", "/accounts/login/", headers={"Accept-Encoding": "identity"}
        )
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if not match:
            raise SystemExit("No sign-in form.")
        form = urllib.parse.urlencode(  # allauth's form: the username goes in `login`
            {"login": username, "password": password, "csrfmiddlewaretoken": match.group(1).decode()}
        )
        status, _headers, _body, _s = self.request(
            "POST",
            "/accounts/login/",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            body=form,
        )
        if status != 302:
            raise SystemExit(f"Signing in as {username} answered {status}.")

    def session_cookie(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_gunicorn(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    """gunicorn with the production settings (gunicorn.conf.py: gthread, workers × threads, timeouts, JSON
    access log), bound to loopback; its log goes to a file."""
    env = {
        **environment(url),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(WORKERS),
        "GUNICORN_THREADS": str(THREADS),
    }
    with log.open("ab") as stream:
        process = subprocess.Popen(  # noqa: S603  (fixed argv)
            [GUNICORN, "-c", str(BASE / "gunicorn.conf.py"), "impact.wsgi"],
            cwd=BASE, env=env, stdout=stream, stderr=stream,
        )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped (exit status {process.returncode}).")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health/", headers={"Host": "127.0.0.1"})
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn did not answer /health/ within a minute")


def measure_times(
    browsers: dict[str, Browser], measured: dict[str, dict[str, Any]], rounds: int, url: str
) -> dict[str, list[float]]:
    """Round robin over the floor and every target, so the machine's noise falls on all of them alike."""
    times: dict[str, list[float]] = {name: [] for name in measured}
    for number in range(rounds + 3):
        for name, target in measured.items():
            if target.get("after_change"):
                record_change(target["organisation_id"], url)
            status, _headers, _body, seconds = browsers[target["user"]].request(
                "GET", target["path"], headers=target["headers"]
            )
            if status != 200:
                raise SystemExit(f"{name} ({target['path']}) answered {status}")
            if number >= 3:  # three warm-up rounds
                times[name].append(seconds)
    return times


def weigh(browser: Browser, target: dict[str, Any]) -> tuple[int, int]:
    """Compressed bytes of the page, and of the static files it needs on a first visit."""
    _status, headers, body, _s = browser.request("GET", target["path"], headers=target["headers"])
    size = stats.gzip_size(body, headers.get("content-encoding", ""))
    html = (gzip_decode(body) if headers.get("content-encoding") == "gzip" else body).decode(
        "utf-8", "replace"
    )
    static = 0
    for asset in stats.asset_urls(html):
        _st, asset_headers, asset_body, _s2 = browser.request("GET", asset)
        static += stats.gzip_size(asset_body, asset_headers.get("content-encoding", ""))
    return size, static


def gzip_decode(body: bytes) -> bytes:
    import gzip

    return gzip.decompress(body)


def run_wrk(port: int, target: dict[str, Any], cookie: str, seconds: int) -> dict[str, Any]:
    headers = ["-H", f"Cookie: {cookie}", "-H", "Accept-Encoding: gzip"]
    for key, value in target["headers"].items():
        headers += ["-H", f"{key}: {value}"]
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed (apt-get install wrk).")
    done = subprocess.run(  # noqa: S603  (fixed argv)
        [wrk, "-t", "2", "-c", str(WORKERS * THREADS), "-d", f"{seconds}s", "--timeout", "10s",
         "-s", str(BASE / "bench" / "wrk_report.lua"), *headers, f"http://127.0.0.1:{port}{target['path']}"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return stats.parse_wrk_json(done.stdout)


# --- report ---------------------------------------------------------------------------------------------


def write_doc(results: dict[str, Any], notes: list[str], meta: dict[str, Any]) -> list[str]:
    static = results.get("static_bytes", {})
    lines = [
        f"Measured {meta['date']} on {meta['cpus']} cores (shared machine) at scale {meta['scale']}: "
        f"{meta['country']}. The floor is `{FLOOR.path}` (median {meta['floor_ms']:.1f} ms). "
        f"Country generated in {meta['generated']}.",
        "",
        f"### Pages (target: within {PAGE_LIMIT:g}× the floor)",
        "",
        *stats.table(((n, r, static.get(n)) for n, r in results["pages"].items()), limit=PAGE_LIMIT),
        "",
        f"### htmx fragments (target: within {FRAGMENT_LIMIT:g}× the floor)",
        "",
        *stats.table(((n, r, None) for n, r in results["fragments"].items()), limit=FRAGMENT_LIMIT),
        "",
        "### The first request after a change",
        "",
        "The dashboard and the annual report are kept per data version of the organisation: the tables above "
        "time them between changes. These rows time the request right after a change (the bench records one "
        "before each request), which computes and renders anew; ⚠ marks what is over the pages' limit.",
        "",
        *stats.table(
            ((n, r, None) for n, r in results["after_change"].items()),
            limit=PAGE_LIMIT,
        ),
        "",
        "### Import",
        "",
        f"{meta['import']['rows']:,} values from CSV through the product's importer: "
        f"{meta['import']['importer_s']} s; PostgreSQL `COPY` of the same rows into the same table "
        f"(triggers on): {meta['import']['copy_s']} s. Ratio **{results['import_ratio_vs_copy']}×** "
        "(target: within 3×).",
        "",
        f"### Load (wrk, {WORKERS} gunicorn workers × {THREADS} threads, {WORKERS * THREADS} connections, "
        f"{meta['wrk_seconds']} s each)",
        "",
        *stats.load_table(results["load"]),
        "",
    ]
    if notes:
        lines += ["Notes:", "", *(f"- {note}" for note in notes), ""]
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else f"# Performance\n\n{start}\n{end}\n"
    before, _sep, rest = text.partition(start)
    _old, _sep2, after = rest.partition(end)
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(f"{before}{start}\n" + "\n".join(lines) + f"\n{end}{after}", encoding="utf-8")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("mode", nargs="?", default="all", choices=("all", "targets", "import"))
    parser.add_argument("--scale", default="1.0", help="share of the country to generate")
    parser.add_argument("--rounds", type=int, default=40, help="timed requests per page")
    parser.add_argument("--wrk-seconds", type=int, default=15)
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--database", default="vaikuttava_bench")
    parser.add_argument("--reuse", action="store_true", help="keep the generated databases if they exist")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "impact.settings")
    if args.mode == "targets":
        print(json.dumps(resolve_targets(PAGES + FRAGMENTS + AFTER_CHANGE)))
        return
    if args.mode == "import":
        print(json.dumps(import_against_copy()))
        return

    server = server_url()
    country_db, small_db = args.database, f"{args.database}_small"
    generated = prepare_database(server, country_db, ("--scale", args.scale), reuse=args.reuse)
    prepare_database(server, small_db, SMALL_PLAN, reuse=args.reuse)
    country_url = database_url(server, country_db)
    manage(country_url, "collectstatic", "--no-input", "-v", "0")
    say("Counting queries…")
    small = targets_in(database_url(server, small_db))
    country = targets_in(country_url)
    notes = [t["skipped"] for t in country["targets"].values() if "skipped" in t]
    measured = {name: t for name, t in country["targets"].items() if "skipped" not in t}

    port = args.port or free_port()
    log = Path(tempfile.mkdtemp(prefix="bench-gunicorn-")) / "gunicorn.log"
    process = start_gunicorn(country_url, port, log)
    say(f"gunicorn's log: {log}")
    try:
        browsers = {key: Browser(port) for key in country["users"]}
        for key, browser in browsers.items():
            browser.sign_in(country["users"][key], country["password"])
        browser = browsers[""]
        say(f"Timing {len(measured)} pages and fragments, {args.rounds} rounds…")
        # The targets timed after a change go in a round robin of their own (with the floor): each records
        # a change, which would make the others' next request one after a change too.
        steady = {name: t for name, t in measured.items() if not t.get("after_change")}
        changing = {name: t for name, t in measured.items() if t.get("after_change") or name == FLOOR.name}
        times = measure_times(browsers, steady, args.rounds, country_url)
        changed_times = measure_times(browsers, changing, args.rounds, country_url)
        weights = {name: weigh(browsers[t["user"]], t) for name, t in measured.items()}
        say("Load runs…")
        load = {
            label: run_wrk(
                port, measured[name], browsers[measured[name]["user"]].session_cookie(), args.wrk_seconds
            )
            for label, name in LOAD.items()
            if name in measured
        }
    finally:
        process.terminate()
        process.wait(timeout=30)
    say("Import against COPY…")
    imported = json.loads(python(country_url, str(Path(__file__)), "import").strip().splitlines()[-1])
    if imported["problems"] or imported["written"] != imported["rows"]:
        notes.append(f"the importer wrote {imported['written']} of {imported['rows']} rows")

    floor = times[FLOOR.name]

    def rows(targets: list[Target], times: dict[str, list[float]] = times) -> dict[str, Any]:
        return {
            t.name: stats.page_result(
                times[t.name],
                times[FLOOR.name],
                queries_small=small["targets"].get(t.name, {}).get("queries"),
                queries_country=country["targets"][t.name]["queries"],
                size=weights[t.name][0],
            )
            for t in targets
            if t.name in measured
        }

    results = {
        "pages": rows(PAGES),
        "fragments": rows(FRAGMENTS),
        "after_change": rows(AFTER_CHANGE, changed_times),
        "import_ratio_vs_copy": stats.ratio(imported["importer_s"], imported["copy_s"]),
        "load": load,
        "static_bytes": {t.name: weights[t.name][1] for t in PAGES if t.name in measured},
    }
    stats.write_results(RESULTS, results)
    organisations = country["ids"]["org"]
    meta = {
        "date": dt.datetime.now(dt.UTC).date().isoformat(),
        "cpus": os.cpu_count(),
        "scale": args.scale,
        "country": f"pages of `{organisations}` (the largest organisation)",
        "floor_ms": stats.percentile(floor, 50) * 1000,
        "generated": f"{generated:.0f} s" if generated is not None else "an earlier run (--reuse)",
        "import": imported,
        "wrk_seconds": args.wrk_seconds,
    }
    for line in write_doc(results, notes, meta):
        print(line)
    say(f"Wrote {RESULTS.relative_to(BASE)} and {DOC.relative_to(BASE)}.")


if __name__ == "__main__":
    main()
