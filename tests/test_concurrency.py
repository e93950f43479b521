"""Optimistic concurrency on every edit form: two editors open the same version; the first one saves; the
second one's save is refused with the conflict message in the role="status" live region, and the form
comes back with what the second editor typed.

The form is read from the edit page as a browser would submit it (every input, select and textarea), so a
new edit view only needs a line in EDIT_VIEWS.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db.models import F, Model
from django.test import Client

from futures.models import Driver, FuturesTable, Implication, WeakSignal
from impact.models import ActivitySettings, ChainStep, PartnershipReview
from organisations.base import conflict_message
from organisations.models import Membership, Organisation, Role, User
from tests.conftest import signed_in
from tests.factories import make_member, make_user
from tests.futures.factories import make_story, make_table
from tests.goals.factories import make_goal, make_strategy
from tests.impact.factories import make_activity, make_contribution, make_report
from tests.indicators.indicator_factories import make_indicator

pytestmark = pytest.mark.django_db

TYPED = "Typed by the second editor"


class _Form(HTMLParser):
    """The fields of the first POST form on a page that carries a version (what a browser would send)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._current: dict[str, Any] | None = None
        self._select: str | None = None
        self._textarea: str | None = None
        self._first_option: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._current = {"action": a.get("action", ""), "fields": [], "texts": [], "textareas": set()}
            self.forms.append(self._current)
        if self._current is None:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self._current["fields"].append((name, a.get("value", "on")))
            elif kind not in {"submit", "button", "file"}:
                self._current["fields"].append((name, a.get("value", "")))
                if kind == "text" and not name.endswith(("TOTAL_FORMS", "INITIAL_FORMS")):
                    self._current["texts"].append(name)
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            self._first_option.setdefault(self._select, a.get("value", ""))
            if "selected" in a:
                self._current["fields"].append((self._select, a.get("value", "")))
                self._first_option[self._select] = "\0chosen"
        elif tag == "textarea" and name:
            self._textarea = name
            self._current["fields"].append((name, ""))
            self._current["texts"].append(name)
            self._current["textareas"].add(name)

    def handle_data(self, data: str) -> None:
        if self._textarea and self._current is not None:
            name, value = self._current["fields"][-1]
            self._current["fields"][-1] = (name, value + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select and self._current is not None:
            first = self._first_option.get(self._select, "")
            if first != "\0chosen" and "multiple" not in self._select:
                self._current["fields"].append((self._select, first))
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._current = None


def stale_form(page: str) -> tuple[dict[str, list[str]], str]:
    """The data of the versioned form on the page with TYPED in its first text field."""
    parser = _Form()
    parser.feed(page)
    form = next(
        f for f in parser.forms if any(n.endswith("version") or n == "loaded" for n, _v in f["fields"])
    )
    data: dict[str, list[str]] = {}
    for name, value in form["fields"]:
        if name != "csrfmiddlewaretoken":
            data.setdefault(name, []).append(value)
    texts = [n for n in form["texts"] if not n.endswith(("version", "loaded"))]
    # A textarea or a plain text input (a date typed as text would only be invalid).
    text = next((n for n in texts if n in form["textareas"]), None) or next(iter(texts), None)
    if text is None:
        return data, ""  # a form of choices only: nothing typed to keep
    data[text] = [TYPED]
    return data, text


def _announced(body: str) -> bool:
    """The conflict message is in a role="status" live region (the page's own, or the one an htmx
    response swaps into it out of band)."""
    regions = re.findall(r'<div id="live-region" role="status"[^>]*>(.*?)</div>', body, re.S)
    return any(conflict_message() in region for region in regions)


@dataclass
class Setup:
    org: Organisation
    editor: User
    other: Model  # the row the other editor saves first
    url: str


def _org_objects(org: Organisation) -> dict[str, Any]:
    strategy = make_strategy(organisation=org)
    goal = make_goal(strategy=strategy)
    activity = make_activity(organisation=org, kind="twin_town")
    story = make_story(organisation=org)
    return {"strategy": strategy, "goal": goal, "activity": activity, "story": story}


EditView = Callable[[Organisation, dict[str, Any]], tuple[Model, str]]


def _p(org: Organisation, *parts: object) -> str:
    return "/o/" + org.slug + "/" + "/".join(str(p) for p in parts) + "/"


EDIT_VIEWS: dict[str, EditView] = {
    "goals:strategy_edit": lambda o, x: (x["strategy"], _p(o, "goals/strategies", x["strategy"].pk, "edit")),
    "goals:goal_edit": lambda o, x: (x["goal"], _p(o, "goals", x["goal"].pk, "edit")),
    "indicators:edit": lambda o, x: (
        (i := make_indicator(organisation=o, name="Mittari")),
        _p(o, "indicators", i.pk, "edit"),
    ),
    "activities:edit": lambda o, x: (x["activity"], _p(o, "activities", x["activity"].pk, "edit")),
    "activities:settings": lambda o, x: (
        ActivitySettings.objects.get_or_create(organisation=o)[0],
        _p(o, "activities/settings"),
    ),
    "activities:step_edit": lambda o, x: (
        (s := ChainStep.objects.create(activity=x["activity"], level="output", description="Step")),
        _p(o, "activities", x["activity"].pk, "chain", s.pk, "edit"),
    ),
    "activities:contribution_edit": lambda o, x: (
        (c := make_contribution(activity=x["activity"], goal=x["goal"], rationale="Why")),
        _p(o, "activities", x["activity"].pk, "goals", c.pk, "edit"),
    ),
    "activities:report_edit": lambda o, x: (
        (r := make_report(activity=x["activity"])),
        _p(o, "activities", x["activity"].pk, "reports", r.pk, "edit"),
    ),
    "activities:review_edit": lambda o, x: (
        (
            r := PartnershipReview.objects.create(
                activity=x["activity"],
                reviewed_on=dt.date(2025, 1, 1),
                shared_goals=True,
                joint_action_plan=True,
                decision="keep",
                last_joint_activity="Visit",
                reason="Shared goals",
            )
        ),
        _p(o, "activities", x["activity"].pk, "reviews", r.pk, "edit"),
    ),
    "futures:story_edit": lambda o, x: (x["story"], _p(o, "futures/stories", x["story"].pk, "edit")),
    "futures:implication_edit": lambda o, x: (
        (i := Implication.objects.create(story=x["story"], goal=x["goal"], kind="threat", strength=2)),
        _p(o, "futures/stories", x["story"].pk, "implications", i.pk),
    ),
    "futures:driver_edit": lambda o, x: (
        (d := Driver.objects.create(organisation=o, name="Driver")),
        _p(o, "futures/drivers", d.pk),
    ),
    "futures:signal_edit": lambda o, x: (
        (s := WeakSignal.objects.create(organisation=o, signal="Signal", observed_on=dt.date(2025, 1, 1))),
        _p(o, "futures/signals", s.pk),
    ),
    "futures:table_edit": lambda o, x: (
        (t := FuturesTable.objects.create(organisation=o, name="Table")),
        _p(o, "futures/tables", t.pk, "edit"),
    ),
    "organisations:settings": lambda o, x: (o, _p(o, "settings")),
}


def _another_save(row: Model) -> None:
    """The first editor's save: the row moves on to the next version."""
    type(row)._base_manager.filter(pk=row.pk).update(version=F("version") + 1)


@pytest.mark.parametrize("name", sorted(EDIT_VIEWS))
def test_the_second_of_two_stale_saves_gets_a_conflict_and_keeps_its_input(
    client: Client, org_a: Organisation, name: str
) -> None:
    editor = make_member(organisation=org_a, role=Role.ADMIN, user=make_user(language="en"))
    row, url = EDIT_VIEWS[name](org_a, _org_objects(org_a))
    client = signed_in(client, editor)
    page = client.get(url)
    assert page.status_code == 200, (name, page.status_code)
    data, field = stale_form(page.content.decode())

    _another_save(row)
    before = type(row)._base_manager.filter(pk=row.pk).values().get()
    # As the page's htmx sends it: the answer swaps the form and, out of band, the live region.
    response = client.post(url, data, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert response.status_code == 409, (name, response.status_code, body[:500])
    assert _announced(body), name
    if field:
        assert TYPED in body, (name, field)  # the form keeps what the second editor typed
    assert type(row)._base_manager.filter(pk=row.pk).values().get() == before  # nothing overwritten

    # Having checked the message, the second editor saves the returned form again: it goes through (the
    # form now carries the version that was saved), instead of conflicting again and again.
    again, _field = stale_form(body)
    resaved = client.post(url, again, headers={"HX-Request": "true"})
    assert resaved.status_code in {200, 204, 302}, (name, resaved.status_code, resaved.content[:500])
    after = type(row)._base_manager.filter(pk=row.pk).values().get()
    assert after["version"] == before["version"] + 1, name
    if field:
        assert TYPED in str(after.values()), (name, field)


def test_the_account_settings_refuse_a_stale_save_too(client: Client) -> None:
    user = make_user(language="en", name="First name")
    client = signed_in(client, user)
    data, _field = stale_form(client.get("/accounts/settings/").content.decode())
    type(user).objects.filter(pk=user.pk).update(name="Saved in another tab")
    response = client.post("/accounts/settings/", data)
    assert response.status_code == 409
    assert _announced(response.content.decode()) and TYPED in response.content.decode()
    user.refresh_from_db()
    assert user.name == "Saved in another tab"


def test_a_members_role_change_is_checked_too(client: Client, org_a: Organisation) -> None:
    admin = make_member(organisation=org_a, role=Role.ADMIN, user=make_user(language="en"))
    member = Membership.objects.get(user=make_member(organisation=org_a, role=Role.VIEWER))
    client = signed_in(client, admin)
    url = f"/o/{org_a.slug}/members/{member.pk}/role/"
    prefix = f"m{member.pk}"
    stale = {f"{prefix}-role": Role.EDITOR, f"{prefix}-version": member.version}
    Membership.objects.filter(pk=member.pk).update(version=F("version") + 1)  # the other admin's save
    response = client.post(url, stale, headers={"HX-Request": "true"})
    assert response.status_code == 200  # the row is swapped in place, the message goes out of band
    assert _announced(response.content.decode())
    member.refresh_from_db()
    assert member.role == Role.VIEWER


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "page"])
@pytest.mark.parametrize("what", ["variable", "value"])
def test_renaming_a_futures_tables_variable_or_value_is_checked_too(
    client: Client, org_a: Organisation, what: str, htmx: bool
) -> None:
    """The table editor's row forms post to their own URLs (not the page's), so they are walked here."""
    editor = make_member(organisation=org_a, role=Role.EDITOR, user=make_user(language="en"))
    table, values = make_table(organisation=org_a, variables={"Väestö": ["Kasvaa", "Supistuu"]})
    value = values["Kasvaa"]
    row: Model = value.variable if what == "variable" else value
    field = "name" if what == "variable" else "label"
    client = signed_in(client, editor)
    page = client.get(f"/o/{org_a.slug}/futures/tables/{table.pk}/").content.decode()
    prefix = f"{what}-{row.pk}"
    assert f'name="{prefix}-version" value="1"' in page  # the row form carries the version it shows

    stale = {what: row.pk, f"{prefix}-{field}": TYPED, f"{prefix}-version": 1}
    if what == "variable":
        stale[f"{prefix}-driver"] = ""
    _another_save(row)
    before = type(row)._base_manager.filter(pk=row.pk).values().get()
    url = f"/o/{org_a.slug}/futures/tables/{table.pk}/{what}s/change/"
    response = client.post(url, stale, headers={"HX-Request": "true"} if htmx else {})

    body = response.content.decode()
    assert response.status_code == 409, body[:500]
    assert _announced(body) and TYPED in body
    assert type(row)._base_manager.filter(pk=row.pk).values().get() == before

    # With the version the editor now sees, the same input is saved.
    current = {**stale, f"{prefix}-version": 2}
    saved = client.post(url, current, headers={"HX-Request": "true"} if htmx else {})
    assert saved.status_code in {200, 302}
    assert type(row)._base_manager.filter(pk=row.pk).values_list(field, "version").get() == (TYPED, 3)
