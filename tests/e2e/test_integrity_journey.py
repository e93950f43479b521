"""Soft delete, restore and history in a real browser: an editor deletes an activity after its
confirmation, finds it in Recently deleted through the organisation's links, restores it with the
keyboard and reads both events on its history page; axe-core on the confirmation, Recently deleted and
the history page at desktop and phone widths."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from impact.models import Activity
from organisations.models import Organisation, Role, User
from tests.e2e.conftest import check_current_page, sign_in, url, wait_for_htmx
from tests.factories import make_member, make_user
from tests.impact.factories import make_activity

NAME = "Talent Bridge Aakkosla"


@pytest.fixture
def editor(org_a: Organisation) -> User:
    return make_member(
        organisation=org_a, role=Role.EDITOR, user=make_user(name="Eero Editori", language="en")
    )


def tab_to(page: Page, selector: str, *, limit: int = 80) -> None:
    """Press Tab until the element matching the selector has the focus (keyboard only, no clicks)."""
    for _ in range(limit):
        if page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_delete_an_activity_restore_it_with_the_keyboard_and_read_its_history(
    page: Page, org_a: Organisation, editor: User
) -> None:
    activity = make_activity(organisation=org_a, name=NAME)
    make_activity(organisation=org_a, name="Toinen hanke")  # stays in the list throughout
    sign_in(page, editor)
    activity_list = page.locator("main").get_by_role("link", name=NAME)

    # Delete, after the confirmation page says what goes with it.
    page.goto(url("activities:detail", org_a.slug, activity.pk))
    page.locator("main").get_by_role("button", name="Delete the activity").click()
    expect(page).to_have_url(re.compile(re.escape(url("activities:delete", org_a.slug, activity.pk)) + "$"))
    expect(page.locator("#delete-confirm")).to_contain_text("Recently deleted")
    check_current_page(page, "activity-delete-confirm")
    page.locator("#delete-confirm button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(url("activities:list", org_a.slug)) + "$"))
    expect(page.locator("#live-region")).to_contain_text(f"The activity {NAME} was deleted")
    expect(page.locator("main").get_by_role("link", name="Toinen hanke")).to_be_visible()
    expect(activity_list).to_have_count(0)
    assert Activity.all_objects.get(pk=activity.pk).deleted_at is not None

    # Recently deleted is one of the organisation's links for an editor.
    page.goto(url("organisation_home", org_a.slug))
    page.get_by_role("navigation", name="Parts of the organisation").get_by_role(
        "link", name="Recently deleted"
    ).click()
    expect(page).to_have_url(re.compile(re.escape(url("organisations:deleted", org_a.slug)) + "$"))
    row = page.locator("main tbody tr").filter(has_text=NAME)
    expect(row).to_have_count(1)
    check_current_page(page, "recently-deleted")

    # Restore with the keyboard: Tab to the row's button, Enter.
    restore = (
        f"form[action='{url('organisations:deleted_restore', org_a.slug, 'activity', activity.pk)}'] button"
    )
    tab_to(page, restore)
    page.keyboard.press("Enter")
    expect(page.locator("#live-region")).to_contain_text(f"“{NAME}” was restored.")
    expect(page.locator("main tbody tr").filter(has_text=NAME)).to_have_count(0)
    page.goto(url("activities:list", org_a.slug))
    expect(activity_list).to_be_visible()

    # Its history tells both events, newest first.
    activity_list.click()
    wait_for_htmx(page)
    page.locator("main").get_by_role("button", name="History", exact=True).click()
    expect(page).to_have_url(
        re.compile(re.escape(url("organisations:history", org_a.slug, "activity", activity.pk)) + "$")
    )
    events = page.locator("main .history-table tbody th[scope=row]")
    expect(events.filter(has_text=re.compile(r": restored$"))).to_have_count(1)
    expect(events.filter(has_text=re.compile(r": deleted$"))).to_have_count(1)
    texts = events.all_inner_texts()
    assert [t.rsplit(": ", 1)[1] for t in texts if t.endswith((": restored", ": deleted"))] == [
        "restored",
        "deleted",
    ]
    history_rows = page.locator("main .history-table tbody tr")
    expect(history_rows.filter(has_text="restored")).to_contain_text("Eero Editori")
    check_current_page(page, "activity-history")
