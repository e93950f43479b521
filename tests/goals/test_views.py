"""The strategy and goal pages as editors and viewers use them: every view as a page and as a fragment."""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from goals.models import Goal, GoalIndicator, Strategy
from goals.registry import GoalPanel, register_goal_panel, unregister
from indicators.models import Indicator, Target
from organisations.models import Organisation, Role, User
from tests.factories import make_member, make_organisation, make_user
from tests.goals.factories import make_goal, make_measure, make_sdg_target, make_strategy

HX = {"HX-Request": "true"}
# The goals app's own checklist items (other apps may register more, e.g. "reached by an activity").
GOALS_CHECKS = {"measured", "owner_deadline", "under_parent", "wording"}


@pytest.fixture
def org(db: None) -> Organisation:
    return make_organisation(name="Kaarnala", slug="kaarnala")


@pytest.fixture
def editor(org: Organisation) -> User:
    # English, so the assertions on wording hold whatever the Finnish catalogue says.
    return make_member(organisation=org, role=Role.EDITOR, user=make_user(language="en"))


@pytest.fixture
def editor_client(client: Client, editor: User) -> Client:
    client.force_login(editor)
    return client


@pytest.fixture
def viewer_client(org: Organisation) -> Client:
    client = Client()
    client.force_login(make_member(organisation=org, role=Role.VIEWER, user=make_user(language="en")))
    return client


@pytest.fixture
def strategy(org: Organisation) -> Strategy:
    return make_strategy(organisation=org, name="Kaarnala 2030", term_start=2025, term_end=2029)


@pytest.fixture
def tree(strategy: Strategy) -> dict[str, Goal]:
    top = make_goal(strategy=strategy, title="Kaarnala on elinvoimainen kasvukaupunki")
    sg1 = make_goal(strategy=strategy, title="Elinkeinoelämä uudistuu", parent=top, code="SG1")
    sg2 = make_goal(strategy=strategy, title="Osaajat löytävät Kaarnalan", parent=top, code="SG2")
    sub = make_goal(
        strategy=strategy, title="Kansainväliset valmistuneet työllistyvät", parent=sg2, code="2.1"
    )
    return {"top": top, "sg1": sg1, "sg2": sg2, "sub": sub}


def url(name: str, *args: Any) -> str:
    return reverse(f"goals:{name}", args=args)


def template_name(response: Any) -> str:
    return str(cast(Any, response).template_name)


def assert_fragment(response: Any, partial: str) -> None:
    assert template_name(response).endswith(f"#{partial}"), template_name(response)
    assert "<html" not in response.content.decode()
    assert "HX-Request" in response["Vary"]


def titles(strategy: Strategy) -> list[tuple[str, str | None]]:
    """The tree as (title, parent title) in tree order."""
    from goals.tree import build_tree, flatten

    nodes = flatten(build_tree(Goal.objects.filter(strategy=strategy).select_related("parent")))
    return [(n.goal.title, n.goal.parent.title if n.goal.parent else None) for n in nodes]


# --- the strategy list ------------------------------------------------------------------------------


def test_empty_list_says_what_to_do(editor_client: Client, org: Organisation) -> None:
    response = editor_client.get(url("strategy_list", org.slug))
    assert response.status_code == 200
    assert template_name(response) == "goals/strategy_list.html"
    body = response.content.decode()
    assert "There is no strategy yet" in body
    assert 'id="strategy-form"' in body


def test_list_shows_current_first_and_older_readable(editor_client: Client, org: Organisation) -> None:
    old = make_strategy(organisation=org, name="Vanha", term_start=2017, term_end=2021)
    new = make_strategy(
        organisation=org, name="Uusi", term_start=2021, term_end=2025, status="approved",
        approved_on=dt.date(2021, 11, 15),
    )  # fmt: skip
    draft = make_strategy(organisation=org, name="Luonnos", term_start=2025, term_end=2029)
    make_goal(strategy=new, title="Uuden strategian tavoite")
    response = editor_client.get(url("strategy_list", org.slug))
    assert [s.pk for s in response.context["strategies"]] == [new.pk, draft.pk, old.pk]
    body = response.content.decode()
    assert "Uuden strategian tavoite" in body  # the current strategy's tree
    assert url("strategy_detail", org.slug, old.pk) in body


def test_create_strategy(editor_client: Client, org: Organisation) -> None:
    response = editor_client.post(
        url("strategy_list", org.slug),
        {"name": "Kaarnala 2030", "term_start": "2025", "term_end": "2029", "vision": "", "status": "draft"},
    )
    strategy = Strategy.objects.get(organisation=org)
    assert response.status_code == 302
    assert response["Location"] == url("strategy_detail", org.slug, strategy.pk)
    assert strategy.created_by is not None and strategy.version == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"term_start": "2029", "term_end": "2025", "status": "draft"}, "term_end", "cannot end before"),
        ({"term_start": "2025", "term_end": "2029", "status": "approved"}, "approved_on", "needs the date"),
        ({"term_start": "1800", "term_end": "2029", "status": "draft"}, "term_start", "between 2000"),
    ],
)
def test_strategy_validation(
    editor_client: Client, org: Organisation, data: dict[str, str], field: str, message: str
) -> None:
    response = editor_client.post(url("strategy_list", org.slug), {"name": "Strategia X", **data})
    assert response.status_code == 422
    form = response.context["form"]
    assert field in form.errors and message in str(form.errors[field]), form.errors
    assert form["name"].value() == "Strategia X"  # nothing typed is lost
    assert not Strategy.objects.exists()


def test_create_strategy_with_htmx(editor_client: Client, org: Organisation) -> None:
    bad = editor_client.post(
        url("strategy_list", org.slug), {"name": "", "term_start": "2025", "term_end": "2020"}, headers=HX
    )
    assert bad.status_code == 422
    assert_fragment(bad, "strategy-form")
    assert 'aria-invalid="true"' in bad.content.decode()
    good = editor_client.post(
        url("strategy_list", org.slug),
        {"name": "Uusi", "term_start": "2025", "term_end": "2029", "status": "draft"},
        headers=HX,
    )
    assert good.status_code == 200
    assert good["HX-Redirect"] == url("strategy_detail", org.slug, Strategy.objects.get().pk)


def test_viewer_reads_but_cannot_create(
    viewer_client: Client, org: Organisation, tree: dict[str, Goal]
) -> None:
    page = viewer_client.get(url("strategy_list", org.slug))
    assert page.status_code == 200
    assert 'id="strategy-form"' not in page.content.decode()
    refused = viewer_client.post(
        url("strategy_list", org.slug),
        {"name": "X", "term_start": "2025", "term_end": "2029", "status": "draft"},
    )
    assert refused.status_code == 403
    assert Strategy.objects.count() == 1


# --- the strategy page and its tree -----------------------------------------------------------------


def test_strategy_page_shows_tree_summary_and_rule(
    editor_client: Client, org: Organisation, strategy: Strategy, tree: dict[str, Goal]
) -> None:
    response = editor_client.get(url("strategy_detail", org.slug, strategy.pk))
    assert response.status_code == 200
    assert template_name(response) == "goals/strategy_detail.html"
    body = response.content.decode()
    for goal in tree.values():
        assert goal.title in body
        for control in ("add", "edit", "up", "down", "indent", "outdent", "delete"):
            assert f'id="goal-{goal.pk}-{control}"' in body
    # The accessible name of every control includes the goal's title.
    assert re.search(
        rf'id="goal-{tree["sg1"].pk}-indent"[^>]*>[^<]*<span class="visually-hidden">[^<]*Elinkeinoelämä',
        body,
    )
    summary = {item.check.key: item for item in response.context["summary"]}
    assert summary["under_parent"].passed == 3 and summary["under_parent"].applicable == 3  # not the top
    assert summary["measured"].passed == 0
    assert 'id="quality-summary"' in body and "<details" in body  # the roll-up rule, explained
    assert "75" in body and "40" in body


def test_strategy_page_fragment(
    editor_client: Client, org: Organisation, strategy: Strategy, tree: dict[str, Goal]
) -> None:
    response = editor_client.get(
        url("strategy_detail", org.slug, strategy.pk) + f"?focus=goal-{tree['sg1'].pk}-edit", headers=HX
    )
    assert response.status_code == 200
    assert_fragment(response, "goal-tree")
    body = response.content.decode()
    assert re.search(rf'id="goal-{tree["sg1"].pk}-edit"[^>]*autofocus', body), "focus returns to the opener"
    assert "hx-swap-oob" not in body


def test_history_restore_gets_the_whole_page(
    editor_client: Client, org: Organisation, strategy: Strategy
) -> None:
    response = editor_client.get(
        url("strategy_detail", org.slug, strategy.pk), headers={**HX, "HX-History-Restore-Request": "true"}
    )
    assert template_name(response) == "goals/strategy_detail.html"


def test_viewer_sees_the_tree_without_controls(
    viewer_client: Client, org: Organisation, strategy: Strategy, tree: dict[str, Goal]
) -> None:
    body = viewer_client.get(url("strategy_detail", org.slug, strategy.pk)).content.decode()
    assert tree["sub"].title in body
    assert f'id="goal-{tree["sub"].pk}-up"' not in body
    assert "add-top-goal" not in body
    assert url("strategy_export", org.slug, strategy.pk) in body  # viewers export too


def _grow(strategy: Strategy, count: int, indicators: list[Indicator]) -> None:
    top = make_goal(strategy=strategy, title="Vaikuttavuustavoite")
    parents = [top]
    for n in range(count - 1):
        goal = make_goal(strategy=strategy, title=f"Tavoite {n}", parent=parents[n // 5], owner=None)
        parents.append(goal)
        GoalIndicator.objects.create(goal=goal, indicator=indicators[n % len(indicators)])


def test_tree_page_query_count_does_not_grow(
    editor_client: Client,
    org: Organisation,
    django_assert_num_queries: DjangoAssertNumQueries,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    indicators = [
        make_measure(organisation=org, name=f"Mittari {n}", values={2020: 51, 2021: 52, 2022: 53})
        for n in range(8)
    ]
    small = make_strategy(organisation=org, name="Pieni", term_start=2021, term_end=2025)
    large = make_strategy(organisation=org, name="Suuri", term_start=2025, term_end=2029)
    _grow(small, 10, indicators[:3])
    _grow(large, 60, indicators)
    editor_client.get(url("strategy_detail", org.slug, small.pk))  # warm the session and caches
    with CaptureQueriesContext(connection) as small_queries:
        assert editor_client.get(url("strategy_detail", org.slug, small.pk)).status_code == 200
    with django_assert_num_queries(len(small_queries)):
        assert editor_client.get(url("strategy_detail", org.slug, large.pk)).status_code == 200
    with django_assert_max_num_queries(len(small_queries)):
        editor_client.get(url("strategy_detail", org.slug, large.pk), headers=HX)


def test_list_page_query_count_does_not_grow(
    editor_client: Client, org: Organisation, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    indicators = [make_measure(organisation=org, name=f"Mittari {n}") for n in range(4)]
    strategy = make_strategy(organisation=org, status="approved", approved_on=dt.date(2025, 10, 1))
    _grow(strategy, 10, indicators)
    editor_client.get(url("strategy_list", org.slug))
    with CaptureQueriesContext(connection) as before:
        editor_client.get(url("strategy_list", org.slug))
    _grow(strategy, 50, indicators)
    with django_assert_num_queries(len(before)):
        editor_client.get(url("strategy_list", org.slug))


def test_indicator_search_fragment_does_not_measure_the_strategy(
    editor_client: Client, org: Organisation, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    indicators = [
        make_measure(organisation=org, name=f"Mittari {n}", values={2020: 51, 2021: 52}) for n in range(4)
    ]
    strategy = make_strategy(organisation=org, status="approved", approved_on=dt.date(2025, 10, 1))
    _grow(strategy, 10, indicators)
    goal = Goal.objects.filter(strategy=strategy, parent__isnull=False).order_by("pk").first()
    assert goal is not None
    search = url("goal_detail", org.slug, goal.pk) + "?indicator_q=Mittari"
    headers = {**HX, "HX-Target": "indicator-results"}
    editor_client.get(search, headers=headers)
    with CaptureQueriesContext(connection) as before:
        response = editor_client.get(search, headers=headers)
    assert "Mittari" in response.content.decode()
    # Session, user, membership, goal, its links, the indicators found, the templates found: nothing of
    # the strategy's measuring (values, targets, roll-ups), which the search results do not show.
    assert not any("indicators_observation" in q["sql"] for q in before.captured_queries)
    _grow(strategy, 50, indicators)
    with django_assert_num_queries(len(before)):
        editor_client.get(search, headers=headers)


# --- editing the strategy, the next council term, exports ------------------------------------------


def test_strategy_edit_page_and_conflict(
    editor_client: Client, org: Organisation, strategy: Strategy
) -> None:
    page = editor_client.get(url("strategy_edit", org.slug, strategy.pk))
    assert page.status_code == 200 and template_name(page) == "goals/strategy_edit.html"
    data = {
        "name": "Kaarnala 2030 – avoin",
        "term_start": "2025",
        "term_end": "2029",
        "status": "approved",
        "approved_on": "2025-10-20",
        "version": "1",
    }
    Strategy.objects.filter(pk=strategy.pk).update(version=2)  # someone else saved meanwhile
    conflict = editor_client.post(url("strategy_edit", org.slug, strategy.pk), data, headers=HX)
    assert conflict.status_code == 409
    assert_fragment(conflict, "strategy-form")
    body = conflict.content.decode()
    assert "Kaarnala 2030 – avoin" in body  # the input is kept
    assert 'name="version" value="2"' in body  # saving again after checking goes through
    saved = editor_client.post(
        url("strategy_edit", org.slug, strategy.pk), {**data, "version": "2"}, headers=HX
    )
    assert saved["HX-Redirect"] == url("strategy_detail", org.slug, strategy.pk)
    strategy.refresh_from_db()
    assert strategy.status == "approved" and strategy.approved_on == dt.date(2025, 10, 20)


def test_strategy_edit_refuses_bad_input(
    editor_client: Client, org: Organisation, strategy: Strategy
) -> None:
    response = editor_client.post(
        url("strategy_edit", org.slug, strategy.pk),
        {"name": "X", "term_start": "2025", "term_end": "2024", "status": "draft", "version": "1"},
    )
    assert response.status_code == 422
    assert template_name(response) == "goals/strategy_edit.html"


def test_next_council_term(
    editor_client: Client, org: Organisation, strategy: Strategy, tree: dict[str, Goal]
) -> None:
    page = editor_client.get(url("strategy_next_term", org.slug, strategy.pk))
    assert page.status_code == 200
    assert page.context["form"].initial == {"name": "Kaarnala 2030", "term_start": 2029, "term_end": 2033}
    bad = editor_client.post(
        url("strategy_next_term", org.slug, strategy.pk),
        {"name": "X", "term_start": "2033", "term_end": "2029"},
        headers=HX,
    )
    assert bad.status_code == 422
    assert_fragment(bad, "strategy-form")
    response = editor_client.post(
        url("strategy_next_term", org.slug, strategy.pk),
        {"name": "Kaarnala 2030 (päivitetty)", "term_start": "2029", "term_end": "2033"},
    )
    new = Strategy.objects.get(predecessor=strategy)
    assert response.status_code == 302 and response["Location"] == url("strategy_detail", org.slug, new.pk)
    assert new.goals.count() == 4 and new.status == "draft"
    assert Goal.objects.filter(strategy=strategy).count() == 4  # the old one stays
    copy = new.goals.get(code="2.1")
    goal_page = editor_client.get(url("goal_detail", org.slug, copy.pk)).content.decode()
    assert url("goal_detail", org.slug, tree["sub"].pk) in goal_page  # "carried over from" links back
    old_page = editor_client.get(url("strategy_detail", org.slug, strategy.pk)).content.decode()
    assert url("strategy_detail", org.slug, new.pk) in old_page  # and the old strategy says where it went


# --- goals in the tree ------------------------------------------------------------------------------


def test_add_goal_as_page_and_in_the_tree(
    editor_client: Client, org: Organisation, strategy: Strategy, tree: dict[str, Goal], editor: User
) -> None:
    parent = tree["sg1"]
    create = url("goal_create", org.slug, strategy.pk) + f"?parent={parent.pk}"
    page = editor_client.get(create)
    assert page.status_code == 200 and template_name(page) == "goals/goal_form.html"
    form = editor_client.get(create, headers=HX)
    assert_fragment(form, "goal-form")
    assert 'hx-target="#goal-tree"' in form.content.decode()
    prefix = f"goal-{parent.pk}"
    bad = editor_client.post(create, {f"{prefix}-title": ""}, headers=HX)
    assert bad.status_code == 422
    assert_fragment(bad, "goal-form")
    assert bad["HX-Retarget"] == f"#goal-{parent.pk}-slot" and bad["HX-Reswap"] == "innerHTML"
    done = editor_client.post(
        create,
        {f"{prefix}-title": "Yritysten vienti kasvaa", f"{prefix}-code": "1.1", f"{prefix}-owner": editor.pk,
         f"{prefix}-target_date": "2029-12-31"},
        headers=HX,
    )  # fmt: skip
    assert done.status_code == 200
    assert_fragment(done, "goal-tree")
    new = Goal.objects.get(title="Yritysten vienti kasvaa")
    assert new.parent == parent and new.owner == editor and new.target_date == dt.date(2029, 12, 31)
    body = done.content.decode()
    assert re.search(rf'id="goal-{new.pk}-title"[^>]*autofocus', body)
    assert 'id="live-region"' in body and "Yritysten vienti kasvaa" in body
    assert 'id="quality-summary" aria-labelledby="quality-summary-heading" hx-swap-oob="outerHTML"' in body


def test_add_top_goal_without_javascript(
    editor_client: Client, org: Organisation, strategy: Strategy
) -> None:
    response = editor_client.post(
        url("goal_create", org.slug, strategy.pk), {"goal-top-title": "Vaikuttavuus"}
    )
    goal = Goal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("strategy_detail", org.slug, strategy.pk) + f"#goal-{goal.pk}-title"
    assert goal.parent is None and goal.order == 0


def test_edit_goal_in_place_and_conflict(
    editor_client: Client, org: Organisation, tree: dict[str, Goal]
) -> None:
    goal = tree["sg2"]
    edit = url("goal_edit", org.slug, goal.pk)
    assert template_name(editor_client.get(edit)) == "goals/goal_form.html"
    assert_fragment(editor_client.get(edit, headers=HX), "goal-form")
    prefix = f"goal-{goal.pk}"
    data = {
        f"{prefix}-title": "Osaajat löytävät Kaarnalan ja jäävät",
        f"{prefix}-code": "SG2",
        f"{prefix}-version": "1",
    }
    saved = editor_client.post(edit, data, headers=HX)
    assert saved.status_code == 200
    assert_fragment(saved, "goal-tree")
    assert re.search(rf'id="goal-{goal.pk}-edit"[^>]*autofocus', saved.content.decode())
    goal.refresh_from_db()
    assert goal.title == "Osaajat löytävät Kaarnalan ja jäävät" and goal.version == 2
    stale = editor_client.post(edit, {**data, f"{prefix}-title": "Toinen otsikko"}, headers=HX)
    assert stale.status_code == 409
    assert stale["HX-Retarget"] == f"#goal-{goal.pk}-slot"
    assert "Toinen otsikko" in stale.content.decode()
    goal.refresh_from_db()
    assert goal.title == "Osaajat löytävät Kaarnalan ja jäävät"
    page = editor_client.post(edit, {**data, f"{prefix}-version": "2", f"{prefix}-title": "Kolmas"})
    assert page.status_code == 302 and page["Location"] == url("goal_detail", org.slug, goal.pk)


@pytest.mark.parametrize(
    ("goal_key", "direction", "expected"),
    [
        ("sg2", "up", ["top", "sg2", "sub", "sg1"]),
        ("sg1", "down", ["top", "sg2", "sub", "sg1"]),
        ("sg2", "indent", ["top", "sg1", "sg2", "sub"]),
        ("sub", "outdent", ["top", "sg1", "sg2", "sub"]),
    ],
)
def test_move_goals(
    editor_client: Client, org: Organisation, strategy: Strategy, tree: dict[str, Goal],
    goal_key: str, direction: str, expected: list[str],
) -> None:  # fmt: skip
    goal = tree[goal_key]
    response = editor_client.post(url("goal_move", org.slug, goal.pk), {"direction": direction}, headers=HX)
    assert response.status_code == 200
    assert_fragment(response, "goal-tree")
    order = [title for title, _parent in titles(strategy)]
    assert order == [tree[key].title for key in expected]
    body = response.content.decode()
    assert f'id="goal-{goal.pk}-{direction}"' in body  # the same button is there for the focus to return to
    assert "hx-swap-oob" in body


def test_indent_and_outdent_change_the_parent(
    editor_client: Client, org: Organisation, tree: dict[str, Goal]
) -> None:
    editor_client.post(url("goal_move", org.slug, tree["sg2"].pk), {"direction": "indent"}, headers=HX)
    tree["sg2"].refresh_from_db()
    assert tree["sg2"].parent == tree["sg1"]
    editor_client.post(url("goal_move", org.slug, tree["sub"].pk), {"direction": "outdent"}, headers=HX)
    tree["sub"].refresh_from_db()
    assert tree["sub"].parent == tree["sg1"]


def test_impossible_move_is_explained(
    editor_client: Client, org: Organisation, tree: dict[str, Goal]
) -> None:
    response = editor_client.post(url("goal_move", org.slug, tree["sg1"].pk), {"direction": "up"}, headers=HX)
    assert response.status_code == 200
    assert "message-error" in response.content.decode()
    plain = editor_client.post(url("goal_move", org.slug, tree["top"].pk), {"direction": "outdent"})
    assert plain.status_code == 302
    assert editor_client.get(plain["Location"]).context["messages"]


def test_move_needs_post(editor_client: Client, org: Organisation, tree: dict[str, Goal]) -> None:
    assert editor_client.get(url("goal_move", org.slug, tree["sg1"].pk)).status_code == 405


def test_delete_a_leaf(editor_client: Client, org: Organisation, tree: dict[str, Goal]) -> None:
    goal = tree["sg1"]
    page = editor_client.get(url("goal_delete", org.slug, goal.pk))
    assert page.status_code == 200 and template_name(page) == "goals/goal_delete.html"
    assert 'name="goal-' not in page.content.decode()  # nothing to choose for a leaf
    response = editor_client.post(url("goal_delete", org.slug, goal.pk))
    assert response.status_code == 302
    assert not Goal.objects.filter(pk=goal.pk).exists()


def test_delete_asks_about_children_and_lifts_them(
    editor_client: Client, org: Organisation, strategy: Strategy, tree: dict[str, Goal]
) -> None:
    indicator = make_measure(organisation=org)
    GoalIndicator.objects.create(goal=tree["sg2"], indicator=indicator)
    confirm = editor_client.get(url("goal_delete", org.slug, tree["sg2"].pk), headers=HX)
    assert_fragment(confirm, "goal-delete-form")
    body = confirm.content.decode()
    assert "Kansainväliset valmistuneet työllistyvät" in body and 'type="radio"' in body
    assert "1 indicator measures this goal" in body
    done = editor_client.post(
        url("goal_delete", org.slug, tree["sg2"].pk), {f"goal-{tree['sg2'].pk}-children": "lift"}, headers=HX
    )
    assert_fragment(done, "goal-tree")
    assert titles(strategy) == [
        (tree["top"].title, None),
        (tree["sg1"].title, tree["top"].title),
        (tree["sub"].title, tree["top"].title),
    ]
    assert Indicator.objects.filter(pk=indicator.pk).exists()  # indicators are never deleted
    assert re.search(rf'id="goal-{tree["top"].pk}-title"[^>]*autofocus', done.content.decode())


def test_delete_a_whole_branch(
    editor_client: Client, org: Organisation, strategy: Strategy, tree: dict[str, Goal]
) -> None:
    indicator = make_measure(organisation=org)
    GoalIndicator.objects.create(goal=tree["sub"], indicator=indicator)
    response = editor_client.post(
        url("goal_delete", org.slug, tree["top"].pk), {f"goal-{tree['top'].pk}-children": "subtree"}
    )
    assert response.status_code == 302
    assert not Goal.objects.filter(strategy=strategy).exists()
    assert Indicator.objects.filter(pk=indicator.pk).exists()
    assert not GoalIndicator.objects.exists()


def test_delete_requires_a_choice_when_there_are_children(
    editor_client: Client, org: Organisation, tree: dict[str, Goal]
) -> None:
    response = editor_client.post(url("goal_delete", org.slug, tree["sg2"].pk), {})
    assert response.status_code == 422
    assert Goal.objects.filter(pk=tree["sg2"].pk).exists()


# --- the goal page ----------------------------------------------------------------------------------


def test_goal_page(editor_client: Client, org: Organisation, tree: dict[str, Goal], editor: User) -> None:
    goal = tree["sub"]
    Goal.objects.filter(pk=goal.pk).update(owner=editor, target_date=dt.date(2029, 12, 31))
    indicator = make_measure(organisation=org, name="Valmistuneiden työllisyys", values={2022: 53, 2023: 55})
    GoalIndicator.objects.create(goal=goal, indicator=indicator)
    goal.sdg_targets.add(make_sdg_target(code="8.5"))
    response = editor_client.get(url("goal_detail", org.slug, goal.pk))
    assert response.status_code == 200 and template_name(response) == "goals/goal_detail.html"
    body = response.content.decode()
    assert "Valmistuneiden työllisyys" in body and "8.5" in body
    assert "<figure" in body and "data-figure=" in body and "<table" in body  # a chart with its data
    assert response.context["subtree_rollup"].counted == 1
    own = [item for item in response.context["quality"] if item.check.key in GOALS_CHECKS]
    assert [item.check.key for item in own] == ["measured", "owner_deadline", "under_parent", "wording"]
    assert all(item.passed for item in own)
    assert url("goal_detail", org.slug, tree["sg2"].pk) in body  # the higher goal


def test_quality_rules_are_shown_with_why_and_how(
    editor_client: Client, org: Organisation, strategy: Strategy
) -> None:
    top = make_goal(strategy=strategy, title="Vaikuttavuus")
    weak = make_goal(strategy=strategy, title="Järjestetään kansainväliset rekrytointimessut", parent=top)
    response = editor_client.get(url("goal_detail", org.slug, weak.pk))
    failed = {item.check.key for item in response.context["quality"] if not item.passed}
    assert failed & GOALS_CHECKS == {"measured", "owner_deadline", "wording"}
    body = html.unescape(response.content.decode())
    for item in response.context["quality"]:
        assert str(item.check.why) in body
        if not item.passed:
            assert str(item.check.how_to_fix) in body


def test_goal_page_fragments(editor_client: Client, org: Organisation, tree: dict[str, Goal]) -> None:
    make_measure(organisation=org, name="Vieraskielisten työllisyysaste")
    make_sdg_target(code="8.5")
    make_sdg_target(code="10.2", title="Empower and promote the social inclusion of all")
    goal_url = url("goal_detail", org.slug, tree["sub"].pk)
    found = editor_client.get(
        goal_url + "?indicator_q=työllisyys", headers={**HX, "HX-Target": "indicator-results"}
    )
    assert_fragment(found, "indicator-results")
    assert "Vieraskielisten työllisyysaste" in found.content.decode()
    sdg = editor_client.get(goal_url + "?sdg_q=10", headers={**HX, "HX-Target": "sdg-results"})
    assert_fragment(sdg, "sdg-results")
    assert "10.2" in sdg.content.decode() and "8.5" not in sdg.content.decode()
    words = editor_client.get(goal_url + "?sdg_q=employment", headers={**HX, "HX-Target": "sdg-results"})
    assert "8.5" in words.content.decode()
    measures = editor_client.get(goal_url, headers={**HX, "HX-Target": "goal-measures"})
    assert_fragment(measures, "goal-measures")
    sdg_section = editor_client.get(goal_url, headers={**HX, "HX-Target": "goal-sdg"})
    assert_fragment(sdg_section, "goal-sdg")
    # Without JavaScript the search is a plain GET of the page.
    page = editor_client.get(goal_url + "?indicator_q=työllisyys")
    assert template_name(page) == "goals/goal_detail.html"
    assert "Vieraskielisten työllisyysaste" in page.content.decode()


def test_linking_an_indicator_changes_the_checklist(
    editor_client: Client, org: Organisation, tree: dict[str, Goal]
) -> None:
    goal = tree["sg1"]
    indicator = make_measure(organisation=org, name="Pk-yritykset vientimatkoilla")
    before = editor_client.get(url("goal_detail", org.slug, goal.pk)).context["quality"]
    assert not next(i for i in before if i.check.key == "measured").passed
    response = editor_client.post(
        url("goal_indicators", org.slug, goal.pk),
        {"action": "link", "indicator": indicator.pk, "indicator_q": "vienti"},
        headers=HX,
    )
    assert_fragment(response, "goal-measures")
    assert next(i for i in response.context["quality"] if i.check.key == "measured").passed
    body = response.content.decode()
    assert f'id="indicator-{indicator.pk}-toggle"' in body  # the focus stays on the same indicator's button
    assert 'hx-swap-oob="innerHTML"' in body
    assert GoalIndicator.objects.filter(goal=goal, indicator=indicator).exists()
    unlinked = editor_client.post(
        url("goal_indicators", org.slug, goal.pk), {"action": "unlink", "indicator": indicator.pk}, headers=HX
    )
    assert not GoalIndicator.objects.exists()
    assert Indicator.objects.filter(pk=indicator.pk).exists()
    assert re.search(r'id="indicator-q"[^>]*autofocus', unlinked.content.decode())
    plain = editor_client.post(
        url("goal_indicators", org.slug, goal.pk), {"action": "link", "indicator": indicator.pk}
    )
    assert plain.status_code == 302


def test_context_indicator_does_not_make_a_goal_measured(
    editor_client: Client, org: Organisation, tree: dict[str, Goal]
) -> None:
    context = make_measure(organisation=org, name="Väkiluku", chain_level="context")
    GoalIndicator.objects.create(goal=tree["top"], indicator=context)
    quality = editor_client.get(url("goal_detail", org.slug, tree["top"].pk)).context["quality"]
    assert not next(i for i in quality if i.check.key == "measured").passed


def test_an_indicator_without_a_target_does_not_make_a_goal_measured(
    editor_client: Client, org: Organisation, tree: dict[str, Goal]
) -> None:
    """The check asks for a baseline and a target: a baseline alone is not enough, nor a target that a
    revision replaced."""
    indicator = make_measure(organisation=org, name="Vientiyritykset", target=None)
    GoalIndicator.objects.create(goal=tree["top"], indicator=indicator)

    def measured() -> bool:
        quality = editor_client.get(url("goal_detail", org.slug, tree["top"].pk)).context["quality"]
        return next(i for i in quality if i.check.key == "measured").passed

    assert not measured()
    target = Target.objects.create(indicator=indicator, period=dt.date(2029, 1, 1), value=Decimal("60"))
    assert measured()
    Target.objects.filter(pk=target.pk).update(superseded_at=timezone.now())
    assert not measured()


def test_sdg_targets_are_added_and_removed(
    editor_client: Client, org: Organisation, tree: dict[str, Goal]
) -> None:
    target = make_sdg_target(code="8.5")
    goal = tree["sg1"]
    added = editor_client.post(
        url("goal_sdg_targets", org.slug, goal.pk), {"action": "add", "target": target.pk}, headers=HX
    )
    assert_fragment(added, "goal-sdg")
    assert list(goal.sdg_targets.all()) == [target]
    assert f'id="sdg-{target.pk}-toggle"' in added.content.decode()
    removed = editor_client.post(
        url("goal_sdg_targets", org.slug, goal.pk), {"action": "remove", "target": target.pk}
    )
    assert removed.status_code == 302
    assert not goal.sdg_targets.exists()


def test_registered_panels_are_shown(
    editor_client: Client, org: Organisation, tree: dict[str, Goal], settings: Any
) -> None:
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], Path(__file__).parent / "templates"]}]
    seen: list[Goal] = []

    def context(goal: Goal, request: Any) -> dict[str, Any]:
        seen.append(goal)
        return {"activities": ["CIRCPORT"]}

    register_goal_panel(
        GoalPanel(
            key="test-activities",
            title="Contributing activities",
            template="goals/tests/panel.html",
            context=context,
        )
    )
    try:
        body = editor_client.get(url("goal_detail", org.slug, tree["sg1"].pk)).content.decode()
    finally:
        unregister(["test-activities"])
    assert seen == [tree["sg1"]]
    assert "Contributing activities" in body and "CIRCPORT" in body


def test_adopt_link_is_offered_when_the_library_has_a_template(
    editor_client: Client, org: Organisation, tree: dict[str, Goal]
) -> None:
    from indicators.models import IndicatorTemplate

    IndicatorTemplate.objects.create(
        code="intl-graduates",
        name_fi="Kansainväliset valmistuneet työssä",
        chain_level="impact",
        status="published",
    )
    response = editor_client.get(
        url("goal_detail", org.slug, tree["sub"].pk) + "?indicator_q=valmistuneet",
        headers={**HX, "HX-Target": "indicator-results"},
    )
    body = response.content.decode()
    if response.context["adopt_url"]:
        assert "template=intl-graduates" in body and f"goal={tree['sub'].pk}" in body
    else:
        assert "intl-graduates" not in body


# --- isolation: another organisation's ids are a 404 -------------------------------------------------


@pytest.fixture
def foreign(db: None) -> dict[str, Any]:
    other = make_organisation(name="Naapurila", slug="naapurila")
    strategy = make_strategy(organisation=other)
    goal = make_goal(strategy=strategy, title="Naapurin tavoite")
    return {"org": other, "strategy": strategy, "goal": goal, "indicator": make_measure(organisation=other)}


def test_forged_ids_are_404(
    editor_client: Client,
    org: Organisation,
    strategy: Strategy,
    tree: dict[str, Goal],
    foreign: dict[str, Any],
) -> None:
    goal, indicator = tree["sg1"], foreign["indicator"]
    mine = make_measure(organisation=org)
    cases = [
        (url("goal_indicators", org.slug, goal.pk), {"action": "link", "indicator": indicator.pk}),
        (url("goal_indicators", org.slug, foreign["goal"].pk), {"action": "link", "indicator": mine.pk}),
        (
            url("goal_create", org.slug, strategy.pk) + f"?parent={foreign['goal'].pk}",
            {"goal-top-title": "X"},
        ),
        (url("goal_create", org.slug, foreign["strategy"].pk), {"goal-top-title": "X"}),
        (url("goal_move", org.slug, foreign["goal"].pk), {"direction": "up"}),
        (url("goal_delete", org.slug, foreign["goal"].pk), {}),
        (url("goal_edit", org.slug, foreign["goal"].pk), {"title": "X", "version": "1"}),
        (
            url("goal_sdg_targets", org.slug, foreign["goal"].pk),
            {"action": "add", "target": make_sdg_target().pk},
        ),
        (url("goal_indicators", org.slug, goal.pk), {"action": "link", "indicator": "not-a-number"}),
    ]
    for path, data in cases:
        assert editor_client.post(path, data).status_code == 404, path
        assert editor_client.post(path, data, headers=HX).status_code == 404, path
    assert not GoalIndicator.objects.exists()
    assert Goal.objects.filter(title="X").count() == 0
    assert foreign["goal"].sdg_targets.count() == 0


def test_a_parent_from_another_strategy_of_the_same_organisation_is_404(
    editor_client: Client, org: Organisation, strategy: Strategy, tree: dict[str, Goal]
) -> None:
    other = make_strategy(organisation=org, name="Toinen", term_start=2021, term_end=2025)
    path = url("goal_create", org.slug, other.pk) + f"?parent={tree['sg1'].pk}"
    assert editor_client.post(path, {f"goal-{tree['sg1'].pk}-title": "X"}).status_code == 404


def test_viewer_cannot_change_anything(
    viewer_client: Client, org: Organisation, strategy: Strategy, tree: dict[str, Goal]
) -> None:
    indicator = make_measure(organisation=org)
    goal = tree["sg1"]
    posts = [
        (url("goal_create", org.slug, strategy.pk), {"goal-top-title": "X"}),
        (url("goal_move", org.slug, goal.pk), {"direction": "down"}),
        (url("goal_delete", org.slug, goal.pk), {}),
        (url("goal_indicators", org.slug, goal.pk), {"action": "link", "indicator": indicator.pk}),
        (
            url("strategy_next_term", org.slug, strategy.pk),
            {"name": "X", "term_start": "2029", "term_end": "2033"},
        ),
    ]
    for path, data in posts:
        assert viewer_client.post(path, data).status_code == 403, path
    assert Goal.objects.count() == 4 and not GoalIndicator.objects.exists() and Strategy.objects.count() == 1
    page = viewer_client.get(url("goal_detail", org.slug, goal.pk)).content.decode()
    assert 'id="indicator-q"' not in page and url("goal_edit", org.slug, goal.pk) not in page


def test_organisation_home_links_to_goals(editor_client: Client, org: Organisation) -> None:
    body = editor_client.get(reverse("organisation_home", args=[org.slug])).content.decode()
    assert url("strategy_list", org.slug) in body
