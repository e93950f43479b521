"""The activity services (multi-row writes), the pure analysis functions and the demo."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from goals.models import Goal
from impact.analysis import (
    double_counting,
    follow_up,
    goal_options,
    register_rows,
    register_totals,
    search_goals,
    subtree_ids,
)
from impact.demo import KAARNALA, load_demo_activities
from impact.forms import partner_formset
from impact.models import (
    Activity,
    ChainStep,
    Contribution,
    Partner,
    PartnershipReview,
    ProgressReport,
)
from impact.rules import Claim
from impact.services import (
    ActivityError,
    add_contribution,
    create_activity,
    file_report,
    record_review,
    update_activity,
)
from indicators.models import Indicator
from organisations.base import StaleEdit
from organisations.demo import load_demo_organisations
from organisations.models import Organisation, User
from tests.goals.factories import make_goal, make_strategy
from tests.impact.conftest import Tree
from tests.impact.factories import make_activity, make_review

TODAY = dt.date(2026, 6, 15)


def partners_data(*rows: tuple[str, str]) -> dict[str, str]:
    data = {
        "partners-TOTAL_FORMS": str(len(rows)),
        "partners-INITIAL_FORMS": "0",
        "partners-MIN_NUM_FORMS": "0",
        "partners-MAX_NUM_FORMS": "100",
    }
    for index, (name, country) in enumerate(rows):
        data[f"partners-{index}-name"] = name
        data[f"partners-{index}-country"] = country
    return data


# --- services -----------------------------------------------------------------------------------


def test_create_activity_with_partners_and_a_first_review(org_a: Organisation, editor: User) -> None:
    activity = Activity(organisation=org_a, name="Norrvik", kind="twin_town", status="ongoing")
    partners = partner_formset(partners_data(("Norrviks kommun", "SE")), activity=activity)
    assert partners.is_valid()
    review = PartnershipReview(
        reviewed_on=dt.date(2025, 3, 1),
        shared_goals=True,
        joint_action_plan=True,
        decision="keep",
        reason="Hyvä",
    )
    create_activity(activity=activity, partners=partners, review=review, by=editor)
    assert activity.pk and activity.created_by == editor
    assert list(activity.partners.values_list("name", "country")) == [("Norrviks kommun", "SE")]
    assert activity.reviews.get().created_by == editor


def test_a_review_is_recorded_only_for_twin_towns_and_networks(org_a: Organisation, editor: User) -> None:
    activity = Activity(organisation=org_a, name="Hanke", kind="eu_project")
    partners = partner_formset(partners_data(), activity=activity)
    assert partners.is_valid()
    review = PartnershipReview(
        reviewed_on=dt.date(2025, 3, 1), shared_goals=True, joint_action_plan=True, decision="keep"
    )
    create_activity(activity=activity, partners=partners, review=review, by=editor)
    assert not PartnershipReview.objects.exists()


def test_a_stale_update_writes_nothing(org_a: Organisation, editor: User) -> None:
    activity = make_activity(organisation=org_a, name="Alku")
    Activity.objects.filter(pk=activity.pk).update(version=2)  # someone else saved meanwhile
    activity.name = "Myöhässä"
    partners = partner_formset(partners_data(("Uusi", "EE")), activity=activity)
    assert partners.is_valid()
    with pytest.raises(StaleEdit):
        update_activity(activity=activity, partners=partners, review=None, expected_version=1, by=editor)
    assert Activity.objects.get(pk=activity.pk).name == "Alku"
    assert not Partner.objects.exists()


@pytest.mark.parametrize(("decision", "status"), [("keep", "ongoing"), ("pause", "paused"), ("end", "ended")])
def test_a_review_decision_changes_the_status(
    org_a: Organisation, editor: User, decision: str, status: str
) -> None:
    activity = make_activity(organisation=org_a, kind="network", start_date=dt.date(2016, 1, 1))
    review = PartnershipReview(
        activity=activity,
        reviewed_on=dt.date(2024, 10, 15),
        shared_goals=False,
        joint_action_plan=False,
        decision=decision,
        reason="Ei yhteisiä tavoitteita",
    )
    record_review(review=review, by=editor)
    activity.refresh_from_db()
    assert activity.status == status
    assert activity.end_date == (dt.date(2024, 10, 15) if decision == "end" else None)
    assert activity.version == (1 if decision == "keep" else 2)


def test_an_older_review_does_not_change_the_status(org_a: Organisation, editor: User) -> None:
    activity = make_activity(organisation=org_a, kind="twin_town")
    make_review(activity=activity, reviewed_on=dt.date(2025, 5, 1), decision="renew")
    old = PartnershipReview(
        activity=activity,
        reviewed_on=dt.date(2022, 3, 15),
        shared_goals=False,
        joint_action_plan=False,
        decision="pause",
        reason="2022",
    )
    record_review(review=old, by=editor)
    activity.refresh_from_db()
    assert activity.status == "ongoing"


def test_add_contribution_only_to_the_organisations_own_goals(
    org_a: Organisation, org_b: Organisation, tree: Tree, editor: User
) -> None:
    activity = make_activity(organisation=org_a)
    contribution = add_contribution(
        activity=activity, goal=tree.g32, strength="partial", time_to_impact="long", rationale="R", by=editor
    )
    assert (contribution.goal, contribution.created_by) == (tree.g32, editor)
    with pytest.raises(ActivityError, match="already serves"):
        add_contribution(
            activity=activity,
            goal=tree.g32,
            strength="direct",
            time_to_impact="short",
            rationale="",
            by=editor,
        )
    foreign = make_goal(strategy=make_strategy(organisation=org_b))
    with pytest.raises(ActivityError, match="own organisation"):
        add_contribution(
            activity=activity,
            goal=foreign,
            strength="direct",
            time_to_impact="short",
            rationale="",
            by=editor,
        )
    # The trigger stops an update that moves a link to another organisation's goal, too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Contribution.objects.filter(pk=contribution.pk).update(goal=foreign)
    assert Contribution.objects.get().goal == tree.g32


def test_file_report(org_a: Organisation, editor: User) -> None:
    activity = make_activity(organisation=org_a)
    report = ProgressReport(reported_on=dt.date(2025, 6, 1), status="on_track", achieved="Tehty")
    file_report(activity=activity, report=report, by=editor)
    assert activity.reports.get().created_by == editor


# --- analysis -----------------------------------------------------------------------------------


def test_follow_up_rules() -> None:
    twin = follow_up(
        kind="twin_town",
        status="ongoing",
        start_date=dt.date(2020, 1, 1),
        last_report=dt.date(2026, 1, 1),
        last_review=dt.date(2025, 6, 1),
        interval_months=6,
        today=TODAY,
    )
    assert twin.report_due == dt.date(2026, 7, 1) and not twin.report_overdue
    assert twin.review_due == dt.date(2026, 6, 1) and twin.review_is_due
    project = follow_up(
        kind="eu_project",
        status="ongoing",
        start_date=dt.date(2025, 1, 1),
        last_report=None,
        last_review=None,
        interval_months=3,
        today=TODAY,
    )
    assert project.report_due == dt.date(2025, 4, 1) and project.report_overdue
    assert project.review_due is None and not project.review_is_due
    paused = follow_up(
        kind="twin_town",
        status="paused",
        start_date=dt.date(1968, 1, 1),
        last_report=None,
        last_review=dt.date(2022, 3, 15),
        interval_months=6,
        today=TODAY,
    )
    assert (paused.report_due, paused.review_due) == (None, None)


def test_register_rows_and_totals(org_a: Organisation) -> None:
    a = make_activity(
        organisation=org_a, total_budget=Decimal(100), own_share=Decimal(20), external_funding=Decimal(80)
    )
    b = make_activity(organisation=org_a, name="B", kind="network", total_budget=None, own_share=Decimal(5))
    for activity, goals, report in [(a, 2, dt.date(2026, 1, 1)), (b, 0, None)]:
        activity.goal_count, activity.last_report_on, activity.last_report_status = goals, report, "on_track"  # type: ignore[attr-defined]
        activity.last_review_on = None  # type: ignore[attr-defined]
    rows = register_rows([a, b], interval_months=6, today=TODAY)
    assert [row.serves_no_goal for row in rows] == [False, True]
    assert rows[0].last_report_label == "on track"
    assert [row.follow.report_overdue for row in rows] == [False, True]
    totals = register_totals(rows)
    assert (totals.count, totals.total_budget, totals.own_share, totals.external_funding) == (
        2,
        Decimal(100),
        Decimal(25),
        Decimal(80),
    )
    assert (totals.serving_no_goal, totals.reports_overdue, totals.reviews_due) == (1, 1, 1)
    assert totals.external_per_own_euro == Decimal("3.2")
    assert register_totals([]).external_per_own_euro is None


def test_goal_options_paths_subtrees_and_search(tree: Tree) -> None:
    options = goal_options(list(Goal.objects.filter(strategy=tree.strategy)))
    assert [o.goal for o in options] == [
        tree.root,
        tree.sg1,
        tree.g11,
        tree.g12,
        tree.sg3,
        tree.g31,
        tree.g32,
    ]
    g32 = next(o for o in options if o.goal == tree.g32)
    assert g32.depth == 2
    assert g32.path_label == "Elinvoimainen Aakkosla › SG3 Hiilineutraali Aakkosla 2035"  # noqa: RUF001
    assert subtree_ids(options, tree.sg3.pk) == {tree.sg3.pk, tree.g31.pk, tree.g32.pk}
    assert subtree_ids(options, tree.g11.pk) == {tree.g11.pk}
    assert len(subtree_ids(options, tree.root.pk)) == 7
    assert [o.goal for o in search_goals(options, "sg3")] == [tree.sg3]
    assert [o.goal for o in search_goals(options, "KIERTO satama")] == [tree.g32]
    assert [o.goal for o in search_goals(options, "1.")] == [tree.g11, tree.g12]
    assert search_goals(options, "  ") == options


def test_double_counting_names_the_other_claimants() -> None:
    claims = [
        Claim(1, 10, "impact"),
        Claim(2, 10, "impact"),
        Claim(3, 10, "outcome"),
        Claim(3, 11, "output"),
        Claim(1, 11, "output"),  # outputs belong to their activity: never shared
        Claim(2, 12, "outcome"),
    ]
    names = {1: "CIRCPORT", 2: "HEAT-SHIFT", 3: "ICLEI"}
    shared = double_counting(
        activity_id=1, claims=claims, indicator_names={10: "Päästöt"}, activity_names=names
    )
    assert [(s.indicator_id, s.indicator_name, s.other_activities) for s in shared] == [
        (10, "Päästöt", ["HEAT-SHIFT", "ICLEI"])
    ]
    assert double_counting(activity_id=2, claims=claims, indicator_names={}, activity_names=names)[
        0
    ].other_activities == [
        "CIRCPORT",
        "ICLEI",
    ]
    assert double_counting(activity_id=4, claims=claims, indicator_names={}, activity_names=names) == []


# --- the demo -----------------------------------------------------------------------------------


def _kaarnala_goals_and_indicators() -> Organisation:
    kaarnala = Organisation.objects.get(slug="kaarnala")
    strategy = make_strategy(organisation=kaarnala, name="Kaarnala 2030", status="approved")
    root = make_goal(strategy=strategy, title="Vireä kasvukaupunki")
    for number in range(1, 6):
        parent = make_goal(strategy=strategy, parent=root, code=f"SG{number}", title=f"Tavoite {number}")
        for sub in (1, 2):
            make_goal(
                strategy=strategy, parent=parent, code=f"{number}.{sub}", title=f"Alatavoite {number}.{sub}"
            )
    for code, name, level in [
        ("I12", "Kasvihuonekaasupäästöt asukasta kohden", "impact"),
        ("I3", "Vieraskielisten työllisyysaste", "impact"),
        ("I6", "EU-rahoitus kaupunkikonsernille", "output"),
    ]:
        Indicator.objects.create(organisation=kaarnala, name_fi=name, chain_level=level, note=code)
    return kaarnala


def _counts() -> list[Any]:
    return [
        list(model._default_manager.order_by("pk").values())
        for model in (Activity, Partner, ChainStep, Contribution, ProgressReport, PartnershipReview)
    ]


def test_demo_loads_kaarnala_and_naapurila_and_is_idempotent(association: Organisation) -> None:
    load_demo_organisations()
    kaarnala = _kaarnala_goals_and_indicators()
    load_demo_activities()
    activities = Activity.objects.filter(organisation=kaarnala)
    assert activities.count() == len(KAARNALA) == 13  # A1-A12 and the network that failed its review
    assert Activity.objects.filter(organisation__slug="naapurila").count() == 3
    severograd = activities.get(name="Ystävyyskaupunki Severograd")
    assert severograd.status == "paused" and not severograd.contributions.exists()
    assert severograd.partners.get().country == "RU"
    failed = PartnershipReview.objects.get(activity__organisation=kaarnala, decision="end")
    assert (failed.shared_goals, failed.activity.kind, failed.activity.status) == (False, "network", "ended")
    # Chains measured by Kaarnala's indicators; I12 is claimed by three activities (counted once).
    i12 = Indicator.objects.get(note="I12")
    assert ChainStep.objects.filter(indicator=i12, level="impact").values("activity").distinct().count() == 3
    assert Contribution.objects.filter(activity__organisation=kaarnala).count() == sum(
        len(s.links) for s in KAARNALA
    )
    # Some reports are overdue, some not.
    rows = register_rows(activities.with_follow_up(), interval_months=6, today=timezone.localdate())
    overdue = {row.activity.name for row in rows if row.follow.report_overdue}
    assert "HEAT-SHIFT – positiivisen energian alue" in overdue
    assert "Järvi-Pohjolan EU-toimisto" not in overdue
    assert any(row.follow.review_is_due for row in rows)
    before = _counts()
    load_demo_activities()
    assert _counts() == before


def test_demo_without_goals_or_indicators_skips_them(association: Organisation) -> None:
    load_demo_organisations()
    load_demo_activities()
    assert Activity.objects.filter(organisation__slug="kaarnala").count() == 13
    assert not Contribution.objects.exists()
    assert not ChainStep.objects.exclude(indicator=None).exists()
