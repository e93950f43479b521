"""The annual report in a real browser, as a viewer (leadership): read it, make the PDF, download it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from goals.models import GoalIndicator
from organisations.models import Organisation, Role
from tests.e2e.conftest import check_current_page, check_page, sign_in, url, wait_for_htmx
from tests.factories import make_member, make_user
from tests.goals.factories import make_goal, make_measure, make_strategy
from tests.impact.factories import make_activity, make_contribution, make_report


def test_viewer_reads_the_report_and_downloads_its_pdf(
    page: Page, org_a: Organisation, settings: pytest.FixtureRequest, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    year = timezone.localdate().year - 1
    strategy = make_strategy(organisation=org_a, name="Aakkosla 2030", status="approved")
    root = make_goal(strategy=strategy, title="Elinvoimainen Aakkosla")
    sg1 = make_goal(strategy=strategy, parent=root, code="SG1", title="Osaajat löytävät Aakkoslan")
    make_goal(strategy=strategy, parent=root, code="SG2", title="Hiilineutraali Aakkosla")
    indicator = make_measure(
        organisation=org_a, name="Työllisyysaste", baseline=(year - 4, 60), target=(year + 4, 70),
        values={year - 1: 62, year: 65},
    )  # fmt: skip
    GoalIndicator.objects.create(goal=sg1, indicator=indicator)
    activity = make_activity(
        organisation=org_a, name="Osaajasilta", start_date=dt.date(year, 1, 1), programme="esf",
        total_budget=Decimal(250000), own_share=Decimal(50000), external_funding=Decimal(200000),
    )  # fmt: skip
    make_contribution(activity=activity, goal=sg1)
    make_report(activity=activity, reported_on=dt.date(year, 6, 1), achieved="Kaksitoista rekrytointia")
    viewer = make_member(organisation=org_a, role=Role.VIEWER, user=make_user(name="Liisa Luottamus"))

    sign_in(page, viewer)
    check_page(page, url("report:annual", org_a.slug), "annual-report")
    report = page.locator("article.annual-report")
    expect(report).to_contain_text("SG1 Osaajat löytävät Aakkoslan")
    expect(report).to_contain_text("Kaksitoista rekrytointia")
    expect(page.locator("figure img.report-chart").first).to_be_visible()
    expect(page.locator("#report-print")).to_be_visible()  # the Print button, shown by static JS

    page.locator("#report-pdf-start").click()
    link = page.locator("#report-pdf-download")
    # Rendering a PDF takes seconds on a busy machine (the test backend runs the task in the request).
    expect(link).to_be_visible(timeout=180_000)
    wait_for_htmx(page)
    expect(page.locator("#live-region")).not_to_be_empty()
    expect(page.locator("#report-pdf-start")).to_be_visible()
    check_current_page(page, "annual-report-pdf-ready")

    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == f"aakkosla-annual-report-{year}-fi.pdf"
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF")
