"""axe-core (WCAG 2.1 A and AA) on every page, at desktop and phone widths, for every role.

Each page is also photographed into /tmp/shots/ and must not scroll sideways on a phone; the console
watch of the `page` fixture fails a test on any CSP message or page error.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from organisations.models import Membership, Organisation, Role
from tests.e2e.conftest import check_current_page, check_page, sign_in, url
from tests.factories import PASSWORD, make_member, make_user

NEW_PASSWORD = "a-long-and-new-passphrase-42"


def test_public_pages(page: Page, org_a: Organisation, mailoutbox: list[mail.EmailMessage]) -> None:
    user = make_member(organisation=org_a)
    check_page(page, url("login"), "login")
    check_page(page, url("accessibility"), "accessibility")
    check_page(page, url("privacy"), "privacy")
    check_page(page, url("about_data"), "about-data")

    # Password reset, through every page of it.
    check_page(page, url("password_reset"), "password-reset")
    page.locator("main form input[type=email]").fill(user.email)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(url("password_reset_done")) + "$"))
    check_current_page(page, "password-reset-sent")
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", str(mailoutbox[0].body))
    assert link, mailoutbox[0].body
    page.goto(link.group(1))
    page.wait_for_url(re.compile(r"/set-password/$"))
    check_current_page(page, "password-reset-confirm")
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(url("password_reset_complete")) + "$"))
    check_current_page(page, "password-reset-complete")


def test_locked_out_page(page: Page, org_a: Organisation) -> None:
    user = make_member(organisation=org_a)
    page.goto(url("login"))
    statuses: list[int] = []
    # Wrong passwords until the sign-in is paused (the limit itself is pinned by the view tests).
    while page.locator("#id_password").count() and len(statuses) < 6:
        page.locator("#id_login").fill(user.username)
        page.locator("#id_password").fill("wrong-password")
        with page.expect_response(url("login")) as answer:
            page.locator("main form button[type=submit]").click()
        statuses.append(answer.value.status)
        page.wait_for_load_state()
    assert statuses[-1] == 429, statuses
    expect(page.locator(f"main a[href='{url('password_reset')}']")).to_be_visible()
    check_current_page(page, "locked-out")


def test_admin_pages(page: Page, org_a: Organisation) -> None:
    admin = make_member(organisation=org_a, user=make_user(name="Aino Admin"), role=Role.ADMIN)
    editor = make_member(organisation=org_a, user=make_user(name="Eero Editori"), role=Role.EDITOR)
    make_member(organisation=org_a, user=make_user(name="Veera Viewer"), role=Role.VIEWER)
    sign_in(page, admin)
    check_page(page, url("start"), "admin-start")
    check_page(page, url("organisation_home", "aakkosla"), "admin-organisation-home")
    check_page(page, url("organisations:member_list", "aakkosla"), "admin-members")
    membership = Membership.objects.get(user=editor)
    check_page(page, url("organisations:member_remove", "aakkosla", membership.pk), "admin-member-remove")
    check_page(page, url("organisations:settings", "aakkosla"), "admin-organisation-settings")
    check_page(page, url("organisations:account"), "admin-account")
    check_page(page, url("password_change"), "admin-password-change")

    # A form answered with errors (status 422) is a page people see too.
    page.goto(url("organisations:member_list", "aakkosla"))
    page.locator("#id_email").fill("not an address")
    with page.expect_response(url("organisations:member_list", "aakkosla")) as answer:
        page.locator("section[aria-labelledby=add-heading] button[type=submit]").click()
    assert answer.value.status == 422
    expect(page.locator("#id_email")).to_have_attribute("aria-invalid", "true")
    check_current_page(page, "admin-members-invalid")


def test_editor_pages(page: Page, org_a: Organisation) -> None:
    editor = make_member(organisation=org_a, role=Role.EDITOR)
    sign_in(page, editor)
    check_page(page, url("start"), "editor-start")
    check_page(page, url("organisation_home", "aakkosla"), "editor-organisation-home")
    check_page(page, url("organisations:account"), "editor-account")
    check_page(page, url("password_change"), "editor-password-change")
    # Member management is for administrators: the 403 page says why.
    check_page(page, url("organisations:member_list", "aakkosla"), "error-403", status=403)
    # Another organisation's page and a page that does not exist answer the same 404.
    check_page(page, url("organisation_home", "beetala"), "error-404", status=404)
    check_page(page, "/no-such-page/", "error-404-path", status=404)


def test_viewer_pages(page: Page, org_a: Organisation) -> None:
    viewer = make_member(organisation=org_a, role=Role.VIEWER)
    sign_in(page, viewer)
    check_page(page, url("start"), "viewer-start")
    check_page(page, url("organisation_home", "aakkosla"), "viewer-organisation-home")
    check_page(page, url("organisations:account"), "viewer-account")
    check_page(page, url("password_change"), "viewer-password-change")
    page.locator("#id_old_password").fill(PASSWORD)
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(url("password_change_done")) + "$"))
    check_current_page(page, "viewer-password-change-done")


def test_steward_pages(page: Page, association: Organisation) -> None:
    steward = make_member(organisation=association, role=Role.STEWARD)
    sign_in(page, steward)
    check_page(page, url("start"), "steward-start")
    check_page(page, url("organisation_home", "kuntaliitto"), "steward-organisation-home")
    check_page(page, url("organisations:account"), "steward-account")
    check_page(page, url("password_change"), "steward-password-change")
    check_page(page, url("organisations:settings", "kuntaliitto"), "steward-error-403", status=403)


def test_signed_in_person_without_organisations(page: Page, transactional_db: None) -> None:
    sign_in(page, make_user())
    check_page(page, url("start"), "no-organisation-start")


@pytest.mark.parametrize("language", ["sv", "en"])
def test_pages_in_swedish_and_english(page: Page, org_a: Organisation, language: str) -> None:
    admin = make_member(organisation=org_a, user=make_user(language=language), role=Role.ADMIN)
    page.goto(url("login"))
    page.locator(f"header button[name=language][value={language}]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    check_current_page(page, f"{language}-login")
    sign_in(page, admin)
    for name, path in [
        ("start", url("start")),
        ("organisation-home", url("organisation_home", "aakkosla")),
        ("members", url("organisations:member_list", "aakkosla")),
        ("organisation-settings", url("organisations:settings", "aakkosla")),
        ("account", url("organisations:account")),
    ]:
        check_page(page, path, f"{language}-{name}")
        expect(page.locator("html")).to_have_attribute("lang", language)
