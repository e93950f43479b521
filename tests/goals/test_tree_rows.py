"""The goal tree as a flat list (goals.views.goal_rows) and the goal page's subtree measurement."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from goals.measures import measure_strategy
from goals.models import Goal, GoalIndicator, Strategy
from goals.views import goal_rows
from organisations.models import Organisation
from tests.factories import make_organisation
from tests.goals.factories import make_goal, make_measure, make_strategy

TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def org(db: None) -> Organisation:
    return make_organisation(name="Kaarnala", slug="kaarnala")


@pytest.fixture
def strategy(org: Organisation) -> Strategy:
    """Two roots; the first with two strategic goals, the first of those with two operational goals."""
    strategy = make_strategy(organisation=org)
    top = make_goal(strategy=strategy, title="Elinvoima")
    first = make_goal(strategy=strategy, title="Työ", parent=top)
    make_goal(strategy=strategy, title="Työ 1", parent=first)
    make_goal(strategy=strategy, title="Työ 2", parent=first)
    second = make_goal(strategy=strategy, title="Vienti", parent=top)
    make_goal(strategy=strategy, title="Hyvinvointi")
    measures = [
        make_measure(organisation=org, name=f"Mittari {n}", values={2022: 52 + n, 2024: 50 + 3 * n})
        for n in range(3)
    ]
    GoalIndicator.objects.create(goal=first, indicator=measures[0])
    GoalIndicator.objects.create(goal=Goal.objects.get(title="Työ 2"), indicator=measures[1])
    GoalIndicator.objects.create(goal=second, indicator=measures[2])
    return strategy


def _nesting(rows: list) -> str:  # type: ignore[type-arg]
    """The tags the template writes around the rows: <li> per row, <ul> after a row with children,
    </li> after a leaf and </ul></li> for each list it closes."""
    out = []
    for row in rows:
        out.append(f"<li {row.goal.title}>")
        out.append("<ul>" if row.has_children else "</li>" + "</ul></li>" * len(row.closes))
    return "".join(out)


def test_rows_are_in_tree_order_and_close_every_list_they_open(strategy: Strategy) -> None:
    rows = goal_rows(measure_strategy(strategy, today=TODAY), slug="kaarnala")
    assert [r.goal.title for r in rows] == ["Elinvoima", "Työ", "Työ 1", "Työ 2", "Vienti", "Hyvinvointi"]
    html = _nesting(rows)
    assert html == (
        "<li Elinvoima><ul><li Työ><ul><li Työ 1></li><li Työ 2></li></ul></li>"
        "<li Vienti></li></ul></li><li Hyvinvointi></li>"
    )
    assert len(re.findall("<ul>", html)) == len(re.findall("</ul>", html))
    assert len(re.findall("<li ", html)) == len(re.findall("</li>", html))


def test_row_addresses_are_the_reversed_ones(strategy: Strategy) -> None:
    from django.urls import reverse

    row = goal_rows(measure_strategy(strategy, today=TODAY), slug="kaarnala")[1]
    pk = row.goal.pk
    assert row.urls.detail == reverse("goals:goal_detail", args=["kaarnala", pk])
    assert row.urls.edit == reverse("goals:goal_edit", args=["kaarnala", pk])
    assert row.urls.move == reverse("goals:goal_move", args=["kaarnala", pk])
    assert row.urls.delete == reverse("goals:goal_delete", args=["kaarnala", pk])
    assert row.urls.add == reverse("goals:goal_create", args=["kaarnala", strategy.pk]) + f"?parent={pk}"


def test_an_empty_strategy_has_no_rows(org: Organisation) -> None:
    assert goal_rows(measure_strategy(make_strategy(organisation=org), today=TODAY), slug="kaarnala") == []


def test_measuring_a_subtree_gives_the_subtree_what_the_whole_strategy_gives(strategy: Strategy) -> None:
    full = measure_strategy(strategy, today=TODAY)
    for goal in full.goals:
        part = measure_strategy(strategy, today=TODAY, within=goal.pk)
        for node in full.nodes[goal.pk].walk():
            pk = node.goal.pk
            assert part.rollups[pk] == full.rollups[pk]
            assert part.own_rollup(pk) == full.own_rollup(pk)
            assert part.subtree_indicator_count(pk) == full.subtree_indicator_count(pk)
            assert [m.indicator.pk for m in part.own_indicators(pk)] == [
                m.indicator.pk for m in full.own_indicators(pk)
            ]
    # Only the subtree's indicators are read.
    work = Goal.objects.get(title="Työ")
    assert set(measure_strategy(strategy, today=TODAY, within=work.pk).measured) == {
        i for g in ("Työ", "Työ 2") for i in GoalIndicator.objects.filter(goal__title=g).values_list(
            "indicator_id", flat=True)
    }  # fmt: skip
