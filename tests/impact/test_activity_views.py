"""The activity pages: the register and its filters, the activity with its chain, contributions, reports
and reviews, edited in place; tenancy, roles, flags and query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from goals.registry import quality_checks
from impact.goal_panels import contributing_activities
from impact.models import (
    Activity,
    ActivitySettings,
    ChainStep,
    Contribution,
    Partner,
    PartnershipReview,
    ProgressReport,
)
from impact.rules import add_months
from organisations.models import Organisation, Role
from tests.factories import make_member, make_organisation
from tests.goals.factories import make_goal, make_strategy
from tests.impact.conftest import Tree, assert_fragment, assert_page, htmx
from tests.impact.factories import (
    make_activity,
    make_contribution,
    make_indicator,
    make_partner,
    make_report,
    make_review,
    make_step,
)

SLUG = "aakkosla"


def url(name: str, *args: object) -> str:
    return reverse(f"activities:{name}", args=[SLUG, *args])


def today() -> dt.date:
    return timezone.localdate()


def months_ago(months: int) -> dt.date:
    return add_months(today(), -months)


# --- the register -------------------------------------------------------------------------------


@pytest.fixture
def register(org_a: Organisation, tree: Tree) -> dict[str, Activity]:
    """Six activities that differ in every filter dimension."""
    a = {
        "circport": make_activity(
            organisation=org_a,
            name="CIRCPORT",
            kind="eu_project",
            status="ongoing",
            programme="interreg",
            start_date=dt.date(2023, 1, 1),
            end_date=dt.date(2026, 12, 31),
            total_budget=Decimal(420000),
            own_share=Decimal(84000),
            external_funding=Decimal(336000),
        ),
        "talent": make_activity(
            organisation=org_a,
            name="Talent Bridge",
            kind="eu_project",
            status="ended",
            programme="esf",
            start_date=dt.date(2021, 1, 1),
            end_date=dt.date(2022, 12, 31),
            total_budget=Decimal(650000),
            own_share=Decimal(130000),
            external_funding=Decimal(520000),
        ),
        "norrvik": make_activity(
            organisation=org_a,
            name="Norrvik",
            kind="twin_town",
            status="ongoing",
            start_date=dt.date(1952, 5, 1),
            total_budget=Decimal(15000),
            own_share=Decimal(15000),
        ),
        "severograd": make_activity(
            organisation=org_a,
            name="Severograd",
            kind="twin_town",
            status="paused",
            start_date=dt.date(1968, 1, 1),
        ),
        "iclei": make_activity(
            organisation=org_a, name="ICLEI", kind="network", status="ongoing", start_date=dt.date(2022, 1, 1)
        ),
        "fdi": make_activity(
            organisation=org_a, name="Äänekäs FDI", kind="investment", status="planned", start_date=None
        ),
    }
    make_partner(activity=a["circport"], name="Port Wolin", country="PL")
    make_partner(activity=a["circport"], name="Vilsund Hamn", country="SE")
    make_partner(activity=a["norrvik"], name="Norrviks kommun", country="SE")
    make_partner(activity=a["severograd"], name="Severograd", country="RU")
    make_contribution(activity=a["circport"], goal=tree.g32)
    make_contribution(activity=a["talent"], goal=tree.g12)
    make_contribution(activity=a["norrvik"], goal=tree.sg3)
    make_contribution(activity=a["iclei"], goal=tree.g31)
    return a


def names(response: Any) -> list[str]:
    return [row.activity.name for row in response.context["register"].rows]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["CIRCPORT", "ICLEI", "Norrvik", "Severograd", "Talent Bridge", "Äänekäs FDI"]),
        ("kind=twin_town", ["Norrvik", "Severograd"]),
        ("status=ongoing", ["CIRCPORT", "ICLEI", "Norrvik"]),
        ("programme=interreg", ["CIRCPORT"]),
        ("programme=none", ["ICLEI", "Norrvik", "Severograd", "Äänekäs FDI"]),
        ("country=SE", ["CIRCPORT", "Norrvik"]),
        ("country=RU", ["Severograd"]),
        # A goal is served through its sub-goals too.
        ("goal={sg3}", ["CIRCPORT", "ICLEI", "Norrvik"]),
        ("goal={g32}", ["CIRCPORT"]),
        ("goal={sg1}", ["Talent Bridge"]),
        ("goal={g11}", []),
        # Active in a year: started by its end, not ended before its start; no dates: always.
        ("year=2022", ["ICLEI", "Norrvik", "Severograd", "Talent Bridge", "Äänekäs FDI"]),
        ("year=2024", ["CIRCPORT", "ICLEI", "Norrvik", "Severograd", "Äänekäs FDI"]),
        # Combinations.
        ("kind=twin_town&country=SE", ["Norrvik"]),
        ("kind=eu_project&status=ongoing&goal={sg3}", ["CIRCPORT"]),
        ("status=ongoing&goal={sg3}&country=SE&year=2025", ["CIRCPORT", "Norrvik"]),
        ("kind=eu_project&year=2022", ["Talent Bridge"]),
        ("kind=network&country=SE", []),
    ],
)
def test_filters_return_exactly_the_right_activities(
    editor_client: Client, register: dict[str, Activity], tree: Tree, query: str, expected: list[str]
) -> None:
    query = query.format(sg1=tree.sg1.pk, sg3=tree.sg3.pk, g11=tree.g11.pk, g32=tree.g32.pk)
    response = editor_client.get(url("list") + "?" + query)
    assert response.status_code == 200
    assert names(response) == expected


def test_register_counts_and_money_follow_the_filter(
    editor_client: Client, register: dict[str, Activity]
) -> None:
    response = editor_client.get(url("list") + "?kind=eu_project")
    totals = response.context["totals"]
    assert totals.count == 2
    assert totals.total_budget == Decimal(1070000)
    assert totals.own_share == Decimal(214000)
    assert totals.external_funding == Decimal(856000)
    assert totals.external_per_own_euro == Decimal(856000) / Decimal(214000)
    html = response.content.decode()
    assert "1,070,000 €" in html  # grouped in the UI language's style


def test_an_invalid_filter_value_is_ignored_and_shown(
    editor_client: Client, register: dict[str, Activity], org_b: Organisation
) -> None:
    foreign_goal = make_goal(strategy=make_strategy(organisation=org_b))
    response = editor_client.get(url("list") + f"?goal={foreign_goal.pk}&kind=twin_town")
    assert names(response) == ["Norrvik", "Severograd"]
    assert response.context["register"].form.errors["goal"]


def test_register_page_and_fragment(editor_client: Client, register: dict[str, Activity]) -> None:
    page = editor_client.get(url("list"))
    assert_page(page, "impact/activities/activity_list.html")
    assert "HX-Request" in page["Vary"]
    assert 'hx-push-url="true"' in page.content.decode()
    fragment = editor_client.get(url("list") + "?kind=twin_town", headers=htmx(target="activity-results"))
    assert_fragment(fragment, "activity-results")
    body = fragment.content.decode()
    assert "Norrvik" in body and "CIRCPORT" not in body
    assert 'hx-swap-oob="innerHTML"' in body  # the count is announced in the live region
    # A history restore gets the whole page.
    restore = editor_client.get(url("list"), headers=htmx(history_restore_request="true"))
    assert_page(restore, "impact/activities/activity_list.html")


def test_register_flags_orphans_overdue_reports_and_due_reviews(
    editor_client: Client, org_a: Organisation, tree: Tree
) -> None:
    make_activity(organisation=org_a, name="Orpo", start_date=months_ago(2))
    late = make_activity(organisation=org_a, name="Myöhässä", start_date=months_ago(30))
    make_contribution(activity=late, goal=tree.g11)
    make_report(activity=late, reported_on=months_ago(7), status="some_problems")
    fresh = make_activity(organisation=org_a, name="Ajassa", start_date=months_ago(30))
    make_contribution(activity=fresh, goal=tree.g11)
    make_report(activity=fresh, reported_on=months_ago(1), status="serious_problems")
    twin = make_activity(organisation=org_a, name="Ystävä", kind="twin_town", start_date=months_ago(40))
    make_contribution(activity=twin, goal=tree.g11)
    make_review(activity=twin, reviewed_on=months_ago(13))
    make_report(activity=twin, reported_on=months_ago(1))
    paused = make_activity(organisation=org_a, name="Tauolla", kind="twin_town", status="paused")
    make_contribution(activity=paused, goal=tree.g11)

    response = editor_client.get(url("list"))
    rows = {row.activity.name: row for row in response.context["register"].rows}
    assert rows["Orpo"].serves_no_goal and not rows["Myöhässä"].serves_no_goal
    assert rows["Myöhässä"].follow.report_overdue
    assert not rows["Ajassa"].follow.report_overdue
    assert not rows["Orpo"].follow.report_overdue  # started two months ago: its first report is not due yet
    assert rows["Ystävä"].follow.review_is_due
    assert not rows["Ajassa"].follow.review_is_due  # not a relationship
    assert not rows["Tauolla"].follow.review_is_due and not rows["Tauolla"].follow.report_overdue
    assert rows["Ajassa"].last_report_status == "serious_problems"
    html = response.content.decode()
    assert html.count("flag flag-orphan") == 1
    assert html.count("flag flag-overdue") == 1
    assert html.count("flag flag-review") == 1
    # The latest report status in colour AND words.
    assert (
        'report-status report-status-serious_problems"><span class="status-dot" aria-hidden="true"></span>'
        in html
    )


def test_the_organisation_sets_the_report_interval(
    editor_client: Client, org_a: Organisation, tree: Tree
) -> None:
    activity = make_activity(organisation=org_a, name="Hanke", start_date=months_ago(30))
    make_report(activity=activity, reported_on=months_ago(4))
    rows = editor_client.get(url("list")).context["register"].rows
    assert not rows[0].follow.report_overdue  # default: every 6 months
    ActivitySettings.objects.create(organisation=org_a, report_interval_months=3)
    rows = editor_client.get(url("list")).context["register"].rows
    assert rows[0].follow.report_overdue
    assert rows[0].follow.report_due == add_months(months_ago(4), 3)


def test_register_lists_goals_no_activity_reaches(
    editor_client: Client, register: dict[str, Activity], tree: Tree
) -> None:
    unreached = [option.goal for option in editor_client.get(url("list")).context["register"].unreached]
    # SG1 is reached through 1.2; only 1.1 has nothing below or on it.
    assert unreached == [tree.g11]


def test_empty_register_says_how_to_start(editor_client: Client, viewer_client: Client) -> None:
    html = editor_client.get(url("list")).content.decode()
    assert 'id="empty-heading"' in html
    assert url("create") in html
    assert url("create") not in viewer_client.get(url("list")).content.decode()


def _bulk(organisation: Organisation, tree: Tree, count: int) -> None:
    for n in range(count):
        activity = make_activity(
            organisation=organisation, name=f"Hanke {n:03d}", kind="twin_town" if n % 2 else "eu_project"
        )
        make_partner(activity=activity, country="SE" if n % 3 else "EE")
        make_contribution(activity=activity, goal=tree.g11 if n % 2 else tree.g32)
        make_report(activity=activity)
        make_review(activity=activity)


# Session and user (2), the tenant (1), strategy, goals, years, countries, settings and the activities
# (6), the site menu (1) and saving the session (3).
REGISTER_QUERIES = 13


@pytest.mark.parametrize("count", [5, 50])
def test_register_query_count_does_not_grow_with_rows(
    editor_client: Client, org_a: Organisation, tree: Tree, django_assert_num_queries: Any, count: int
) -> None:
    _bulk(org_a, tree, count)
    with django_assert_num_queries(REGISTER_QUERIES):
        response = editor_client.get(url("list") + f"?goal={tree.root.pk}&country=SE&year=2025")
    assert response.status_code == 200
    assert len(response.context["register"].rows) == len([n for n in range(count) if n % 3])
    with django_assert_num_queries(REGISTER_QUERIES - 1):  # the fragment does not render the site menus
        editor_client.get(url("list"), headers=htmx(target="activity-results"))


# --- create, edit, delete -----------------------------------------------------------------------


def activity_data(**values: Any) -> dict[str, Any]:
    data = {
        "version": "1",
        "name": "Kaarnala Talent Bridge",
        "kind": "eu_project",
        "status": "ongoing",
        "start_date": "2023-01-01",
        "end_date": "2025-12-31",
        "description": "Osaajat töihin",
        "responsible": "",
        "programme": "esf",
        "total_budget": "650 000",
        "own_share": "130 000",
        "external_funding": "520 000,00",
        "participants": "420",
        "partners-TOTAL_FORMS": "2",
        "partners-INITIAL_FORMS": "0",
        "partners-MIN_NUM_FORMS": "0",
        "partners-MAX_NUM_FORMS": "100",
        "partners-0-name": "Kaarnalan ammattikorkeakoulu",
        "partners-0-country": "FI",
        "partners-0-role": "osatoteuttaja",
        "partners-1-name": "Norrviks kommun",
        "partners-1-country": "SE",
        "partners-1-role": "",
    }
    data.update(values)
    return data


def test_create_form_page_and_fragment(editor_client: Client) -> None:
    assert_page(editor_client.get(url("create")), "impact/activities/activity_form.html")
    assert_fragment(editor_client.get(url("create"), headers=htmx()), "activity-form")


def test_create_an_activity_with_partners(editor_client: Client, org_a: Organisation, editor: Any) -> None:
    response = editor_client.post(url("create"), activity_data(responsible=str(editor.pk)))
    activity = Activity.objects.get(organisation=org_a)
    assert response.status_code == 302
    assert response["Location"] == url("detail", activity.pk)
    assert activity.total_budget == Decimal(650000) and activity.external_funding == Decimal(520000)
    assert activity.responsible == editor and activity.created_by == editor
    assert sorted(activity.partners.values_list("name", "country")) == [
        ("Kaarnalan ammattikorkeakoulu", "FI"),
        ("Norrviks kommun", "SE"),
    ]
    assert not PartnershipReview.objects.exists()  # an EU project has no review


def test_a_crafted_partner_count_builds_no_more_forms_than_the_limit(
    editor_client: Client, org_a: Organisation
) -> None:
    """TOTAL_FORMS comes from the browser: 20 digits of it once built (and rendered back) 1,100 partner
    forms, half a minute of one worker's time. The formset builds at most its 100 and says so."""
    response = editor_client.post(url("create"), activity_data(**{"partners-TOTAL_FORMS": "9" * 20}))
    assert response.status_code == 422
    assert len(response.context["partners"].forms) == 100
    assert not Activity.objects.filter(organisation=org_a).exists()


def test_create_with_htmx_redirects_the_client(editor_client: Client, org_a: Organisation) -> None:
    response = editor_client.post(url("create"), activity_data(), headers=htmx())
    activity = Activity.objects.get(organisation=org_a)
    assert response.status_code == 200
    assert response["HX-Redirect"] == url("detail", activity.pk)


def test_create_refuses_dates_out_of_order_and_keeps_the_input(editor_client: Client) -> None:
    response = editor_client.post(
        url("create"), activity_data(start_date="2025-01-01", end_date="2024-12-31"), headers=htmx()
    )
    assert response.status_code == 422
    assert_fragment(response, "activity-form")
    assert response.context["form"].errors["end_date"] == ["The end date must be on or after the start date."]
    body = response.content.decode()
    assert 'value="Kaarnala Talent Bridge"' in body and 'value="Norrviks kommun"' in body
    assert not Activity.objects.exists()


def test_create_refuses_shares_above_the_total_budget(editor_client: Client) -> None:
    response = editor_client.post(url("create"), activity_data(total_budget="500 000"))
    assert response.status_code == 422
    [error] = response.context["form"].errors["total_budget"]
    assert "more than the total budget" in error and "650,000 €" in error
    assert response.content.decode().count('id="live-region"') == 1  # the page's own, no out-of-band copy
    assert not Activity.objects.exists()


def test_create_refuses_a_responsible_person_from_another_organisation(
    editor_client: Client, org_b: Organisation
) -> None:
    outsider = make_member(organisation=org_b)
    response = editor_client.post(url("create"), activity_data(responsible=str(outsider.pk)))
    assert response.status_code == 422
    assert "responsible" in response.context["form"].errors


def test_a_twin_town_may_record_its_review_with_the_activity(
    editor_client: Client, org_a: Organisation
) -> None:
    data = activity_data(
        kind="twin_town",
        end_date="",
        programme="",
        total_budget="",
        own_share="",
        external_funding="",
        **{
            "review-reviewed_on": str(months_ago(1)),
            "review-shared_goals": "False",
            "review-joint_action_plan": "False",
            "review-decision": "end",
            "review-reason": "Ei yhteisiä tavoitteita.",
            "review-cost": "4 000",
        },
    )
    response = editor_client.post(url("create"), data)
    assert response.status_code == 302, response.context and response.context["review"].errors
    activity = Activity.objects.get(organisation=org_a)
    review = activity.reviews.get()
    assert (review.shared_goals, review.joint_action_plan, review.decision) == (False, False, "end")
    assert review.cost == Decimal(4000)
    assert activity.status == "ended"  # the decision ended it
    assert activity.end_date == months_ago(1)


def test_the_review_section_is_ignored_for_other_kinds_and_optional(
    editor_client: Client, org_a: Organisation
) -> None:
    data = activity_data(**{"review-reviewed_on": str(months_ago(1)), "review-decision": "keep"})
    assert editor_client.post(url("create"), data).status_code == 302
    assert not PartnershipReview.objects.exists()
    # A twin town with the section left empty records no review; one half filled in is an error.
    assert (
        editor_client.post(url("create"), activity_data(name="Ystävä", kind="twin_town")).status_code == 302
    )
    half = activity_data(name="Toinen", kind="twin_town", **{"review-decision": "keep"})
    response = editor_client.post(url("create"), half)
    assert response.status_code == 422
    assert set(response.context["review"].errors) >= {"reviewed_on", "shared_goals", "reason"}
    assert not PartnershipReview.objects.exists()


def test_edit_saves_partners_and_answers_a_stale_edit_with_409(
    editor_client: Client, org_a: Organisation
) -> None:
    activity = make_activity(organisation=org_a, name="Vanha nimi")
    partner = make_partner(activity=activity, name="Poistuva", country="EE")
    assert_page(editor_client.get(url("edit", activity.pk)), "impact/activities/activity_form.html")
    assert_fragment(editor_client.get(url("edit", activity.pk), headers=htmx()), "activity-form")
    data = activity_data(
        name="Uusi nimi",
        **{
            "partners-TOTAL_FORMS": "2",
            "partners-INITIAL_FORMS": "1",
            "partners-0-id": str(partner.pk),
            "partners-0-activity": str(activity.pk),
            "partners-0-name": "Poistuva",
            "partners-0-country": "EE",
            "partners-0-DELETE": "on",
            "partners-1-name": "Uusi kumppani",
            "partners-1-country": "LV",
        },
    )
    response = editor_client.post(url("edit", activity.pk), data)
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.name == "Uusi nimi" and activity.version == 2
    assert list(activity.partners.values_list("name", "country")) == [("Uusi kumppani", "LV")]

    # A second editor who opened version 1 gets a conflict, keeps the input, and nothing is written.
    stale = activity_data(name="Myöhäinen nimi", **{"partners-1-name": "Ei tallennu"})
    response = editor_client.post(url("edit", activity.pk), stale, headers=htmx())
    assert response.status_code == 409
    assert "Someone else saved a change" in response.content.decode()
    assert 'value="Myöhäinen nimi"' in response.content.decode()
    activity.refresh_from_db()
    assert activity.name == "Uusi nimi"
    assert not Partner.objects.filter(name="Ei tallennu").exists()


def test_delete_asks_first(editor_client: Client, org_a: Organisation, tree: Tree) -> None:
    activity = make_activity(organisation=org_a)
    make_contribution(activity=activity, goal=tree.g11)
    page = editor_client.get(url("delete", activity.pk))
    assert_page(page, "impact/activities/activity_delete.html")
    assert_fragment(editor_client.get(url("delete", activity.pk), headers=htmx()), "delete-confirm")
    assert Activity.objects.filter(pk=activity.pk).exists()
    response = editor_client.post(url("delete", activity.pk), headers=htmx())
    assert response["HX-Redirect"] == url("list")
    assert not Activity.objects.filter(pk=activity.pk).exists()
    assert not Contribution.objects.exists()


# --- the activity page --------------------------------------------------------------------------


@pytest.fixture
def activity(org_a: Organisation, tree: Tree) -> Activity:
    activity = make_activity(
        organisation=org_a,
        name="CIRCPORT",
        total_budget=Decimal(420000),
        own_share=Decimal(84000),
        external_funding=Decimal(336000),
        programme="interreg",
    )
    make_partner(activity=activity, name="Port Wolin", country="PL")
    return activity


def test_activity_page(editor_client: Client, activity: Activity) -> None:
    response = editor_client.get(url("detail", activity.pk))
    assert_page(response, "impact/activities/activity_detail.html")
    body = response.content.decode()
    assert "Poland" in body  # the country name in the UI language
    assert "4.00 €" in body  # external funding per own euro
    assert "flag-box flag-orphan" in body  # serves no goal
    assert 'id="goal-search"' in body and 'id="id_strength"' in body and 'id="id_rationale"' in body
    for level in ("input", "activity", "output", "outcome", "impact"):
        assert f'id="step-add-{level}"' in body
    assert "data-print hidden" in body


def test_country_names_follow_the_ui_language(editor_client: Client, activity: Activity, editor: Any) -> None:
    for language, name in [("fi", "Puola"), ("sv", "Polen"), ("en", "Poland")]:
        editor.language = language
        editor.save()
        assert name in editor_client.get(url("detail", activity.pk)).content.decode()


@pytest.mark.parametrize("section", ["chain", "contributions", "reports"])
def test_each_section_is_served_as_a_fragment(
    editor_client: Client, activity: Activity, section: str
) -> None:
    response = editor_client.get(
        url("detail", activity.pk) + "?focus=report-add", headers=htmx(target=section)
    )
    assert_fragment(response, section)
    assert f'id="{section}"' in response.content.decode()


def test_reviews_section_fragment(editor_client: Client, org_a: Organisation) -> None:
    twin = make_activity(organisation=org_a, kind="twin_town")
    response = editor_client.get(url("detail", twin.pk), headers=htmx(target="reviews"))
    assert_fragment(response, "reviews")
    assert 'id="review-add"' in response.content.decode()


def test_activity_page_query_count_does_not_grow(
    editor_client: Client, org_a: Organisation, tree: Tree, django_assert_num_queries: Any
) -> None:
    indicator = make_indicator(organisation=org_a)

    def build(n: int) -> Activity:
        activity = make_activity(organisation=org_a, name=f"A{n}", kind="twin_town")
        for i in range(n):
            make_partner(activity=activity, name=f"P{i}")
            make_step(activity=activity, level="outcome", description=f"S{i}", indicator=indicator)
            make_report(activity=activity, reported_on=months_ago(i + 1), achieved=f"R{i}")
            make_review(activity=activity, reviewed_on=months_ago(i + 1))
        for goal in [tree.g11, tree.g12, tree.g31, tree.g32][:n]:
            make_contribution(activity=activity, goal=goal)
        return activity

    small, large = build(1), build(4)
    with CaptureQueriesContext(connection) as queries:
        editor_client.get(url("detail", small.pk))
    with django_assert_num_queries(len(queries)):
        editor_client.get(url("detail", large.pk))


# --- the impact chain ---------------------------------------------------------------------------


def test_add_a_step_in_place(editor_client: Client, activity: Activity, org_a: Organisation) -> None:
    indicator = make_indicator(organisation=org_a, name="Kasvihuonekaasupäästöt")
    page = editor_client.get(url("step_add", activity.pk) + "?level=outcome")
    assert_page(page, "impact/activities/section_form.html")
    form = editor_client.get(url("step_add", activity.pk) + "?level=outcome", headers=htmx())
    assert_fragment(form, "section-form")
    assert "autofocus" in form.content.decode()
    response = editor_client.post(
        url("step_add", activity.pk),
        {"level": "outcome", "description": "Satama kierrättää sivuvirrat", "indicator": str(indicator.pk)},
        headers=htmx(),
    )
    assert_fragment(response, "chain")
    assert response["HX-Retarget"] == "#chain" and response["HX-Reswap"] == "outerHTML"
    body = response.content.decode()
    assert "Satama kierrättää sivuvirrat" in body and "Kasvihuonekaasupäästöt" in body
    assert 'id="live-region"' in body and "The step was added." in body
    assert 'id="step-add-outcome" ' in body and "autofocus" in body
    step = activity.chain_steps.get()
    assert (step.level, step.indicator, step.order) == ("outcome", indicator, 1)


def test_a_step_cannot_use_another_organisations_indicator(
    editor_client: Client, activity: Activity, org_b: Organisation
) -> None:
    foreign = make_indicator(organisation=org_b, name="B:n mittari")
    response = editor_client.post(
        url("step_add", activity.pk),
        {"level": "output", "description": "x", "indicator": str(foreign.pk)},
        headers=htmx(),
    )
    assert response.status_code == 422
    assert "indicator" in response.context["form"].errors
    assert not ChainStep.objects.exists()
    # The database refuses it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        ChainStep.objects.create(activity=activity, level="output", description="x", indicator=foreign)


def test_edit_and_remove_a_step(editor_client: Client, activity: Activity) -> None:
    step = make_step(activity=activity, level="output", description="Vanha")
    assert_fragment(editor_client.get(url("step_edit", activity.pk, step.pk), headers=htmx()), "section-form")
    assert_page(
        editor_client.get(url("step_edit", activity.pk, step.pk)), "impact/activities/section_form.html"
    )
    data = {"version": "1", "level": "output", "description": "Uusi", "indicator": ""}
    response = editor_client.post(url("step_edit", activity.pk, step.pk), data, headers=htmx())
    assert_fragment(response, "chain")
    assert f'id="step-edit-{step.pk}"' in response.content.decode()
    step.refresh_from_db()
    assert step.description == "Uusi" and step.version == 2
    stale = editor_client.post(
        url("step_edit", activity.pk, step.pk), {**data, "description": "Myöhässä"}, headers=htmx()
    )
    assert stale.status_code == 409
    assert_fragment(stale, "section-form")
    assert "Myöhässä" in stale.content.decode()
    # Without JavaScript: back to the page at the chain.
    plain = editor_client.post(url("step_edit", activity.pk, step.pk), {**data, "version": "2"})
    assert plain.status_code == 302 and plain["Location"].endswith("#chain")

    confirm = editor_client.get(url("step_delete", activity.pk, step.pk), headers=htmx())
    assert_fragment(confirm, "confirm-delete")
    assert_page(
        editor_client.get(url("step_delete", activity.pk, step.pk)), "impact/activities/confirm_delete.html"
    )
    assert ChainStep.objects.filter(pk=step.pk).exists()
    response = editor_client.post(url("step_delete", activity.pk, step.pk), headers=htmx())
    assert_fragment(response, "chain")
    assert not ChainStep.objects.filter(pk=step.pk).exists()


def test_editing_a_step_keeps_its_deleted_indicator_until_another_is_chosen(
    editor_client: Client, activity: Activity, org_a: Organisation
) -> None:
    """An indicator in the recently deleted list can still be restored: editing the step's text must not
    drop the link, and the form names no deleted indicator."""
    indicator = make_indicator(organisation=org_a, name="Poistettava mittari", chain_level="outcome")
    step = make_step(activity=activity, level="outcome", description="Vanha", indicator=indicator)
    indicator.soft_delete(by=None)
    form = editor_client.get(url("step_edit", activity.pk, step.pk), headers=htmx()).content.decode()
    assert f'<option value="{indicator.pk}" selected>' in form
    assert "Poistettava mittari" not in form
    data = {"version": "1", "level": "outcome", "description": "Uusi", "indicator": str(indicator.pk)}
    assert_fragment(editor_client.post(url("step_edit", activity.pk, step.pk), data, headers=htmx()), "chain")
    step.refresh_from_db()
    assert (step.description, step.indicator_id) == ("Uusi", indicator.pk)
    indicator.restore(by=None)
    assert ChainStep.objects.get(pk=step.pk).live_indicator == indicator
    # Another activity's step cannot pick the deleted indicator: only the step that has it keeps it.
    other = make_step(activity=activity, level="output", description="Toinen")
    data = {"version": "1", "level": "output", "description": "Toinen", "indicator": str(indicator.pk)}
    indicator.soft_delete(by=None)
    response = editor_client.post(url("step_edit", activity.pk, other.pk), data, headers=htmx())
    assert response.status_code == 422
    assert ChainStep.objects.get(pk=other.pk).indicator_id is None


def test_double_counting_is_noted_on_every_claiming_activity(
    editor_client: Client, org_a: Organisation
) -> None:
    emissions = make_indicator(organisation=org_a, name="Päästöt asukasta kohden", chain_level="impact")
    projects = make_indicator(organisation=org_a, name="Hankkeiden määrä", chain_level="output")
    a1 = make_activity(organisation=org_a, name="CIRCPORT")
    a3 = make_activity(organisation=org_a, name="HEAT-SHIFT")
    a9 = make_activity(organisation=org_a, name="ICLEI")
    make_step(activity=a1, level="impact", indicator=emissions)
    make_step(activity=a3, level="impact", indicator=emissions)
    make_step(activity=a9, level="output", indicator=emissions)  # an output is the activity's own
    make_step(activity=a1, level="output", indicator=projects)
    make_step(activity=a3, level="output", indicator=projects)
    shared = editor_client.get(url("detail", a1.pk)).context["shared"]
    assert [(s.indicator_name, s.other_activities) for s in shared] == [
        ("Päästöt asukasta kohden", ["HEAT-SHIFT"])
    ]
    body = editor_client.get(url("detail", a3.pk)).content.decode()
    assert "counted once in the goal" in body and "CIRCPORT" in body
    assert not editor_client.get(url("detail", a9.pk)).context["shared"]


# --- contributions ------------------------------------------------------------------------------


def test_link_a_goal_found_in_the_tree(editor_client: Client, activity: Activity, tree: Tree) -> None:
    page = editor_client.get(url("contribution_add", activity.pk) + "?q=kierto")
    assert_page(page, "impact/activities/contribution_add.html")
    assert [o.goal for o in page.context["goal_matches"]] == [tree.g32]
    search = editor_client.get(
        url("contribution_add", activity.pk) + "?q=SG3", headers=htmx(target="goal-options")
    )
    assert_fragment(search, "goal-options")
    body = search.content.decode()
    assert "Hiilineutraali" in body
    assert "Elinvoimainen Aakkosla" in body  # the tree path above the goal
    assert_fragment(
        editor_client.get(url("contribution_add", activity.pk), headers=htmx()), "contribution-form"
    )

    data = {
        "goal": str(tree.g32.pk),
        "strength": "direct",
        "time_to_impact": "short",
        "rationale": "Pilotit satamassa",
    }
    response = editor_client.post(url("contribution_add", activity.pk), data, headers=htmx())
    assert_fragment(response, "contributions")
    assert response["HX-Retarget"] == "#contributions"
    body = response.content.decode()
    assert "Pilotit satamassa" in body and "flag-box flag-orphan" not in body
    assert 'id="goal-search"' in body and "autofocus" in body
    contribution = activity.contributions.get()
    assert (contribution.goal, contribution.strength, contribution.time_to_impact) == (
        tree.g32,
        "direct",
        "short",
    )
    # The linked goal is no longer offered.
    assert tree.g32 not in [o.goal for o in response.context["goal_matches"]]


def test_a_forged_goal_of_another_organisation_is_a_404(
    editor_client: Client, activity: Activity, org_b: Organisation
) -> None:
    foreign = make_goal(strategy=make_strategy(organisation=org_b, status="approved"), title="B:n tavoite")
    data = {"goal": str(foreign.pk), "strength": "direct", "time_to_impact": "short", "rationale": ""}
    assert editor_client.post(url("contribution_add", activity.pk), data).status_code == 404
    assert editor_client.post(url("contribution_add", activity.pk), data, headers=htmx()).status_code == 404
    assert not Contribution.objects.exists()
    # And the database refuses it whatever code path writes it.
    with pytest.raises(IntegrityError), transaction.atomic():
        Contribution.objects.create(activity=activity, goal=foreign)


def test_contribution_errors_keep_the_input(
    editor_client: Client, activity: Activity, tree: Tree, org_a: Organisation
) -> None:
    old = make_goal(strategy=make_strategy(organisation=org_a, term_start=2017, term_end=2020), title="Vanha")
    make_contribution(activity=activity, goal=tree.g11)
    base = {"strength": "partial", "time_to_impact": "long", "rationale": "Perustelu säilyy"}
    for goal, message in [
        ("", "Choose the goal that the activity serves."),
        (str(old.pk), "Choose a goal of the current strategy."),
        (str(tree.g11.pk), "The activity already serves this goal"),
    ]:
        response = editor_client.post(
            url("contribution_add", activity.pk), {**base, "goal": goal}, headers=htmx()
        )
        assert response.status_code == 422
        assert_fragment(response, "contribution-form")
        assert response.context["contribution_form"].errors
        body = response.content.decode()
        assert message in body and "Perustelu säilyy" in body
    assert activity.contributions.count() == 1


def test_change_and_remove_a_contribution(editor_client: Client, activity: Activity, tree: Tree) -> None:
    contribution = make_contribution(activity=activity, goal=tree.g32)
    assert_fragment(
        editor_client.get(url("contribution_edit", activity.pk, contribution.pk), headers=htmx()),
        "section-form",
    )
    assert_page(
        editor_client.get(url("contribution_edit", activity.pk, contribution.pk)),
        "impact/activities/section_form.html",
    )
    data = {"version": "1", "strength": "enabling", "time_to_impact": "long", "rationale": "Uusi perustelu"}
    response = editor_client.post(
        url("contribution_edit", activity.pk, contribution.pk), data, headers=htmx()
    )
    assert_fragment(response, "contributions")
    contribution.refresh_from_db()
    assert (contribution.strength, contribution.rationale) == ("enabling", "Uusi perustelu")
    assert editor_client.post(url("contribution_edit", activity.pk, contribution.pk), data).status_code == 409
    assert_fragment(
        editor_client.get(url("contribution_delete", activity.pk, contribution.pk), headers=htmx()),
        "confirm-delete",
    )
    response = editor_client.post(url("contribution_delete", activity.pk, contribution.pk), headers=htmx())
    assert_fragment(response, "contributions")
    assert "flag-box flag-orphan" in response.content.decode()
    assert not Contribution.objects.exists()


def test_goal_quality_item_reached_by_an_activity(activity: Activity, tree: Tree) -> None:
    check = next(c for c in quality_checks() if c.key == "reached")
    goals = list(tree.strategy.goals.all())
    assert check.passing(goals) == set()
    make_contribution(activity=activity, goal=tree.g32)
    assert check.passing(goals) == {tree.g32.pk}


def test_goal_panel_lists_activities_with_budgets_and_latest_status_in_one_query(
    org_a: Organisation, tree: Tree, django_assert_num_queries: Any
) -> None:
    for n in range(5):
        activity = make_activity(organisation=org_a, name=f"Hanke {n}", total_budget=Decimal(1000 * (n + 1)))
        make_contribution(activity=activity, goal=tree.g32)
        make_report(activity=activity, status="done" if n else "on_track")
    with django_assert_num_queries(1):
        context = contributing_activities(tree.g32, None)
    assert context["total_budget"] == Decimal(15000)
    assert [c.last_report_status for c in context["contributions"]] == [
        "on_track",
        "done",
        "done",
        "done",
        "done",
    ]


def test_goal_page_shows_the_contributing_activities(
    editor_client: Client, activity: Activity, tree: Tree
) -> None:
    make_contribution(activity=activity, goal=tree.g32)
    make_report(activity=activity, status="some_problems")
    body = editor_client.get(reverse("goals:goal_detail", args=[SLUG, tree.g32.pk])).content.decode()
    assert url("detail", activity.pk) in body
    assert "report-status report-status-some_problems" in body


# --- progress reports ---------------------------------------------------------------------------


def test_file_a_report_and_see_it_in_the_register(editor_client: Client, activity: Activity) -> None:
    form = editor_client.get(url("report_add", activity.pk), headers=htmx())
    assert_fragment(form, "section-form")
    assert f'value="{today().isoformat()}"' in form.content.decode()  # dated today unless changed
    assert_page(editor_client.get(url("report_add", activity.pk)), "impact/activities/section_form.html")
    data = {
        "version": "1",
        "reported_on": str(today()),
        "status": "some_problems",
        "achieved": "Kaksi pilottia",
        "next_steps": "Kolmas pilotti",
        "evidence_links": "https://example.org/raportti\n\n",
    }
    response = editor_client.post(url("report_add", activity.pk), data, headers=htmx())
    assert_fragment(response, "reports")
    body = response.content.decode()
    assert "Kaksi pilottia" in body and 'href="https://example.org/raportti"' in body
    row = editor_client.get(url("list")).context["register"].rows[0]
    assert (row.last_report_status, row.last_report_on) == ("some_problems", today())


def test_report_validation(editor_client: Client, activity: Activity) -> None:
    data = {
        "version": "1",
        "reported_on": str(today() + dt.timedelta(days=3)),
        "status": "on_track",
        "achieved": "x",
        "evidence_links": "javascript:alert(1)",
    }
    response = editor_client.post(url("report_add", activity.pk), data, headers=htmx())
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "future" in errors["reported_on"][0]
    assert "not a web address" in errors["evidence_links"][0]
    assert not ProgressReport.objects.exists()


def test_overdue_report_is_shown_on_the_activity_page(editor_client: Client, org_a: Organisation) -> None:
    activity = make_activity(organisation=org_a, start_date=months_ago(20))
    make_report(activity=activity, reported_on=months_ago(8))
    body = editor_client.get(url("detail", activity.pk)).content.decode()
    assert "flag-box flag-overdue" in body
    make_report(activity=activity, reported_on=months_ago(1), achieved="Uusi")
    body = editor_client.get(url("detail", activity.pk)).content.decode()
    assert "flag-box flag-overdue" not in body and "The next progress report is due on" in body


def test_edit_and_delete_a_report(editor_client: Client, activity: Activity) -> None:
    report = make_report(activity=activity)
    assert_fragment(
        editor_client.get(url("report_edit", activity.pk, report.pk), headers=htmx()), "section-form"
    )
    data = {
        "version": "1",
        "reported_on": "2025-06-01",
        "status": "done",
        "achieved": "Valmis",
        "evidence_links": "",
    }
    assert_fragment(
        editor_client.post(url("report_edit", activity.pk, report.pk), data, headers=htmx()), "reports"
    )
    report.refresh_from_db()
    assert report.status == "done"
    assert editor_client.post(url("report_edit", activity.pk, report.pk), data).status_code == 409
    assert_fragment(
        editor_client.get(url("report_delete", activity.pk, report.pk), headers=htmx()), "confirm-delete"
    )
    assert_fragment(
        editor_client.post(url("report_delete", activity.pk, report.pk), headers=htmx()), "reports"
    )
    assert not ProgressReport.objects.exists()


# --- yearly reviews -----------------------------------------------------------------------------


def review_data(**values: str) -> dict[str, str]:
    data = {
        "version": "1",
        "reviewed_on": str(months_ago(1)),
        "shared_goals": "True",
        "joint_action_plan": "False",
        "last_joint_activity": "Nuorisovaihto",
        "benefit": "Kielitaito",
        "cost": "15 000",
        "decision": "keep",
        "reason": "Hyödyllinen",
    }
    data.update(values)
    return data


def test_reviews_belong_to_twin_towns_and_networks(
    editor_client: Client, activity: Activity, org_a: Organisation
) -> None:
    assert editor_client.get(url("review_add", activity.pk)).status_code == 404  # an EU project
    twin = make_activity(organisation=org_a, kind="twin_town")
    assert_fragment(editor_client.get(url("review_add", twin.pk), headers=htmx()), "section-form")
    assert_page(editor_client.get(url("review_add", twin.pk)), "impact/activities/section_form.html")
    response = editor_client.post(url("review_add", twin.pk), review_data(), headers=htmx())
    assert_fragment(response, "reviews")
    review = twin.reviews.get()
    assert (review.shared_goals, review.joint_action_plan, review.cost) == (True, False, Decimal(15000))
    assert "did not pass" in response.content.decode()  # no joint action plan

    pause = editor_client.post(
        url("review_add", twin.pk), review_data(decision="pause", reviewed_on=str(today()))
    )
    assert pause.status_code == 302
    twin.refresh_from_db()
    assert twin.status == "paused"


def test_edit_and_delete_a_review(editor_client: Client, org_a: Organisation) -> None:
    network = make_activity(organisation=org_a, kind="network")
    review = make_review(activity=network)
    assert_fragment(
        editor_client.get(url("review_edit", network.pk, review.pk), headers=htmx()), "section-form"
    )
    response = editor_client.post(
        url("review_edit", network.pk, review.pk), review_data(decision="end"), headers=htmx()
    )
    assert_fragment(response, "reviews")
    network.refresh_from_db()
    assert network.status == "ended"
    assert editor_client.post(url("review_edit", network.pk, review.pk), review_data()).status_code == 409
    assert_fragment(
        editor_client.get(url("review_delete", network.pk, review.pk), headers=htmx()), "confirm-delete"
    )
    assert_fragment(
        editor_client.post(url("review_delete", network.pk, review.pk), headers=htmx()), "reviews"
    )
    assert not PartnershipReview.objects.exists()


# --- settings -----------------------------------------------------------------------------------


def test_follow_up_settings(editor_client: Client, viewer_client: Client, org_a: Organisation) -> None:
    assert_page(editor_client.get(url("settings")), "impact/activities/activity_settings.html")
    assert_fragment(editor_client.get(url("settings"), headers=htmx()), "settings-form")
    assert (
        editor_client.post(url("settings"), {"version": "1", "report_interval_months": "0"}).status_code
        == 422
    )
    assert (
        editor_client.post(url("settings"), {"version": "1", "report_interval_months": "3"}).status_code
        == 302
    )
    assert ActivitySettings.objects.get(organisation=org_a).report_interval_months == 3
    assert (
        editor_client.post(url("settings"), {"version": "1", "report_interval_months": "4"}).status_code
        == 409
    )
    assert (
        viewer_client.post(url("settings"), {"version": "2", "report_interval_months": "1"}).status_code
        == 403
    )


# --- roles and tenancy --------------------------------------------------------------------------


def test_a_viewer_reads_but_cannot_change(viewer_client: Client, activity: Activity, tree: Tree) -> None:
    body = viewer_client.get(url("detail", activity.pk)).content.decode()
    assert url("edit", activity.pk) not in body and "step-add-" not in body and 'id="goal-search"' not in body
    assert viewer_client.get(url("list")).status_code == 200
    assert viewer_client.get(url("export")).status_code == 200
    assert viewer_client.get(url("edit", activity.pk)).status_code == 403
    data = {"goal": str(tree.g11.pk), "strength": "direct", "time_to_impact": "short"}
    assert viewer_client.post(url("contribution_add", activity.pk), data).status_code == 403
    assert viewer_client.post(url("delete", activity.pk)).status_code == 403
    assert not Contribution.objects.exists() and Activity.objects.filter(pk=activity.pk).exists()


def test_organisation_home_links_to_the_register(editor_client: Client) -> None:
    body = editor_client.get(reverse("organisation_home", args=[SLUG])).content.decode()
    assert f'href="{url("list")}"' in body


@pytest.mark.parametrize("method", ["get", "post"])
def test_nothing_of_another_organisation_is_reachable(
    editor_client: Client, org_b: Organisation, method: str
) -> None:
    """Every activity route with A's own slug and B's ids answers 404; B's rows stay as they were."""
    from tests.test_url_walk import MARKER, all_routes

    b_goal = make_goal(strategy=make_strategy(organisation=org_b, status="approved"), title="B goal")
    b_activity = make_activity(organisation=org_b, name=f"B {MARKER}", kind="twin_town")
    ids = {
        "activity_pk": b_activity.pk,
        "step_pk": make_step(activity=b_activity, description=MARKER).pk,
        "contribution_pk": make_contribution(activity=b_activity, goal=b_goal, rationale=MARKER).pk,
        "report_pk": make_report(activity=b_activity, achieved=MARKER).pk,
        "review_pk": make_review(activity=b_activity, reason=MARKER).pk,
    }

    def snapshot() -> list[Any]:
        return [
            list(model._default_manager.filter(**{lookup: org_b}).order_by("pk").values())
            for model, lookup in [
                (Activity, "organisation"),
                (ChainStep, "activity__organisation"),
                (Contribution, "activity__organisation"),
                (ProgressReport, "activity__organisation"),
                (PartnershipReview, "activity__organisation"),
            ]
        ]

    before = snapshot()
    routes = [r for r in all_routes() if r.name.startswith("activities:") and len(r.params) > 1]
    assert len(routes) == 15
    for route in routes:
        kwargs = {param: ids.get(param) for param in route.params if param != "org_slug"}
        for slug in (SLUG, org_b.slug):
            response = getattr(editor_client, method)(
                reverse(route.name, kwargs={"org_slug": slug, **kwargs}),
                {
                    "version": "1",
                    "goal": str(b_goal.pk),
                    "level": "output",
                    "description": "x",
                    "achieved": "x",
                },
            )
            # 405: a read-only page refuses a POST before anything is looked up.
            assert response.status_code in {404, 405}, (route.name, slug, response.status_code)
            assert MARKER not in response.content.decode()
    assert snapshot() == before


def test_a_goal_link_from_another_organisation_is_refused_in_the_register_export(
    editor_client: Client, register: dict[str, Activity], org_b: Organisation
) -> None:
    make_activity(organisation=org_b, name="B:n hanke")
    body = editor_client.get(url("export")).content.decode("utf-8-sig")
    assert "B:n hanke" not in body and "CIRCPORT" in body


def test_another_organisation_sees_its_own_register_only(
    client: Client, register: dict[str, Activity]
) -> None:
    other = make_organisation(name="Muula", slug="muula")
    client.force_login(make_member(organisation=other, role=Role.VIEWER))
    response = client.get(reverse("activities:list", args=["muula"]))
    assert response.context["register"].rows == []
    assert client.get(url("list")).status_code == 404
