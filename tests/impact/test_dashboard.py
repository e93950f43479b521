"""The leadership dashboard (impact.dashboard and the organisation's home page).

Every number is checked against a fixture computed by hand:

    activity  programme  total    own     external  serves           runs
    Alpha     Interreg   100 000  20 000  80 000    1.1, 3.1         2025-01-01 – 2026-12-31 (report 3/2026)
    Beta      –           30 000  30 000  –         SG1, 1.2         2020-01-01 – (network, reviewed 1/2026)
    Gamma     –           –       –       –         nothing          2024-01-01 – (twin town, never reported)
    Delta     Horizon     60 000  15 000  45 000    3.2              2027-01-01 – 2028-12-31 (planned)
    Epsilon   –           10 000  10 000  –         1.1              2021-01-01 – 2023-12-31 (ended)

In 2026 Alpha, Beta and Gamma run: total 130 000, own 50 000, external 80 000, 1.60 € per own euro.
Over the council term 2025–2029 Delta runs too: 190 000, 65 000, 125 000, 125/65 = 1.92.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from futures.analysis import Robustness, SignpostState
from futures.models import Implication, Signpost
from goals.models import GoalIndicator
from impact.dashboard import (
    Money,
    choose_filters,
    current_strategy,
    load_dashboard,
    timeline_figure,
    timeline_rows,
)
from impact.models import Activity
from indicators.progress import Status
from organisations.models import Organisation, Role
from tests.factories import make_member, make_user
from tests.futures.factories import make_story
from tests.goals.factories import make_goal, make_measure, make_strategy
from tests.impact.conftest import Tree, assert_fragment, assert_page, htmx
from tests.impact.factories import make_activity, make_contribution, make_report, make_review, make_step

TODAY = dt.date(2026, 6, 15)
D = dt.date


def euros(value: str) -> Decimal:
    return Decimal(value)


@pytest.fixture
def world(org_a: Organisation, tree: Tree) -> dict[str, Any]:
    alpha = make_activity(
        organisation=org_a,
        name="Alpha",
        programme="interreg",
        start_date=D(2025, 1, 1),
        end_date=D(2026, 12, 31),
        total_budget=euros("100000"),
        own_share=euros("20000"),
        external_funding=euros("80000"),
    )
    beta = make_activity(
        organisation=org_a,
        name="Beta",
        kind="network",
        start_date=D(2020, 1, 1),
        total_budget=euros("30000"),
        own_share=euros("30000"),
    )
    gamma = make_activity(organisation=org_a, name="Gamma", kind="twin_town", start_date=D(2024, 1, 1))
    delta = make_activity(
        organisation=org_a,
        name="Delta",
        programme="horizon",
        status="planned",
        start_date=D(2027, 1, 1),
        end_date=D(2028, 12, 31),
        total_budget=euros("60000"),
        own_share=euros("15000"),
        external_funding=euros("45000"),
    )
    epsilon = make_activity(
        organisation=org_a,
        name="Epsilon",
        status="ended",
        start_date=D(2021, 1, 1),
        end_date=D(2023, 12, 31),
        total_budget=euros("10000"),
        own_share=euros("10000"),
    )
    for activity, goals in [
        (alpha, [tree.g11, tree.g31]),
        (beta, [tree.sg1, tree.g12]),
        (delta, [tree.g32]),
        (epsilon, [tree.g11]),
    ]:
        for goal in goals:
            make_contribution(activity=activity, goal=goal)
    make_report(activity=alpha, reported_on=D(2026, 3, 1))
    make_review(activity=beta, reviewed_on=D(2026, 1, 10))
    # An indicator of 1.1: baseline 10 (2019), target 20 (2029); 15 in 2024 is on the straight path,
    # 16 in 2026 is behind it (expected 70 %, reached 60 %): at risk.
    indicator = make_measure(
        organisation=org_a, name="Vienti", baseline=(2019, 10), target=(2029, 20), values={2024: 15, 2026: 16}
    )
    GoalIndicator.objects.create(goal=tree.g11, indicator=indicator)
    return {
        "alpha": alpha,
        "beta": beta,
        "gamma": gamma,
        "delta": delta,
        "epsilon": epsilon,
        "indicator": indicator,
    }


def line_of(board: Any, goal: Any) -> Any:
    return next(line for line in board.lines if line.goal.pk == goal.pk)


# --- filters ------------------------------------------------------------------------------------------


def test_filters_default_to_the_current_strategy_and_this_year(org_a: Organisation) -> None:
    old = make_strategy(organisation=org_a, name="Vanha", term_start=2021, term_end=2025, status="approved")
    new = make_strategy(organisation=org_a, name="Uusi", term_start=2025, term_end=2029, status="approved")
    draft = make_strategy(organisation=org_a, name="Luonnos", term_start=2029, term_end=2033)
    strategies = [old, new, draft]
    assert current_strategy(strategies) == new  # the newest approved, not the newer draft

    chosen = choose_filters(strategies, strategy=None, year=None, today=TODAY)
    assert (chosen.strategy, chosen.year, chosen.years) == (new, 2026, [2029, 2028, 2027, 2026, 2025])
    assert chosen.window == (D(2026, 1, 1), D(2026, 12, 31))
    # "" is the whole council term; a year outside the term or nonsense falls back to the default.
    whole = choose_filters(strategies, strategy=str(new.pk), year="", today=TODAY)
    assert whole.year is None and whole.window == (D(2025, 1, 1), D(2029, 12, 31))
    assert choose_filters(strategies, strategy=str(new.pk), year="2031", today=TODAY).year == 2026
    assert choose_filters(strategies, strategy=str(new.pk), year="x; drop", today=TODAY).year == 2026
    # An older strategy whose term has ended shows its whole term unless a year is chosen.
    past = choose_filters(strategies, strategy=str(old.pk), year=None, today=TODAY)
    assert (past.strategy, past.year) == (old, None)
    assert choose_filters(strategies, strategy=str(old.pk), year="2023", today=TODAY).year == 2023
    # An unknown strategy (e.g. another organisation's id) is the current one.
    assert choose_filters(strategies, strategy="999999", year=None, today=TODAY).strategy == new
    assert choose_filters([], strategy=None, year="2026", today=TODAY).strategy is None


# --- money ---------------------------------------------------------------------------------------------


def test_money_in_a_year_against_the_hand_computed_fixture(
    org_a: Organisation, world: dict[str, Any]
) -> None:
    board = load_dashboard(org_a, year="2026", today=TODAY)
    assert board.activity_count == 3
    money = board.money
    assert money.total == Money(euros("130000"), euros("50000"), euros("80000"))
    assert money.total.external_per_own_euro == Decimal("1.60")
    assert money.without_budget == 1  # Gamma

    programmes = {row.key: (row.activity_count, row.money) for row in money.by_programme}
    assert programmes == {
        "interreg": (1, Money(euros("100000"), euros("20000"), euros("80000"))),
        "none": (2, Money(euros("30000"), euros("30000"), euros("0"))),
    }
    assert [row.key for row in money.by_programme] == ["interreg", "none"]
    assert money.by_programme[0].money.external_per_own_euro == Decimal("4.00")

    # Alpha serves SG1 (through 1.1) and SG3 (through 3.1): half to each. Beta serves SG1 twice: once.
    by_goal = {row.label: (row.activity_count, row.money) for row in money.by_goal}
    assert by_goal == {
        "SG1 Uudistuva elinkeinoelämä": (2, Money(euros("80000"), euros("40000"), euros("40000"))),
        "SG3 Hiilineutraali Aakkosla 2035": (1, Money(euros("50000"), euros("10000"), euros("40000"))),
    }
    assert (money.unlinked.activity_count, money.unlinked.money) == (1, Money())  # Gamma
    assert money.by_goal_total == money.total  # the split rows add up


def test_money_over_the_whole_council_term(org_a: Organisation, world: dict[str, Any]) -> None:
    board = load_dashboard(org_a, year="", today=TODAY)
    assert board.activity_count == 4  # Epsilon ended before the term
    assert board.money.total == Money(euros("190000"), euros("65000"), euros("125000"))
    assert board.money.total.external_per_own_euro == Decimal("1.92")
    sg3 = next(row for row in board.money.by_goal if row.goal and row.goal.code == "SG3")
    assert (sg3.activity_count, sg3.money.total_budget) == (2, euros("110000"))


def test_a_contribution_to_the_top_goal_gets_its_own_row(org_a: Organisation, tree: Tree) -> None:
    activity = make_activity(
        organisation=org_a, name="Kaikki", total_budget=euros("9000"), own_share=euros("9000")
    )
    make_contribution(activity=activity, goal=tree.root)
    board = load_dashboard(org_a, year="2026", today=TODAY)
    first = board.money.by_goal[0]
    assert (first.goal, first.money.total_budget) == (tree.root, euros("9000"))
    assert board.money.by_goal_total.total_budget == euros("9000")


# --- the goal tree -------------------------------------------------------------------------------------


def test_goal_tree_counts_each_activity_once_per_goal_with_full_budgets(
    org_a: Organisation, tree: Tree, world: dict[str, Any]
) -> None:
    board = load_dashboard(org_a, year="2026", today=TODAY)
    assert [line.goal for line in board.lines] == [
        tree.root,
        tree.sg1,
        tree.g11,
        tree.g12,
        tree.sg3,
        tree.g31,
        tree.g32,
    ]
    counts = {
        line.goal.code or "root": (line.activity_count, line.money.total_budget) for line in board.lines
    }
    assert counts == {
        "root": (2, euros("130000")),
        "SG1": (2, euros("130000")),
        "1.1": (1, euros("100000")),
        "1.2": (1, euros("30000")),
        "SG3": (1, euros("100000")),
        "3.1": (1, euros("100000")),
        "3.2": (0, euros("0")),
    }
    assert line_of(board, tree.sg1).depth == 1 and line_of(board, tree.g11).depth == 2


def test_goal_status_and_progress_follow_the_chosen_year(
    org_a: Organisation, tree: Tree, world: dict[str, Any]
) -> None:
    in_2026 = load_dashboard(org_a, year="2026", today=TODAY)
    for goal in (tree.g11, tree.sg1, tree.root):
        line = line_of(in_2026, goal)
        assert (line.rollup.status, line.progress, line.indicator_count) == (Status.AT_RISK, 60, 1)
    assert line_of(in_2026, tree.sg3).rollup.status == Status.NOT_MEASURABLE
    assert line_of(in_2026, tree.sg3).progress is None
    # In 2025 only the value of 2024 exists: right on the straight path.
    in_2025 = load_dashboard(org_a, year="2025", today=TODAY)
    assert (line_of(in_2025, tree.g11).rollup.status, line_of(in_2025, tree.g11).progress) == (
        Status.ON_TRACK,
        50,
    )
    assert [(c.status, c.count) for c in in_2026.status_counts] == [
        (Status.AT_RISK, 1),
        (Status.NOT_MEASURABLE, 1),
    ]


# --- coverage ------------------------------------------------------------------------------------------


def test_coverage_lists(org_a: Organisation, tree: Tree, world: dict[str, Any]) -> None:
    board = load_dashboard(org_a, year="2026", today=TODAY)
    coverage = board.coverage
    assert coverage.unreached == [tree.g32]  # Delta serves it, but only from 2027
    assert coverage.orphans == [world["gamma"]]
    # Beta never reported (due 1.7.2020), Gamma neither (due 1.7.2024); Alpha reported in March.
    assert [(d.activity, d.due_on) for d in coverage.overdue_reports] == [
        (world["beta"], D(2020, 7, 1)),
        (world["gamma"], D(2024, 7, 1)),
    ]
    # Gamma, a twin town since 2024, was never reviewed; Beta was reviewed in January.
    assert [(d.activity, d.due_on) for d in coverage.reviews_due] == [(world["gamma"], D(2024, 12, 31))]
    # Every goal lacks an owner, a deadline and a measured indicator but 1.1; "reached" is listed apart.
    gaps = {gap.goal: {item.check.key for item in gap.failed} for gap in coverage.quality_gaps}
    assert len(gaps) == 7 and all("reached" not in keys for keys in gaps.values())
    assert "measured" in gaps[tree.g12] and "measured" not in gaps[tree.g11]
    assert not coverage.is_clear

    whole_term = load_dashboard(org_a, year="", today=TODAY)
    assert whole_term.coverage.unreached == []


def test_results_claimed_by_several_activities_are_listed_once(
    org_a: Organisation, world: dict[str, Any]
) -> None:
    indicator = world["indicator"]
    for name in ("alpha", "beta", "delta"):  # Delta does not run in 2026
        make_step(activity=world[name], level="outcome", indicator=indicator)
    make_step(activity=world["gamma"], level="output", indicator=indicator)  # an output is its own
    results = load_dashboard(org_a, year="2026", today=TODAY).coverage.shared_results
    assert [(r.indicator_name, r.activity_names) for r in results] == [("Vienti", ["Alpha", "Beta"])]


# --- time ----------------------------------------------------------------------------------------------


def test_timeline_bars_start_at_their_dates_and_last_their_length(
    org_a: Organisation, world: dict[str, Any]
) -> None:
    board = load_dashboard(org_a, year="2026", today=TODAY)
    assert [row.activity.name for row in board.timeline] == ["Beta", "Gamma", "Alpha"]
    figure = board.figures["timeline"]
    ongoing = next(trace for trace in figure["data"] if trace["y"] == ["Beta", "Gamma", "Alpha"])
    assert ongoing["type"] == "bar" and ongoing["orientation"] == "h"
    assert ongoing["base"] == ["2020-01-01", "2024-01-01", "2025-01-01"]
    day = 86_400_000
    # Alpha: 1.1.2025 – 31.12.2026 is 730 days; open-ended ones run to the end of the term (2029).
    assert ongoing["x"][2] == 730 * day
    assert ongoing["x"][0] == (D(2030, 1, 1) - D(2020, 1, 1)).days * day
    assert figure["layout"]["xaxis"]["range"] == ["2025-01-01", "2030-01-01"]
    year_band = figure["layout"]["shapes"][0]
    assert (year_band["x0"], year_band["x1"]) == ("2026-01-01", "2027-01-01")


def test_timeline_colours_statuses_and_leaves_out_undated() -> None:
    planned = Activity(pk=1, name="P", status="planned", start_date=D(2026, 5, 1), end_date=D(2026, 5, 31))
    paused = Activity(pk=2, name="Q", status="paused", start_date=D(2025, 1, 1))
    undated = Activity(pk=3, name="R", status="ongoing")
    rows, without = timeline_rows([planned, paused, undated])
    assert [row.label for row in rows] == ["Q", "P"] and without == [undated]
    figure = timeline_figure(rows, window=(D(2026, 1, 1), D(2026, 12, 31)), highlight=None, today=TODAY)
    names = {trace["name"]: trace["marker"]["color"] for trace in figure["data"]}
    assert names == {"Planned": "#595959", "Paused": "#8a5300"}
    assert figure["data"][0]["x"] == [31 * 86_400_000]


# --- futures -------------------------------------------------------------------------------------------


def test_robustness_and_signposts(org_a: Organisation, tree: Tree, world: dict[str, Any]) -> None:
    hopeful = make_story(organisation=org_a, title="Toivo", horizon_year=2035)
    gloomy = make_story(organisation=org_a, title="Synkkä", horizon_year=2040)
    Implication.objects.create(story=hopeful, goal=tree.sg1, kind="opportunity", strength=2)
    Implication.objects.create(story=gloomy, goal=tree.sg1, kind="threat", strength=1)
    Implication.objects.create(story=hopeful, goal=tree.sg3, kind="threat", strength=3)
    Signpost.objects.create(story=hopeful, indicator=world["indicator"], comparison="above", threshold=15)
    Signpost.objects.create(story=gloomy, indicator=world["indicator"], comparison="below", threshold=10)

    futures = load_dashboard(org_a, year="2026", today=TODAY).futures
    assert [(line.goal, line.robustness, line.shown) for line in futures.lines] == [
        (tree.sg1, Robustness.ONE_FUTURE, ["+2", "\u22121"]),
        (tree.sg3, Robustness.MIXED, ["\u22123", ""]),
    ]
    assert len(futures.unassessed) == 5
    assert [(b.story, [r.state for r in b.rows]) for b in futures.boards] == [
        (hopeful, [SignpostState.REACHED]),
        (gloomy, [SignpostState.NOT_REACHED]),
    ]
    assert [b.story for b in futures.leading] == [hopeful]


# --- the page ------------------------------------------------------------------------------------------


def home(slug: str = "aakkosla") -> str:
    return reverse("organisation_home", args=[slug])


def test_a_viewer_reads_the_dashboard(viewer_client: Client, tree: Tree, world: dict[str, Any]) -> None:
    response = viewer_client.get(home(), {"year": "2026"})
    assert_page(response, "impact/organisation_home.html")
    assert response.context["board"].money.total.total_budget == euros("130000")
    body = response.content.decode()
    for heading in ("goals-heading", "coverage-heading", "money-heading", "time-heading", "futures-heading"):
        assert f'id="{heading}"' in body
    assert reverse("goals:goal_detail", args=["aakkosla", tree.g11.pk]) in body  # a goal opens its page
    assert 'id="chart-timeline"' in body and 'id="chart-programme"' in body and "<figcaption" in body
    assert 'id="due-heading"' in body  # the due list stays
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert "'nonce-" in policy["style-src"] and "unsafe-inline" not in policy["script-src"]
    # Charts travel in data attributes (htmx drops <script> blocks), drawn by charts.js.
    assert "data-figure=" in body and "js/charts" in body


def test_the_filter_answers_htmx_with_the_dashboard_fragment(
    viewer_client: Client, tree: Tree, world: dict[str, Any]
) -> None:
    response = viewer_client.get(home(), {"strategy": str(tree.strategy.pk), "year": ""}, headers=htmx())
    assert_fragment(response, "dashboard")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="dashboard">')
    assert 'hx-swap-oob="innerHTML"' in body and "the whole council term" in body
    assert response.context["board"].money.total.total_budget == euros("190000")
    assert 'id="due-heading"' not in body
    # A history restore gets the whole page.
    restored = viewer_client.get(home(), {"year": "2026"}, headers=htmx(history_restore_request="true"))
    assert "<html" in restored.content.decode()


def test_the_filter_form_works_without_javascript(viewer_client: Client, tree: Tree) -> None:
    body = viewer_client.get(home(), {"year": "2027"}).content.decode()
    assert f'action="{home()}"' in body and 'method="get"' in body
    assert 'hx-push-url="true"' in body
    assert '<option value="2027" selected>' in body


def test_an_organisation_without_strategy_or_activities(viewer_client: Client) -> None:
    response = viewer_client.get(home())
    assert response.status_code == 200
    board = response.context["board"]
    assert board.filters.strategy is None and board.lines == [] and board.money.activity_count == 0
    assert reverse("goals:strategy_list", args=["aakkosla"]) + "#strategy-form" in response.content.decode()


def test_non_members_get_404_and_another_organisations_strategy_is_not_shown(
    org_a: Organisation, org_b: Organisation, tree: Tree, world: dict[str, Any]
) -> None:
    from tests.test_url_walk import MARKER

    b_strategy = make_strategy(organisation=org_b, name=f"B {MARKER}", status="approved")
    b_goal = make_goal(strategy=b_strategy, title=f"B goal {MARKER}")
    b_activity = make_activity(organisation=org_b, name=f"B activity {MARKER}", total_budget=euros("777"))
    make_contribution(activity=b_activity, goal=b_goal)

    stranger = Client()
    stranger.force_login(make_member(organisation=org_b, role=Role.ADMIN, user=make_user(language="en")))
    assert stranger.get(home("aakkosla")).status_code == 404

    client = Client()
    client.force_login(make_member(organisation=org_a, role=Role.VIEWER, user=make_user(language="en")))
    response = client.get(home("aakkosla"), {"strategy": str(b_strategy.pk), "year": "2026"})
    assert response.status_code == 200 and MARKER not in response.content.decode()
    assert response.context["board"].filters.strategy == tree.strategy
    assert response.context["board"].money.total.total_budget == euros("130000")


# --- query counts --------------------------------------------------------------------------------------


def _count(client: Client, **params: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(home(), params)
    assert response.status_code == 200
    return len(queries)


def _grow(org_a: Organisation, tree: Tree, index: int) -> None:
    """More of everything the dashboard reads: goals, indicators with values, activities with reports,
    reviews, chain steps and contributions, stories with implications and signposts."""
    goal = make_goal(strategy=tree.strategy, parent=tree.sg1, code=f"1.{index + 5}", title=f"Lisä {index}")
    indicator = make_measure(organisation=org_a, name=f"Mittari {index}", values={2024: 55, 2025: 56})
    GoalIndicator.objects.create(goal=goal, indicator=indicator)
    activity = make_activity(
        organisation=org_a,
        name=f"Lisätoiminto {index}",
        kind="twin_town",
        programme="erasmus",
        total_budget=euros("1000"),
        own_share=euros("100"),
        external_funding=euros("900"),
    )
    make_contribution(activity=activity, goal=goal)
    make_report(activity=activity)
    make_review(activity=activity)
    make_step(activity=activity, level="outcome", indicator=indicator)
    story = make_story(organisation=org_a, title=f"Tarina {index}")
    Implication.objects.create(story=story, goal=goal, kind="threat", strength=2)
    Signpost.objects.create(story=story, indicator=indicator, comparison="above", threshold=50)


def test_the_query_count_does_not_grow_with_the_data(
    viewer_client: Client, org_a: Organisation, tree: Tree, world: dict[str, Any]
) -> None:
    _grow(org_a, tree, 0)
    small_page, small_fragment = _count(viewer_client, year="2026"), 0
    with CaptureQueriesContext(connection) as queries:
        viewer_client.get(home(), {"year": "2026"}, headers=htmx())
    small_fragment = len(queries)
    for index in range(1, 12):
        _grow(org_a, tree, index)
    assert _count(viewer_client, year="2026") == small_page
    with CaptureQueriesContext(connection) as queries:
        viewer_client.get(home(), {"year": "2026"}, headers=htmx())
    assert len(queries) == small_fragment < small_page


# --- the goal's leadership page ------------------------------------------------------------------------


def test_a_goal_opens_its_page_with_the_activities_latest_reports(
    viewer_client: Client, tree: Tree, world: dict[str, Any]
) -> None:
    """The dashboard's goals open the goal page, which a viewer reads without editing controls: status,
    indicators with charts, the contributing activities with their latest report, the futures panel."""
    make_report(activity=world["alpha"], reported_on=D(2026, 5, 2), achieved="Kolme pilottia käynnissä.")
    page = viewer_client.get(reverse("goals:goal_detail", args=["aakkosla", tree.g11.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Kolme pilottia käynnissä." in body and "Alpha" in body
    assert "Kaksi rekrytointia tehty." not in body  # the newest report, not March's
    assert 'id="chart-goal-' in body and 'id="panel-implications-heading"' in body
    assert (
        'id="indicator-q"' not in body
        and reverse("goals:goal_edit", args=["aakkosla", tree.g11.pk]) not in body
    )


# --- kept per data version -----------------------------------------------------------------------------


def test_the_dashboard_is_computed_once_per_data_version_and_anew_after_any_change(
    viewer_client: Client, org_a: Organisation, org_b: Organisation, tree: Tree, world: dict[str, Any]
) -> None:
    """The dashboard is kept under the organisation's data version: the same request again is answered
    from what was kept (the same HTML, far fewer queries); a change of the data, however written (here an
    `update()` no model code sees), shows on the very next request; another organisation's change does not
    make it compute anew."""

    def fragment() -> tuple[Any, int]:
        with CaptureQueriesContext(connection) as queries:
            response = viewer_client.get(home(), {"year": "2026"}, headers=htmx(target="dashboard"))
        assert response.status_code == 200
        return response, len(queries)

    first, computed = fragment()
    assert "board" in first.context and "<dd>130,000 €</dd>" in first.content.decode()
    again, kept = fragment()
    assert "board" not in again.context and again.content == first.content
    assert kept < computed - 10

    make_activity(organisation=org_b, name="Beetalan hanke", total_budget=euros("5"))
    assert "board" not in fragment()[0].context

    Activity.objects.filter(organisation=org_a, name="Alpha").update(total_budget=euros("200000"))
    changed, recomputed = fragment()
    assert "board" in changed.context and recomputed == computed
    assert "<dd>230,000 €</dd>" in changed.content.decode()
    assert "<dd>130,000 €</dd>" not in changed.content.decode()


def test_the_kept_dashboard_is_the_same_for_every_reader_and_language_of_its_own(
    org_a: Organisation, tree: Tree, world: dict[str, Any]
) -> None:
    """Nothing personal is kept: an editor gets the viewer's dashboard, and each language its own."""
    pages = {}
    for role, language in [(Role.VIEWER, "en"), (Role.EDITOR, "en"), (Role.VIEWER, "sv")]:
        client = Client()
        client.force_login(make_member(organisation=org_a, role=role, user=make_user(language=language)))
        response = client.get(home(), {"year": "2026"}, headers=htmx(target="dashboard"))
        pages[(role, language)] = response.content.decode()
    assert pages[(Role.VIEWER, "en")] == pages[(Role.EDITOR, "en")]
    assert pages[(Role.VIEWER, "sv")] != pages[(Role.VIEWER, "en")]
    assert "Money" in pages[(Role.VIEWER, "en")] and "Ekonomi" in pages[(Role.VIEWER, "sv")]
