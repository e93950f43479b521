"""International activities in a real browser: create an EU project, build its impact chain in place,
link it to two goals with the keyboard, file a progress report and see the goal page change; axe-core
on every activities page at desktop and phone widths."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Locator, Page, expect

from goals.models import Goal
from impact.models import Activity, ChainStep, Contribution, ProgressReport
from organisations.models import Organisation, Role, User
from tests.e2e.conftest import check_current_page, check_page, sign_in, url, wait_for_htmx
from tests.factories import make_member, make_user
from tests.goals.factories import make_goal, make_strategy
from tests.impact.factories import make_activity, make_contribution, make_indicator, make_report, make_review


def focused_id(page: Page) -> str:
    return str(page.evaluate("() => document.activeElement ? document.activeElement.id : ''"))


def tab_to(page: Page, selector: str, *, limit: int = 80) -> None:
    """Press Tab until the element matching the selector has the focus (keyboard only, no clicks)."""
    for _ in range(limit):
        if page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}; the focus is on #{focused_id(page)}")


def live_region(page: Page) -> Locator:
    return page.locator("#live-region")


@pytest.fixture
def editor(org_a: Organisation) -> User:
    return make_member(
        organisation=org_a, role=Role.EDITOR, user=make_user(name="Eero Editori", language="en")
    )


@pytest.fixture
def goals(org_a: Organisation) -> dict[str, Goal]:
    strategy = make_strategy(organisation=org_a, name="Aakkosla 2030", status="approved")
    root = make_goal(strategy=strategy, title="Aakkosla on elinvoimainen kasvukaupunki")
    sg1 = make_goal(strategy=strategy, parent=root, code="SG1", title="Uudistuva elinkeinoelämä")
    sg3 = make_goal(strategy=strategy, parent=root, code="SG3", title="Hiilineutraali Aakkosla 2035")
    g32 = make_goal(strategy=strategy, parent=sg3, code="3.2", title="Kiertotalousratkaisut satamassa")
    return {"root": root, "sg1": sg1, "sg3": sg3, "g32": g32}


def test_create_an_eu_project_build_its_chain_link_goals_and_report(
    page: Page, org_a: Organisation, editor: User, goals: dict[str, Goal]
) -> None:
    emissions = make_indicator(
        organisation=org_a, name="Kasvihuonekaasupäästöt asukasta kohden", chain_level="impact"
    )
    sign_in(page, editor)

    # The goal page before: no activity serves the goal.
    goal_page = url("goals:goal_detail", org_a.slug, goals["g32"].pk)
    page.goto(goal_page)
    expect(page.locator("main")).to_contain_text("No international activity serves this goal yet")

    # The empty register says how to start.
    check_page(page, url("activities:list", org_a.slug), "activities-empty")
    expect(page.locator("#empty-heading")).to_be_visible()
    page.locator(f"main a[href='{url('activities:create', org_a.slug)}']").first.click()

    # Create an EU project: an error first (shares above the budget), nothing typed is lost.
    expect(page.locator("h1")).to_have_text("Add an activity")
    expect(page.locator(".review-section")).to_be_hidden()  # only for twin towns and networks
    page.locator("#id_kind").select_option("twin_town")
    expect(page.locator(".review-section")).to_be_visible()
    page.locator("#id_kind").select_option("eu_project")
    page.locator("#id_name").fill("CIRCPORT")
    page.locator("#id_status").select_option("ongoing")
    page.locator("#id_start_date").fill("2023-01-01")
    page.locator("#id_end_date").fill("2026-12-31")
    page.locator("#id_programme").select_option("interreg")
    page.locator("#id_total_budget").fill("420 000")
    page.locator("#id_own_share").fill("84 000")
    page.locator("#id_external_funding").fill("436 000")
    page.locator("#id_partners-0-name").fill("Port Wolin")
    page.locator("#id_partners-0-country").select_option("PL")
    page.get_by_role("button", name="Add another partner").click()
    expect(page.locator("#id_partners-1-name")).to_be_focused()
    page.keyboard.type("Vilsunds Hamn")
    page.locator("#id_partners-1-country").select_option("SE")
    check_current_page(page, "activity-create")
    page.locator("#activity-submit").click()
    wait_for_htmx(page)
    expect(page.locator("#id_total_budget")).to_have_attribute("aria-invalid", "true")
    expect(live_region(page)).to_contain_text("Nothing was saved")
    expect(page.locator("#id_partners-1-name")).to_have_value("Vilsunds Hamn")
    check_current_page(page, "activity-create-errors")
    page.locator("#id_external_funding").fill("336 000")
    page.locator("#activity-submit").click()
    expect(page.locator("h1")).to_have_text("CIRCPORT")
    activity = Activity.objects.get(organisation=org_a)
    assert sorted(activity.partners.values_list("country", flat=True)) == ["PL", "SE"]
    expect(page.locator("#partners")).to_contain_text("Poland")
    expect(page.locator("#contributions .flag-orphan")).to_be_visible()  # serves no goal yet
    check_current_page(page, "activity-detail-new")

    # Build the chain in place: an input, then the impact measured by an indicator.
    page.locator("#step-add-input").click()
    wait_for_htmx(page)
    expect(page.locator("#new-step-input-description")).to_be_focused()
    page.keyboard.type("420 000 € ja projektipäällikkö")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.locator("#chain form button[type=submit]").click()
    wait_for_htmx(page)
    expect(page.locator("#chain")).to_contain_text("420 000 € ja projektipäällikkö")
    expect(live_region(page)).to_contain_text("The step was added.")
    assert focused_id(page) == "step-add-input"  # the focus came back to where the person was
    page.locator("#step-add-impact").click()
    wait_for_htmx(page)
    page.locator("#new-step-impact-description").fill("Päästöt pienenevät")
    page.locator("#new-step-impact-indicator").select_option(str(emissions.pk))
    check_current_page(page, "activity-step-form-in-place")
    page.locator("#chain form button[type=submit]").click()
    wait_for_htmx(page)
    expect(page.locator("#chain")).to_contain_text("Kasvihuonekaasupäästöt asukasta kohden")
    assert list(
        ChainStep.objects.filter(activity=activity).values_list("level", flat=True).order_by("pk")
    ) == [
        "input",
        "impact",
    ]
    # Edit a step in place, then cancel: nothing changes and the focus returns to its edit link.
    step = ChainStep.objects.get(activity=activity, level="input")
    page.locator(f"#step-edit-{step.pk}").click()
    wait_for_htmx(page)
    page.locator(f"#step-form-{step.pk}-cancel").click()
    wait_for_htmx(page)
    assert focused_id(page) == f"step-edit-{step.pk}"

    # Link two goals with the keyboard only: search, choose, describe, link.
    page.locator("#goal-search").focus()
    page.keyboard.type("kierto")
    wait_for_htmx(page)
    expect(page.locator("#goal-options input[type=radio]")).to_have_count(1)
    expect(live_region(page)).to_contain_text("1 goal matches.")
    tab_to(page, "#goal-options input[type=radio]")
    page.keyboard.press("Space")
    expect(page.locator(f"#goal-{goals['g32'].pk}")).to_be_checked()
    tab_to(page, "#id_strength")
    page.keyboard.press("ArrowDown")  # direct → partial
    tab_to(page, "#id_rationale")
    page.keyboard.type("Pilotit tuovat satamaan kiertotalousratkaisuja.")
    tab_to(page, "#contribution-submit")
    page.keyboard.press("Enter")
    wait_for_htmx(page)
    expect(page.locator("#contributions")).to_contain_text("Pilotit tuovat satamaan kiertotalousratkaisuja.")
    expect(live_region(page)).to_contain_text("now serves the goal")
    assert focused_id(page) == "goal-search"  # ready for the next goal
    page.keyboard.type("SG1")
    wait_for_htmx(page)
    expect(page.locator("#goal-options input[type=radio]")).to_have_count(1)
    tab_to(page, "#goal-options input[type=radio]")
    page.keyboard.press("Space")
    tab_to(page, "#contribution-submit")
    page.keyboard.press("Enter")
    wait_for_htmx(page)
    links = Contribution.objects.filter(activity=activity).order_by("pk")
    assert [(c.goal, c.strength) for c in links] == [(goals["g32"], "partial"), (goals["sg1"], "direct")]
    expect(page.locator("#contributions .flag-orphan")).to_have_count(0)
    check_current_page(page, "activity-detail-linked")

    # File a progress report in place.
    page.locator("#report-add").click()
    wait_for_htmx(page)
    page.locator("#new-report-status").select_option("some_problems")
    page.locator("#new-report-achieved").fill("Kaksi pilottia käynnissä.")
    page.locator("#new-report-evidence_links").fill("https://example.org/raportti")
    check_current_page(page, "activity-report-form-in-place")
    page.locator("#reports form button[type=submit]").click()
    wait_for_htmx(page)
    expect(page.locator("#reports .report-status-some_problems")).to_be_visible()
    assert ProgressReport.objects.get(activity=activity).reported_on == dt.date.today()  # noqa: DTZ011

    # The goal page changed: the activity, its budget and its latest report status.
    page.goto(goal_page)
    panel_link = page.locator(f"main a[href='{url('activities:detail', org_a.slug, activity.pk)}']")
    expect(panel_link).to_have_text("CIRCPORT")
    expect(page.locator("main .report-status-some_problems")).to_be_visible()

    # The register shows the latest status; the filters update it in place and live in the URL.
    page.goto(url("activities:list", org_a.slug))
    expect(page.locator("#activity-results .report-status-some_problems")).to_be_visible()
    page.locator("#filter-kind").select_option("twin_town")
    wait_for_htmx(page)
    expect(page).to_have_url(re.compile(r"kind=twin_town"))
    expect(page.locator("#activity-results")).to_contain_text("No activity matches these filters.")
    page.go_back()
    expect(page.locator("#activity-results")).to_contain_text("CIRCPORT")


def test_every_activities_page_is_accessible(
    page: Page, org_a: Organisation, editor: User, goals: dict[str, Goal]
) -> None:
    indicator = make_indicator(organisation=org_a, name="Päästöt", chain_level="impact")
    project = make_activity(organisation=org_a, name="CIRCPORT", start_date=dt.date(2023, 1, 1))
    other = make_activity(organisation=org_a, name="HEAT-SHIFT", start_date=dt.date(2024, 1, 1))
    twin = make_activity(organisation=org_a, name="Norrvik", kind="twin_town", start_date=dt.date(1952, 1, 1))
    step = ChainStep.objects.create(
        activity=project, level="impact", description="Päästöt", indicator=indicator
    )
    ChainStep.objects.create(activity=other, level="impact", description="Päästöt", indicator=indicator)
    contribution = make_contribution(activity=project, goal=goals["g32"])
    report = make_report(activity=project, reported_on=dt.date(2024, 1, 1), status="serious_problems")
    review = make_review(activity=twin, reviewed_on=dt.date(2024, 1, 1), shared_goals=False, decision="keep")
    slug = org_a.slug
    sign_in(page, editor)

    check_page(page, url("activities:list", slug), "activities-register")
    check_page(
        page, url("activities:list", slug) + "?kind=eu_project&year=2024", "activities-register-filtered"
    )
    check_page(page, url("activities:list", slug) + "?kind=network", "activities-register-none")
    check_page(page, url("activities:detail", slug, project.pk), "activities-detail")
    expect(page.locator("#chain .double-count")).to_contain_text("HEAT-SHIFT")
    expect(page.locator("[data-print]")).to_be_visible()
    check_page(page, url("activities:detail", slug, twin.pk), "activities-detail-twin")
    check_page(page, url("activities:edit", slug, twin.pk), "activities-edit-twin")
    check_page(page, url("activities:delete", slug, project.pk), "activities-delete")
    check_page(page, url("activities:settings", slug), "activities-settings")
    check_page(
        page, url("activities:contribution_add", slug, project.pk) + "?q=SG", "activities-contribution-add"
    )
    check_page(
        page,
        url("activities:contribution_edit", slug, project.pk, contribution.pk),
        "activities-contribution-edit",
    )
    check_page(
        page,
        url("activities:contribution_delete", slug, project.pk, contribution.pk),
        "activities-contribution-delete",
    )
    check_page(page, url("activities:step_add", slug, project.pk) + "?level=output", "activities-step-add")
    check_page(page, url("activities:step_edit", slug, project.pk, step.pk), "activities-step-edit")
    check_page(page, url("activities:step_delete", slug, project.pk, step.pk), "activities-step-delete")
    check_page(page, url("activities:report_add", slug, project.pk), "activities-report-add")
    check_page(page, url("activities:report_edit", slug, project.pk, report.pk), "activities-report-edit")
    check_page(page, url("activities:report_delete", slug, project.pk, report.pk), "activities-report-delete")
    check_page(page, url("activities:review_add", slug, twin.pk), "activities-review-add")
    check_page(page, url("activities:review_edit", slug, twin.pk, review.pk), "activities-review-edit")
    check_page(page, url("activities:review_delete", slug, twin.pk, review.pk), "activities-review-delete")

    # The in-place states of the activity page: a step form, a confirmation, a goal search.
    page.goto(url("activities:detail", slug, project.pk))
    page.locator(f"#step-edit-{step.pk}").click()
    wait_for_htmx(page)
    check_current_page(page, "activities-detail-editing-step")
    page.locator(f"#contribution-{contribution.pk} a[href$='/delete/']").click()
    wait_for_htmx(page)
    check_current_page(page, "activities-detail-confirming")
    page.locator("#goal-search").fill("zzz")
    wait_for_htmx(page)
    expect(page.locator("#goal-options")).to_contain_text("No goal matches")
    check_current_page(page, "activities-detail-goal-search-empty")


def test_a_viewer_reads_the_register_and_activity(
    page: Page, org_a: Organisation, goals: dict[str, Goal]
) -> None:
    viewer = make_member(organisation=org_a, role=Role.VIEWER, user=make_user(language="fi"))
    project = make_activity(organisation=org_a, name="CIRCPORT")
    make_contribution(activity=project, goal=goals["g32"])
    sign_in(page, viewer)
    check_page(page, url("activities:list", org_a.slug), "activities-register-viewer")
    check_page(page, url("activities:detail", org_a.slug, project.pk), "activities-detail-viewer")
    expect(page.locator("#step-add-input")).to_have_count(0)
