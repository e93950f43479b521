"""The write workflows of goals: creating goals, linking indicators and SDG targets, deleting with or
without the sub-goals; and the demo strategy."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goals.models import Goal, GoalIndicator, Strategy
from goals.quality import evaluate
from goals.services import (
    DeleteChildren,
    add_sdg_target,
    create_goal,
    delete_goal,
    link_indicator,
    remove_sdg_target,
    unlink_indicator,
)
from goals.tree import build_tree, descendant_ids, flatten
from indicators.models import Indicator
from organisations.models import Organisation, Role
from tests.factories import make_member, make_organisation
from tests.goals.factories import make_goal, make_measure, make_sdg_target, make_strategy


@pytest.fixture
def org(db: None) -> Organisation:
    return make_organisation()


@pytest.fixture
def strategy(org: Organisation) -> Strategy:
    return make_strategy(organisation=org)


def shape(strategy: Strategy) -> list[tuple[str, int]]:
    return [(n.goal.title, n.depth) for n in flatten(build_tree(Goal.objects.filter(strategy=strategy)))]


def test_create_goal_appends_with_targets_and_indicators(org: Organisation, strategy: Strategy) -> None:
    editor = make_member(organisation=org, role=Role.EDITOR)
    top = create_goal(strategy=strategy, parent=None, title="Vaikuttavuus", by=editor)
    sdg = make_sdg_target(code="8.5")
    indicator = make_measure(organisation=org)
    first = create_goal(strategy=strategy, parent=top, title="A", by=editor)
    second = create_goal(
        strategy=strategy,
        parent=top,
        title="B",
        by=editor,
        owner=editor,
        target_date=dt.date(2029, 12, 31),
        sdg_targets=[sdg],
        indicators=[indicator],
    )
    assert (top.order, first.order, second.order) == (0, 0, 1)
    assert second.created_by == editor and second.version == 1
    assert list(second.sdg_targets.all()) == [sdg]
    assert GoalIndicator.objects.get(goal=second).created_by == editor


def test_a_parent_from_another_strategy_is_refused_by_the_database(
    org: Organisation, strategy: Strategy
) -> None:
    other = make_strategy(organisation=org, name="Toinen", term_start=2021, term_end=2025)
    foreign_parent = make_goal(strategy=other, title="Muualla")
    with pytest.raises(IntegrityError), transaction.atomic():
        create_goal(strategy=strategy, parent=foreign_parent, title="X", by=None)


def test_linking_is_idempotent_and_unlinking_keeps_the_indicator(
    org: Organisation, strategy: Strategy
) -> None:
    goal = make_goal(strategy=strategy)
    indicator = make_measure(organisation=org)
    assert link_indicator(goal=goal, indicator=indicator, by=None) is True
    assert link_indicator(goal=goal, indicator=indicator, by=None) is False
    assert GoalIndicator.objects.count() == 1
    assert unlink_indicator(goal=goal, indicator=indicator) is True
    assert unlink_indicator(goal=goal, indicator=indicator) is False
    assert Indicator.objects.filter(pk=indicator.pk).exists()


def test_another_organisations_indicator_cannot_be_linked(strategy: Strategy) -> None:
    goal = make_goal(strategy=strategy)
    foreign = make_measure(organisation=make_organisation())
    with pytest.raises(IntegrityError), transaction.atomic():
        link_indicator(goal=goal, indicator=foreign, by=None)


def test_sdg_targets_are_added_once_and_removed(strategy: Strategy) -> None:
    goal = make_goal(strategy=strategy)
    target = make_sdg_target(code="13.2", title="Integrate climate change measures")
    assert add_sdg_target(goal=goal, target=target) is True
    assert add_sdg_target(goal=goal, target=target) is False
    assert remove_sdg_target(goal=goal, target=target) is True
    assert remove_sdg_target(goal=goal, target=target) is False


@pytest.fixture
def tree(strategy: Strategy) -> dict[str, Goal]:
    top = make_goal(strategy=strategy, title="top")
    a = make_goal(strategy=strategy, title="a", parent=top)
    b = make_goal(strategy=strategy, title="b", parent=top)
    c = make_goal(strategy=strategy, title="c", parent=top)
    b1 = make_goal(strategy=strategy, title="b1", parent=b)
    b2 = make_goal(strategy=strategy, title="b2", parent=b)
    b11 = make_goal(strategy=strategy, title="b11", parent=b1)
    return {"top": top, "a": a, "b": b, "c": c, "b1": b1, "b2": b2, "b11": b11}


def test_delete_lifts_the_children_to_where_the_goal_stood(
    org: Organisation, strategy: Strategy, tree: dict[str, Goal]
) -> None:
    indicator = make_measure(organisation=org)
    GoalIndicator.objects.create(goal=tree["b"], indicator=indicator)
    GoalIndicator.objects.create(goal=tree["b1"], indicator=indicator)
    result = delete_goal(goal=tree["b"], children=DeleteChildren.LIFT)
    assert (result.deleted, result.lifted, result.unlinked) == (1, 2, 1)
    assert shape(strategy) == [("top", 0), ("a", 1), ("b1", 1), ("b11", 2), ("b2", 1), ("c", 1)]
    assert GoalIndicator.objects.filter(goal=tree["b1"]).exists()  # the sub-goals keep their links
    assert Indicator.objects.filter(pk=indicator.pk).exists()


def test_delete_the_top_goal_makes_its_children_top_goals(strategy: Strategy, tree: dict[str, Goal]) -> None:
    delete_goal(goal=tree["top"])
    assert [title for title, depth in shape(strategy) if depth == 0] == ["a", "b", "c"]


def test_delete_a_whole_branch(org: Organisation, strategy: Strategy, tree: dict[str, Goal]) -> None:
    indicator = make_measure(organisation=org)
    for key in ("b", "b11", "c"):
        GoalIndicator.objects.create(goal=tree[key], indicator=indicator)
    result = delete_goal(goal=tree["b"], children=DeleteChildren.SUBTREE)
    assert (result.deleted, result.lifted, result.unlinked) == (4, 0, 2)
    assert shape(strategy) == [("top", 0), ("a", 1), ("c", 1)]
    assert GoalIndicator.objects.filter(goal=tree["c"]).exists()
    assert Indicator.objects.filter(pk=indicator.pk).exists()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    parents=st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=12),
    victim=st.integers(min_value=0, max_value=50),
    lift=st.booleans(),
)
def test_delete_keeps_the_tree_valid(org: Organisation, parents: list[int], victim: int, lift: bool) -> None:
    with transaction.atomic():
        strategy = make_strategy(organisation=org)
        goals = [make_goal(strategy=strategy, title="g0")]
        for n, pick in enumerate(parents, start=1):
            goals.append(make_goal(strategy=strategy, title=f"g{n}", parent=goals[pick % len(goals)]))
        doomed = goals[victim % len(goals)]
        before = {g.pk for g in goals}
        descendants = descendant_ids(doomed)
        result = delete_goal(goal=doomed, children=DeleteChildren.LIFT if lift else DeleteChildren.SUBTREE)
        remaining = list(Goal.objects.filter(strategy=strategy))
        assert len(remaining) == len(before) - result.deleted
        # Every remaining goal is reachable from a root exactly once: no orphans, no cycles.
        nodes = flatten(build_tree(remaining))
        assert sorted(n.goal.pk for n in nodes) == sorted(g.pk for g in remaining)
        assert doomed.pk not in {g.pk for g in remaining}
        if lift:
            assert result.deleted == 1 and result.lifted == sum(1 for g in goals if g.parent_id == doomed.pk)
            assert descendants <= {g.pk for g in remaining}
        else:
            assert result.deleted == 1 + len(descendants)
            assert not descendants & {g.pk for g in remaining}
        transaction.set_rollback(True)


# --- the demo --------------------------------------------------------------------------------------


def test_demo_strategy_is_complete_weak_in_places_and_idempotent(db: None) -> None:
    from goals.demo import GOALS, NAME, load_demo_goals
    from indicators.demo import load_demo_indicators
    from organisations.demo import load_demo_organisations

    make_organisation(name="Suomen Kuntaliitto", kind=Organisation.Kind.ASSOCIATION, slug="kuntaliitto")
    load_demo_organisations()
    first_run = load_demo_goals()  # before the indicators exist: the goals are there, no links
    assert first_run == {"strategies": 2, "goals": 2 * len(GOALS), "links": 0}
    load_demo_indicators()
    second_run = load_demo_goals()  # links what has appeared since
    assert second_run["links"] > 30
    assert load_demo_goals() == second_run

    kaarnala = Organisation.objects.get(slug="kaarnala")
    old, new = Strategy.objects.filter(organisation=kaarnala, name=NAME).order_by("term_start")
    assert (old.term_start, old.term_end, old.approved_on) == (2021, 2025, dt.date(2021, 11, 15))
    assert (new.term_start, new.term_end, new.approved_on.strftime("%m/%Y")) == (2025, 2029, "10/2025")  # type: ignore[union-attr]
    assert new.predecessor == old and Strategy.objects.for_organisation(kaarnala).current() == new
    goals = list(new.goals.select_related("predecessor"))
    assert all(g.predecessor is not None and g.predecessor.strategy_id == old.pk for g in goals)
    assert {g.code for g in goals} >= {"SG1", "SG2", "SG3", "SG4", "SG5", "1.1", "5.2"}
    assert sum(1 for g in goals if g.parent_id is None) == 1  # one impact goal
    assert sum(1 for g in goals if g.owner_id) >= len(goals) - 2
    assert all(g.target_date is None or g.target_date.year >= 2029 for g in goals)  # the revised deadlines

    results = evaluate(goals)
    by_code = {g.code: g for g in goals}
    failing = {
        code: {item.check.key for item in results[by_code[code].pk] if not item.passed}
        for code in ("2.3", "5.3")
    }
    assert {"measured", "owner_deadline", "wording"} <= failing["2.3"]
    assert {"owner_deadline", "wording"} <= failing["5.3"]
    strong = {item.check.key for item in results[by_code["2.1"].pk] if not item.passed}
    assert not strong & {"measured", "owner_deadline", "under_parent", "wording"}
