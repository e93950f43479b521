"""In a real browser: a story title with a link in it is text inside plotly's charts (plotly reads a subset
of HTML in every text it draws), and the PDF button past the rate says so in the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from organisations.models import Organisation, Role
from tests.e2e.conftest import sign_in, url
from tests.factories import make_member, make_user
from tests.futures.factories import make_story
from tests.goals.factories import make_goal, make_strategy

TITLE = '<a href="https://evil.example/">Click</a> <b>bold</b>'


def test_a_title_with_markup_is_text_inside_the_chart(page: Page, org_a: Organisation) -> None:
    viewer = make_member(organisation=org_a, user=make_user(language="en"), role=Role.VIEWER)
    strategy = make_strategy(organisation=org_a, name="Aakkosla 2030", status="approved")
    goal = make_goal(strategy=strategy, title="<i>Vital</i> business life", code="SG1")
    story = make_story(organisation=org_a, title=TITLE, horizon_year=2035)
    story.implications.create(goal=goal, kind="threat", strength=2)
    sign_in(page, viewer)

    for address in (url("futures:robustness", "aakkosla"), url("organisation_home", "aakkosla")):
        page.goto(address)
        chart = page.locator("figure .chart-canvas svg.main-svg").first
        expect(chart).to_be_visible()
        canvases = page.locator("figure .chart-canvas")
        # No element plotly made from the text: no link, no bold, no italics.
        expect(canvases.locator("svg a")).to_have_count(0)
        expect(
            canvases.locator("svg [style*='font-weight:bold'], svg [style*='font-style:italic']")
        ).to_have_count(0)
        texts = " ".join(canvases.locator("svg text").all_text_contents())
        assert "<a" in texts and "Click</a>" in texts and "<b>bold</b>" in texts, texts


def test_past_the_rate_the_pdf_button_says_so_in_the_page(
    page: Page, org_a: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 429 answer is swapped into the page (htmx swaps 429 like 422) and read out in the live region."""
    from impact import report_runs

    monkeypatch.setattr(report_runs, "STARTS_PER_WINDOW", 0)  # the live server runs in this process
    make_strategy(organisation=org_a, name="Aakkosla 2030", status="approved")
    viewer = make_member(organisation=org_a, user=make_user(language="en"), role=Role.VIEWER)
    sign_in(page, viewer)
    page.goto(url("report:annual", "aakkosla"))
    page.locator("#report-pdf-start").click()
    expect(page.locator("#report-run .message-error")).to_contain_text("You have asked for 0 PDFs")
    expect(page.locator("#live-region")).to_contain_text("Try again in a few minutes")
