"""A viewer (leadership) reads the dashboard, filters it by year with htmx and opens a goal's page."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import Page, expect

from futures.models import Implication, Signpost
from goals.models import GoalIndicator
from organisations.models import Organisation, Role
from tests.e2e.conftest import check_current_page, sign_in, url, wait_for_htmx
from tests.factories import make_member, make_user
from tests.futures.factories import make_story
from tests.goals.factories import make_goal, make_measure, make_strategy
from tests.impact.factories import make_activity, make_contribution, make_report


def test_a_viewer_filters_the_dashboard_and_opens_a_goal(page: Page, org_a: Organisation) -> None:
    this_year = timezone.localdate().year
    last_year = this_year - 1
    strategy = make_strategy(
        organisation=org_a,
        name="Aakkosla 2030",
        term_start=last_year,
        term_end=this_year + 3,
        status="approved",
    )
    root = make_goal(strategy=strategy, title="Elinvoimainen Aakkosla")
    jobs = make_goal(strategy=strategy, parent=root, code="SG1", title="Työpaikat lisääntyvät")
    climate = make_goal(strategy=strategy, parent=root, code="SG2", title="Päästöt vähenevät")
    indicator = make_measure(
        organisation=org_a,
        name="Työllisyysaste",
        baseline=(last_year - 5, 70),
        target=(this_year + 3, 78),
        values={last_year - 2: 72, last_year: 74},
    )
    GoalIndicator.objects.create(goal=jobs, indicator=indicator)
    bridge = make_activity(
        organisation=org_a,
        name="Talent Bridge",
        programme="esf",
        start_date=dt.date(last_year - 1, 1, 1),
        end_date=dt.date(last_year, 12, 31),
        total_budget=Decimal("650000"),
        own_share=Decimal("130000"),
        external_funding=Decimal("520000"),
    )
    port = make_activity(
        organisation=org_a,
        name="CIRCPORT",
        programme="interreg",
        start_date=dt.date(last_year, 3, 1),
        end_date=dt.date(this_year + 2, 12, 31),
        total_budget=Decimal("420000"),
        own_share=Decimal("84000"),
        external_funding=Decimal("336000"),
    )
    make_contribution(activity=bridge, goal=jobs)
    make_contribution(activity=port, goal=climate)
    make_report(activity=port, reported_on=timezone.localdate(), achieved="Kolme pilottia käynnissä.")
    story = make_story(organisation=org_a, title="Verkostojen Aakkosla", horizon_year=2035)
    Implication.objects.create(story=story, goal=jobs, kind="opportunity", strength=3)
    Implication.objects.create(story=story, goal=climate, kind="threat", strength=1)
    Signpost.objects.create(story=story, indicator=indicator, comparison="above", threshold=Decimal("73"))
    viewer = make_member(organisation=org_a, role=Role.VIEWER, user=make_user(name="Ville Valtuutettu"))
    sign_in(page, viewer)

    # The organisation's home page is the dashboard, for this year by default.
    page.goto(url("organisation_home", org_a.slug))
    expect(page.locator("#filter-year")).to_have_value(str(this_year))
    expect(page.locator("#dashboard figure .chart-canvas .main-svg").first).to_be_visible()
    expect(page.locator("#dashboard table.dashboard-goals tbody tr")).to_have_count(3)
    expect(page.locator("#dashboard .money-table").first).not_to_contain_text("ESF+")  # Talent Bridge ended
    check_current_page(page, "dashboard")

    # Filtering by last year (htmx): Talent Bridge is back, the URL keeps the filter, focus stays.
    page.locator("#filter-year").focus()  # as a keyboard or mouse user's choice leaves it
    page.locator("#filter-year").select_option(str(last_year))
    wait_for_htmx(page)
    expect(page).to_have_url(re.compile(rf"year={last_year}"))
    expect(page.locator("#live-region")).to_contain_text(str(last_year))
    expect(page.locator("#filter-year")).to_be_focused()
    expect(page.locator("#dashboard .money-table").first).to_contain_text("ESF+")
    expect(page.locator("#chart-timeline .main-svg").first).to_be_visible()  # charts drawn after the swap
    check_current_page(page, "dashboard-filtered")

    # The filtered URL works on its own, without htmx (a bookmark or a reload).
    page.reload()
    expect(page.locator("#filter-year")).to_have_value(str(last_year))

    # A goal opens its page: status, indicators with their chart, activities and their reports, futures.
    page.locator("table.dashboard-goals a", has_text="Työpaikat lisääntyvät").click()
    expect(page).to_have_url(re.compile(re.escape(url("goals:goal_detail", org_a.slug, jobs.pk)) + "$"))
    expect(page.locator("main h1")).to_contain_text("Työpaikat lisääntyvät")
    expect(page.locator("#panel-contributing_activities-heading")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Talent Bridge")
    expect(page.locator("main")).to_contain_text("Verkostojen Aakkosla")
    expect(page.locator(".indicator-chart .main-svg").first).to_be_visible()
    # A viewer reads: no editing controls.
    expect(page.locator("#indicator-q")).to_have_count(0)
    check_current_page(page, "dashboard-goal-page")
