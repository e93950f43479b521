"""Invitations with consent: a person who already has an account becomes a member of another organisation
only by accepting the invitation themselves, signed in with the verified address it was sent to."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pghistory.models
import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from organisations.gdpr import erase_person
from organisations.merge import merge_organisation
from organisations.models import Invitation, Membership, Organisation, Role, User
from organisations.services import MembershipError, accept_invitation, add_member
from organisations.tokens import EmailChange, email_change_token, invitation_id_from_token, invitation_token
from tests.factories import PASSWORD, make_member, make_organisation, make_user


@pytest.fixture
def admin(org_a: Organisation) -> User:
    return make_member(organisation=org_a, role=Role.ADMIN, user=make_user(language="en"))


@pytest.fixture
def pia(org_b: Organisation) -> User:
    """An editor of organisation B, with a verified address."""
    return make_member(
        organisation=org_b,
        role=Role.EDITOR,
        user=make_user(username="pia", email="Pia@Beetala.fi", language="en"),
    )


def _invite(admin: User, org: Organisation, email: str, role: str = Role.EDITOR) -> Any:
    client = Client()
    client.force_login(admin)
    return client.post(reverse("organisations:member_list", args=[org.slug]), {"email": email, "role": role})


def _link(message: Any) -> str:
    found = re.search(r"https?://[^/\s]+(/accounts/invitations/[^/\s]+/)", str(message.body))
    assert found, message.body
    return found.group(1)


def test_the_person_accepts_signed_in_and_gets_the_membership_once(
    org_a: Organisation, admin: User, pia: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert _invite(admin, org_a, "pia@beetala.fi").status_code == 302
    (message,) = mail.outbox
    path = _link(message)
    assert not Membership.objects.filter(user=pia, organisation=org_a).exists()

    # The link goes through sign-in.
    anonymous = Client().get(path)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))

    browser = Client()
    assert browser.post(reverse("login"), {"login": "pia", "password": PASSWORD}).status_code == 302
    page = browser.get(path)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Aakkosla" in body and 'value="accept"' in body and 'value="decline"' in body
    assert not Membership.objects.filter(user=pia, organisation=org_a).exists()  # a GET changes nothing

    accepted = browser.post(path, {"answer": "accept"})
    assert accepted.status_code == 302 and accepted["Location"] == reverse(
        "organisation_home", args=[org_a.slug]
    )
    membership = Membership.objects.get(user=pia, organisation=org_a)
    assert membership.role == Role.EDITOR and membership.created_by == pia
    invitation = Invitation.objects.get()
    assert (invitation.status, invitation.answered_by) == (Invitation.Status.ACCEPTED, pia)
    assert invitation.answered_at is not None
    # The audit history has the new membership, made by the person who accepted.
    (event,) = pghistory.models.Events.objects.tracks(membership).filter(pgh_label="insert")
    assert event.pgh_context["user"] == pia.pk

    # Twice (a double click, the link opened again): still one membership.
    assert browser.post(path, {"answer": "accept"}).status_code == 302
    assert accept_invitation(invitation_id=invitation.pk, user=pia) == membership
    assert Membership.objects.filter(user=pia, organisation=org_a).count() == 1
    assert "You have accepted this invitation" in browser.get(path).content.decode()
    pia.refresh_from_db()
    assert pia.home_organisation is not None and pia.home_organisation != org_a  # the home stays


def test_nobody_but_the_verified_owner_of_the_address_can_answer(
    org_a: Organisation, admin: User, pia: User
) -> None:
    assert _invite(admin, org_a, "pia@beetala.fi").status_code == 302
    invitation = Invitation.objects.get()
    path = invitation.answer_path()
    other = make_user(username="olli", email="olli@beetala.fi", language="en")
    browser = Client()
    browser.force_login(other)
    page = browser.get(path)
    assert page.status_code == 403 and "another email address" in page.content.decode()
    assert "Aakkosla" not in page.content.decode()  # nothing of the invitation shows to someone else
    assert browser.post(path, {"answer": "accept"}).status_code == 403
    with pytest.raises(MembershipError):
        accept_invitation(invitation_id=invitation.pk, user=other)
    # The right address, but not verified: not enough either.
    User.objects.filter(pk=pia.pk).update(email_verified=False)
    pia.refresh_from_db()
    browser.force_login(pia)
    page = browser.get(path)
    assert page.status_code == 403 and "confirm your address first" in page.content.decode()
    assert browser.post(path, {"answer": "accept"}).status_code == 403
    assert reverse("organisations:email_change") in page.content.decode()
    assert not Membership.objects.filter(organisation=org_a).exclude(user=admin).exists()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING


def test_the_person_can_decline(org_a: Organisation, admin: User, pia: User) -> None:
    _invite(admin, org_a, "pia@beetala.fi")
    invitation = Invitation.objects.get()
    browser = Client()
    browser.force_login(pia)
    response = browser.post(invitation.answer_path(), {"answer": "decline"})
    assert response.status_code == 302 and response["Location"] == reverse("start")
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.DECLINED
    assert browser.post(invitation.answer_path(), {"answer": "accept"}).status_code == 409
    assert not Membership.objects.filter(user=pia, organisation=org_a).exists()


def test_an_invitation_expires(org_a: Organisation, admin: User, pia: User, settings: Any) -> None:
    _invite(admin, org_a, "pia@beetala.fi")
    invitation = Invitation.objects.get()
    week_and_a_day = timezone.now() - timedelta(seconds=settings.INVITATION_TIMEOUT_SECONDS + 3600)
    Invitation.objects.filter(pk=invitation.pk).update(created_at=week_and_a_day)
    browser = Client()
    browser.force_login(pia)
    assert browser.post(invitation.answer_path(), {"answer": "accept"}).status_code == 410
    assert not Membership.objects.filter(user=pia, organisation=org_a).exists()
    assert "Aakkosla invites you" not in browser.get(reverse("start")).content.decode()
    # The admin can invite the address again; the expired one is closed.
    assert _invite(admin, org_a, "pia@beetala.fi").status_code == 302
    assert Invitation.objects.filter(status=Invitation.Status.PENDING).count() == 1
    # The signed link itself also expires (a link older than the timeout is refused before any lookup).
    settings.INVITATION_TIMEOUT_SECONDS = -1
    assert browser.get(Invitation.objects.pending().get().answer_path()).status_code == 404


@pytest.mark.parametrize(
    "token",
    [
        "1",
        "not-a-token",
        "x" * 5000,
        signing.dumps("1", salt="organisations.tokens.invitation"),  # signed, but not an id
        signing.dumps(1, salt="some.other.salt"),
    ],
)
def test_a_forged_or_mangled_link_is_not_found(pia: User, token: str) -> None:
    browser = Client()
    browser.force_login(pia)
    url = reverse("organisations:invitation_answer", args=[token])
    assert browser.get(url).status_code == 404
    assert browser.post(url, {"answer": "accept"}).status_code == 404


def test_an_email_change_link_is_not_an_invitation_link(org_a: Organisation, admin: User, pia: User) -> None:
    _invite(admin, org_a, "pia@beetala.fi")
    invitation = Invitation.objects.get()
    confirm = email_change_token(EmailChange(user_id=invitation.pk, old="a@b.fi", new="c@d.fi"))
    browser = Client()
    browser.force_login(pia)
    assert browser.get(reverse("organisations:invitation_answer", args=[confirm])).status_code == 404
    assert invitation_token(invitation.pk) != str(invitation.pk)


def test_the_start_page_shows_the_persons_open_invitations(
    org_a: Organisation, admin: User, pia: User, org_b: Organisation
) -> None:
    _invite(admin, org_a, "PIA@beetala.fi")
    invitation = Invitation.objects.get()
    browser = Client()
    browser.force_login(pia)
    body = browser.get(reverse("start")).content.decode()
    assert "Invitations waiting for your answer" in body
    assert "Aakkosla invites you as editor" in body
    (token,) = re.findall(r'href="/accounts/invitations/([^/"]+)/"', body)
    assert invitation_id_from_token(token) == invitation.pk
    # Another person sees nothing of it; nor does the owner of an unverified address.
    browser.force_login(make_member(organisation=org_b))
    assert "Aakkosla" not in browser.get(reverse("start")).content.decode()
    User.objects.filter(pk=pia.pk).update(email_verified=False)
    browser.force_login(pia)
    body = browser.get(reverse("start")).content.decode()
    assert "Aakkosla" not in body and "not confirmed yet" in body


def test_the_admin_sees_pending_invitations_and_cancels_one(
    org_a: Organisation, admin: User, pia: User
) -> None:
    _invite(admin, org_a, "pia@beetala.fi", role=Role.VIEWER)
    invitation = Invitation.objects.get()
    browser = Client()
    browser.force_login(admin)
    listing = browser.get(reverse("organisations:member_list", args=[org_a.slug])).content.decode()
    cancel_url = reverse("organisations:invitation_cancel", args=[org_a.slug, invitation.pk])
    assert "Invitations waiting for an answer" in listing and "pia@beetala.fi" in listing
    assert f'href="{cancel_url}"' in listing
    # A duplicate is refused with a message, and the input stays.
    again = _invite(admin, org_a, "PIA@beetala.fi")
    assert again.status_code == 422 and "has already been invited" in again.content.decode()

    confirm = browser.get(cancel_url)
    assert confirm.status_code == 200 and '<form method="post"' in confirm.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING  # a GET changes nothing
    done = browser.post(cancel_url)
    assert done.status_code == 302 and done["Location"] == reverse(
        "organisations:member_list", args=[org_a.slug]
    )
    invitation.refresh_from_db()
    assert (invitation.status, invitation.answered_by) == (Invitation.Status.CANCELLED, admin)
    listing = browser.get(reverse("organisations:member_list", args=[org_a.slug])).content.decode()
    assert f'id="invitation-{invitation.pk}"' not in listing
    assert browser.get(cancel_url).status_code == 404  # only pending ones can be cancelled

    person = Client()
    person.force_login(pia)
    assert person.post(invitation.answer_path(), {"answer": "accept"}).status_code == 410
    assert not Membership.objects.filter(user=pia, organisation=org_a).exists()


def test_cancelling_with_htmx_redirects_the_page(org_a: Organisation, admin: User, pia: User) -> None:
    _invite(admin, org_a, "pia@beetala.fi")
    invitation = Invitation.objects.get()
    browser = Client()
    browser.force_login(admin)
    response = browser.post(
        reverse("organisations:invitation_cancel", args=[org_a.slug, invitation.pk]),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("organisations:member_list", args=[org_a.slug])
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.CANCELLED


def test_an_admin_of_another_organisation_cannot_cancel(
    org_a: Organisation, org_b: Organisation, admin: User, pia: User
) -> None:
    _invite(admin, org_a, "pia@beetala.fi")
    invitation = Invitation.objects.get()
    other_admin = make_member(organisation=org_b, role=Role.ADMIN)
    browser = Client()
    browser.force_login(other_admin)
    # B's admin asking with A's invitation under B's address: not one of B's invitations.
    assert (
        browser.post(reverse("organisations:invitation_cancel", args=[org_b.slug, invitation.pk])).status_code
        == 404
    )
    assert (
        browser.post(reverse("organisations:invitation_cancel", args=[org_a.slug, invitation.pk])).status_code
        == 404
    )
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING


def test_a_steward_invitation_outside_the_association_is_refused(
    org_a: Organisation, admin: User, pia: User
) -> None:
    with pytest.raises(MembershipError):
        add_member(organisation=org_a, email=pia.email, role=Role.STEWARD, by=admin)
    forged = Invitation.objects.create(
        organisation=org_a, email=pia.email, role=Role.STEWARD, invited_by=admin
    )
    with pytest.raises(MembershipError):
        accept_invitation(invitation_id=forged.pk, user=pia)
    assert not Membership.objects.filter(user=pia, organisation=org_a).exists()


def test_a_steward_of_the_association_accepts_the_steward_role(association: Organisation, pia: User) -> None:
    steward_admin = make_member(organisation=association, role=Role.ADMIN)
    invitation = add_member(
        organisation=association, email="pia@beetala.fi", role=Role.STEWARD, by=steward_admin
    )
    assert isinstance(invitation, Invitation)
    assert accept_invitation(invitation_id=invitation.pk, user=pia).role == Role.STEWARD


# --- new people ---------------------------------------------------------------------------------------


def test_an_address_that_is_someones_username_gets_an_account_of_its_own(
    org_a: Organisation, admin: User, django_capture_on_commit_callbacks: Any
) -> None:
    """Today's answer was 500: the new account took the address as its username, which was taken."""
    holder = make_user(username="nea@example.fi", email="nea.other@example.fi")
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(admin, org_a, "Nea@Example.fi")
    assert response.status_code == 302
    new = User.objects.get(email="Nea@Example.fi")
    assert new.pk != holder.pk and new.username == "nea@example.fi-2"
    assert Membership.objects.get(user=new).organisation == org_a
    assert not Membership.objects.filter(user=holder, organisation=org_a).exists()
    assert "nea@example.fi-2" in str(mail.outbox[0].body)  # the invitation names the username


def test_a_very_long_address_gets_a_username_that_fits(org_a: Organisation, admin: User) -> None:
    email = "a" * 64 + "@" + ("b" * 55 + ".") * 3 + "example.fi"
    assert 150 < len(email) <= 254
    assert _invite(admin, org_a, email).status_code == 302
    assert len(User.objects.get(email=email).username) <= 150


# --- the same class elsewhere: erasure and mergers ----------------------------------------------------


def test_erasing_a_person_erases_the_invitations_to_their_address(
    org_a: Organisation, admin: User, pia: User
) -> None:
    add_member(organisation=org_a, email="PIA@beetala.fi", role=Role.VIEWER, by=admin)
    erase_person(pia)
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.status) == ("", Invitation.Status.CANCELLED)
    events = pghistory.models.Events.objects.tracks(invitation)
    assert events.count() >= 2
    assert all("beetala" not in str(event.pgh_data).lower() for event in events)


def test_a_merger_keeps_one_pending_invitation_per_address(pia: User) -> None:
    merged, into = make_organisation(name="Vanhala"), make_organisation(name="Uusila")
    add_member(
        organisation=merged,
        email=pia.email,
        role=Role.EDITOR,
        by=make_member(organisation=merged, role=Role.ADMIN),
    )
    add_member(
        organisation=into,
        email=pia.email,
        role=Role.VIEWER,
        by=make_member(organisation=into, role=Role.ADMIN),
    )
    merge_organisation(merged=merged, into=into)
    pending = Invitation.objects.pending().get()
    assert (pending.organisation, pending.role) == (into, Role.EDITOR)  # the higher role
    assert Invitation.objects.filter(organisation=into).count() == 2
    assert accept_invitation(invitation_id=pending.pk, user=pia).organisation == into
