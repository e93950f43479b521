"""Member management as an organisation admin does it."""

from __future__ import annotations

import re
from typing import Any, cast

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from organisations.models import Invitation, Membership, Organisation, Role, User
from organisations.tokens import invitation_tokens
from tests.factories import make_member, make_organisation, make_user


@pytest.fixture
def org(db: None) -> Organisation:
    return make_organisation(name="Kuusela", slug="kuusela")


@pytest.fixture
def admin(org: Organisation) -> User:
    return make_member(organisation=org, role=Role.ADMIN, user=make_user(language="en"))


@pytest.fixture
def admin_client(client: Client, admin: User) -> Client:
    client.force_login(admin)
    return client


def test_adding_an_existing_account_invites_it_and_gives_no_membership(
    admin_client: Client, org: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    """An admin cannot attach somebody's account by typing its address: the person must accept."""
    person = make_user(email="Pia.Person@example.fi", language="sv")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("organisations:member_list", args=[org.slug]),
            {"email": "pia.person@EXAMPLE.fi", "role": "editor"},
        )
    assert response.status_code == 302
    assert not Membership.objects.filter(user=person, organisation=org).exists()
    invitation = Invitation.objects.get(organisation=org)
    assert (invitation.email, invitation.role, invitation.status) == (
        "pia.person@EXAMPLE.fi",
        "editor",
        "pending",
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["pia.person@EXAMPLE.fi"]
    assert "Kuusela" in mail.outbox[0].subject  # in the recipient's language
    assert mail.outbox[0].subject.startswith(("Inbjudan", "Invitation"))
    assert invitation.answer_path() in str(mail.outbox[0].body)


def test_a_new_person_is_invited_and_sets_a_password(
    admin_client: Client, org: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("organisations:member_list", args=[org.slug]),
            {"email": "new.person@example.fi", "name": "Nea Uusi", "role": "viewer"},
        )
    assert response.status_code == 302
    person = User.objects.get(email="new.person@example.fi")
    assert not person.has_usable_password()
    assert person.home_organisation == org  # the organisation that made the account is its home
    assert not person.email_verified
    assert Membership.objects.get(user=person).role == Role.VIEWER
    (message,) = mail.outbox
    link = re.search(r"https?://\S+/accounts/invitation/\S+/", str(message.body))
    assert link, message.body
    path = "/" + link.group(0).split("/", 3)[3]

    invited = Client()
    page = invited.get(path, follow=True)
    assert page.status_code == 200 and page.context["validlink"]
    set_url = page.redirect_chain[-1][0]
    done = invited.post(set_url, {"new_password1": "kuusi-kuusta-2026", "new_password2": "kuusi-kuusta-2026"})
    assert done.status_code == 302
    assert invited.get(reverse("start")).status_code == 200  # signed in
    person.refresh_from_db()
    assert person.email_verified  # the link reached the address
    # The link is void once used.
    again = Client().get(path, follow=True)
    assert not again.context["validlink"]


def test_an_invitation_expires(org: Organisation, settings: object, monkeypatch: pytest.MonkeyPatch) -> None:
    person = make_user()
    token = invitation_tokens.make_token(person)
    assert invitation_tokens.check_token(person, token)
    later = invitation_tokens._now() + __import__("datetime").timedelta(days=8)
    monkeypatch.setattr(invitation_tokens, "_now", lambda: later)
    assert not invitation_tokens.check_token(person, token)


def test_a_duplicate_member_is_refused_with_a_message(
    admin_client: Client, org: Organisation, admin: User
) -> None:
    response = admin_client.post(
        reverse("organisations:member_list", args=[org.slug]), {"email": admin.email, "role": "editor"}
    )
    assert response.status_code == 422
    assert "is already a member" in response.content.decode()
    assert response.context["form"]["email"].value() == admin.email  # nothing typed is lost


def test_invalid_input_is_explained(admin_client: Client, org: Organisation) -> None:
    response = admin_client.post(
        reverse("organisations:member_list", args=[org.slug]), {"email": "not-an-email", "role": "king"}
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert set(form.errors) == {"email", "role"}


def test_change_role_in_place_with_htmx(admin_client: Client, org: Organisation) -> None:
    editor = make_member(organisation=org, role=Role.EDITOR)
    membership = Membership.objects.get(user=editor)
    url = reverse("organisations:member_role", args=[org.slug, membership.pk])
    response = admin_client.post(
        url,
        {f"m{membership.pk}-role": "viewer", f"m{membership.pk}-version": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert cast(Any, response).template_name == "organisations/member_list.html#member-row"
    body = response.content.decode()
    assert "<html" not in body and f'id="member-{membership.pk}"' in body
    assert 'hx-swap-oob="innerHTML"' in body and "is now viewer" in body
    assert "HX-Request" in response["Vary"]
    membership.refresh_from_db()
    assert (membership.role, membership.version) == (Role.VIEWER, 2)


def test_two_stale_saves_conflict(client: Client, org: Organisation, admin: User) -> None:
    editor = make_member(organisation=org, role=Role.EDITOR)
    membership = Membership.objects.get(user=editor)
    second_admin = make_member(organisation=org, role=Role.ADMIN, user=make_user(language="en"))
    url = reverse("organisations:member_role", args=[org.slug, membership.pk])
    data = {f"m{membership.pk}-version": "1"}
    first, second = Client(), Client()
    first.force_login(admin)
    second.force_login(second_admin)
    assert (
        first.post(
            url, {**data, f"m{membership.pk}-role": "viewer"}, headers={"HX-Request": "true"}
        ).status_code
        == 200
    )
    response = second.post(url, {**data, f"m{membership.pk}-role": "admin"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "Someone else saved a change" in body and 'role="status"' in body
    assert 'value="admin" selected' in body  # what the second editor chose is kept
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER  # the first save won


def test_settings_conflict_keeps_the_input(client: Client, org: Organisation, admin: User) -> None:
    url = reverse("organisations:settings", args=[org.slug])
    client.force_login(admin)
    assert client.post(url, {"content_language": "sv", "version": "1"}).status_code == 302
    response = client.post(url, {"content_language": "fi", "shares_indicator_data": "on", "version": "1"})
    assert response.status_code == 409
    assert "Someone else saved a change" in response.content.decode()
    assert response.context["form"]["shares_indicator_data"].value() is True
    org.refresh_from_db()
    assert (org.content_language, org.shares_indicator_data, org.version) == ("sv", False, 2)


def test_the_last_admin_stays(admin_client: Client, org: Organisation, admin: User) -> None:
    membership = Membership.objects.get(user=admin)
    role_url = reverse("organisations:member_role", args=[org.slug, membership.pk])
    response = admin_client.post(
        role_url, {f"m{membership.pk}-role": "editor", f"m{membership.pk}-version": "1"}, follow=True
    )
    assert "at least one administrator" in response.content.decode()
    response = admin_client.post(reverse("organisations:member_remove", args=[org.slug, membership.pk]))
    assert response.status_code == 409
    assert Membership.objects.get(pk=membership.pk).role == Role.ADMIN


def test_removing_a_member_asks_first_and_ends_their_sessions(
    admin_client: Client, org: Organisation
) -> None:
    editor = make_member(organisation=org, role=Role.EDITOR)
    membership = Membership.objects.get(user=editor)
    their_browser = Client()
    their_browser.force_login(editor)
    assert their_browser.get(reverse("start")).status_code == 200
    url = reverse("organisations:member_remove", args=[org.slug, membership.pk])
    confirm = admin_client.get(url)
    assert confirm.status_code == 200 and '<form method="post"' in confirm.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()  # GET changes nothing
    assert admin_client.post(url).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    response = their_browser.get(reverse("start"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_steward_only_in_the_association(db: None) -> None:
    municipality = make_organisation()
    person = make_user()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=person, organisation=municipality, role=Role.STEWARD)
    association = make_organisation(kind=Organisation.Kind.ASSOCIATION)
    Membership.objects.create(user=person, organisation=association, role=Role.STEWARD)


def test_steward_is_not_offered_outside_the_association(admin_client: Client, org: Organisation) -> None:
    response = admin_client.get(reverse("organisations:member_list", args=[org.slug]))
    assert 'value="steward"' not in response.content.decode()
    refused = admin_client.post(
        reverse("organisations:member_list", args=[org.slug]), {"email": "s@example.fi", "role": "steward"}
    )
    assert refused.status_code == 422


def test_member_list_query_count_does_not_grow(
    admin_client: Client, org: Organisation, django_assert_max_num_queries: object
) -> None:
    for _ in range(30):
        make_member(organisation=org, role=Role.VIEWER)
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        assert admin_client.get(reverse("organisations:member_list", args=[org.slug])).status_code == 200


def test_an_htmx_post_needs_the_csrf_token_in_its_header(org: Organisation, admin: User) -> None:
    """QUALITY "CSRF": htmx sends the token in the X-CSRFToken header (hx-headers on <body>)."""
    editor = make_member(organisation=org, role=Role.EDITOR)
    membership = Membership.objects.get(user=editor)
    url = reverse("organisations:member_role", args=[org.slug, membership.pk])
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin)
    page = browser.get(reverse("organisations:member_list", args=[org.slug]))
    token = re.search(r'"X-CSRFToken": ?"([^"]+)"', page.content.decode())
    assert token, "the page gives htmx its CSRF header"
    data = {f"m{membership.pk}-role": "viewer", f"m{membership.pk}-version": "1"}

    refused = browser.post(url, data, headers={"HX-Request": "true"})
    assert refused.status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.EDITOR

    accepted = browser.post(url, data, headers={"HX-Request": "true", "X-CSRFToken": token.group(1)})
    assert accepted.status_code == 200
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER
