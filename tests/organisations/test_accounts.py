"""A person's own account: changing the email address (password, then a link to the new address), and
throttling that counts per account and per target address, never locking out a whole network."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from organisations.models import Invitation, Membership, Organisation, Role, User
from organisations.tokens import EmailChange, email_change_token
from tests.factories import PASSWORD, make_member, make_user

pytestmark = pytest.mark.django_db


def _confirm_path(message: Any) -> str:
    found = re.search(r"https?://[^/\s]+(/accounts/settings/email/[^/\s]+/)", str(message.body))
    assert found, message.body
    return found.group(1)


@pytest.fixture
def person(org_a: Organisation) -> User:
    user = make_user(username="maija", email="maija@aakkosla.fi", language="en")
    return make_member(organisation=org_a, role=Role.EDITOR, user=user)


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- changing the email address ---------------------------------------------------------------------


def test_the_account_form_no_longer_changes_the_address(person: User) -> None:
    """Today's fault: the settings form took any address, without a password or a link."""
    client = _signed_in(person)
    response = client.post(
        reverse("organisations:account"),
        {"name": "Maija", "email": "someone.else@example.fi", "language": "en", "digest": "weekly"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.name, person.email, person.email_verified) == ("Maija", "maija@aakkosla.fi", True)


def test_a_new_address_needs_the_password_and_the_link_sent_to_it(
    person: User, django_capture_on_commit_callbacks: Any
) -> None:
    client = _signed_in(person)
    url = reverse("organisations:email_change")
    assert client.get(url).status_code == 200

    wrong = client.post(url, {"email": "maija.new@example.fi", "current_password": "not-my-password"})
    assert wrong.status_code == 422 and "The password is not correct" in wrong.content.decode()
    assert wrong.context["form"]["email"].value() == "maija.new@example.fi"  # nothing typed is lost
    assert not mail.outbox

    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(url, {"email": "maija.new@example.fi", "current_password": PASSWORD})
    assert asked.status_code == 302
    person.refresh_from_db()
    assert person.email == "maija@aakkosla.fi"  # nothing changes before the link is opened
    (message,) = mail.outbox
    assert message.to == ["maija.new@example.fi"]
    path = _confirm_path(message)

    # Opened by someone else who is signed in: refused, and the address is not even shown.
    other = _signed_in(make_user(language="en"))
    refused = other.get(path)
    assert refused.status_code == 403 and "maija.new" not in refused.content.decode()
    assert other.post(path).status_code == 403
    # Opened signed out: sign in first.
    assert Client().get(path)["Location"].startswith(reverse("login"))

    page = client.get(path)
    assert page.status_code == 200 and "maija.new@example.fi" in page.content.decode()
    person.refresh_from_db()
    assert person.email == "maija@aakkosla.fi"  # a GET changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(path)
    assert done.status_code == 302
    person.refresh_from_db()
    assert (person.email, person.email_verified) == ("maija.new@example.fi", True)
    notice = mail.outbox[-1]
    assert notice.to == ["maija@aakkosla.fi"] and "maija.new@example.fi" in str(notice.body)
    # The link is void for any later change (it is bound to the old address).
    assert client.post(path).status_code == 302  # opening it twice is harmless
    User.objects.filter(pk=person.pk).update(email="third@example.fi")
    assert client.post(path).status_code == 409
    person.refresh_from_db()
    assert person.email == "third@example.fi"


def test_the_link_expires(person: User, settings: Any) -> None:
    token = email_change_token(EmailChange(user_id=person.pk, old=person.email, new="later@example.fi"))
    settings.EMAIL_CHANGE_TIMEOUT_SECONDS = -1  # older than the lifetime
    client = _signed_in(person)
    for method in (client.get, client.post):
        assert method(reverse("organisations:email_confirm", args=[token])).status_code == 404
    person.refresh_from_db()
    assert person.email == "maija@aakkosla.fi"


@pytest.mark.parametrize("token", ["x", "a" * 5000, "1:2:3"])
def test_a_forged_link_is_not_found(person: User, token: str) -> None:
    assert _signed_in(person).post(reverse("organisations:email_confirm", args=[token])).status_code == 404


def test_an_address_in_use_is_refused(person: User) -> None:
    make_user(email="taken@example.fi")
    response = _signed_in(person).post(
        reverse("organisations:email_change"), {"email": "TAKEN@example.fi", "current_password": PASSWORD}
    )
    assert response.status_code == 422 and "Another account already uses" in response.content.decode()


def test_an_account_without_a_password_needs_a_fresh_sign_in(
    person: User, django_capture_on_commit_callbacks: Any
) -> None:
    person.set_unusable_password()
    person.save()
    client = _signed_in(person)  # a session without a record of a recent sign-in
    url = reverse("organisations:email_change")
    page = client.get(url)
    assert "Sign out and sign in again" in page.content.decode()
    stale = client.post(url, {"email": "fresh@example.fi"})
    assert stale.status_code == 422 and "sign in again" in stale.content.decode()
    assert not mail.outbox
    session = client.session
    # What allauth records when the person signs in through their organisation's identity service.
    session["account_authentication_methods"] = [{"method": "socialaccount", "at": time.time()}]
    session["account_authentication_methods_user"] = str(person.pk)
    session.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"email": "fresh@example.fi"}).status_code == 302
    assert mail.outbox[0].to == ["fresh@example.fi"]


def test_an_unverified_address_is_confirmed_by_a_link_to_itself(
    person: User, django_capture_on_commit_callbacks: Any
) -> None:
    User.objects.filter(pk=person.pk).update(email_verified=False)
    client = _signed_in(person)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organisations:email_change"), {"email": person.email, "current_password": PASSWORD}
        )
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_confirm_path(mail.outbox[0]))
    person.refresh_from_db()
    assert person.email_verified and len(mail.outbox) == 1  # no "your address changed" notice


def test_an_admin_cannot_capture_an_invitation_by_changing_their_address(
    org_a: Organisation, org_b: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    """The capture attack: a user changes their address to the one an admin is about to invite, hoping
    the invitation will match their account."""
    attacker = make_member(organisation=org_b, user=make_user(username="mallory", email="mallory@beetala.fi"))
    admin = make_member(organisation=org_a, role=Role.ADMIN, user=make_user(language="en"))
    client = _signed_in(attacker)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("organisations:email_change"),
            {"email": "ville.virtanen@aakkosla.fi", "current_password": PASSWORD},
        )
    attacker.refresh_from_db()
    assert attacker.email == "mallory@beetala.fi"  # the request alone changes nothing
    admin_client = _signed_in(admin)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("organisations:member_list", args=[org_a.slug]),
            {"email": "ville.virtanen@aakkosla.fi", "role": "editor"},
        )
    assert not Membership.objects.filter(user=attacker, organisation=org_a).exists()
    ville = User.objects.get(email="ville.virtanen@aakkosla.fi")
    assert ville.pk != attacker.pk and Membership.objects.filter(user=ville, organisation=org_a).exists()
    # Now the address is Ville's: the attacker can no longer even ask for it.
    data = {"email": "ville.virtanen@aakkosla.fi", "current_password": PASSWORD}
    refused = client.post(reverse("organisations:email_change"), data)
    assert refused.status_code == 422
    # The link sent to Ville's address (to the attacker's account) does nothing for Ville either.
    stolen_link = _confirm_path(next(m for m in mail.outbox if "settings/email" in str(m.body)))
    assert _signed_in(ville).post(stolen_link).status_code == 403
    attacker.refresh_from_db()
    assert attacker.email == "mallory@beetala.fi"


def test_an_unverified_address_never_captures_an_invitation(
    org_a: Organisation, org_b: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    """The same attack on an account whose address was set without proof (before this rule, or by an
    operator): the invitation exists, but only a verified owner can accept it."""
    attacker = make_member(
        organisation=org_b,
        user=make_user(username="mallory", email="ville.virtanen@aakkosla.fi", email_verified=False),
    )
    admin = make_member(organisation=org_a, role=Role.ADMIN, user=make_user(language="en"))
    with django_capture_on_commit_callbacks(execute=True):
        _signed_in(admin).post(
            reverse("organisations:member_list", args=[org_a.slug]),
            {"email": "ville.virtanen@aakkosla.fi", "role": "editor"},
        )
    invitation = Invitation.objects.get()
    client = _signed_in(attacker)
    assert "Aakkosla" not in client.get(reverse("start")).content.decode()
    assert client.post(invitation.answer_path(), {"answer": "accept"}).status_code == 403
    assert not Membership.objects.filter(user=attacker, organisation=org_a).exists()


def test_an_operator_typing_an_address_leaves_it_unverified(person: User) -> None:
    operator = make_user(username="operator", is_staff=True, is_superuser=True)
    client = _signed_in(operator)
    url = f"/{django_settings.ADMIN_URL}organisations/user/{person.pk}/change/"
    data = {"username": "maija", "name": "Maija", "email": "maija@other.example", "language": "en"}
    assert client.post(url, {**data, "is_active": "on"}).status_code == 302
    person.refresh_from_db()
    assert (person.email, person.email_verified) == ("maija@other.example", False)


# --- password reset -----------------------------------------------------------------------------------


def _reset(client: Client, email: str, address: str = "10.0.0.1") -> int:
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address).status_code


def test_reset_links_are_throttled_per_address_without_telling_which_exist(person: User) -> None:
    """Today's fault: eight requests in two seconds sent eight emails."""
    client = Client()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    known = [_reset(client, "maija@aakkosla.fi") for _ in range(8)]
    assert len(mail.outbox) == 3
    unknown = [_reset(client, "nobody@aakkosla.fi") for _ in range(8)]
    assert len(mail.outbox) == 3
    assert known == unknown == [302] * 3 + [429] * 5  # the same answers whether or not the account exists
    page = client.post(reverse("password_reset"), {"email": "maija@aakkosla.fi"}, REMOTE_ADDR="10.0.0.1")
    assert "Too many reset links" in page.content.decode()
    assert page.context["form"]["email"].value() == "maija@aakkosla.fi"


def test_reset_links_are_throttled_per_client_address(db: None) -> None:
    people = [make_user(email=f"p{n}@aakkosla.fi") for n in range(22)]
    codes = [_reset(Client(), person.email, address="10.0.0.9") for person in people]
    assert codes == [302] * 20 + [429] * 2
    assert len(mail.outbox) == 20
    assert _reset(Client(), people[-1].email, address="10.0.0.10") == 302  # another client is not held up
    assert len(mail.outbox) == 21


def test_a_completed_reset_verifies_the_address(person: User) -> None:
    User.objects.filter(pk=person.pk).update(email_verified=False)
    client = Client()
    _reset(client, person.email)
    found = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", str(mail.outbox[0].body))
    assert found
    form = client.get(found.group(1), follow=True)
    new = "uusi-salasana-2026"
    client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    person.refresh_from_db()
    assert person.email_verified and person.check_password(new)


# --- sign-in throttling -------------------------------------------------------------------------------


def _sign_in(client: Client, login: str, password: str, address: str) -> int:
    data = {"login": login, "password": password}
    return client.post(reverse("login"), data, REMOTE_ADDR=address).status_code


def test_invented_usernames_do_not_lock_out_a_shared_address(org_a: Organisation) -> None:
    """Today's fault: ten failures with invented usernames from one address locked every account behind it
    (a municipality's network behind one NAT address) out for a minute."""
    attacked = make_member(organisation=org_a, user=make_user(username="maija"))
    bystander = make_member(organisation=org_a, user=make_user(username="olli"))
    attacker = Client()
    for n in range(12):
        _sign_in(attacker, f"invented-{n}", "guess-guess-guess", "10.0.0.1")
    for _ in range(5):
        _sign_in(attacker, "maija", "guess-guess-guess", "10.0.0.1")
    colleague = Client()
    assert _sign_in(colleague, "olli", PASSWORD, "10.0.0.1") == 302  # nobody attacked olli
    assert colleague.session["_auth_user_id"] == str(bystander.pk)
    # The attacked account is paused at that address, even with the right password.
    victim = Client()
    assert _sign_in(victim, "maija", PASSWORD, "10.0.0.1") == 429
    assert "_auth_user_id" not in victim.session
    assert attacked.pk  # (the account itself is untouched)


def test_an_account_attacked_from_many_addresses_is_paused_everywhere(org_a: Organisation) -> None:
    """Per account, not per address: spreading the guesses over many addresses does not get around it."""
    make_member(organisation=org_a, user=make_user(username="maija"))
    make_member(organisation=org_a, user=make_user(username="olli"))
    for n in range(20):
        _sign_in(Client(), "maija", "guess-guess-guess", f"10.1.0.{n}")
    victim = Client()
    victim.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"  # not signed in: the cookie's language
    response = victim.post(reverse("login"), {"login": "maija", "password": PASSWORD}, REMOTE_ADDR="10.2.0.1")
    assert response.status_code == 200 and "Too many failed" in response.content.decode()
    assert "_auth_user_id" not in victim.session
    assert _sign_in(Client(), "olli", PASSWORD, "10.1.0.1") == 302  # the others behind those addresses


def test_the_username_and_the_email_address_count_as_one_account(org_a: Organisation) -> None:
    """Typing the address instead of the username is the same account: 10 guesses each way pause it."""
    make_member(organisation=org_a, user=make_user(username="maija", email="maija@aakkosla.example"))
    for n in range(10):
        _sign_in(Client(), "maija", "guess-guess-guess", f"10.1.0.{n}")
        _sign_in(Client(), "Maija@Aakkosla.example", "guess-guess-guess", f"10.3.0.{n}")
    assert _sign_in(Client(), "maija", PASSWORD, "10.2.0.1") == 200  # paused


def test_the_pause_ends_after_its_window(org_a: Organisation, monkeypatch: Any) -> None:
    make_member(organisation=org_a, user=make_user(username="maija"))
    for n in range(20):
        _sign_in(Client(), "maija", "guess-guess-guess", f"10.1.0.{n}")
    assert _sign_in(Client(), "maija", PASSWORD, "10.2.0.1") == 200  # paused

    sixteen_minutes_later = time.time() + 16 * 60

    class Clock:
        """allauth's rate limits read the time through this module attribute."""

        monotonic, sleep = staticmethod(time.monotonic), staticmethod(time.sleep)

        @staticmethod
        def time() -> float:
            return sixteen_minutes_later

    monkeypatch.setattr("allauth.core.internal.ratelimit.time", Clock)
    assert _sign_in(Client(), "maija", PASSWORD, "10.2.0.1") == 302


def test_one_time_codes_are_limited_per_person_across_addresses(org_a: Organisation) -> None:
    """With a stolen password, guessing the one-time code from many addresses gets 20 tries in 15
    minutes in all (today's per-address rule gave every address 10 a minute, without end)."""
    from allauth.mfa.totp.internal.auth import (
        TOTP,
        format_hotp_value,
        generate_totp_secret,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    admin = make_member(organisation=org_a, role=Role.ADMIN, user=make_user(username="aino", language="en"))
    secret = generate_totp_secret()
    TOTP.activate(admin, secret)
    right = format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))
    wrong = "000000" if right != "000000" else "111111"

    def code_step(address: str) -> Client:
        client = Client()
        assert _sign_in(client, "aino", PASSWORD, address) == 302  # the password, then the code
        return client

    for n in range(4):
        client = code_step(f"10.3.0.{n}")
        for _ in range(5):
            client.post(reverse("mfa_authenticate"), {"code": wrong}, REMOTE_ADDR=f"10.3.0.{n}")
    client = code_step("10.3.0.9")
    answer = client.post(reverse("mfa_authenticate"), {"code": right}, REMOTE_ADDR="10.3.0.9")
    assert answer.status_code == 200 and "_auth_user_id" not in client.session


def test_guessing_the_current_password_on_the_change_form_is_limited(person: User) -> None:
    """A borrowed session could try current passwords on the change form without end (it was unthrottled)."""
    client = _signed_in(person)
    url = reverse("password_change")
    new = {"new_password1": "uusi-salasana-2026", "new_password2": "uusi-salasana-2026"}
    for n in range(5):
        assert client.post(url, {"old_password": f"guess-{n}", **new}).status_code == 200
    refused = client.post(url, {"old_password": PASSWORD, **new})
    assert refused.status_code == 429 and "Too many attempts" in refused.content.decode()
    person.refresh_from_db()
    assert person.check_password(PASSWORD)  # not changed, even with the right current password
