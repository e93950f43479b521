"""The goal tree in a real browser: built with the keyboard only, an indicator linked, the checklist
changing; axe-core on every goals page, at desktop and phone widths, for an editor and a viewer."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Locator, Page, expect

from goals.models import Goal, GoalIndicator, Strategy
from organisations.models import Organisation, Role, User
from tests.e2e.conftest import check_current_page, check_page, sign_in, url, wait_for_htmx
from tests.factories import make_member, make_user
from tests.goals.factories import make_goal, make_measure, make_sdg_target, make_strategy


def focused_id(page: Page) -> str:
    return str(page.evaluate("() => document.activeElement ? document.activeElement.id : ''"))


def tab_to(page: Page, selector: str, *, limit: int = 120) -> None:
    """Press Tab until the element matching the selector has the focus (keyboard only, no clicks)."""
    if page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector):
        return  # already there (htmx returned the focus to it)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}; the focus is on #{focused_id(page)}")


def live_region(page: Page) -> Locator:
    return page.locator("#live-region")


@pytest.fixture
def editor(org_a: Organisation) -> User:
    return make_member(
        organisation=org_a, role=Role.EDITOR, user=make_user(name="Eero Editori", language="en")
    )


def test_build_a_tree_with_the_keyboard_and_link_an_indicator(
    page: Page, org_a: Organisation, editor: User
) -> None:
    indicator = make_measure(
        organisation=org_a, name="Kansainvälisten valmistuneiden työllisyys", values={2022: 52, 2023: 55}
    )
    sign_in(page, editor)
    page.goto(url("goals:strategy_list", org_a.slug))
    expect(page.locator("h1")).to_have_text("Strategy and goals")

    # A strategy for the council term, typed into the form on the list page.
    tab_to(page, "#id_name")
    page.keyboard.type("Aakkosla 2030")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("2025")
    page.keyboard.press("Tab")
    page.keyboard.type("2024")  # before the start: refused with a message, nothing lost
    page.keyboard.press("Enter")
    wait_for_htmx(page)
    expect(page.locator("#id_term_end")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_name")).to_have_value("Aakkosla 2030")
    tab_to(page, "#id_term_end")
    page.keyboard.press("Control+A")
    page.keyboard.type("2029")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Aakkosla 2030")
    strategy = Strategy.objects.get(organisation=org_a)

    # The impact goal, then a strategic goal under it, then an operational goal under that.
    tab_to(page, "#add-top-goal")
    page.keyboard.press("Enter")
    wait_for_htmx(page)
    assert focused_id(page) == "id_goal-top-title"  # the form opened in place, the cursor in the title
    page.keyboard.type("Aakkosla on elinvoimainen kasvukaupunki")
    page.keyboard.press("Enter")
    wait_for_htmx(page)
    top = Goal.objects.get(strategy=strategy)
    assert focused_id(page) == f"goal-{top.pk}-title"
    expect(live_region(page)).to_contain_text("Aakkosla on elinvoimainen kasvukaupunki")

    levels = ["Osaajat löytävät Aakkoslan", "Kansainväliset valmistuneet työllistyvät alueelle"]
    parent = top
    for title in levels:
        tab_to(page, f"#goal-{parent.pk}-add")
        page.keyboard.press("Enter")
        wait_for_htmx(page)
        assert focused_id(page) == f"id_goal-{parent.pk}-title"
        page.keyboard.type(title)
        page.keyboard.press("Enter")
        wait_for_htmx(page)
        parent = Goal.objects.get(title=title)
        assert parent.parent is not None
        assert focused_id(page) == f"goal-{parent.pk}-title"
    leaf = parent
    assert [g.title for g in (leaf.parent.parent, leaf.parent, leaf)] == [  # type: ignore[union-attr]
        "Aakkosla on elinvoimainen kasvukaupunki",
        *levels,
    ]
    expect(page.locator(f"#goal-{leaf.pk}")).to_contain_text("Operational goal")

    # A sibling, moved with the keyboard: the focus stays on the button that was used.
    tab_to(page, f"#goal-{leaf.parent.pk}-add")  # type: ignore[union-attr]
    page.keyboard.press("Enter")
    wait_for_htmx(page)
    page.keyboard.type("Vieraskielisten työllisyys nousee")
    page.keyboard.press("Enter")
    wait_for_htmx(page)
    sibling = Goal.objects.get(title="Vieraskielisten työllisyys nousee")
    tab_to(page, f"#goal-{sibling.pk}-up")
    page.keyboard.press("Enter")
    wait_for_htmx(page)
    assert focused_id(page) == f"goal-{sibling.pk}-up"
    expect(live_region(page)).to_contain_text("moved up")
    sibling.refresh_from_db()
    assert sibling.order == 0
    page.keyboard.press("Enter")  # already first: explained, nothing breaks
    wait_for_htmx(page)
    expect(live_region(page)).to_contain_text("already first")
    assert focused_id(page) == f"goal-{sibling.pk}-up"
    check_current_page(page, "goals-tree-built")

    # The operational goal's page: not measured yet; link an indicator found by searching.
    tab_to(page, f"#goal-{leaf.pk}-title")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text(leaf.title)
    measured = page.locator(".checklist li").filter(has_text="Measured by an indicator")
    expect(measured).to_have_class(re.compile(r"\bfailed\b"))
    check_current_page(page, "goals-goal-unmeasured")
    tab_to(page, "#indicator-q")
    page.keyboard.type("valmistuneiden")
    toggle = f"#indicator-{indicator.pk}-toggle"
    expect(page.locator(toggle)).to_be_visible()
    tab_to(page, toggle)
    page.keyboard.press("Enter")
    wait_for_htmx(page)
    expect(measured).to_have_class(re.compile(r"\bpassed\b"))
    expect(live_region(page)).to_contain_text("now measures this goal")
    assert focused_id(page) == f"indicator-{indicator.pk}-toggle"  # now the "Unlink" button of the same row
    expect(page.locator(f"{toggle}")).to_contain_text("Unlink")
    expect(page.locator("figure.chart .chart-canvas .main-svg").first).to_be_attached()  # the chart is drawn
    assert GoalIndicator.objects.filter(goal=leaf, indicator=indicator).exists()
    check_current_page(page, "goals-goal-measured")


def test_delete_asks_what_to_do_with_the_sub_goals(page: Page, org_a: Organisation, editor: User) -> None:
    strategy = make_strategy(organisation=org_a)
    top = make_goal(strategy=strategy, title="Vaikuttavuustavoite")
    middle = make_goal(strategy=strategy, title="Strateginen tavoite", parent=top)
    make_goal(strategy=strategy, title="Toiminnallinen tavoite", parent=middle)
    sign_in(page, editor)
    page.goto(url("goals:strategy_detail", org_a.slug, strategy.pk))
    tab_to(page, f"#goal-{middle.pk}-delete")
    page.keyboard.press("Enter")
    wait_for_htmx(page)
    expect(page.locator(f"#goal-{middle.pk}-slot")).to_contain_text("Toiminnallinen tavoite")
    assert focused_id(page).startswith(f"id_goal-{middle.pk}-children")
    check_current_page(page, "goals-delete-in-tree")
    tab_to(page, f"#goal-{middle.pk}-slot-confirm")
    page.keyboard.press("Enter")
    wait_for_htmx(page)
    expect(live_region(page)).to_contain_text("moved up one level")
    assert focused_id(page) == f"goal-{top.pk}-title"
    child = Goal.objects.get(title="Toiminnallinen tavoite")
    assert child.parent == top


def test_goals_pages_are_accessible(page: Page, org_a: Organisation, editor: User) -> None:
    sdg = make_sdg_target(code="8.5")
    indicator = make_measure(
        organisation=org_a, name="Vieraskielisten työllisyysaste", values={2021: 51, 2023: 55}
    )
    context = make_measure(organisation=org_a, name="Väkiluku", chain_level="context", values={2023: 12345})
    old = make_strategy(
        organisation=org_a, name="Aakkosla 2030", term_start=2021, term_end=2025, status="approved",
        approved_on=dt.date(2021, 11, 15),
    )  # fmt: skip
    top = make_goal(
        strategy=old, title="Aakkosla on elinvoimainen", owner=editor, target_date=dt.date(2025, 12, 31)
    )
    goal = make_goal(strategy=old, title="Vieraskielisten työllisyys nousee", parent=top, code="2.2")
    make_goal(strategy=old, title="Järjestetään rekrytointimessut", parent=goal, code="2.2.1")
    GoalIndicator.objects.create(goal=goal, indicator=indicator)
    GoalIndicator.objects.create(goal=top, indicator=context)
    goal.sdg_targets.add(sdg)

    sign_in(page, editor)
    check_page(page, url("goals:strategy_list", org_a.slug), "goals-list")
    check_page(page, url("goals:strategy_detail", org_a.slug, old.pk), "goals-strategy")
    check_page(page, url("goals:goal_detail", org_a.slug, goal.pk), "goals-goal")
    check_page(page, url("goals:goal_edit", org_a.slug, goal.pk), "goals-goal-edit")
    check_page(page, url("goals:goal_create", org_a.slug, old.pk) + f"?parent={goal.pk}", "goals-goal-create")
    check_page(page, url("goals:goal_delete", org_a.slug, goal.pk), "goals-goal-delete")
    check_page(page, url("goals:strategy_edit", org_a.slug, old.pk), "goals-strategy-edit")
    check_page(page, url("goals:strategy_next_term", org_a.slug, old.pk), "goals-next-term")

    # The forms opened inside the tree, and a form answered with errors.
    page.goto(url("goals:strategy_detail", org_a.slug, old.pk))
    page.locator(f"#goal-{goal.pk}-edit").click()
    wait_for_htmx(page)
    page.locator(f"#id_goal-{goal.pk}-title").fill("")
    page.locator(f"#goal-{goal.pk}-slot-submit").click()
    wait_for_htmx(page)
    expect(page.locator(f"#id_goal-{goal.pk}-title")).to_have_attribute("aria-invalid", "true")
    check_current_page(page, "goals-edit-in-tree-error")

    # The SDG picker and the indicator search with results.
    make_sdg_target(code="10.2", title="Empower and promote the social inclusion of all")
    page.goto(url("goals:goal_detail", org_a.slug, goal.pk))
    page.locator("#sdg-q").fill("10.")
    expect(page.locator("#sdg-results")).to_contain_text("10.2")
    page.locator("#indicator-q").fill("väki")
    expect(page.locator("#indicator-results")).to_contain_text("Väkiluku")
    check_current_page(page, "goals-goal-searching")

    # The next council term: the goals carried over, the old strategy still readable.
    page.goto(url("goals:strategy_next_term", org_a.slug, old.pk))
    page.locator("#strategy-form-submit").click()
    page.wait_for_url(re.compile(rf"/strategies/(?!{old.pk}/)\d+/$"))
    new = Strategy.objects.get(predecessor=old)
    expect(page).to_have_url(re.compile(re.escape(url("goals:strategy_detail", org_a.slug, new.pk)) + "$"))
    copy = new.goals.get(code="2.2")
    page.goto(url("goals:goal_detail", org_a.slug, copy.pk))
    expect(page.locator("#goal-facts")).to_contain_text("Carried over from")
    check_current_page(page, "goals-goal-carried-over")


def test_a_viewer_reads_everything(page: Page, org_a: Organisation) -> None:
    viewer = make_member(
        organisation=org_a, role=Role.VIEWER, user=make_user(name="Veera Viewer", language="en")
    )
    strategy = make_strategy(organisation=org_a)
    top = make_goal(strategy=strategy, title="Aakkosla on elinvoimainen")
    goal = make_goal(strategy=strategy, title="Osaajat jäävät", parent=top)
    GoalIndicator.objects.create(goal=goal, indicator=make_measure(organisation=org_a, values={2022: 53}))
    sign_in(page, viewer)
    check_page(page, url("goals:strategy_list", org_a.slug), "goals-viewer-list")
    check_page(page, url("goals:strategy_detail", org_a.slug, strategy.pk), "goals-viewer-strategy")
    expect(page.locator(".goal-actions")).to_have_count(0)
    check_page(page, url("goals:goal_detail", org_a.slug, goal.pk), "goals-viewer-goal")
    expect(page.locator("#indicator-q")).to_have_count(0)


def test_the_tree_prints_without_controls(page: Page, org_a: Organisation, editor: User) -> None:
    strategy = make_strategy(organisation=org_a)
    top = make_goal(strategy=strategy, title="Aakkosla on elinvoimainen")
    sign_in(page, editor)
    page.goto(url("goals:strategy_detail", org_a.slug, strategy.pk))
    page.emulate_media(media="print")
    expect(page.locator(f"#goal-{top.pk}-title")).to_be_visible()
    expect(page.locator(f"#goal-{top.pk}-up")).to_be_hidden()
    expect(page.locator("#add-top-goal")).to_be_hidden()
    expect(page.locator("header nav")).to_be_hidden()
    page.emulate_media(media="screen")
