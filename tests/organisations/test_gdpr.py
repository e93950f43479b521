"""Personal data: erasing a person keeps the history whole but unreadable as them; an organisation that
leaves gets all its data as one archive of CSV and XLSX files."""

from __future__ import annotations

import csv
import io
import zipfile

import pghistory
import pghistory.models
import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from openpyxl import load_workbook

from impact.models import Activity
from organisations.gdpr import erase_person
from organisations.models import Membership, Organisation, Role, User
from tests.conftest import signed_in
from tests.factories import make_member, make_user
from tests.goals.factories import make_goal, make_strategy
from tests.impact.factories import make_activity, make_contribution, make_report
from tests.indicators.indicator_factories import add_target, add_values, make_indicator

pytestmark = pytest.mark.django_db

IDENTITY = ("Maija Meikäläinen", "maija.meikalainen@kaarnala.example", "maija.m")


@pytest.fixture
def person(org_a: Organisation) -> User:
    return make_member(
        organisation=org_a,
        role=Role.EDITOR,
        user=make_user(username=IDENTITY[2], name=IDENTITY[0], email=IDENTITY[1], language="en"),
    )


def test_erase_person_anonymises_them_and_the_history_still_renders(
    client: Client, org_a: Organisation, person: User
) -> None:
    activity = make_activity(organisation=org_a, name="Talent Bridge")
    with pghistory.context(user=person.pk):
        Activity.objects.filter(pk=activity.pk).update(name="Talent Bridge II", responsible=person)
    person.name = "Maija M. Meikäläinen"
    person.save()  # an older version of the identity in the user's own history

    out = io.StringIO()
    call_command("erase_person", IDENTITY[1].upper(), stdout=out)  # by email, case-insensitive
    assert f"erased user {person.pk}" in out.getvalue()

    person.refresh_from_db()
    assert person.is_erased and not person.is_active and not person.has_usable_password()
    assert (person.name, person.email, person.username) == ("", "", f"erased-{person.pk}")
    assert person.display_name == "erased person"
    assert not Membership.objects.filter(user=person).exists()  # the rule: memberships are removed
    # Nothing in the user's own audit events identifies them any more.
    user_events = apps.get_model("organisations", "UserEvent").objects.filter(pgh_obj_id=person.pk)
    for value in user_events.values_list("username", "email", "name", "first_name", "last_name"):
        assert not set(value) & {*IDENTITY, "Maija M. Meikäläinen"}, value

    # The activity's history still renders, with the change attributed to "erased person".
    editor = make_member(organisation=org_a, role=Role.EDITOR, user=make_user(language="en"))
    body = (
        signed_in(client, editor)
        .get(reverse("organisations:history", args=[org_a.slug, "activity", activity.pk]))
        .content.decode()
    )
    assert "erased person" in body and "Talent Bridge II" in body
    for part in ("Maija", "Meikäläinen", "meikalainen", "maija.m"):
        assert part not in body
    # The membership's removal is in the history too, and still points at the (anonymous) row.
    removal = apps.get_model("organisations", "MembershipEvent").objects.filter(pgh_label="delete")
    assert removal.filter(user_id=person.pk).exists()  # type: ignore[attr-defined]


def test_an_erased_person_cannot_sign_in(rf: RequestFactory, person: User) -> None:
    from tests.factories import PASSWORD

    assert authenticate(rf.post("/accounts/login/"), username=IDENTITY[2], password=PASSWORD) == person
    erase_person(person)
    for username in (IDENTITY[2], f"erased-{person.pk}"):
        assert authenticate(rf.post("/accounts/login/"), username=username, password=PASSWORD) is None


def test_export_organisation_writes_one_archive_with_every_table(
    tmp_path: object, org_a: Organisation, org_b: Organisation, person: User
) -> None:
    strategy = make_strategy(organisation=org_a)
    goal = make_goal(strategy=strategy, title='=HYPERLINK("http://evil")')
    indicator = make_indicator(organisation=org_a, name="Väkiluku")
    add_values(indicator, {2023: "1234.5"})
    add_target(indicator, 2029, 2000)
    activity = make_activity(organisation=org_a, name="Talent Bridge")
    make_contribution(activity=activity, goal=goal)
    make_report(activity=activity)
    make_activity(organisation=org_b, name="B secret")
    deleted = make_activity(organisation=org_a, name="Deleted one")
    deleted.soft_delete(by=None)

    path = f"{tmp_path}/a.zip"
    call_command("export_organisation", org_a.slug, path, stdout=io.StringIO())
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        for table in (
            "members", "strategies", "goals", "indicators", "values", "targets", "activities",
            "contributions", "progress_reports", "future_stories", "implications",
        ):  # fmt: skip
            assert {f"{table}.csv", f"{table}.xlsx"} <= names, table
        everything = "".join(archive.read(n).decode("utf-8-sig") for n in names if n.endswith(".csv"))
        goals = list(csv.reader(io.StringIO(archive.read("goals.csv").decode("utf-8-sig")), delimiter=";"))
        values_sheet = load_workbook(io.BytesIO(archive.read("values.xlsx"))).active
        assert values_sheet is not None
        value_rows = list(values_sheet.iter_rows(values_only=True))
    assert "Talent Bridge" in everything and IDENTITY[0] in everything
    assert "B secret" not in everything and "Deleted one" not in everything
    title_column = goals[0].index("title")
    assert goals[1][title_column] == '\'=HYPERLINK("http://evil")'  # formula-injection safe
    value_column = value_rows[0].index("value")
    assert value_rows[1][value_column] == pytest.approx(1234.5)  # numbers stay numbers


def test_the_archive_download_is_for_the_organisations_admins(
    client: Client, org_a: Organisation, org_b: Organisation, person: User
) -> None:
    url = reverse("organisations:export", args=[org_a.slug])
    assert signed_in(client, person).get(url).status_code == 403  # an editor
    admin = make_member(organisation=org_a, role=Role.ADMIN)
    client = signed_in(Client(), admin)
    settings_page = client.get(reverse("organisations:settings", args=[org_a.slug])).content.decode()
    assert url in settings_page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert f'filename="{org_a.slug}-' in response["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert "members.csv" in archive.namelist()
    assert client.get(reverse("organisations:export", args=[org_b.slug])).status_code == 404
