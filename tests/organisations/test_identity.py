"""An organisation's identity service vouches only for its own people (organisations.identity).

The attacks of issue 15 against a fake OpenID Connect service per organisation (tests/organisations/
fake_idp.py): another organisation's service signing in a person whose home is elsewhere (by a verified
email or by an identity linked beforehand), unverified addresses, and privileged people without a
second factor.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import responses
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode

from organisations.identity import ASSERTION_SESSION_KEY, amr_has_second_factor
from organisations.models import Membership, Organisation, Role, User
from tests.factories import make_member, make_organisation, make_user
from tests.organisations.fake_idp import FakeIdentityService

Services = Callable[..., FakeIdentityService]


@pytest.fixture(autouse=True)
def english_browser(client: Client, settings: Any) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def services(db: None) -> Iterator[Services]:
    """Configure an identity service (its own issuer and key) for an organisation."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:

        def configure(organisation: Organisation, **config_overrides: Any) -> FakeIdentityService:
            service = FakeIdentityService(
                mock,
                issuer=f"https://tunnistus.{organisation.slug}.example",
                client_id=f"vaikuttava-{organisation.slug}",
                config_overrides=config_overrides,
            )
            service.install()
            service.configure(organisation)
            return service

        yield configure


@pytest.fixture
def council(db: None) -> Organisation:
    return make_organisation(
        name="Järvi-Pohjolan liitto", kind=Organisation.Kind.REGIONAL_COUNCIL, slug="jarvi-pohjola"
    )


@pytest.fixture
def mfa_required(settings: Any) -> None:
    settings.REQUIRE_MFA_FOR_PRIVILEGED = True


def _signed_in_user(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def _refusals(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str, int | None]]:
    return [
        (r.provider, r.reason, r.matched_user_id)  # type: ignore[attr-defined]
        for r in caplog.records
        if getattr(r, "event", None) == "signin.sso_refused"
    ]


def _link(user: User, organisation: Organisation, uid: str) -> None:
    """An identity at the organisation's service linked to the account beforehand."""
    SocialAccount.objects.create(user=user, provider=organisation.slug, uid=uid, extra_data={})


def _code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))


def _totp(user: User) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


# --- another organisation's service ----------------------------------------------------------------


@pytest.mark.parametrize("found_by", ["verified email", "linked identity"])
def test_a_councils_service_cannot_sign_in_a_municipalitys_editor_who_is_a_viewer_there(
    client: Client,
    services: Services,
    org_a: Organisation,
    council: Organisation,
    found_by: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    editor = make_member(organisation=org_a, role=Role.EDITOR, user=make_user(email="eeva@aakkosla.fi"))
    Membership.objects.create(user=editor, organisation=council, role=Role.VIEWER)
    council_service = services(council)
    council_service.claims = {"sub": "council-7", "email": "eeva@aakkosla.fi", "email_verified": True}
    if found_by == "linked identity":
        _link(editor, council, "council-7")

    with caplog.at_level(logging.WARNING, logger="vaikuttava"):
        response = council_service.sign_in(client, council)
    assert response.status_code == 403
    assert "sign in with that organisation" in response.content.decode()
    assert _signed_in_user(client) is None
    assert _refusals(caplog) == [("jarvi-pohjola", "home_elsewhere", editor.pk)]
    assert SocialAccount.objects.filter(user=editor).count() == (found_by == "linked identity")

    # The editor's own organisation's service still signs them in.
    home_service = services(org_a)
    home_service.claims = {"sub": "eeva-1", "email": "eeva@aakkosla.fi", "email_verified": True}
    assert home_service.sign_in(client, org_a).status_code == 302
    assert _signed_in_user(client) == str(editor.pk)


@pytest.mark.parametrize("found_by", ["verified email", "linked identity"])
def test_an_admin_who_adds_the_steward_as_a_viewer_cannot_sign_in_as_the_steward(
    client: Client,
    services: Services,
    org_a: Organisation,
    association: Organisation,
    found_by: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    steward = make_member(
        organisation=association, role=Role.STEWARD, user=make_user(email="stiina@kuntaliitto.fi")
    )
    # An admin of Aakkosla attaches the steward to Aakkosla (however the membership came about) ...
    Membership.objects.create(user=steward, organisation=org_a, role=Role.VIEWER)
    # ... and Aakkosla's identity service (which that admin may control) vouches for the steward.
    service = services(org_a)
    service.claims = {"sub": "planted-1", "email": "stiina@kuntaliitto.fi", "email_verified": True}
    if found_by == "linked identity":
        _link(steward, org_a, "planted-1")

    with caplog.at_level(logging.WARNING, logger="vaikuttava"):
        response = service.sign_in(client, org_a)
    assert response.status_code == 403
    assert _signed_in_user(client) is None
    assert _refusals(caplog) == [("aakkosla", "home_elsewhere", steward.pk)]
    assert client.get(reverse("start")).status_code == 302  # still signed out


def test_a_linked_identity_of_a_deactivated_account_is_refused(
    client: Client, services: Services, org_a: Organisation, caplog: pytest.LogCaptureFixture
) -> None:
    person = make_member(organisation=org_a, user=make_user(email="anna@aakkosla.fi"))
    _link(person, org_a, "anna-1")
    User.objects.filter(pk=person.pk).update(is_active=False)
    service = services(org_a)
    service.claims = {"sub": "anna-1", "email": "anna@aakkosla.fi", "email_verified": True}
    with caplog.at_level(logging.WARNING, logger="vaikuttava"):
        assert service.sign_in(client, org_a).status_code == 403
    assert _refusals(caplog) == [("aakkosla", "inactive", person.pk)]


def test_an_account_with_another_identity_linked_is_not_taken_over_by_address(
    client: Client, services: Services, org_a: Organisation, caplog: pytest.LogCaptureFixture
) -> None:
    person = make_member(organisation=org_a, user=make_user(email="anna@aakkosla.fi"))
    _link(person, org_a, "anna-1")
    service = services(org_a)
    service.claims = {"sub": "someone-new", "email": "anna@aakkosla.fi", "email_verified": True}
    with caplog.at_level(logging.WARNING, logger="vaikuttava"):
        assert service.sign_in(client, org_a).status_code == 403
    assert _refusals(caplog) == [("aakkosla", "linked_to_another_identity", person.pk)]
    assert list(SocialAccount.objects.filter(user=person).values_list("uid", flat=True)) == ["anna-1"]


# --- verified addresses only ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("account_verified", "service_says", "reason"),
    [
        (False, True, "account_email_unverified"),  # the service vouches, but the address here is unproven
        (True, "false", "service_email_unverified"),  # a string "false" is not a yes
        (True, None, "service_email_unverified"),  # no email_verified claim at all
        (True, 1, "service_email_unverified"),
    ],
)
def test_an_unverified_address_is_never_matched(
    client: Client,
    services: Services,
    org_a: Organisation,
    account_verified: bool,
    service_says: object,
    reason: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    person = make_member(
        organisation=org_a, user=make_user(email="anna@aakkosla.fi", email_verified=account_verified)
    )
    service = services(org_a)
    service.claims = {"sub": "anna-1", "email": "anna@aakkosla.fi"}
    if service_says is not None:
        service.claims["email_verified"] = service_says
    with caplog.at_level(logging.WARNING, logger="vaikuttava"):
        assert service.sign_in(client, org_a).status_code == 403
    assert _signed_in_user(client) is None
    assert not SocialAccount.objects.filter(user=person).exists()
    assert [r[1] for r in _refusals(caplog)] == [reason]


def test_the_string_true_counts_as_verified(client: Client, services: Services, org_a: Organisation) -> None:
    person = make_member(organisation=org_a, user=make_user(email="anna@aakkosla.fi"))
    service = services(org_a)
    service.claims = {"sub": "anna-1", "email": "ANNA@aakkosla.fi", "email_verified": "true"}
    assert service.sign_in(client, org_a).status_code == 302
    assert _signed_in_user(client) == str(person.pk)


# --- the second factor -------------------------------------------------------------------------------


def _privileged(
    kind: str, org_a: Organisation, org_b: Organisation, association: Organisation
) -> tuple[User, Organisation]:
    """A privileged person and their home organisation."""
    if kind == "admin":
        return make_member(organisation=org_a, role=Role.ADMIN, user=make_user(email="p@example.fi")), org_a
    if kind == "admin elsewhere":  # a viewer at home, an admin of another organisation
        person = make_member(organisation=org_a, role=Role.VIEWER, user=make_user(email="p@example.fi"))
        Membership.objects.create(user=person, organisation=org_b, role=Role.ADMIN)
        return person, org_a
    if kind == "steward":
        return make_member(
            organisation=association, role=Role.STEWARD, user=make_user(email="p@example.fi")
        ), association
    person = make_member(organisation=org_a, role=Role.VIEWER, user=make_user(email="p@example.fi"))
    User.objects.filter(pk=person.pk).update(is_staff=True)
    return person, org_a


@pytest.mark.parametrize("kind", ["admin", "admin elsewhere", "steward", "staff"])
def test_a_privileged_person_from_the_identity_service_without_a_second_factor_must_set_one_up(
    client: Client,
    services: Services,
    org_a: Organisation,
    org_b: Organisation,
    association: Organisation,
    mfa_required: None,
    kind: str,
) -> None:
    person, home = _privileged(kind, org_a, org_b, association)
    service = services(home)
    service.claims = {"sub": "p-1", "email": "p@example.fi", "email_verified": True}
    assert service.sign_in(client, home).status_code == 302
    assert _signed_in_user(client) == str(person.pk)
    for page in (reverse("start"), reverse("organisation_home", args=[home.slug])):
        response = client.get(page)
        assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    assert client.session[ASSERTION_SESSION_KEY]["second_factor"] is False


def test_a_privileged_person_with_codes_gives_one_after_the_identity_service(
    client: Client, services: Services, org_a: Organisation, mfa_required: None
) -> None:
    admin = make_member(organisation=org_a, role=Role.ADMIN, user=make_user(email="p@example.fi"))
    secret = _totp(admin)
    service = services(org_a)
    service.claims = {"sub": "p-1", "email": "p@example.fi", "email_verified": True}
    response = service.sign_in(client, org_a)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert _signed_in_user(client) is None
    response = client.post(reverse("mfa_authenticate"), {"code": _code(secret)})
    assert response.status_code == 302 and _signed_in_user(client) == str(admin.pk)
    assert client.get(reverse("organisation_home", args=[org_a.slug])).status_code == 200


@pytest.mark.parametrize(
    "asserted",
    [
        {"amr": ["mfa"]},
        {"amr": ["pwd", "otp"]},
        {"amr": ["sc", "pin"]},
        {"acr": "http://ftn.ficora.fi/2017/loa3"},
        {"acr": "http://eidas.europa.eu/LoA/substantial"},
    ],
)
def test_the_identity_services_second_factor_counts(
    client: Client,
    services: Services,
    org_a: Organisation,
    association: Organisation,
    mfa_required: None,
    asserted: dict[str, Any],
) -> None:
    steward = make_member(organisation=association, role=Role.STEWARD, user=make_user(email="s@example.fi"))
    service = services(association)
    service.claims = {"sub": "s-1", "email": "s@example.fi", "email_verified": True}
    service.id_token_claims = asserted
    assert service.sign_in(client, association).status_code == 302
    assert _signed_in_user(client) == str(steward.pk)
    assert client.get(reverse("start")).status_code == 200
    assert client.get(reverse("organisation_home", args=[association.slug])).status_code == 200
    recorded = client.session[ASSERTION_SESSION_KEY]
    assert recorded["second_factor"] is True and recorded["provider"] == association.slug
    assert recorded["amr"] == asserted.get("amr", []) and recorded["acr"] == asserted.get("acr", "")


@pytest.mark.parametrize(
    ("id_token", "userinfo"),
    [
        ({"amr": ["otp"]}, {}),  # one factor
        ({"amr": ["pwd", "pin", "kba"]}, {}),  # three things known are one kind of factor
        ({"amr": ["pwd", "user", "mca"]}, {}),  # not factors
        ({"acr": "http://ftn.ficora.fi/2017/loa1"}, {}),
        ({"amr": "mfa"}, {}),  # not a list: malformed
        ({}, {"amr": ["mfa"], "acr": "http://ftn.ficora.fi/2017/loa3"}),  # user info is not the ID token
    ],
)
def test_what_does_not_count_as_the_services_second_factor(
    client: Client,
    services: Services,
    org_a: Organisation,
    mfa_required: None,
    id_token: dict[str, Any],
    userinfo: dict[str, Any],
) -> None:
    make_member(organisation=org_a, role=Role.ADMIN, user=make_user(email="p@example.fi"))
    service = services(org_a)
    service.claims = {"sub": "p-1", "email": "p@example.fi", "email_verified": True}
    service.id_token_claims = id_token
    service.userinfo_claims = userinfo
    assert service.sign_in(client, org_a).status_code == 302
    assert client.get(reverse("start"))["Location"] == reverse("mfa_activate_totp")


def test_the_acr_values_are_configurable(
    client: Client, services: Services, org_a: Organisation, mfa_required: None, settings: Any
) -> None:
    settings.OIDC_MFA_ACR_VALUES = ["urn:kaarnala:vahva"]
    make_member(organisation=org_a, role=Role.ADMIN, user=make_user(email="p@example.fi"))
    service = services(org_a)
    service.claims = {"sub": "p-1", "email": "p@example.fi", "email_verified": True}
    service.id_token_claims = {"acr": "urn:kaarnala:vahva"}
    service.sign_in(client, org_a)
    assert client.get(reverse("start")).status_code == 200

    client.post(reverse("logout"))
    service.id_token_claims = {"acr": "http://ftn.ficora.fi/2017/loa3"}  # no longer listed
    service.sign_in(client, org_a)
    assert client.get(reverse("start"))["Location"] == reverse("mfa_activate_totp")


def test_with_the_services_second_factor_a_person_with_codes_is_not_asked_again(
    client: Client, services: Services, org_a: Organisation, mfa_required: None
) -> None:
    admin = make_member(organisation=org_a, role=Role.ADMIN, user=make_user(email="p@example.fi"))
    _totp(admin)
    service = services(org_a)
    service.claims = {"sub": "p-1", "email": "p@example.fi", "email_verified": True}
    service.id_token_claims = {"amr": ["pwd", "hwk"]}
    response = service.sign_in(client, org_a)
    assert response.status_code == 302 and response["Location"] == "/"
    assert _signed_in_user(client) == str(admin.pk)
    assert client.get(reverse("start")).status_code == 200


def test_a_viewer_from_the_identity_service_needs_no_second_factor(
    client: Client, services: Services, org_a: Organisation, mfa_required: None
) -> None:
    make_member(organisation=org_a, role=Role.VIEWER, user=make_user(email="v@example.fi"))
    service = services(org_a)
    service.claims = {"sub": "v-1", "email": "v@example.fi", "email_verified": True}
    assert service.sign_in(client, org_a).status_code == 302
    assert client.get(reverse("start")).status_code == 200
    assert client.get(reverse("organisation_home", args=[org_a.slug])).status_code == 200


def test_a_session_without_a_code_is_asked_for_one_whatever_the_way_in(
    client: Client, org_a: Organisation, mfa_required: None
) -> None:
    # A session that began without a code (here force_login; in life any path that skips allauth's
    # code stage) reaches nothing until the person gives one.
    admin = make_member(organisation=org_a, role=Role.ADMIN, user=make_user(language="en"))
    secret = _totp(admin)
    client.force_login(admin)
    home = reverse("organisation_home", args=[org_a.slug])
    asked = reverse("mfa_reauthenticate") + "?" + urlencode({"next": home})
    response = client.get(home)
    assert response.status_code == 302 and response["Location"] == asked
    htmx = client.get(
        reverse("start"), headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{home}"}
    )
    assert htmx["HX-Redirect"] == asked
    page = client.get(asked)
    assert page.status_code == 200 and "authenticator app" in page.content.decode()
    assert client.post(asked, {"code": "000000" if _code(secret) != "000000" else "1"}).status_code == 200
    assert client.get(home).status_code == 302
    response = client.post(asked, {"code": _code(secret), "next": home})
    assert response.status_code == 302 and response["Location"] == home
    assert client.get(home).status_code == 200


def test_without_the_requirement_no_second_factor_is_asked(
    client: Client, services: Services, org_a: Organisation, settings: Any
) -> None:
    settings.REQUIRE_MFA_FOR_PRIVILEGED = False
    make_member(organisation=org_a, role=Role.ADMIN, user=make_user(email="p@example.fi"))
    service = services(org_a)
    service.claims = {"sub": "p-1", "email": "p@example.fi", "email_verified": True}
    service.sign_in(client, org_a)
    assert client.get(reverse("start")).status_code == 200


@pytest.mark.parametrize(
    ("amr", "counts"),
    [
        (["mfa"], True),
        (["MFA"], False),  # the values are exact
        (["pwd", "otp"], True),
        (["pwd", "sms"], True),
        (["hwk", "fpt"], True),
        (["swk", "face"], True),
        (["pin", "sc"], True),
        (["otp"], False),
        (["hwk", "sc"], False),
        (["pwd", "pin"], False),
        (["pwd", "geo", "rba"], False),
        (["wia"], False),
        ([], False),
    ],
)
def test_the_amr_rule(amr: list[str], counts: bool) -> None:
    assert amr_has_second_factor(amr) is counts


# --- the sign-in page's form-action ------------------------------------------------------------------


def _form_action(response: Any) -> list[str]:
    for directive in response["Content-Security-Policy"].split(";"):
        name, *values = directive.split()
        if name == "form-action":
            return values
    raise AssertionError("no form-action")


def test_the_sign_in_page_lets_its_buttons_go_on_to_the_identity_services_only(
    client: Client,
    services: Services,
    org_a: Organisation,
    org_b: Organisation,
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert _form_action(client.get(reverse("login"))) == ["'self'"]  # no service configured yet
    services(org_a)
    elsewhere = "https://login.beetala-idp.example/authorize"
    service_b = services(org_b, authorization_endpoint=elsewhere)
    assert _form_action(client.get(reverse("login"))) == [
        "'self'",
        "https://tunnistus.aakkosla.example",
        "https://tunnistus.beetala.example",
    ]
    # Every other page keeps the site's policy.
    assert _form_action(client.get(reverse("password_reset"))) == ["'self'"]
    make_member(organisation=org_a, role=Role.VIEWER)
    signed_in = Client()
    signed_in.force_login(User.objects.get(memberships__organisation=org_a))
    assert _form_action(signed_in.get(reverse("start"))) == ["'self'"]

    # Beetala's service authorises on another origin: the operator is told, and names it.
    with caplog.at_level(logging.WARNING, logger="vaikuttava"):
        service_b.start(client, org_b)
    warnings = [r for r in caplog.records if getattr(r, "event", None) == "signin.sso_origin_not_allowed"]
    assert [(r.provider, r.origin) for r in warnings] == [("beetala", "https://login.beetala-idp.example")]  # type: ignore[attr-defined]
    app = SocialApp.objects.get(provider_id=org_b.slug)
    app.settings["openid_configuration_overrides"] = {"authorization_endpoint": elsewhere}
    app.save()
    assert "https://login.beetala-idp.example" in _form_action(client.get(reverse("login")))


def test_a_refusal_is_one_warning_line_without_a_traceback(
    client: Client,
    services: Services,
    org_a: Organisation,
    council: Organisation,
    caplog: pytest.LogCaptureFixture,
) -> None:
    editor = make_member(organisation=org_a, role=Role.EDITOR, user=make_user(email="eeva@aakkosla.fi"))
    council_service = services(council)
    council_service.claims = {"sub": "council-7", "email": "eeva@aakkosla.fi", "email_verified": True}
    caplog.set_level(logging.INFO)
    assert council_service.sign_in(client, council).status_code == 403
    warnings = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert [getattr(record, "event", record.getMessage()) for record in warnings] == ["signin.sso_refused"]
    assert warnings[0].exc_info is None
    assert editor.pk == warnings[0].matched_user_id  # type: ignore[attr-defined]
