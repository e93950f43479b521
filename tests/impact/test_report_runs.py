"""Starting the annual report's PDF: one waiting run per organisation, report and language, also for two
requests at the same moment, and a rate per person (429 with a message)."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.tasks import default_task_backend
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from goals.models import Strategy
from impact import report_runs
from impact.models import ReportRun
from impact.report_runs import STARTS_PER_WINDOW, start_report_run
from organisations.models import Organisation, Role, User
from tests.factories import make_member, make_organisation, make_user
from tests.goals.factories import make_strategy
from tests.impact.conftest import htmx

QUEUE_ONLY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def queue_only(settings: Any) -> Iterator[None]:
    """Runs stay queued: nothing renders them (the worker is elsewhere)."""
    settings.TASKS = QUEUE_ONLY
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def strategy(org_a: Organisation) -> Strategy:
    return make_strategy(organisation=org_a, name="Aakkosla 2030", status="approved")


@pytest.fixture
def viewer(org_a: Organisation) -> User:
    return make_member(organisation=org_a, role=Role.VIEWER, user=make_user(language="en"))


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _start(client: Client, org: Organisation, strategy: Strategy, year: int = 2025, lang: str = "en") -> Any:
    return client.post(
        reverse("report:pdf_start", args=[org.slug]),
        {"strategy": strategy.pk, "year": str(year), "lang": lang},
        headers=htmx(),
    )


def _queued() -> int:
    return len(default_task_backend.results)  # type: ignore[attr-defined]


def test_the_same_report_asked_twice_is_one_queued_run(
    org_a: Organisation, strategy: Strategy, viewer: User
) -> None:
    client = _client(viewer)
    first, second = _start(client, org_a, strategy), _start(client, org_a, strategy)
    run = ReportRun.objects.get()
    assert run.state == ReportRun.State.QUEUED
    status_url = reverse("report:run", args=[org_a.slug, run.pk])
    assert first.status_code == second.status_code == 200
    assert status_url in first.content.decode() and status_url in second.content.decode()
    assert _queued() == 1  # one render for the worker
    # Another person asking for the same report gets the same run too.
    _start(_client(make_member(organisation=org_a, role=Role.VIEWER)), org_a, strategy)
    assert ReportRun.objects.count() == 1 and _queued() == 1
    # Another language or year is another report.
    _start(client, org_a, strategy, lang="fi")
    _start(client, org_a, strategy, year=2024)
    assert ReportRun.objects.count() == 3 and _queued() == 3


def test_a_finished_or_abandoned_run_does_not_block_a_new_one(
    org_a: Organisation, strategy: Strategy, viewer: User
) -> None:
    done = ReportRun.objects.create(
        organisation=org_a, strategy=strategy, year=2025, language="en", state=ReportRun.State.DONE
    )
    stuck = ReportRun.objects.create(organisation=org_a, strategy=strategy, year=2025, language="en")
    ReportRun.objects.filter(pk=stuck.pk).update(
        created_at=timezone.now() - report_runs.STALE_AFTER - dt.timedelta(minutes=1)
    )
    _start(_client(viewer), org_a, strategy)
    new = ReportRun.objects.exclude(pk__in=[done.pk, stuck.pk]).get()
    assert new.state == ReportRun.State.QUEUED
    stuck.refresh_from_db()
    assert stuck.state == ReportRun.State.FAILED and stuck.finished_at is not None


def test_past_the_rate_a_person_gets_429_with_a_message(
    org_a: Organisation, strategy: Strategy, viewer: User
) -> None:
    client = _client(viewer)
    for year in range(2025, 2025 - STARTS_PER_WINDOW, -1):
        assert _start(client, org_a, strategy, year=year).status_code == 200
    refused = _start(client, org_a, strategy, year=2025 - STARTS_PER_WINDOW)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == int(report_runs.WINDOW.total_seconds())
    body = refused.content.decode()
    assert f"You have asked for {STARTS_PER_WINDOW} PDFs within 10 minutes" in body
    assert 'id="report-run"' in body and 'role="status"' in body  # feeds the section and the live region
    assert "<html" not in body
    assert ReportRun.objects.count() == STARTS_PER_WINDOW and _queued() == STARTS_PER_WINDOW
    # Asking for a run that waits already costs nothing and still answers.
    assert _start(client, org_a, strategy, year=2025).status_code == 200
    # The page without htmx says the same, in the chosen language.
    with translation.override("fi"):
        page = client.post(
            reverse("report:pdf_start", args=[org_a.slug]),
            {"strategy": strategy.pk, "year": "2019", "lang": "en"},
        )
    assert page.status_code == 429 and "<html" in page.content.decode()
    assert "You have asked for" in page.content.decode()
    # Another person has a rate of their own.
    other = _client(make_member(organisation=org_a, role=Role.VIEWER))
    assert _start(other, org_a, strategy, year=2019).status_code == 200


def _someone_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE NOT granted)")
        row = cursor.fetchone()
    return bool(row and row[0])


@pytest.mark.django_db(transaction=True)
def test_a_request_while_another_starts_the_same_report_gets_that_run() -> None:
    """The second of two simultaneous requests waits for the first one's transaction and then finds its
    run (without the lock it would see no waiting run and queue a second render)."""
    org = make_organisation()
    strategy = make_strategy(organisation=org)
    user = make_user()
    found: dict[str, ReportRun] = {}

    def second_request() -> None:
        try:
            found["run"] = start_report_run(
                organisation=org, strategy=strategy, year=2025, language="fi", by=user
            )
        finally:
            connection.close()

    with transaction.atomic():
        first = start_report_run(organisation=org, strategy=strategy, year=2025, language="fi", by=user)
        thread = threading.Thread(target=second_request)
        thread.start()
        while thread.is_alive() and not _someone_waits_for_a_lock():
            time.sleep(0.01)
    thread.join()
    assert found["run"].pk == first.pk
    assert ReportRun.objects.count() == 1


def test_a_pdf_render_logs_no_error(org_a: Organisation, strategy: Strategy, caplog: Any) -> None:
    """WeasyPrint is given only options it knows (it logged an ERROR for every render before)."""
    from django.template.loader import render_to_string

    from impact.annual_report import attach_charts, build_annual_report
    from impact.report_pdf import html_to_pdf
    from impact.report_views import document_context

    caplog.set_level(logging.DEBUG, logger="weasyprint")
    report = attach_charts(
        build_annual_report(organisation=org_a, strategy=strategy, year=2025, today=dt.date(2026, 3, 1))
    )
    pdf = html_to_pdf(
        render_to_string("impact/report/annual_report.html", document_context(report, pdf=True))
    )
    assert pdf.startswith(b"%PDF")
    logged = [(r.levelname, r.getMessage()) for r in caplog.records if r.name.startswith("weasyprint")]
    assert [entry for entry in logged if entry[0] in {"WARNING", "ERROR", "CRITICAL"}] == [], logged
