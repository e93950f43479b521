"""The country generator at a small scale: deterministic, within its ranges, tenant-consistent, and
written in a bounded number of statements."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from futures.models import FutureStory, Implication, Milestone, Signpost
from goals.models import Goal, GoalIndicator, Strategy
from impact import country
from impact.country import CountryExists, Plan, build_country, country_organisations
from impact.models import Activity, ChainStep, Contribution
from indicators.models import Indicator, Observation, Target
from organisations.models import Membership, Organisation, Role

SMALL = Plan(scale=0.02, seed=7)


@pytest.fixture
def reference(db: None) -> None:
    country.load_reference_data()


def snapshot() -> dict[str, Any]:
    """Counts of every kind of row and a digest of the values, titles and names, independent of ids."""
    values = sorted(
        (o.indicator.organisation.code, str(o.indicator.name), str(o.period), str(o.value), o.status)
        for o in Observation.objects.select_related("indicator__organisation")
    )
    goals = sorted(
        (g.strategy.organisation.code, g.code, g.title, g.parent.code if g.parent else "")
        for g in Goal.objects.select_related("strategy__organisation", "parent")
    )
    activities = sorted(
        (a.organisation.code, a.name, a.kind, str(a.total_budget), a.contributions.count())
        for a in Activity.objects.select_related("organisation")
    )
    digest = hashlib.sha256(repr((values, goals, activities)).encode()).hexdigest()
    return {
        "indicators": Indicator.objects.count(),
        "observations": Observation.objects.count(),
        "targets": Target.objects.count(),
        "goals": Goal.objects.count(),
        "activities": Activity.objects.count(),
        "stories": FutureStory.objects.count(),
        "members": Membership.objects.count(),
        "sharing": sorted(
            Organisation.objects.filter(shares_indicator_data=True).values_list("code", flat=True)
        ),
        "digest": digest,
    }


def test_same_seed_same_country_and_another_seed_another(reference: None) -> None:
    first_totals = build_country(plan=SMALL)
    first = snapshot()
    again_totals = build_country(plan=SMALL, replace=True)
    assert snapshot() == first
    assert again_totals == first_totals
    build_country(plan=Plan(scale=0.02, seed=8), replace=True)
    other = snapshot()
    assert other["digest"] != first["digest"]


def test_an_organisation_gets_the_same_data_alone_as_in_the_country(reference: None) -> None:
    build_country(plan=SMALL)
    alone_plan = Plan(scale=0.02, seed=7, limit=1)
    first = country_organisations(alone_plan)[0]
    assert first in country_organisations(SMALL)
    assert first.name_fi == "Helsinki"  # the largest first
    in_country = sorted(
        (str(o.period), str(o.value)) for o in Observation.objects.filter(indicator__organisation=first)
    )
    build_country(plan=alone_plan, replace=True)
    alone = sorted(
        (str(o.period), str(o.value)) for o in Observation.objects.filter(indicator__organisation=first)
    )
    assert alone == in_country


def test_every_organisation_within_the_ranges_with_a_three_level_tree(reference: None) -> None:
    totals = build_country(plan=SMALL)
    organisations = country_organisations(SMALL)
    assert totals["organisations"] == len(organisations) == 7
    kinds = {o.kind for o in organisations}
    assert kinds == {Organisation.Kind.MUNICIPALITY, Organisation.Kind.REGIONAL_COUNCIL}
    for organisation in organisations:
        strategies = Strategy.objects.filter(organisation=organisation)
        assert strategies.count() == 1
        goals = list(Goal.objects.filter(strategy__organisation=organisation).select_related("parent"))
        low, high = SMALL.span(country.GOALS)
        assert low <= len(goals) <= high
        depth = {g.pk: 1 if g.parent is None else 0 for g in goals}
        by_pk = {g.pk: g for g in goals}
        for goal in goals:
            level, parent = 1, goal.parent_id
            while parent is not None:
                level += 1
                parent = by_pk[parent].parent_id
            depth[goal.pk] = level
        assert set(depth.values()) == {1, 2, 3}

        indicators = list(Indicator.objects.filter(organisation=organisation))
        low, high = SMALL.span(country.INDICATORS)
        assert low <= len(indicators) <= high
        adopted = [i for i in indicators if i.template_id]
        assert len(adopted) > len(indicators) / 2
        per_indicator = Counter(
            Observation.objects.filter(indicator__organisation=organisation).values_list(
                "indicator__periodicity", "indicator_id"
            )
        )
        for (periodicity, _pk), number in per_indicator.items():
            assert number == (40 if periodicity == "quarter" else 10)
        assert len(per_indicator) == len(indicators)

        activities = Activity.objects.filter(organisation=organisation).count()
        low, high = SMALL.span(country.ACTIVITIES)
        assert low <= activities <= high
        assert ChainStep.objects.filter(activity__organisation=organisation).count() == 5 * activities
        stories = FutureStory.objects.filter(organisation=organisation).count()
        low, high = SMALL.span(country.STORIES)
        assert low <= stories <= high
        roles = set(Membership.objects.filter(organisation=organisation).values_list("role", flat=True))
        assert roles == {Role.ADMIN, Role.EDITOR, Role.VIEWER}
    assert Organisation.objects.filter(shares_indicator_data=True).exists()
    assert Target.objects.exists() and Contribution.objects.exists()


def test_no_row_links_two_organisations(reference: None) -> None:
    build_country(plan=SMALL)
    for link in GoalIndicator.objects.select_related("goal__strategy", "indicator"):
        assert link.goal.strategy.organisation_id == link.indicator.organisation_id
    for contribution in Contribution.objects.select_related("goal__strategy", "activity"):
        assert contribution.goal.strategy.organisation_id == contribution.activity.organisation_id
    for step in ChainStep.objects.exclude(indicator=None).select_related("activity", "indicator"):
        assert step.indicator is not None
        assert step.activity.organisation_id == step.indicator.organisation_id
    for signpost in Signpost.objects.select_related("story", "indicator"):
        assert signpost.story.organisation_id == signpost.indicator.organisation_id
    for implication in Implication.objects.select_related("story", "goal__strategy"):
        assert implication.story.organisation_id == implication.goal.strategy.organisation_id
    for milestone in Milestone.objects.exclude(goal=None).select_related("story", "goal__strategy"):
        assert milestone.goal is not None
        assert milestone.story.organisation_id == milestone.goal.strategy.organisation_id
    for activity in Activity.objects.exclude(responsible=None):
        assert Membership.objects.filter(
            user=activity.responsible, organisation=activity.organisation_id
        ).exists()
    memberships: dict[int, set[int]] = defaultdict(set)
    for user_id, organisation_id in Membership.objects.values_list("user_id", "organisation_id"):
        memberships[user_id].add(organisation_id)
    assert all(len(organisations) == 1 for organisations in memberships.values())


def test_written_in_a_bounded_number_of_statements(reference: None) -> None:
    with CaptureQueriesContext(connection) as one:
        build_country(plan=Plan(scale=0.02, seed=7, limit=1))
    country.delete_country(country_organisations(SMALL))
    with CaptureQueriesContext(connection) as seven:
        totals = build_country(plan=SMALL)
    rows = sum(number for name, number in totals.items() if name not in ("organisations", "sharing"))
    # A few statements per model and chunk of organisations (each carrying the audit context), the
    # same for one organisation as for seven: never one per row or per organisation.
    assert len(seven) == len(one)
    assert len(one) < 150
    assert rows > 20 * len(seven)


def test_a_second_run_refuses_without_replace(reference: None) -> None:
    build_country(plan=SMALL)
    with pytest.raises(CountryExists, match="--replace"):
        build_country(plan=SMALL)


@override_settings(DEMO_DATA_ALLOWED=False)
def test_the_command_refuses_where_demo_data_is_not_allowed(db: None) -> None:
    with pytest.raises(CommandError, match="DEMO_DATA_ALLOWED"):
        call_command("generate_country", "--scale", "0.02")
    assert not Indicator.objects.exists()


@override_settings(DEMO_DATA_ALLOWED=True)
def test_the_command_generates_and_then_asks_for_replace(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("generate_country", "--scale", "0.02", "--organisations", "2")
    assert "2/2 organisations" in capsys.readouterr().out
    assert Strategy.objects.count() == 2
    with pytest.raises(CommandError, match="--replace"):
        call_command("generate_country", "--scale", "0.02", "--organisations", "2")
    call_command("generate_country", "--scale", "0.02", "--organisations", "2", "--replace")
    assert Strategy.objects.count() == 2
