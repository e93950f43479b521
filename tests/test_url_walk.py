"""Walk every named URL pattern: sign-in is required, and no organisation sees another's data.

A new URL whose parameters have no sample value below fails `test_every_url_parameter_has_a_sample`,
so later features are covered as soon as they add a route.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from organisations.models import Membership, Organisation, Role, User
from tests.factories import make_member, make_user

# Routes anyone may open without signing in (LoginRequiredMiddleware's explicit exceptions).
PUBLIC = {
    "login",
    "logout",  # signing out needs no sign-in (allauth's sign-in stages cancel through it)
    "account_login",
    "account_logout",
    "account_inactive",
    "account_signup",  # answers that sign-up is closed: people join by invitation
    "account_reset_password",
    "mfa_authenticate",  # the one-time code step of signing in
    "socialaccount_login_cancelled",
    "socialaccount_signup",  # with sign-up closed, sends back to sign-in
    "openid_connect_login",  # to an organisation's identity service
    "openid_connect_callback",  # back from it
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "accessibility",
    "privacy",
    "about_data",
    "health",
    "organisations:language",
    "organisations:invitation_accept",
    "digest_preference",
}
SIGN_IN_STEPS = {
    "login",
    "account_login",
    "logout",
    "account_logout",
    "mfa_authenticate",
    "socialaccount_signup",
}
# The operator's Django admin has its own sign-in and staff check; no product screen depends on it.
SKIPPED_NAMESPACES = {"admin"}

MARKER = "B-PRIVATE-MARKER-7f3a"


@dataclass(frozen=True)
class Route:
    name: str
    params: tuple[str, ...]


def _walk(patterns: list[Any], namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            outer = tuple(entry.pattern.regex.groupindex)
            for route in _walk(entry.url_patterns, inner):
                yield Route(route.name, outer + route.params)
        elif isinstance(entry, URLPattern) and entry.name:
            yield Route(f"{namespace}{entry.name}", tuple(entry.pattern.regex.groupindex))


def all_routes() -> list[Route]:
    return sorted(set(_walk(get_resolver().url_patterns)), key=lambda r: r.name)


@dataclass
class World:
    """Organisation A (where the test user is a member) and organisation B (someone else's)."""

    org_a: Organisation
    org_b: Organisation
    user_a: User
    b_member: Membership
    b_user: User
    # Organisation B's international activity and its parts (impact), made by the world fixture.
    b_activity: Any = None
    b_step: Any = None
    b_contribution: Any = None
    b_report: Any = None
    b_review: Any = None
    # Organisation B's foresight rows (futures), made by the world fixture.
    b_story: Any = None
    b_table: Any = None
    b_driver: Any = None
    b_signal: Any = None
    b_implication: Any = None
    b_signpost: Any = None
    b_milestone: Any = None
    megatrend: Any = None  # shared library row: library routes check the steward role, not the tenant
    b_indicator: Any = None  # Organisation B's own indicator (indicators), with a value and a target
    b_draft_template: Any = None  # a library draft: only stewards see drafts, so it must never show to A
    b_import_run: Any = None  # Organisation B's checked import, ready to start (indicator imports)
    b_report_run: Any = None  # Organisation B's finished annual report PDF (impact report)


# How to fill each URL parameter with organisation B's values. A new parameter needs a line here.
SAMPLES: dict[str, Callable[[World], str]] = {
    "org_slug": lambda w: w.org_b.slug,
    "pk": lambda w: str(w.b_member.pk),
    "uidb64": lambda w: urlsafe_base64_encode(force_bytes(w.b_user.pk)),
    "token": lambda w: default_token_generator.make_token(w.b_user),
    "activity_pk": lambda w: str(w.b_activity.pk),
    "step_pk": lambda w: str(w.b_step.pk),
    "contribution_pk": lambda w: str(w.b_contribution.pk),
    "report_pk": lambda w: str(w.b_report.pk),
    "review_pk": lambda w: str(w.b_review.pk),
    "story_pk": lambda w: str(w.b_story.pk),
    "table_pk": lambda w: str(w.b_table.pk),
    "driver_pk": lambda w: str(w.b_driver.pk),
    "signal_pk": lambda w: str(w.b_signal.pk),
    "implication_pk": lambda w: str(w.b_implication.pk),
    "signpost_pk": lambda w: str(w.b_signpost.pk),
    "milestone_pk": lambda w: str(w.b_milestone.pk),
    "megatrend_pk": lambda w: str(w.megatrend.pk),
    "indicator_pk": lambda w: str(w.b_indicator.pk),
    "code": lambda w: w.b_draft_template.code,
    "run_pk": lambda w: str(w.b_import_run.pk),
    "report_run_pk": lambda w: str(w.b_report_run.pk),
    "strategy_pk": lambda w: str(_b_goal(w).strategy_id),
    "goal_pk": lambda w: str(_b_goal(w).pk),
    "provider_id": lambda w: w.org_b.slug,  # an organisation's identity service (none configured: 404)
    # The history and restore pages name a registered kind and one of its rows: B's activity.
    "kind": lambda w: "activity",
    "object_pk": lambda w: str(w.b_activity.pk),
}


def _b_goal(world: World) -> Any:
    """B's goal (its title carries the MARKER) in B's strategy."""
    from goals.models import Goal

    return Goal.objects.filter(strategy__organisation=world.org_b).order_by("pk").first()


def test_every_url_parameter_has_a_sample() -> None:
    missing = {
        (route.name, param) for route in all_routes() for param in route.params if param not in SAMPLES
    }
    assert not missing, f"add sample values for these URL parameters to SAMPLES: {sorted(missing)}"


@pytest.fixture
def world(db: None, settings: Any, tmp_path: Any) -> World:
    settings.MEDIA_ROOT = tmp_path  # B's report file is written under the test's own folder
    return make_world()


def make_world() -> World:
    """Organisations A and B with B's rows of every kind (MEDIA_ROOT must be a folder of the test's)."""
    org_a = Organisation.objects.create(kind="municipality", name_fi="Aakkosla", slug="aakkosla", code="991")
    org_b = Organisation.objects.create(kind="municipality", name_fi="Beetala", slug="beetala", code="992")
    user_a = make_member(organisation=org_a, role=Role.ADMIN)
    b_user = make_user(name=f"Bertta {MARKER}", email=f"bertta-{MARKER.lower()}@example.invalid")
    Membership.objects.create(user=b_user, organisation=org_b, role=Role.ADMIN)
    b_member = Membership.objects.get(user=b_user)
    world = World(org_a=org_a, org_b=org_b, user_a=user_a, b_member=b_member, b_user=b_user)
    _add_b_activity(world)
    _add_b_futures(world)
    _add_b_indicator(world)
    _add_library_draft(world)
    _add_b_import_run(world)
    _add_b_goal_details(world)
    _add_b_report_run(world)
    _add_shared_template_values(world)
    return world


def _add_b_report_run(world: World) -> None:
    """B's finished annual report PDF, with the MARKER in its file."""
    from django.core.files.base import ContentFile

    from impact.models import ReportRun

    world.b_report_run = ReportRun.objects.create(
        organisation=world.org_b, strategy=_b_goal(world).strategy, year=2025, language="fi", state="done"
    )
    world.b_report_run.file.save("walk-b.pdf", ContentFile(f"%PDF-1.7 {MARKER}".encode()), save=True)


def _add_shared_template_values(world: World) -> None:
    """A and B both adopted a shared template and recorded values; A shares its indicator data (so the
    national comparison opens to A) and B does not, so nothing of B may show there: B's name carries
    the MARKER from here on, and so does the note of its value."""
    from tests.indicators.indicator_factories import add_values, make_indicator, make_template

    template = make_template(code="walk-shared", name_fi="Jaettu mittari")
    Organisation.objects.filter(pk=world.org_a.pk).update(shares_indicator_data=True)
    Organisation.objects.filter(pk=world.org_b.pk).update(name_fi=f"Beetala {MARKER}", name_en=MARKER)
    add_values(make_indicator(organisation=world.org_a, template=template), {2024: 10})
    add_values(make_indicator(organisation=world.org_b, template=template), {2024: 424242}, note=MARKER)


def _add_b_goal_details(world: World) -> None:
    """B's strategy and goal with the MARKER in the strategy's name and vision and the goal's description,
    measured by B's indicator and linked to an SDG target."""
    from goals.models import GoalIndicator, Strategy
    from tests.goals.factories import make_sdg_target

    goal = _b_goal(world)
    Strategy.objects.filter(pk=goal.strategy_id).update(name=f"B strategy {MARKER}", vision=MARKER)
    type(goal).objects.filter(pk=goal.pk).update(description=MARKER)
    GoalIndicator.objects.create(goal=goal, indicator=world.b_indicator)
    goal.sdg_targets.add(make_sdg_target(code="8.5"))


def _add_b_import_run(world: World) -> None:
    """B's checked import that would write into B's indicator; the MARKER in its file name and report."""
    from indicators.models import ImportRun

    world.b_import_run = ImportRun.objects.create(
        organisation=world.org_b,
        created_by=world.b_user,
        file_name=f"b-{MARKER}.csv",
        format="csv",
        mapping={"indicator": "Indicator", "period": "Period", "value": "Value"},
        total=1,
        report={"phase": "check", "read": 1, "matched": 1, "created": 1, "preview": [{"note": MARKER}]},
    )


def _add_library_draft(world: World) -> None:
    """A steward's unpublished template in the shared library, the MARKER in its name and definition."""
    from indicators.models import IndicatorTemplate

    world.b_draft_template = IndicatorTemplate.objects.create(
        code="walk-draft", name_fi=f"Luonnos {MARKER}", definition_en=MARKER, chain_level="outcome"
    )


def _add_b_indicator(world: World) -> None:
    """B's own indicator with values and a target, the MARKER in its name, note and target reason."""
    from tests.indicators.indicator_factories import add_target, add_values, make_indicator

    world.b_indicator = make_indicator(
        organisation=world.org_b, name=f"B indicator {MARKER}", baseline=(2019, 10), note=MARKER
    )
    add_values(world.b_indicator, {2019: 10, 2020: 12})
    add_target(world.b_indicator, 2030, 20, reason=MARKER)


def _add_b_futures(world: World) -> None:
    """B's future story with everything hanging on it, the MARKER in its title and narrative."""
    from futures.models import (
        Driver,
        FuturesTable,
        FutureStory,
        Implication,
        Megatrend,
        Milestone,
        Signpost,
        StoryDriver,
        Variable,
        VariableValue,
        WeakSignal,
    )
    from goals.models import Goal
    from indicators.models import Indicator

    world.megatrend = Megatrend.objects.create(edition=2026, number=9, name_fi="Testimegatrendi")
    world.b_driver = Driver.objects.create(organisation=world.org_b, name=f"B driver {MARKER}")
    world.b_signal = WeakSignal.objects.create(
        organisation=world.org_b, signal=f"B signal {MARKER}", observed_on="2025-01-01"
    )
    world.b_table = FuturesTable.objects.create(organisation=world.org_b, name=f"B table {MARKER}")
    variable = Variable.objects.create(table=world.b_table, name=f"B variable {MARKER}")
    value = VariableValue.objects.create(variable=variable, label=f"B value {MARKER}")
    world.b_story = FutureStory.objects.create(
        organisation=world.org_b,
        title=f"B story {MARKER}",
        narrative=f"<p>{MARKER}</p>",
        horizon_year=2035,
        kind="probable",
        futures_table=world.b_table,
    )
    world.b_story.picks.set([value])
    StoryDriver.objects.create(story=world.b_story, driver=world.b_driver, assumed_state=MARKER)
    b_indicator = Indicator.objects.create(organisation=world.org_b, name_fi=f"B indicator {MARKER}")
    world.b_signpost = Signpost.objects.create(
        story=world.b_story, indicator=b_indicator, comparison="above", threshold=1, note=MARKER
    )
    b_goal = Goal.objects.filter(strategy__organisation=world.org_b).order_by("pk").first()
    assert b_goal is not None, "B's goal is made by _add_b_activity"
    world.b_milestone = Milestone.objects.create(
        story=world.b_story, year=2030, must_be_true=MARKER, goal=b_goal
    )
    world.b_implication = Implication.objects.create(
        story=world.b_story, goal=b_goal, kind="threat", strength=2, action=MARKER
    )


def _add_b_activity(world: World) -> None:
    """B's twin town (a reviewed kind, so every activity route has an object), with the MARKER planted."""
    from impact.models import Activity, ChainStep, Contribution, PartnershipReview, ProgressReport
    from tests.goals.factories import make_goal, make_strategy

    b_goal = make_goal(strategy=make_strategy(organisation=world.org_b), title=f"B goal {MARKER}")
    world.b_activity = Activity.objects.create(
        organisation=world.org_b, name=f"B twin town {MARKER}", kind="twin_town", status="ongoing"
    )
    world.b_step = ChainStep.objects.create(activity=world.b_activity, level="outcome", description=MARKER)
    world.b_contribution = Contribution.objects.create(
        activity=world.b_activity, goal=b_goal, rationale=MARKER
    )
    world.b_report = ProgressReport.objects.create(
        activity=world.b_activity, reported_on="2025-01-01", status="on_track", achieved=MARKER
    )
    world.b_review = PartnershipReview.objects.create(
        activity=world.b_activity,
        reviewed_on="2025-01-01",
        shared_goals=True,
        joint_action_plan=True,
        decision="keep",
        reason=MARKER,
    )


def _url(route: Route, world: World, **overrides: str) -> str:
    kwargs = {param: overrides.get(param) or SAMPLES[param](world) for param in route.params}
    return reverse(route.name, kwargs=kwargs)


def _snapshot_b(world: World) -> list[tuple[Any, ...]]:
    """Every row that belongs to B, as plain values, to prove nothing changed."""
    rows: list[tuple[Any, ...]] = []
    for model in (Organisation, Membership, User):
        queryset: models.QuerySet[Any]
        if model is Organisation:
            queryset = Organisation.objects.filter(pk=world.org_b.pk)
        elif model is Membership:
            queryset = Membership.objects.filter(organisation=world.org_b)
        else:
            queryset = User.objects.filter(pk=world.b_user.pk)
        rows.extend(tuple(row.values()) for row in queryset.order_by("pk").values())
    rows.extend(_b_activity_rows(world))
    rows.extend(_b_futures_rows(world))
    rows.extend(_b_indicator_rows(world))
    rows.extend(_library_rows())
    rows.extend(_b_goal_rows(world))
    return rows


def _b_goal_rows(world: World) -> list[tuple[Any, ...]]:
    from goals.models import Goal, GoalIndicator, Strategy

    rows: list[tuple[Any, ...]] = []
    owned = {
        Strategy: "organisation",
        Goal: "strategy__organisation",
        GoalIndicator: "goal__strategy__organisation",
    }
    for model, field in owned.items():
        queryset = model._default_manager.filter(**{field: world.org_b}).order_by("pk")
        rows.extend(tuple(row.values()) for row in queryset.values())
    through = Goal.sdg_targets.through.objects.filter(goal__strategy__organisation=world.org_b)
    rows.extend(through.order_by("pk").values_list("goal_id", "sdgtarget_id"))
    return rows


def _library_rows() -> list[tuple[Any, ...]]:
    """The shared library: no one but a steward changes it (A's user is a municipality's admin)."""
    from indicators.models import IndicatorTemplate, TemplateVersion

    rows: list[tuple[Any, ...]] = []
    for model in (IndicatorTemplate, TemplateVersion):
        rows.extend(tuple(row.values()) for row in model._default_manager.order_by("pk").values())
    return rows


def _b_indicator_rows(world: World) -> list[tuple[Any, ...]]:
    from indicators.models import Indicator, Observation, Target

    rows: list[tuple[Any, ...]] = []
    for model in (Indicator, Observation, Target):
        field = "organisation" if model is Indicator else "indicator__organisation"
        queryset = model._default_manager.filter(**{field: world.org_b}).order_by("pk")
        rows.extend(tuple(row.values()) for row in queryset.values())
    from indicators.models import ImportRun

    rows.extend(
        tuple(r.values()) for r in ImportRun.objects.filter(organisation=world.org_b).order_by("pk").values()
    )
    return rows


def _b_futures_rows(world: World) -> list[tuple[Any, ...]]:
    from futures.models import (
        Driver,
        FuturesTable,
        FutureStory,
        Implication,
        Milestone,
        Signpost,
        StoryDriver,
        Variable,
        VariableValue,
        WeakSignal,
    )

    rows: list[tuple[Any, ...]] = []
    owned = {
        Driver: "organisation",
        WeakSignal: "organisation",
        FuturesTable: "organisation",
        FutureStory: "organisation",
        Variable: "table__organisation",
        VariableValue: "variable__table__organisation",
        StoryDriver: "story__organisation",
        Signpost: "story__organisation",
        Milestone: "story__organisation",
        Implication: "story__organisation",
    }
    for model, field in owned.items():
        queryset = model._default_manager.filter(**{field: world.org_b}).order_by("pk")
        rows.extend(tuple(row.values()) for row in queryset.values())
    rows.extend((pk,) for pk in world.b_story.picks.values_list("pk", flat=True))
    return rows


def _b_activity_rows(world: World) -> list[tuple[Any, ...]]:
    from impact.models import (
        Activity,
        ChainStep,
        Contribution,
        Partner,
        PartnershipReview,
        ProgressReport,
        ReportRun,
    )

    rows: list[tuple[Any, ...]] = []
    for model in (Activity, ChainStep, Contribution, Partner, PartnershipReview, ProgressReport, ReportRun):
        field = "organisation" if model in (Activity, ReportRun) else "activity__organisation"
        queryset = model._default_manager.filter(**{field: world.org_b}).order_by("pk")
        rows.extend(tuple(row.values()) for row in queryset.values())
    return rows


def test_anonymous_is_sent_to_sign_in_everywhere_but_public_pages(client: Client, world: World) -> None:
    for route in all_routes():
        url = _url(route, world)
        response = client.get(url)
        if route.name in PUBLIC:
            # A public page with a foreign or forged token may answer 404; it must never need a sign-in.
            assert response.status_code in {200, 302, 404, 405}, (route.name, response.status_code)
            if response.status_code == 302:
                # Steps of signing in or out go back to the sign-in page when no sign-in is under way.
                assert "/accounts/login/" not in response["Location"] or route.name in SIGN_IN_STEPS, (
                    route.name
                )
            continue
        assert response.status_code == 302, (route.name, response.status_code)
        assert response["Location"].startswith("/accounts/login/?next="), (route.name, response["Location"])


def _org_routes() -> list[Route]:
    return [route for route in all_routes() if "org_slug" in route.params]


@pytest.mark.parametrize("method", ["get", "post"])
def test_member_of_a_cannot_reach_b(client: Client, world: World, method: str) -> None:
    client.force_login(world.user_a)
    before = _snapshot_b(world)
    checked = 0
    for route in _org_routes():
        # B's slug with B's ids, and A's own slug with B's ids: both must look like nothing exists.
        for url in {_url(route, world), _url(route, world, org_slug=world.org_a.slug)}:
            foreign_ids = any(param == "pk" or param.endswith("_pk") for param in route.params)
            if url == _url(route, world, org_slug=world.org_a.slug) and not foreign_ids:
                continue  # A's own page with no foreign id is A's business, not isolation's
            response = getattr(client, method)(
                url, {"role": "viewer", "version": "1", "email": "x@example.fi"}
            )
            assert response.status_code in {403, 404, 405}, (route.name, url, method, response.status_code)
            assert MARKER not in response.content.decode(), (route.name, url)
            checked += 1
    assert checked >= len(_org_routes())
    assert _snapshot_b(world) == before


@pytest.mark.parametrize("method", ["get", "post"])
def test_pages_outside_organisations_show_nothing_of_b(client: Client, world: World, method: str) -> None:
    client.force_login(world.user_a)
    before = _snapshot_b(world)
    for route in all_routes():
        if "org_slug" in route.params:
            continue
        client.force_login(world.user_a)  # the walk passes through sign-out too
        response = getattr(client, method)(_url(route, world))
        assert response.status_code < 500, (route.name, response.status_code)
        assert MARKER not in response.content.decode(), route.name
    assert _snapshot_b(world) == before


def test_the_national_view_opens_to_a_and_shows_nothing_of_b(client: Client, world: World) -> None:
    """A shares its data, B does not: the national pages answer A with A's value and none of B's."""
    client.force_login(world.user_a)
    for name in ("national:comparison", "national:export"):
        response = client.get(reverse(name), {"template": "walk-shared"})
        assert response.status_code == 200, name
        body = response.content.decode("utf-8-sig")
        assert "Aakkosla" in body, name
        for text in (MARKER, "424242", "424 242", "424,242", "424\u00a0242"):
            assert text not in body, (name, text)


def test_a_get_changes_nothing_even_for_the_owner(client: Client, world: World) -> None:
    """QUALITY "no state change on GET": B's own admin GETs every URL filled with B's ids (confirmation
    pages, delete and restore routes, role changes, exports...) and B's rows stay exactly as they were."""
    import datetime as dt

    signed_in_at = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)

    def snapshot() -> list[tuple[Any, ...]]:
        # Signing in stamps last_login, which is not what this test is about.
        User.objects.filter(pk=world.b_user.pk).update(last_login=signed_in_at)
        return _snapshot_b(world)

    before = snapshot()
    for route in all_routes():
        client.force_login(world.b_user)  # the walk passes through sign-out too
        response = client.get(_url(route, world))
        assert response.status_code < 500, (route.name, response.status_code)
    assert snapshot() == before
