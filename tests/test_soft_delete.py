"""Soft delete: deleted goals, indicators, activities and stories vanish everywhere, answer 404, keep their
history, can be restored for 30 days and are then purged by `manage.py purge_deleted`."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pghistory.models
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from futures.models import FutureStory, Implication, Milestone, Signpost
from goals.models import Goal, GoalIndicator, Strategy
from goals.services import DeleteChildren, delete_goal
from impact.models import Activity, ChainStep, Contribution, ProgressReport
from indicators.models import Indicator, Observation, Target
from organisations.base import RETENTION
from organisations.models import Organisation, Role, User
from organisations.retention import purge_deleted, recently_deleted
from tests.conftest import signed_in
from tests.factories import make_member, make_user
from tests.futures.factories import make_story
from tests.goals.factories import make_goal, make_strategy
from tests.impact.factories import make_activity, make_contribution, make_report
from tests.indicators.indicator_factories import add_target, add_values, make_indicator, make_template

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(org_a: Organisation) -> User:
    # English pages: the tests read the English messages (a user's own language wins over the override).
    return make_member(organisation=org_a, role=Role.EDITOR, user=make_user(language="en"))


@pytest.fixture
def world(org_a: Organisation) -> dict[str, Any]:
    """A goal measured by an indicator with values and a target, an activity serving the goal with a
    report, and a story with an implication for the goal and a signpost on the indicator."""
    strategy = make_strategy(organisation=org_a)
    goal = make_goal(strategy=strategy, title="Vetovoima kasvaa")
    indicator = make_indicator(organisation=org_a, name="Vieraskieliset opiskelijat")
    add_values(indicator, {2023: 10, 2024: 12})
    add_target(indicator, 2029, 20)
    GoalIndicator.objects.create(goal=goal, indicator=indicator)
    activity = make_activity(organisation=org_a, name="Talent Bridge")
    make_contribution(activity=activity, goal=goal)
    make_report(activity=activity)
    story = make_story(organisation=org_a, title="Verkostojen Kaarnala")
    Implication.objects.create(story=story, goal=goal, kind="threat", strength=2)
    Signpost.objects.create(story=story, indicator=indicator, comparison="above", threshold=15)
    return {"strategy": strategy, "goal": goal, "indicator": indicator, "activity": activity, "story": story}


def test_a_deleted_indicator_vanishes_from_lists_exports_related_rows_and_its_url(
    client: Client, org_a: Organisation, editor: User, world: dict[str, Any]
) -> None:
    indicator = world["indicator"]
    assert isinstance(indicator, Indicator)
    client = signed_in(client, editor)
    detail = reverse("indicators:detail", args=[org_a.slug, indicator.pk])
    assert client.get(detail).status_code == 200

    response = client.post(reverse("indicators:delete", args=[org_a.slug, indicator.pk]))
    assert response.status_code == 302

    assert client.get(detail).status_code == 404
    assert client.get(reverse("indicators:edit", args=[org_a.slug, indicator.pk])).status_code == 404
    assert "Vieraskieliset" not in client.get(reverse("indicators:list", args=[org_a.slug])).content.decode()
    export = client.get(reverse("indicator_imports:export", args=[org_a.slug]) + "?format=csv")
    assert "Vieraskieliset" not in export.content.decode("utf-8-sig")
    # Values, targets and links through every manager and prefetch: hidden with the indicator.
    assert not org_a.indicators.exists()
    assert not Observation.objects.filter(indicator__organisation=org_a).exists()
    assert not Target.objects.filter(indicator__organisation=org_a).exists()
    goal = world["goal"]
    assert isinstance(goal, Goal)
    assert not goal.indicators.exists()
    assert not GoalIndicator.objects.filter(goal=goal).exists()
    prefetched = Goal.objects.prefetch_related("indicators").get(pk=goal.pk)
    assert list(prefetched.indicators.all()) == []
    assert not Signpost.objects.filter(story=world["story"]).exists()
    # The rows are still there (restorable), and so is the history.
    assert Indicator.all_objects.filter(pk=indicator.pk, deleted_at__isnull=False).exists()
    assert Observation.all_objects.filter(indicator=indicator).count() == 2
    deleted_event = pghistory.models.Events.objects.tracks(indicator).order_by("-pgh_id").first()
    assert deleted_event is not None and deleted_event.pgh_diff and "deleted_at" in deleted_event.pgh_diff


def test_a_deleted_activity_and_story_answer_404_and_leave_the_lists(
    client: Client, org_a: Organisation, editor: User, world: dict[str, Any]
) -> None:
    activity, story, goal = world["activity"], world["story"], world["goal"]
    assert isinstance(activity, Activity) and isinstance(story, FutureStory) and isinstance(goal, Goal)
    client = signed_in(client, editor)
    assert client.post(reverse("activities:delete", args=[org_a.slug, activity.pk])).status_code == 302
    assert client.post(reverse("futures:story_delete", args=[org_a.slug, story.pk])).status_code == 302

    assert client.get(reverse("activities:detail", args=[org_a.slug, activity.pk])).status_code == 404
    assert client.get(reverse("futures:story_detail", args=[org_a.slug, story.pk])).status_code == 404
    assert "Talent Bridge" not in client.get(reverse("activities:list", args=[org_a.slug])).content.decode()
    export = client.get(reverse("activities:export", args=[org_a.slug]))
    assert "Talent Bridge" not in export.content.decode("utf-8-sig")
    assert "Verkostojen" not in client.get(reverse("futures:index", args=[org_a.slug])).content.decode()
    goal_page = client.get(reverse("goals:goal_detail", args=[org_a.slug, goal.pk])).content.decode()
    assert "Talent Bridge" not in goal_page and "Verkostojen" not in goal_page
    assert not goal.contributions.exists() and not goal.implications.exists()
    assert not Contribution.objects.filter(goal=goal).exists()
    assert not ProgressReport.objects.filter(activity__organisation=org_a).exists()
    assert {row.title for row in recently_deleted(org_a)} == {"Talent Bridge", "Verkostojen Kaarnala"}


def test_deleting_a_goal_keeps_the_choice_for_its_children_and_restores_as_a_branch(
    org_a: Organisation, editor: User
) -> None:
    strategy = make_strategy(organisation=org_a)
    top = make_goal(strategy=strategy, title="top")
    child = make_goal(strategy=strategy, title="child", parent=top)
    grandchild = make_goal(strategy=strategy, title="grandchild", parent=child)

    delete_goal(goal=child, children=DeleteChildren.SUBTREE, by=editor)
    assert list(strategy.goals.values_list("title", flat=True)) == ["top"]
    deleted = Goal.all_objects.filter(deleted_at__isnull=False)
    assert {g.title for g in deleted} == {"child", "grandchild"}
    assert {g.deleted_by_id for g in deleted} == {editor.pk}

    # A sub-goal cannot come back while its parent is deleted; the parent brings the branch back.
    client = signed_in(Client(), editor)
    restore = "organisations:deleted_restore"
    response = client.post(reverse(restore, args=[org_a.slug, "goal", grandchild.pk]), follow=True)
    assert "restore the parent goal first" in response.content.decode()
    response = client.post(reverse(restore, args=[org_a.slug, "goal", child.pk]), follow=True)
    assert "was restored" in response.content.decode()
    assert sorted(strategy.goals.values_list("title", flat=True)) == ["child", "grandchild", "top"]

    # The other choice moves the sub-goals up and deletes only the goal.
    delete_goal(goal=child, children=DeleteChildren.LIFT, by=editor)
    grandchild.refresh_from_db()
    assert grandchild.parent_id == top.pk and grandchild.deleted_at is None


def test_restore_and_the_recently_deleted_page_are_per_organisation(
    client: Client, org_a: Organisation, org_b: Organisation, editor: User
) -> None:
    b_activity = make_activity(organisation=org_b, name="B secret")
    b_activity.soft_delete(by=None)
    client = signed_in(client, editor)
    page = client.get(reverse("organisations:deleted", args=[org_a.slug]))
    assert page.status_code == 200 and "B secret" not in page.content.decode()
    for slug in (org_a.slug, org_b.slug):
        url = reverse("organisations:deleted_restore", args=[slug, "activity", b_activity.pk])
        assert client.post(url).status_code == 404
    assert Activity.all_objects.get(pk=b_activity.pk).deleted_at is not None


def test_viewers_cannot_delete_or_restore(client: Client, org_a: Organisation, world: dict[str, Any]) -> None:
    activity = world["activity"]
    assert isinstance(activity, Activity)
    viewer = make_member(organisation=org_a, role=Role.VIEWER)
    activity.soft_delete(by=None)
    client = signed_in(client, viewer)
    assert client.get(reverse("organisations:deleted", args=[org_a.slug])).status_code == 403
    url = reverse("organisations:deleted_restore", args=[org_a.slug, "activity", activity.pk])
    assert client.post(url).status_code == 403
    assert Activity.all_objects.get(pk=activity.pk).deleted_at is not None


def test_an_adopted_indicator_can_be_adopted_again_after_deletion(org_a: Organisation) -> None:
    template = make_template()
    first = make_indicator(organisation=org_a, template=template)
    first.soft_delete(by=None)
    second = make_indicator(organisation=org_a, template=template)  # the constraint ignores deleted rows
    assert second.pk != first.pk


def test_purge_deletes_for_good_after_30_days_and_keeps_the_history(
    org_a: Organisation, editor: User, world: dict[str, Any]
) -> None:
    goal, indicator, activity, story = (world[k] for k in ("goal", "indicator", "activity", "story"))
    strategy = world["strategy"]
    assert isinstance(strategy, Strategy)
    sub = make_goal(strategy=strategy, title="sub", parent=goal)
    now = timezone.now()
    long_ago = now - RETENTION - dt.timedelta(hours=1)
    delete_goal(goal=goal, children=DeleteChildren.SUBTREE, by=editor)
    Goal.all_objects.filter(pk__in=[goal.pk, sub.pk]).update(deleted_at=long_ago)
    indicator.soft_delete(by=editor, at=long_ago)
    activity.soft_delete(by=editor, at=now - dt.timedelta(days=29))
    story.soft_delete(by=editor, at=long_ago)
    events_before = pghistory.models.Events.objects.tracks(indicator).count()

    out = io.StringIO()
    call_command("purge_deleted", "--dry-run", stdout=out)
    assert "would purge 2 goal" in out.getvalue()
    assert Goal.all_objects.filter(pk=goal.pk).exists()

    counts = purge_deleted()
    assert counts == {"goal": 2, "indicator": 1, "activity": 0, "story": 1}
    assert not Goal.all_objects.filter(pk__in=[goal.pk, sub.pk]).exists()
    assert not Indicator.all_objects.filter(pk=indicator.pk).exists()
    assert not Observation.all_objects.filter(indicator_id=indicator.pk).exists()
    assert not FutureStory.all_objects.filter(pk=story.pk).exists()
    assert Activity.all_objects.filter(pk=activity.pk).exists()  # 29 days: kept
    # The history outlives the row: the events stay, with the final delete recorded.
    events = pghistory.models.Events.objects.tracks(indicator)
    assert events.count() == events_before + 1
    assert events.filter(pgh_label="delete").count() == 1
    assert Strategy.objects.filter(pk=strategy.pk).exists()


def test_the_daily_task_runs_the_purge(org_a: Organisation) -> None:
    from impact.tasks import purge_deleted_rows

    activity = make_activity(organisation=org_a)
    activity.soft_delete(by=None, at=timezone.now() - RETENTION - dt.timedelta(days=1))
    result = purge_deleted_rows.enqueue()
    assert result.return_value == {"goal": 0, "indicator": 0, "activity": 1, "story": 0}
    assert not Activity.all_objects.filter(pk=activity.pk).exists()


def test_counts_through_joins_leave_out_deleted_rows(world: dict[str, Any]) -> None:
    delete_goal(goal=world["goal"])
    # A plain Count("contributions") would still see the contribution to the deleted goal.
    assert Activity.objects.with_contribution_count().get().contribution_count == 0


def test_a_chain_step_and_a_milestone_do_not_show_a_deleted_indicator_or_goal(
    client: Client, org_a: Organisation, editor: User, world: dict[str, Any]
) -> None:
    activity, story, goal, indicator = world["activity"], world["story"], world["goal"], world["indicator"]
    assert isinstance(goal, Goal) and isinstance(indicator, Indicator)
    ChainStep.objects.create(
        activity=activity, level="outcome", description="Opiskelijat jäävät", indicator=indicator
    )
    Milestone.objects.create(story=story, year=2030, must_be_true="Verkosto toimii", goal=goal)
    client = signed_in(client, editor)
    activity_url = reverse("activities:detail", args=[org_a.slug, activity.pk])
    story_url = reverse("futures:story_detail", args=[org_a.slug, story.pk])
    assert "Vieraskieliset opiskelijat" in client.get(activity_url).content.decode()
    assert "Vetovoima kasvaa" in client.get(story_url).content.decode()

    indicator.soft_delete(by=editor)
    delete_goal(goal=goal, children=DeleteChildren.SUBTREE, by=editor)

    activity_page = client.get(activity_url).content.decode()
    assert "Opiskelijat jäävät" in activity_page and "Its indicator was deleted." in activity_page
    assert "Vieraskieliset opiskelijat" not in activity_page
    assert reverse("indicators:detail", args=[org_a.slug, indicator.pk]) not in activity_page
    story_page = client.get(story_url).content.decode()
    assert "Verkosto toimii" in story_page and "its goal was deleted" in story_page
    assert "Vetovoima kasvaa" not in story_page
    assert reverse("goals:goal_detail", args=[org_a.slug, goal.pk]) not in story_page

    # Restored, they show again under their names.
    client.post(reverse("organisations:deleted_restore", args=[org_a.slug, "indicator", indicator.pk]))
    client.post(reverse("organisations:deleted_restore", args=[org_a.slug, "goal", goal.pk]))
    assert "Vieraskieliset opiskelijat" in client.get(activity_url).content.decode()
    assert "Vetovoima kasvaa" in client.get(story_url).content.decode()


def test_recently_deleted_is_linked_from_the_organisation_home_for_editors_only(
    client: Client, org_a: Organisation, editor: User
) -> None:
    deleted_url = reverse("organisations:deleted", args=[org_a.slug])
    home = reverse("organisation_home", args=[org_a.slug])
    assert f'href="{deleted_url}"' in signed_in(client, editor).get(home).content.decode()
    viewer = make_member(organisation=org_a, role=Role.VIEWER)
    assert f'href="{deleted_url}"' not in signed_in(Client(), viewer).get(home).content.decode()
