"""The faster ways of the goal pages give what the old ways gave.

- the goal tree's rows (goals.tree_html) are the HTML the tree template wrote (kept as the reference in
  tests/goals/templates/goals/tests/goal_tree_reference.html);
- measure_indicators reads values and targets as tuples: the same rows and assessments as
  indicators_with_rows (model instances, prefetched) and assess_all;
- indicators_with_rows loads only the fields the assessment, the charts and the annual report read.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connection
from django.template import Context, Engine
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from goals.measures import assess_all, indicators_with_rows, measure_indicators, measure_strategy
from goals.models import Goal, GoalIndicator, Strategy
from goals.tree_html import tree_rows_html
from goals.views import goal_rows, tree_labels
from indicators.models import Observation, Target
from organisations.models import Organisation
from tests.factories import make_organisation, make_user
from tests.goals.factories import make_goal, make_measure, make_strategy

TODAY = dt.date(2026, 6, 1)
TOKEN = "t0k3n" * 8


@pytest.fixture
def org(db: None) -> Organisation:
    return make_organisation(name="Kaarnala", slug="kaarnala")


@pytest.fixture
def strategy(org: Organisation) -> Strategy:
    """Three levels, codes, owners (one with markup in the name), dates, titles with markup and quotes,
    activity wording, and indicators on track, off track, without a target and of context."""
    strategy = make_strategy(organisation=org)
    owner = make_user(name='Maija <b>"Mehiläinen"</b> & co')
    other = make_user(name="Åke Öberg")
    top = make_goal(strategy=strategy, title="Elinvoima & <hyvinvointi>", code="1", owner=owner)
    first = make_goal(
        strategy=strategy,
        title="Työ “kasvaa” 'nopeasti'",
        parent=top,
        code="1.1",
        target_date=dt.date(2029, 12, 31),
    )
    make_goal(strategy=strategy, title="Järjestetään rekrytointimessut", parent=first, owner=other)
    leaf = make_goal(
        strategy=strategy,
        title="Vienti kasvaa 100 %",
        parent=first,
        owner=owner,
        target_date=dt.date(2027, 6, 30),
    )
    second = make_goal(strategy=strategy, title="<script>alert(1)</script>", parent=top)
    make_goal(strategy=strategy, title="Hyvinvointi", code="2", target_date=dt.date(2030, 1, 1))
    on_track = make_measure(organisation=org, name="Mittari A", values={2020: 51, 2022: 55, 2024: 58})
    off_track = make_measure(organisation=org, name="Mittari B", values={2020: 50, 2024: 49})
    no_target = make_measure(organisation=org, name="Mittari C", target=None, values={2023: 3})
    context = make_measure(organisation=org, name="Mittari D", chain_level="context", values={2021: 7})
    for goal, indicator in [
        (first, on_track),
        (first, off_track),
        (leaf, off_track),
        (leaf, no_target),
        (second, context),
        (top, on_track),
    ]:
        GoalIndicator.objects.create(goal=goal, indicator=indicator)
    return strategy


def _reference(rows: list, *, editing: bool) -> str:  # type: ignore[type-arg]
    tenant = SimpleNamespace(organisation=SimpleNamespace(content_language="fi"))
    engine = Engine(
        dirs=[str(Path(__file__).parent / "templates")], libraries={"i18n": "django.templatetags.i18n"}
    )
    return engine.get_template("goals/tests/goal_tree_reference.html").render(
        Context({"rows": rows, "editing": editing, "tenant": tenant, "csrf_token": TOKEN})
    )


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
@pytest.mark.parametrize("editing", [True, False])
def test_tree_rows_are_the_html_of_the_tree_template(
    strategy: Strategy, language: str, editing: bool
) -> None:
    goals = list(Goal.objects.filter(strategy=strategy).order_by("pk"))
    focuses = ["", f"goal-{goals[1].pk}-title", f"goal-{goals[3].pk}-edit", f"goal-{goals[2].pk}-add"]
    focuses += [f"goal-{goals[4].pk}-delete", "add-top-goal"]
    with translation.override(language):
        measures = measure_strategy(strategy, today=TODAY)
        for focus in focuses:
            rows = goal_rows(measures, focus, slug="kaarnala")
            new = tree_rows_html(rows, editing=editing, language="fi", labels=tree_labels(), csrf_token=TOKEN)
            assert new == _reference(rows, editing=editing)


def test_tree_rows_have_no_csrf_field_when_the_token_is_missing(strategy: Strategy) -> None:
    rows = goal_rows(measure_strategy(strategy, today=TODAY), slug="kaarnala")
    html = tree_rows_html(rows, editing=True, language="fi", labels=tree_labels(), csrf_token="NOTPROVIDED")
    assert "csrfmiddlewaretoken" not in html
    assert html == _reference(rows, editing=True).replace(
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{TOKEN}">', ""
    )


def test_measure_indicators_gives_the_rows_and_states_of_the_model_instances(strategy: Strategy) -> None:
    ids = set(GoalIndicator.objects.filter(goal__strategy=strategy).values_list("indicator_id", flat=True))
    # A revised target and a missing value: the revision is not in force, the missing value has no number.
    indicator = Observation.objects.filter(indicator_id__in=ids).first().indicator  # type: ignore[union-attr]
    Target.objects.create(
        indicator=indicator,
        period=dt.date(2027, 1, 1),
        value=Decimal(1),
        superseded_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    )
    Observation.objects.create(indicator=indicator, period=dt.date(2025, 1, 1), value=None, status="missing")
    old = assess_all(indicators_with_rows(ids), TODAY)
    new = measure_indicators(ids, TODAY)
    assert set(new) == set(old) == ids
    for pk in ids:
        assert new[pk].indicator == old[pk].indicator
        assert new[pk].state.assessment == old[pk].state.assessment
        assert [(o.period, o.value, o.status) for o in new[pk].observations] == [
            (o.period, o.value, o.status) for o in old[pk].indicator.observations.all()
        ]
        assert [(t.period, t.value, t.superseded_at) for t in new[pk].targets] == [
            (t.period, t.value, t.superseded_at) for t in old[pk].indicator.targets.all()
        ]
        for chosen in ("latest", "target"):
            a, b = getattr(new[pk].state, chosen), getattr(old[pk].state, chosen)
            assert (a.period, a.value) == (b.period, b.value) if b else a is None


def test_indicators_with_rows_reads_the_fields_it_loads_without_more_queries(strategy: Strategy) -> None:
    ids = set(GoalIndicator.objects.filter(goal__strategy=strategy).values_list("indicator_id", flat=True))
    indicators = indicators_with_rows(ids)
    with CaptureQueriesContext(connection) as queries:
        for indicator in indicators:
            for o in indicator.observations.all():
                _ = (o.pk, o.indicator_id, o.period, o.value, o.status)
            for target in indicator.targets.all():
                _ = (target.pk, target.indicator_id, target.period, target.value, target.superseded_at)
    assert len(queries) == 0


def test_current_of_the_fetched_strategies_is_the_querysets_current(org: Organisation) -> None:
    from goals.models import current_of

    def both() -> tuple[Strategy | None, Strategy | None]:
        strategies = Strategy.objects.for_organisation(org)
        return current_of(list(strategies)), strategies.current()

    assert both() == (None, None)
    make_strategy(organisation=org, name="Luonnos 2029", term_start=2029, term_end=2033)
    first, second = both()
    assert first == second and first is not None
    make_strategy(organisation=org, name="Hyväksytty 2021", term_start=2021, term_end=2025, status="approved")
    make_strategy(organisation=org, name="Hyväksytty 2025", term_start=2025, term_end=2029, status="approved")
    make_strategy(
        organisation=org, name="Hyväksytty 2025 b", term_start=2025, term_end=2029, status="approved"
    )
    first, second = both()
    assert first == second and first is not None and first.name == "Hyväksytty 2025 b"
