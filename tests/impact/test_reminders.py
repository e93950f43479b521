"""Reminders: the due rules against hand-computed dates, recipients, digests, the preference link."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from impact.digests import preference_token, send_digests, user_from_token
from impact.reminders import Kind, digest_is_due, due_items, recipients, target_needs_successor, value_due_on
from impact.rules import report_due_on
from indicators.models import Indicator, Observation, Target
from organisations.models import Role, User
from tests.factories import make_member, make_organisation, make_user

D = dt.date


def test_value_due_dates() -> None:
    # A yearly statistic published in May (lag 5 months): the 2024 value is due on 1 June 2025.
    assert value_due_on(
        latest_period=D(2023, 1, 1),
        baseline_period=None,
        periodicity="year",
        lag_months=5,
        today=D(2025, 1, 1),
    ) == (D(2024, 1, 1), D(2025, 6, 1))
    # Quarters, with a lag across the year end: Q4/2024 + 2 months → 1 March 2025.
    assert value_due_on(
        latest_period=D(2024, 7, 1),
        baseline_period=None,
        periodicity="quarter",
        lag_months=2,
        today=D(2025, 1, 1),
    ) == (D(2024, 10, 1), D(2025, 3, 1))
    # Months: February of a leap year, no lag → due 1 March.
    assert value_due_on(
        latest_period=D(2024, 1, 1),
        baseline_period=None,
        periodicity="month",
        lag_months=0,
        today=D(2024, 3, 1),
    ) == (D(2024, 2, 1), D(2024, 3, 1))
    # Two-year periods follow the baseline.
    assert value_due_on(
        latest_period=None,
        baseline_period=D(2021, 1, 1),
        periodicity="two_years",
        lag_months=3,
        today=D(2024, 1, 1),
    ) == (D(2023, 1, 1), D(2025, 4, 1))


def test_report_and_target_rules() -> None:
    assert report_due_on(
        status="ongoing", start_date=D(2023, 8, 31), last_report=None, interval_months=6
    ) == D(2024, 2, 29)  # leap year
    assert target_needs_successor(target_periods=[D(2025, 1, 1), D(2030, 1, 1)], today=D(2025, 6, 1)) is None
    assert target_needs_successor(target_periods=[D(2025, 1, 1)], today=D(2025, 6, 1)) == D(2025, 1, 1)


def test_digest_frequency() -> None:
    monday, tuesday = D(2026, 11, 23), D(2026, 11, 24)
    assert digest_is_due(User(digest="daily"), tuesday)
    assert not digest_is_due(User(digest="daily", last_digest_on=tuesday), tuesday)
    assert digest_is_due(User(digest="weekly"), monday)
    assert not digest_is_due(User(digest="weekly"), tuesday)
    assert not digest_is_due(User(digest="off"), monday)


@pytest.fixture
def setting(db: None) -> dict[str, object]:
    org = make_organisation(name="Kaarnala", slug="kaarnala-test")
    other = make_organisation(name="Naapuri", slug="naapuri-test")
    responsible = make_member(
        organisation=org, role=Role.EDITOR, user=make_user(language="sv", digest="daily")
    )
    editor = make_member(organisation=org, role=Role.EDITOR, user=make_user(language="en", digest="daily"))
    admin = make_member(organisation=org, role=Role.ADMIN, user=make_user(digest="daily"))
    stranger = make_member(organisation=other, role=Role.EDITOR, user=make_user(digest="daily"))
    mine = Indicator.objects.create(
        organisation=org,
        name_fi="Työllisyysaste",
        chain_level="outcome",
        data_lag_months=5,
        responsible=responsible,
    )
    Observation.objects.create(indicator=mine, period=D(2023, 1, 1), value=Decimal("70"))
    nobody = Indicator.objects.create(organisation=org, name_fi="Yöpymiset", chain_level="outcome")
    Observation.objects.create(indicator=nobody, period=D(2024, 1, 1), value=Decimal("5"))
    Target.objects.create(indicator=nobody, period=D(2025, 1, 1), value=Decimal("9"))
    theirs = Indicator.objects.create(organisation=other, name_fi="Salainen mittari", chain_level="outcome")
    return {
        "org": org,
        "responsible": responsible,
        "editor": editor,
        "admin": admin,
        "stranger": stranger,
        "mine": mine,
        "nobody": nobody,
        "theirs": theirs,
    }


def test_due_items_and_recipients(setting: dict[str, object]) -> None:
    today = D(2025, 6, 15)
    with translation.override("en"):
        items = due_items(today=today, organisations=[setting["org"]])  # type: ignore[list-item]
    titles = {(item.kind, item.title) for item in items}
    assert (Kind.VALUE, "Value of Työllisyysaste for 2024") in titles
    assert (Kind.TARGET, "Next target for Yöpymiset (the current one ends in 2025)") in titles
    assert all(item.organisation == setting["org"] for item in items)
    by_user = recipients(items)
    responsible, editor = setting["responsible"], setting["editor"]
    mine = [i.title for i in by_user[responsible.pk]]  # type: ignore[attr-defined]
    theirs = [i.title for i in by_user[editor.pk]]  # type: ignore[attr-defined]
    # The responsible person's item goes to them alone; an item with nobody responsible goes to every editor
    # (and not to the admin while the organisation has editors).
    assert "Value of Työllisyysaste for 2024" in mine and "Value of Työllisyysaste for 2024" not in theirs
    assert "Next target for Yöpymiset (the current one ends in 2025)" in mine
    assert "Next target for Yöpymiset (the current one ends in 2025)" in theirs
    assert setting["admin"].pk not in by_user  # type: ignore[attr-defined]


def test_digests_are_sent_once_a_day_in_each_persons_language(setting: dict[str, object]) -> None:
    today = D(2025, 6, 16)  # a Monday
    sent = send_digests(today)
    people = {setting[key].pk: key for key in ("responsible", "editor", "stranger")}  # type: ignore[attr-defined]
    assert {d.user.pk for d in sent} == set(people)
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[setting["editor"].email].startswith("Reminder")  # type: ignore[attr-defined]
    assert subjects[setting["responsible"].email].startswith("Påminnelse")  # type: ignore[attr-defined]
    for message in mail.outbox:
        # A digest never names another organisation's items.
        if message.to == [setting["stranger"].email]:  # type: ignore[attr-defined]
            assert "Salainen mittari" in message.body and "Kaarnala" not in message.body
        else:
            assert "Salainen mittari" not in message.body and "Naapuri" not in message.body
    assert send_digests(today) == []  # a second run the same day sends nothing
    assert len(mail.outbox) == 3


def test_send_reminders_command_dry_run(
    setting: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("send_reminders", "--dry-run", "--date", "2025-06-16")
    out = capsys.readouterr().out
    assert "Työllisyysaste" in out and "would send" in out
    assert mail.outbox == []


def test_preference_link(setting: dict[str, object], client: Client) -> None:
    person: User = setting["editor"]  # type: ignore[assignment]
    token = preference_token(person)
    assert user_from_token(token) == person
    assert user_from_token(token + "x") is None
    url = reverse("digest_preference", args=[token])
    assert client.get(url).status_code == 200
    assert client.post(url, {"digest": "off"}).status_code == 200
    person.refresh_from_db()
    assert person.digest == "off"
    forged = reverse("digest_preference", args=["not-a-token"])
    assert client.post(forged, {"digest": "off"}).status_code == 404


def test_start_page_lists_what_is_due(setting: dict[str, object], client: Client) -> None:
    client.force_login(setting["responsible"])  # type: ignore[arg-type]
    body = client.get(reverse("start")).content.decode()
    assert "Työllisyysaste" in body
    assert "Salainen mittari" not in body


def test_the_scheduler_enqueues_the_daily_run_once(setting: dict[str, object]) -> None:
    from zoneinfo import ZoneInfo

    from impact.management.commands.scheduler import enqueue_due_jobs

    helsinki = ZoneInfo("Europe/Helsinki")
    assert enqueue_due_jobs(dt.datetime(2025, 6, 16, 5, 59, tzinfo=helsinki)) == []
    assert enqueue_due_jobs(dt.datetime(2025, 6, 16, 6, 1, tzinfo=helsinki)) == [
        "daily_reminders",
        "daily_purge",
    ]
    assert enqueue_due_jobs(dt.datetime(2025, 6, 16, 9, 0, tzinfo=helsinki)) == []  # once a day
    assert len(mail.outbox) >= 1  # the immediate task backend ran the reminders
