"""Foresight analysis: table consistency and coverage, robustness, signposts; rich-text sanitising."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from futures.analysis import (
    Robustness,
    SignpostState,
    TableShape,
    check_story,
    coverage,
    covered_combinations,
    evaluate_signpost,
    robustness,
)
from futures.models import FutureStory, Implication
from goals.quality import evaluate  # noqa: F401  (goal panels are registered at start-up)
from goals.registry import goal_panels
from organisations.richtext import sanitise
from tests.factories import make_organisation
from tests.goals.factories import make_goal, make_strategy

SHAPE = TableShape(
    variables={1: (11, 12, 13), 2: (21, 22)},
    incompatible=frozenset({frozenset((11, 22))}),
)


def test_story_consistency() -> None:
    assert check_story(SHAPE, [11, 21]).is_consistent
    assert check_story(SHAPE, [11]).missing_variables == (2,)
    assert check_story(SHAPE, [11, 12, 21]).doubled_variables == (1,)
    assert check_story(SHAPE, [11, 22]).incompatible_pairs == ((11, 22),)


def test_coverage() -> None:
    stories = {100: [11, 21], 101: [12, 21], 102: [11, 22]}
    assert coverage(SHAPE, stories) == {11: [100, 102], 12: [101], 13: [], 21: [100, 101], 22: [102]}
    assert SHAPE.combinations_total == 6
    assert covered_combinations(SHAPE, stories) == 2  # story 102 picks an incompatible pair


def test_robustness() -> None:
    assert robustness({}, 3) == Robustness.NOT_ASSESSED
    assert robustness({1: 2, 2: 1}, 3) == Robustness.HOLDS
    assert robustness({1: 3, 2: -2}, 3) == Robustness.ONE_FUTURE
    assert robustness({1: -1, 2: -2, 3: 1}, 3) == Robustness.THREATENED
    assert robustness({1: 1, 2: 2, 3: -1}, 4) == Robustness.MIXED


def test_signposts() -> None:
    assert evaluate_signpost("above", Decimal("65"), Decimal("66")) == SignpostState.REACHED
    assert evaluate_signpost("above", Decimal("65"), Decimal("65")) == SignpostState.NOT_REACHED
    assert evaluate_signpost("below", Decimal("10"), Decimal("9.5")) == SignpostState.REACHED
    assert evaluate_signpost("below", Decimal("10"), None) == SignpostState.NO_DATA


PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<svg onload="alert(1)"></svg>',
    '<p hx-get="/o/other/" hx-trigger="load">x</p>',
    '<p style="position:fixed">x</p>',
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_rich_text_keeps_nothing_dangerous(payload: str) -> None:
    clean = sanitise(f"<p>Tarina</p>{payload}").lower()
    for bad in ("<script", "onerror", "javascript:", "onload", "hx-", "style=", "<svg"):
        assert bad not in clean
    assert "<p>tarina</p>" in clean


def test_rich_text_keeps_formatting() -> None:
    html = (
        '<p>Kaarnala <strong>2035</strong></p><ul><li>yksi</li></ul><a href="https://example.fi">linkki</a>'
    )
    clean = sanitise(html)
    assert "<strong>2035</strong>" in clean and "<li>yksi</li>" in clean
    assert 'href="https://example.fi"' in clean and "noopener" in clean


@pytest.mark.django_db
def test_implications_stay_in_the_organisation_and_show_on_the_goal_page() -> None:
    org = make_organisation()
    goal = make_goal(strategy=make_strategy(organisation=org))
    story = FutureStory.objects.create(
        organisation=org, title="Verkostojen Kaarnala", horizon_year=2035, kind="desirable"
    )
    Implication.objects.create(story=story, goal=goal, kind="opportunity", strength=3)
    panel = next(p for p in goal_panels() if p.key == "implications")
    assert [i.story.title for i in panel.context(goal, None)["implications"]] == ["Verkostojen Kaarnala"]
    foreign = FutureStory.objects.create(
        organisation=make_organisation(), title="Vieras", horizon_year=2035, kind="probable"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Implication.objects.create(story=foreign, goal=goal, kind="threat", strength=1)
