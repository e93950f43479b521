"""Audit history: one event per changed row with the user (save, QuerySet.update(), bulk import, delete),
the request in the event's context, and the history page per object for editors."""

from __future__ import annotations

from typing import Any

import pghistory
import pghistory.models
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from goals.models import Goal
from impact.models import Activity
from indicators.models import ImportRun, Observation
from organisations.models import Organisation, Role, User
from organisations.retention import purge_deleted
from tests.conftest import signed_in
from tests.factories import make_member, make_user
from tests.goals.factories import make_goal, make_strategy
from tests.impact.factories import make_activity
from tests.indicators.import_factories import csv_file, make_source_indicator

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(org_a: Organisation) -> User:
    return make_member(organisation=org_a, role=Role.EDITOR, user=make_user(name="Eeva Editori"))


def _events(obj: Any) -> list[Any]:
    return list(pghistory.models.Events.objects.tracks(obj).order_by("pgh_id"))


def test_a_form_save_records_one_event_with_the_user_and_the_request(
    client: Client, org_a: Organisation, editor: User
) -> None:
    activity = make_activity(organisation=org_a, name="Talent Bridge")
    before = len(_events(activity))
    client = signed_in(client, editor)
    page = client.get(reverse("activities:edit", args=[org_a.slug, activity.pk]))
    form = page.context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data |= {"name": "Talent Bridge 2", "version": activity.version}
    data |= {f"partners-{key}": value for key, value in {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0}.items()}
    response = client.post(reverse("activities:edit", args=[org_a.slug, activity.pk]), data)
    assert response.status_code in {200, 302}, response.content.decode()[:2000]
    activity.refresh_from_db()
    assert activity.name == "Talent Bridge 2"
    events = _events(activity)[before:]
    assert len(events) == 1
    assert events[0].pgh_context["user"] == editor.pk
    assert events[0].pgh_context["url"] == reverse("activities:edit", args=[org_a.slug, activity.pk])
    assert events[0].pgh_diff["name"] == ["Talent Bridge", "Talent Bridge 2"]


def test_queryset_update_records_one_event_per_changed_row_with_the_user(
    org_a: Organisation, editor: User
) -> None:
    strategy = make_strategy(organisation=org_a)
    goals = [make_goal(strategy=strategy, title=f"goal {n}") for n in range(3)]
    untouched = make_goal(strategy=strategy, title="other")
    with pghistory.context(user=editor.pk, url="/test/"):
        changed = Goal.objects.filter(pk__in=[g.pk for g in goals]).update(description="new")
    assert changed == 3
    for goal in goals:
        updates = [e for e in _events(goal) if e.pgh_label == "update"]
        assert len(updates) == 1 and updates[0].pgh_context["user"] == editor.pk
    assert [e.pgh_label for e in _events(untouched)] == ["insert"]


def test_a_soft_delete_in_a_request_records_the_user_and_the_url(
    client: Client, org_a: Organisation, editor: User
) -> None:
    activity = make_activity(organisation=org_a)
    url = reverse("activities:delete", args=[org_a.slug, activity.pk])
    signed_in(client, editor).post(url)
    last = _events(activity)[-1]
    assert last.pgh_label == "update" and last.pgh_diff["deleted_at"][0] is None
    assert (last.pgh_context["user"], last.pgh_context["url"]) == (editor.pk, url)


def test_a_bulk_import_run_by_the_worker_records_the_user_who_started_it(
    client: Client, org_a: Organisation, editor: User
) -> None:
    from indicators.tasks import process_run

    indicator = make_source_indicator(organisation=org_a, name="Väkiluku")
    client = signed_in(client, editor)
    rows = [
        ["Indicator", "Period", "Value"],
        *[["Väkiluku", str(year), str(year)] for year in range(2001, 2011)],
    ]
    upload = SimpleUploadedFile("v.csv", csv_file(rows).getvalue())
    client.post(reverse("indicator_imports:upload", args=[org_a.slug]), {"file": upload, "format": "auto"})
    run = ImportRun.objects.get()
    mapping = {"indicator": "Indicator", "period": "Period", "value": "Value"}
    client.post(reverse("indicator_imports:map", args=[org_a.slug, run.pk]), mapping)
    run.refresh_from_db()
    client.logout()

    process_run(run, write=True)  # as the worker does it: no request, no middleware

    observations = list(Observation.objects.filter(indicator=indicator))
    assert len(observations) == 10
    events = pghistory.models.Events.objects.tracks(observations)
    assert events.count() == 10  # one per row
    assert {(e.pgh_context["user"], e.pgh_context["import_run"]) for e in events} == {(editor.pk, run.pk)}


def test_a_purge_records_the_final_delete(org_a: Organisation) -> None:
    import datetime as dt

    from django.utils import timezone

    from organisations.base import RETENTION

    activity = make_activity(organisation=org_a)
    activity.soft_delete(by=None, at=timezone.now() - RETENTION - dt.timedelta(days=1))
    purge_deleted()
    assert not Activity.all_objects.filter(pk=activity.pk).exists()
    last = _events(activity)[-1]
    assert last.pgh_label == "delete" and last.pgh_context["purge"] is True


def test_the_history_page_shows_who_changed_which_field(
    client: Client, org_a: Organisation, editor: User
) -> None:
    activity = make_activity(organisation=org_a, name="Talent Bridge", status="planned")
    with pghistory.context(user=editor.pk):
        Activity.objects.filter(pk=activity.pk).update(status="ongoing", name="Talent Bridge II")
    activity.soft_delete(by=editor)
    page = signed_in(client, editor).get(
        reverse("organisations:history", args=[org_a.slug, "activity", activity.pk])
    )
    assert page.status_code == 200
    body = page.content.decode()
    # Field labels are the models' verbose names and choices their labels, in the user's language
    # (the editor reads Finnish); the person is named. Newest first.
    assert "<strong>Tila</strong>: <del>suunniteltu</del> → <ins>käynnissä</ins>" in body
    assert "<strong>Nimi</strong>: <del>Talent Bridge</del> → <ins>Talent Bridge II</ins>" in body
    assert "Eeva Editori" in body
    editor.language = "en"
    editor.save()
    body = client.get(
        reverse("organisations:history", args=[org_a.slug, "activity", activity.pk])
    ).content.decode()
    assert "<strong>Status</strong>: <del>planned</del> → <ins>ongoing</ins>" in body
    assert body.index("Activity: deleted") < body.index("Activity: changed") < body.index("Activity: created")


def test_the_history_includes_the_values_of_an_indicator(
    client: Client, org_a: Organisation, editor: User
) -> None:
    from decimal import Decimal

    from indicators.services import ValueEntry, record_values

    indicator = make_source_indicator(organisation=org_a, name="Väkiluku")
    import datetime as dt

    with pghistory.context(user=editor.pk):
        record_values(
            indicator_values=[
                ValueEntry(indicator=indicator, period=dt.date(2024, 1, 1), value=Decimal("1234.5"))
            ],
            by=editor,
        )
    editor.language = "en"
    editor.save(update_fields=["language"])
    body = (
        signed_in(client, editor)
        .get(reverse("organisations:history", args=[org_a.slug, "indicator", indicator.pk]))
        .content.decode()
    )
    assert "Value for 2024: created" in body and "Eeva Editori" in body


def test_the_history_is_for_editors_of_the_organisation_only(
    client: Client, org_a: Organisation, org_b: Organisation
) -> None:
    a_activity = make_activity(organisation=org_a, name="A activity")
    b_activity = make_activity(organisation=org_b, name="B secret activity")
    viewer = make_member(organisation=org_a, role=Role.VIEWER)
    assert (
        signed_in(client, viewer)
        .get(reverse("organisations:history", args=[org_a.slug, "activity", a_activity.pk]))
        .status_code
        == 403
    )
    client = signed_in(Client(), make_member(organisation=org_a, role=Role.EDITOR))
    for slug in (org_a.slug, org_b.slug):
        response = client.get(reverse("organisations:history", args=[slug, "activity", b_activity.pk]))
        assert response.status_code == 404 and "B secret" not in response.content.decode()
    assert client.get(reverse("organisations:history", args=[org_a.slug, "nonsense", 1])).status_code == 404


def test_every_object_page_links_to_its_history(client: Client, org_a: Organisation, editor: User) -> None:
    from tests.futures.factories import make_story

    goal = make_goal(strategy=make_strategy(organisation=org_a))
    indicator = make_source_indicator(organisation=org_a, name="Väkiluku")
    activity = make_activity(organisation=org_a)
    story = make_story(organisation=org_a)
    client = signed_in(client, editor)
    for page, kind, obj in (
        (reverse("goals:goal_detail", args=[org_a.slug, goal.pk]), "goal", goal),
        (reverse("indicators:detail", args=[org_a.slug, indicator.pk]), "indicator", indicator),
        (reverse("activities:detail", args=[org_a.slug, activity.pk]), "activity", activity),
        (reverse("futures:story_detail", args=[org_a.slug, story.pk]), "story", story),
    ):
        history = reverse("organisations:history", args=[org_a.slug, kind, obj.pk])
        assert history in client.get(page).content.decode(), kind
        assert client.get(history).status_code == 200, kind
