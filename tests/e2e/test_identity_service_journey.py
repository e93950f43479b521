"""The organisation's identity service in the real browser: the sign-in page's button posts to allauth,
which redirects to the service (the page's form-action must allow it), the service's page, the callback,
and the start page; and the refusal page when the service vouches for someone of another home. The
service is a small OpenID Connect provider on loopback (tests/e2e/oidc_provider.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from allauth.socialaccount.models import SocialAccount, SocialApp
from playwright.sync_api import Page, expect

from organisations.models import Membership, Organisation, Role
from tests.e2e.conftest import check_current_page, url, user_menu
from tests.e2e.oidc_provider import LoopbackProvider
from tests.factories import make_member, make_user


@pytest.fixture
def provider(org_a: Organisation) -> Iterator[LoopbackProvider]:
    service = LoopbackProvider(client_id="vaikuttava-aakkosla", client_secret="loopback-secret")
    service.start()
    SocialApp.objects.create(
        provider="openid_connect",
        provider_id=org_a.slug,
        name="Aakkosla",
        client_id=service.client_id,
        secret=service.client_secret,
        settings={"server_url": service.issuer},
    )
    yield service
    service.stop()


def _click_the_button(page: Page, org: Organisation) -> None:
    page.goto(url("login"))
    page.locator(f"main form[action='{url('openid_connect_login', org.slug)}'] button").click()
    # The service's own page (another origin: the sign-in page's form-action let the redirect through).
    expect(page.locator("h1")).to_have_text("Identity service")
    page.locator("#continue").click()


def test_an_admin_signs_in_with_the_organisations_identity_service(
    page: Page, org_a: Organisation, provider: LoopbackProvider, settings: Any
) -> None:
    settings.REQUIRE_MFA_FOR_PRIVILEGED = True
    admin = make_member(
        organisation=org_a, role=Role.ADMIN, user=make_user(email="anna.aalto@aakkosla.fi", language="en")
    )
    provider.claims = {"sub": "anna-123", "email": "anna.aalto@aakkosla.fi", "email_verified": True}
    provider.id_token_claims = {"amr": ["pwd", "otp"]}  # the service's own second factor

    _click_the_button(page, org_a)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(user_menu(page)).to_be_visible()
    check_current_page(page, "start-after-identity-service")
    assert provider.token_requests == 1
    assert SocialAccount.objects.get(user=admin).uid == "anna-123"
    page.goto(url("organisation_home", org_a.slug))
    expect(page).to_have_url(re.compile(re.escape(url("organisation_home", org_a.slug)) + "$"))


def test_the_service_cannot_sign_in_someone_of_another_home(
    page: Page, org_a: Organisation, association: Organisation, provider: LoopbackProvider, live_server: Any
) -> None:
    steward = make_member(
        organisation=association, role=Role.STEWARD, user=make_user(email="stiina@kuntaliitto.fi")
    )
    Membership.objects.create(user=steward, organisation=org_a, role=Role.VIEWER)
    provider.claims = {"sub": "planted-1", "email": "stiina@kuntaliitto.fi", "email_verified": True}
    page.context.add_cookies([{"name": "language", "value": "en", "url": live_server.url}])

    _click_the_button(page, org_a)
    expect(page.locator("main h1")).to_have_text("Sign-in refused")
    check_current_page(page, "identity-service-refused")
    assert not SocialAccount.objects.exists()
    page.goto(url("start"))
    expect(page).to_have_url(re.compile(re.escape(url("login"))))
