"""Invitations with consent and a confirmed change of address, in a real browser: the admin invites two
people who already have accounts and cancels one invitation with the keyboard only; the other person
signs in through the emailed link and accepts; then changes their address through the link sent to it."""

from __future__ import annotations

import re

from django.core import mail
from playwright.sync_api import Page, expect

from organisations.models import Invitation, Membership, Organisation, Role, User
from tests.e2e.conftest import check_current_page, check_page, sign_in, sign_out, url
from tests.factories import PASSWORD, make_member, make_user


def _link(message: mail.EmailMessage, pattern: str) -> str:
    found = re.search(r"https?://[^/\s]+(" + pattern + r")", str(message.body))
    assert found, message.body
    return found.group(1)


def _invite(page: Page, email: str) -> None:
    add = page.locator("section[aria-labelledby=add-heading] form")
    add.locator("#id_email").fill(email)
    add.locator("#id_role").select_option("editor")
    add.locator("button[type=submit]").click()
    expect(page.locator("#live-region")).to_contain_text("sent them an invitation")


def test_invite_cancel_accept_and_change_the_address(
    page: Page, org_a: Organisation, org_b: Organisation, mailoutbox: list[mail.EmailMessage]
) -> None:
    admin = make_member(organisation=org_a, user=make_user(name="Aino Admin", language="en"), role=Role.ADMIN)
    pia = make_user(username="pia", name="Pia Beetala", email="pia@beetala.fi", language="en")
    make_member(organisation=org_b, user=pia)
    make_member(organisation=org_b, user=make_user(username="olli", email="olli@beetala.fi"))

    sign_in(page, admin)
    page.goto(url("organisations:member_list", "aakkosla"))
    _invite(page, "pia@beetala.fi")
    _invite(page, "olli@beetala.fi")
    invitations = page.locator("section[aria-labelledby=invitations-heading]")
    expect(invitations.locator("tbody tr")).to_have_count(2)
    assert not Membership.objects.filter(organisation=org_a, user=pia).exists()
    check_current_page(page, "members-with-invitations")

    # Cancel Olli's invitation with the keyboard only: Tab to its link, Enter, Tab to the button, Enter.
    olli_invitation = Invitation.objects.get(email="olli@beetala.fi")
    cancel = page.locator(f"#invitation-{olli_invitation.pk} a")
    cancel.focus()
    expect(cancel).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(
        re.compile(re.escape(url("organisations:invitation_cancel", "aakkosla", olli_invitation.pk)) + "$")
    )
    check_current_page(page, "invitation-cancel")
    confirm = page.locator("main form button[type=submit]")
    for _ in range(40):
        page.keyboard.press("Tab")
        if confirm.evaluate("el => el === document.activeElement"):
            break
    expect(confirm).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(url("organisations:member_list", "aakkosla")) + "$"))
    expect(page.locator("#live-region")).to_contain_text("olli@beetala.fi was cancelled")
    expect(invitations.locator("tbody tr")).to_have_count(1)
    olli_invitation.refresh_from_db()
    assert olli_invitation.status == Invitation.Status.CANCELLED

    # Pia follows the link in her email: sign-in first, then the invitation.
    sign_out(page)
    to_pia = [m for m in mailoutbox if m.to == ["pia@beetala.fi"]]
    path = _link(to_pia[0], r"/accounts/invitations/[^/\s]+/")
    page.goto(path)
    expect(page).to_have_url(re.compile(re.escape(url("login")) + r"\?next="))
    page.locator("#id_login").fill("pia")
    page.locator("#id_password").fill(PASSWORD)
    page.locator(f"main form[action^='{url('login')}'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    check_current_page(page, "invitation-answer")
    page.get_by_role("button", name="Accept the invitation").click()
    expect(page).to_have_url(re.compile(re.escape(url("organisation_home", "aakkosla")) + "$"))
    expect(page.locator("#live-region")).to_contain_text("You are now a member of Aakkosla")
    assert Membership.objects.get(organisation=org_a, user=pia).role == Role.EDITOR

    # Her new address takes effect only through the link sent to it.
    check_page(page, url("organisations:email_change"), "email-change")
    page.locator("#id_email").fill("pia.uusi@beetala.fi")
    page.locator("#id_current_password").fill("not-her-password")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#id_current_password")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_email")).to_have_value("pia.uusi@beetala.fi")  # kept after the error
    check_current_page(page, "email-change-invalid")
    page.locator("#id_current_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(url("organisations:account")) + "$"))
    expect(page.locator("#live-region")).to_contain_text("pia.uusi@beetala.fi")
    pia.refresh_from_db()
    assert pia.email == "pia@beetala.fi"
    page.goto(_link(mailoutbox[-1], r"/accounts/settings/email/[^/\s]+/"))
    check_current_page(page, "email-confirm")
    page.get_by_role("button", name="Confirm the new address").click()
    expect(page.locator("#live-region")).to_contain_text("Your email address is now pia.uusi@beetala.fi")
    assert User.objects.get(pk=pia.pk).email == "pia.uusi@beetala.fi"
    assert mailoutbox[-1].to == ["pia@beetala.fi"]  # the old address is told
