"""Sign-in that fits a municipality: an organisation's own identity service (OpenID Connect, faked inside
the test: no network), one-time codes for admins and stewards, throttling behind a proxy, password rules.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import responses
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from allauth.socialaccount.models import SocialAccount
from django.conf import settings as django_settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from organisations.models import Organisation, Role, User
from organisations.signin import client_ip
from organisations.tokens import invitation_tokens
from tests.factories import PASSWORD, make_member, make_user
from tests.organisations.fake_idp import FakeIdentityService


@pytest.fixture(autouse=True)
def english_browser(client: Client, settings: Any) -> None:
    """Pages before sign-in speak the browser's chosen language (Finnish unless it says otherwise)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def idp(org_a: Organisation) -> Iterator[FakeIdentityService]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        service = FakeIdentityService(mock)
        service.install()
        service.configure(org_a)
        yield service


def _signed_in_user(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def test_the_sign_in_page_offers_each_configured_identity_service(
    client: Client, idp: FakeIdentityService, org_a: Organisation, org_b: Organisation
) -> None:
    body = client.get(reverse("login")).content.decode()
    assert "Sign in with Aakkosla's identity service" in body
    assert f'action="/accounts/oidc/{org_a.slug}/login/"' in body
    assert "Beetala" not in body  # no identity service configured for B


def test_an_identity_service_can_come_from_the_environment(
    client: Client, org_b: Organisation, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from impact.settings import _oidc_apps_from_environment

    monkeypatch.setenv("OIDC_PROVIDERS", "beetala")
    monkeypatch.setenv("OIDC_BEETALA_ISSUER", "https://idp.beetala.example")
    monkeypatch.setenv("OIDC_BEETALA_CLIENT_ID", "client-b")
    monkeypatch.setenv("OIDC_BEETALA_SECRET", "secret-b")
    apps = _oidc_apps_from_environment()
    assert apps == [
        {
            "provider_id": "beetala",
            "name": "beetala",
            "client_id": "client-b",
            "secret": "secret-b",
            "settings": {"server_url": "https://idp.beetala.example"},
        }
    ]
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {**settings.SOCIALACCOUNT_PROVIDERS["openid_connect"], "APPS": apps}
    }
    assert "Sign in with Beetala's identity service" in client.get(reverse("login")).content.decode()


def test_a_member_signs_in_through_the_organisations_identity_service(
    client: Client, idp: FakeIdentityService, org_a: Organisation
) -> None:
    member = make_member(organisation=org_a, role=Role.EDITOR, user=make_user(email="Anna.Aalto@aakkosla.fi"))
    idp.claims = {"sub": "anna-123", "email": "anna.aalto@aakkosla.fi", "email_verified": True}
    response = idp.sign_in(client, org_a)
    assert response.status_code == 302 and response["Location"] == "/", response
    assert _signed_in_user(client) == str(member.pk)
    assert SocialAccount.objects.get(user=member).uid == "anna-123"
    # PKCE: the token request proves it came from the browser session that started the sign-in.
    (token_request,) = idp.token_requests
    verifier = token_request["code_verifier"][0]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert idp.last_authorize["code_challenge"] == challenge
    assert client.get(reverse("start")).status_code == 200

    # Next time the link (the subject) finds them even after the service changed their address.
    client.post(reverse("logout"))
    idp.claims = {"sub": "anna-123", "email": "anna.aalto@uusi.example", "email_verified": True}
    assert idp.sign_in(client, org_a).status_code == 302
    assert _signed_in_user(client) == str(member.pk)


def test_a_stranger_is_refused_and_no_account_is_made(
    client: Client, idp: FakeIdentityService, org_a: Organisation, caplog: pytest.LogCaptureFixture
) -> None:
    idp.claims = {"sub": "x-1", "email": "stranger@aakkosla.fi", "email_verified": True}
    users_before = User.objects.count()
    with caplog.at_level(logging.WARNING, logger="vaikuttava"):
        response = idp.sign_in(client, org_a)
    assert response.status_code == 403
    assert "Ask an admin of your organisation to invite you" in response.content.decode()
    assert _signed_in_user(client) is None
    assert User.objects.count() == users_before and not SocialAccount.objects.exists()
    refusals = [r for r in caplog.records if getattr(r, "event", None) == "signin.sso_refused"]
    assert [(r.provider, r.reason) for r in refusals] == [("aakkosla", "no_account")]  # type: ignore[attr-defined]


def test_a_member_of_another_organisation_is_refused_by_this_ones_service(
    client: Client, idp: FakeIdentityService, org_a: Organisation, org_b: Organisation
) -> None:
    # A's identity service cannot vouch for B's people, even with their exact address.
    make_member(organisation=org_b, user=make_user(email="bertta@beetala.fi"))
    idp.claims = {"sub": "b-1", "email": "bertta@beetala.fi", "email_verified": True}
    assert idp.sign_in(client, org_a).status_code == 403
    assert _signed_in_user(client) is None


def test_an_unverified_email_is_not_enough(
    client: Client, idp: FakeIdentityService, org_a: Organisation
) -> None:
    make_member(organisation=org_a, user=make_user(email="anna@aakkosla.fi"))
    idp.claims = {"sub": "anna-1", "email": "anna@aakkosla.fi", "email_verified": False}
    assert idp.sign_in(client, org_a).status_code == 403
    assert _signed_in_user(client) is None


def test_a_removed_member_is_refused_even_when_linked(
    client: Client, idp: FakeIdentityService, org_a: Organisation
) -> None:
    member = make_member(organisation=org_a, user=make_user(email="anna@aakkosla.fi"))
    idp.claims = {"sub": "anna-1", "email": "anna@aakkosla.fi", "email_verified": True}
    assert idp.sign_in(client, org_a).status_code == 302
    client.post(reverse("logout"))
    member.memberships.all().delete()
    assert idp.sign_in(client, org_a).status_code == 403
    assert _signed_in_user(client) is None


def test_a_wrong_state_is_refused(client: Client, idp: FakeIdentityService, org_a: Organisation) -> None:
    make_member(organisation=org_a, user=make_user(email="anna@aakkosla.fi"))
    idp.claims = {"sub": "anna-1", "email": "anna@aakkosla.fi", "email_verified": True}
    response = idp.sign_in(client, org_a, state="forged-state-value")
    assert response.status_code != 302
    assert _signed_in_user(client) is None
    assert not idp.token_requests, "the code is never exchanged for a forged state"


def test_a_wrong_nonce_is_refused(client: Client, idp: FakeIdentityService, org_a: Organisation) -> None:
    make_member(organisation=org_a, user=make_user(email="anna@aakkosla.fi"))
    idp.claims = {"sub": "anna-1", "email": "anna@aakkosla.fi", "email_verified": True}
    idp.nonce_override = "a-nonce-from-another-sign-in"
    response = idp.sign_in(client, org_a)
    assert response.status_code == 403
    assert _signed_in_user(client) is None


def test_an_identity_service_of_no_organisation_answers_404(client: Client, org_b: Organisation) -> None:
    response = client.post(reverse("openid_connect_login", kwargs={"provider_id": org_b.slug}))
    assert response.status_code == 404


# --- one-time codes ----------------------------------------------------------------------------------


def _code(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def _password_sign_in(client: Client, user: User, password: str = PASSWORD) -> Any:
    return client.post(reverse("login"), {"login": user.username, "password": password})


@pytest.fixture
def mfa_required(settings: Any) -> None:
    settings.REQUIRE_MFA_FOR_PRIVILEGED = True


def test_an_admin_without_codes_must_set_them_up_then_signs_in_with_one(
    client: Client, org_a: Organisation, mfa_required: None, transactional_db: None
) -> None:
    # Transactional: allauth announces new codes when its transaction commits, as in production (the
    # session then notes that this session gave a code; organisations.identity.note_codes_set_up).
    admin = make_member(organisation=org_a, role=Role.ADMIN)
    assert _password_sign_in(client, admin).status_code == 302
    # Every page sends them to set up the codes first (an htmx request too).
    response = client.get(reverse("organisation_home", args=[org_a.slug]))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    htmx = client.get(reverse("start"), headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"] == reverse("mfa_activate_totp")

    # allauth asks for the password again before codes are turned on.
    ask = client.get(reverse("mfa_activate_totp"))
    assert ask.status_code == 302 and ask["Location"].startswith(reverse("account_reauthenticate"))
    assert client.get(ask["Location"]).status_code == 200
    assert client.post(ask["Location"], {"password": PASSWORD}).status_code == 302
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = page.context["form"].secret
    assert 'src="data:image/svg+xml' in page.content.decode()  # the QR code, no inline style or script
    wrong = client.post(
        reverse("mfa_activate_totp"), {"code": "000000" if _code(secret) != "000000" else "1"}
    )
    assert wrong.status_code == 200 and not Authenticator.objects.filter(user=admin).exists()
    done = client.post(reverse("mfa_activate_totp"), {"code": _code(secret)})
    assert done.status_code == 302
    assert Authenticator.objects.filter(user=admin, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("organisation_home", args=[org_a.slug])).status_code == 200

    # The next sign-in asks for a code after the password.
    client.post(reverse("logout"))
    response = _password_sign_in(client, admin)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert _signed_in_user(client) is None
    assert client.post(reverse("mfa_authenticate"), {"code": "12345"}).status_code == 200
    assert _signed_in_user(client) is None
    response = client.post(reverse("mfa_authenticate"), {"code": _code(secret)})
    assert response.status_code == 302 and response["Location"] == "/"
    assert _signed_in_user(client) == str(admin.pk)
    assert client.get(reverse("start")).status_code == 200


def test_a_steward_is_required_too_but_an_editor_only_offered(
    client: Client, association: Organisation, org_a: Organisation, mfa_required: None
) -> None:
    steward = make_member(organisation=association, role=Role.STEWARD)
    _password_sign_in(client, steward)
    assert client.get(reverse("start"))["Location"] == reverse("mfa_activate_totp")

    editor = make_member(organisation=org_a, role=Role.EDITOR, user=make_user(language="en"))
    other = Client()
    _password_sign_in(other, editor)
    assert other.get(reverse("start")).status_code == 200
    account = other.get(reverse("organisations:account")).content.decode()
    assert "Set up one-time codes" in account and reverse("mfa_activate_totp") in account


def test_the_requirement_can_be_turned_off_for_the_demo(
    client: Client, org_a: Organisation, settings: Any
) -> None:
    settings.REQUIRE_MFA_FOR_PRIVILEGED = False
    admin = make_member(organisation=org_a, role=Role.ADMIN)
    _password_sign_in(client, admin)
    assert client.get(reverse("start")).status_code == 200


def test_the_requirement_is_on_in_production_and_off_under_make_run() -> None:
    import subprocess
    import sys

    code = "from django.conf import settings; print(settings.REQUIRE_MFA_FOR_PRIVILEGED)"
    shown = {}
    for debug in ("0", "1"):
        env = {"DJANGO_SETTINGS_MODULE": "impact.settings", "DJANGO_DEBUG": debug, "SECRET_KEY": "x" * 60}
        import os

        env = {**os.environ, **env}
        env.pop("REQUIRE_MFA_FOR_PRIVILEGED", None)
        result = subprocess.run(  # noqa: S603  (fixed argv)
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            cwd=django_settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        shown[debug] = result.stdout.strip().splitlines()[-1]
    assert shown == {"0": "True", "1": "False"}


# --- throttling -------------------------------------------------------------------------------------


def _attempt(client: Client, login: str, password: str, **meta: Any) -> int:
    return client.post(reverse("login"), {"login": login, "password": password}, **meta).status_code


def test_the_email_and_the_username_count_as_one_person(db: None) -> None:
    make_user(username="maija", email="maija@aakkosla.fi")
    client = Client()
    for attempt in range(5):
        login = "maija" if attempt % 2 else "Maija@Aakkosla.fi"
        _attempt(client, login, "wrong-password", REMOTE_ADDR="10.0.0.1")
    assert _attempt(client, "maija", PASSWORD, REMOTE_ADDR="10.0.0.1") == 429
    assert _attempt(client, "maija@aakkosla.fi", PASSWORD, REMOTE_ADDR="10.0.0.1") == 429


def test_behind_a_trusted_proxy_the_forwarded_client_counts(db: None, settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    make_user(username="pekka")
    proxy = {"REMOTE_ADDR": "10.9.9.9"}
    client = Client()
    for _ in range(5):
        _attempt(client, "pekka", "wrong-password", HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)
    assert _attempt(client, "pekka", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy) == 429
    # A forged entry in front of the proxy's own does not escape the lock.
    spoofed = "198.51.100.1, 203.0.113.5"
    assert _attempt(Client(), "pekka", PASSWORD, HTTP_X_FORWARDED_FOR=spoofed, **proxy) == 429
    # Another client behind the same proxy still signs in.
    assert _attempt(Client(), "pekka", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.6", **proxy) == 302


def test_without_a_proxy_the_forwarded_header_is_ignored(db: None, settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    make_user(username="liisa")
    client = Client()
    for n in range(5):
        _attempt(
            client, "liisa", "wrong-password", REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"
        )
    forged = "203.0.113.99"
    assert _attempt(client, "liisa", PASSWORD, REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR=forged) == 429


def test_client_ip_rules(rf: Any, settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4")) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 2
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 1.2.3.4, 10.0.0.1")
    assert client_ip(request) == "1.2.3.4"
    # Fewer entries than proxies (a request that bypassed one): the connection's address.
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4")) == "10.0.0.2"
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="junk, 10.0.0.1")) == "10.0.0.2"


def test_a_lockout_is_logged_without_the_password(db: None, caplog: pytest.LogCaptureFixture) -> None:
    make_user(username="ville")
    client = Client()
    with caplog.at_level(logging.INFO, logger="vaikuttava"):
        for _ in range(6):
            _attempt(client, "ville", "Salainen-Väärä-1", REMOTE_ADDR="10.0.0.3")
    seen = {
        (getattr(r, "event", None), getattr(r, "username", None), getattr(r, "client_ip", None))
        for r in caplog.records
    }
    assert ("signin.failed", "ville", "10.0.0.3") in seen
    assert ("signin.locked_out", "ville", "10.0.0.3") in seen
    assert "Salainen-Väärä-1" not in caplog.text


# --- password rules (ASVS 6.2) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("demo-demo-2026", True),  # the demo's password stays valid
        ("kesä-ilta-järvellä", True),
        ("lyhyt-sana1", False),  # 11 characters
        ("qwerty123456", False),  # 12 characters, but on the offline list of common passwords
        ("1q2w3e4r5t6y", False),
        ("123456789012345", False),  # common and only digits
    ],
)
def test_password_rules(db: None, password: str, ok: bool) -> None:
    try:
        validate_password(password, User(username="someone", email="someone@example.fi"))
    except ValidationError:
        assert not ok
    else:
        assert ok


def test_an_invitation_refuses_a_common_password(client: Client, org_a: Organisation) -> None:
    person = User.objects.create(username="kutsuttu", email="kutsuttu@example.fi", language="en")
    person.set_unusable_password()
    person.save()
    make_member(organisation=org_a, user=person)
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"  # not signed in yet: the cookie's language
    form = client.get(
        reverse("organisations:invitation_accept", args=[uid, invitation_tokens.make_token(person)]),
        follow=True,
    )
    url = form.redirect_chain[-1][0]
    common = client.post(url, {"new_password1": "qwerty123456", "new_password2": "qwerty123456"})
    assert common.status_code == 200 and "too common" in common.content.decode()
    good = client.post(url, {"new_password1": "kesä-ilta-järvellä", "new_password2": "kesä-ilta-järvellä"})
    assert good.status_code == 302 and _signed_in_user(client) == str(person.pk)


def test_a_password_change_refuses_a_common_password(client: Client, db: None) -> None:
    user = make_user(language="en")
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "qwerty123456", "new_password2": "qwerty123456"},
    )
    assert response.status_code == 200 and "too common" in response.content.decode()


def test_the_operators_admin_signs_in_through_the_same_page(client: Client, db: None) -> None:
    response = client.get(f"/{django_settings.ADMIN_URL}login/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
