"""Tree operations keep the tree valid; the roll-up rule; carrying goals over to the next term."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from goals.models import Goal, GoalIndicator
from goals.quality import evaluate, summarise, wording_describes_change
from goals.tree import (
    TreeError,
    build_tree,
    carry_over,
    flatten,
    indent,
    move,
    move_down,
    move_up,
    outdent,
    rollup,
)
from indicators.models import Indicator, Target
from indicators.progress import Status
from organisations.models import Role
from tests.factories import make_member, make_organisation
from tests.goals.factories import make_goal, make_strategy


@pytest.fixture
def tree(db: None) -> dict[str, Goal]:
    org = make_organisation()
    strategy = make_strategy(organisation=org)
    top = make_goal(strategy=strategy, title="Elinvoimainen kunta")
    a = make_goal(strategy=strategy, title="A", parent=top)
    b = make_goal(strategy=strategy, title="B", parent=top)
    c = make_goal(strategy=strategy, title="C", parent=top)
    a1 = make_goal(strategy=strategy, title="A1", parent=a)
    return {"top": top, "a": a, "b": b, "c": c, "a1": a1}


def _shape(goal: Goal) -> list[tuple[str, int]]:
    nodes = flatten(build_tree(Goal.objects.filter(strategy_id=goal.strategy_id)))
    return [(node.goal.title, node.depth) for node in nodes]


def test_build_tree_orders_and_nests(tree: dict[str, Goal]) -> None:
    assert _shape(tree["top"]) == [("Elinvoimainen kunta", 0), ("A", 1), ("A1", 2), ("B", 1), ("C", 1)]


def test_move_up_down_indent_outdent(tree: dict[str, Goal]) -> None:
    move_down(tree["a"])
    assert [t for t, _d in _shape(tree["top"])] == ["Elinvoimainen kunta", "B", "A", "A1", "C"]
    move_up(Goal.objects.get(pk=tree["a"].pk))
    assert [t for t, _d in _shape(tree["top"])] == ["Elinvoimainen kunta", "A", "A1", "B", "C"]
    indent(Goal.objects.get(pk=tree["b"].pk))  # B goes under A, after A1
    assert _shape(tree["top"]) == [("Elinvoimainen kunta", 0), ("A", 1), ("A1", 2), ("B", 2), ("C", 1)]
    outdent(Goal.objects.get(pk=tree["b"].pk))  # back right after A
    assert _shape(tree["top"]) == [("Elinvoimainen kunta", 0), ("A", 1), ("A1", 2), ("B", 1), ("C", 1)]
    with pytest.raises(TreeError):
        move_up(Goal.objects.get(pk=tree["a"].pk))
    with pytest.raises(TreeError):
        outdent(Goal.objects.get(pk=tree["top"].pk))


def test_no_cycles(tree: dict[str, Goal]) -> None:
    with pytest.raises(TreeError):
        move(tree["a"], parent=tree["a1"])
    with pytest.raises(TreeError):
        move(tree["a"], parent=tree["a"])
    other = make_goal(strategy=make_strategy(organisation=tree["a"].strategy.organisation, name="Toinen"))
    with pytest.raises(TreeError):
        move(tree["a"], parent=other)
    with pytest.raises(IntegrityError), transaction.atomic():
        Goal.objects.filter(pk=tree["a"].pk).update(parent=other)  # the database refuses it too


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["up", "down", "in", "out"]), st.integers(0, 4)), max_size=12))
@pytest.mark.django_db
def test_random_moves_keep_a_valid_tree(moves: list[tuple[str, int]]) -> None:
    org = make_organisation()
    strategy = make_strategy(organisation=org)
    top = make_goal(strategy=strategy, title="T")
    goals = [top] + [make_goal(strategy=strategy, title=f"G{i}", parent=top) for i in range(4)]
    operations = {"up": move_up, "down": move_down, "in": indent, "out": outdent}
    for name, index in moves:
        goal = Goal.objects.get(pk=goals[index].pk)
        with contextlib.suppress(TreeError):
            operations[name](goal)
    rows = list(Goal.objects.filter(strategy=strategy))
    nodes = flatten(build_tree(rows))
    assert len(nodes) == len(rows), "every goal is reachable from a root: no cycles, nothing lost"
    by_parent: dict[int | None, list[int]] = {}
    for goal in rows:
        by_parent.setdefault(goal.parent_id, []).append(goal.order)
    for orders in by_parent.values():
        assert sorted(orders) == list(range(len(orders))), "sibling order stays 0..n-1"


def test_rollup_rule() -> None:
    assert rollup([]).status == Status.NOT_MEASURABLE
    assert rollup([Status.CONTEXT, Status.NOT_MEASURABLE]).status == Status.NOT_MEASURABLE
    assert rollup([Status.ON_TRACK, Status.ON_TRACK, Status.AT_RISK]).status == Status.ON_TRACK  # 0.83
    assert rollup([Status.ON_TRACK, Status.AT_RISK]).status == Status.ON_TRACK  # exactly ¾ counts as on track
    assert rollup([Status.ON_TRACK, Status.OFF_TRACK]).status == Status.AT_RISK  # 0.5
    assert rollup([Status.AT_RISK, Status.OFF_TRACK, Status.OFF_TRACK]).status == Status.OFF_TRACK  # 0.17
    assert rollup([Status.OFF_TRACK, Status.CONTEXT]).counted == 1


def test_wording_heuristic() -> None:
    assert wording_describes_change("Ulkomaalaistaustaisten työllisyys kasvaa")
    assert not wording_describes_change("Järjestetään rekrytointimessut")
    assert not wording_describes_change("Osallistutaan EU-verkostoihin")
    assert not wording_describes_change("Organise job fairs for international graduates")
    assert wording_describes_change("Residents of all backgrounds feel welcome")


def test_quality_checklist_follows_the_data(tree: dict[str, Goal]) -> None:
    org = tree["a"].strategy.organisation
    goals = list(Goal.objects.filter(strategy=tree["a"].strategy))
    results = evaluate(goals)
    keys_a = {item.check.key: item.passed for item in results[tree["a"].pk]}
    assert keys_a == {
        "measured": False,
        "owner_deadline": False,
        "under_parent": True,
        "reached": False,
        "wording": True,
    }
    assert "under_parent" not in {item.check.key for item in results[tree["top"].pk]}

    indicator = Indicator.objects.create(
        organisation=org,
        name_fi="Työllisyysaste",
        chain_level="outcome",
        baseline_value=Decimal("70"),
        baseline_period=dt.date(2024, 1, 1),
    )
    Target.objects.create(indicator=indicator, period=dt.date(2029, 1, 1), value=Decimal("75"))
    GoalIndicator.objects.create(goal=tree["a"], indicator=indicator)
    owner = make_member(organisation=org, role=Role.EDITOR)
    Goal.objects.filter(pk=tree["a"].pk).update(owner=owner, target_date=dt.date(2029, 12, 31))
    goals = list(Goal.objects.filter(strategy=tree["a"].strategy))
    keys_a = {item.check.key: item.passed for item in evaluate(goals)[tree["a"].pk]}
    assert keys_a["measured"] and keys_a["owner_deadline"]
    summary = {s.check.key: (s.passed, s.applicable) for s in summarise(evaluate(goals))}
    assert summary["measured"] == (1, 5) and summary["under_parent"] == (4, 4)


def test_a_goal_is_measured_only_by_its_own_organisations_indicators(tree: dict[str, Goal]) -> None:
    foreign = Indicator.objects.create(
        organisation=make_organisation(), name_fi="Vieras", chain_level="outcome"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        GoalIndicator.objects.create(goal=tree["a"], indicator=foreign)


def test_carry_over_keeps_the_tree_and_the_indicators(tree: dict[str, Goal]) -> None:
    org = tree["a"].strategy.organisation
    indicator = Indicator.objects.create(organisation=org, name_fi="Väkiluku", chain_level="context")
    GoalIndicator.objects.create(goal=tree["a1"], indicator=indicator)
    editor = make_member(organisation=org, role=Role.EDITOR)
    new = carry_over(strategy=tree["a"].strategy, name="Uusi", term_start=2029, term_end=2033, by=editor)
    assert _shape(new.goals.get(parent=None)) == _shape(tree["top"])
    copied = new.goals.get(title="A1")
    assert copied.predecessor_id == tree["a1"].pk
    assert list(copied.indicators.all()) == [indicator]
    assert new.predecessor_id == tree["a"].strategy_id
    assert Goal.objects.filter(strategy=tree["a"].strategy).count() == 5  # the old strategy stays
