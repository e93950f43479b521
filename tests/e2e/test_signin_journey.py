"""Browser journey of signing in as an admin in production: the identity service buttons, the required
one-time codes (set up, then asked at the next sign-in), every page axe-clean and CSP-clean at both widths.
"""

from __future__ import annotations

import re
from typing import Any

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from allauth.socialaccount.models import SocialApp
from playwright.sync_api import Page, expect

from organisations.models import Organisation, Role
from tests.e2e.conftest import check_current_page, check_page, sign_out, url
from tests.factories import PASSWORD, make_member, make_user


def _code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))


def test_an_admin_sets_up_one_time_codes_and_signs_in_with_them(
    page: Page, org_a: Organisation, settings: Any
) -> None:
    settings.REQUIRE_MFA_FOR_PRIVILEGED = True
    SocialApp.objects.create(
        provider="openid_connect",
        provider_id=org_a.slug,
        name="Aakkosla",
        client_id="vaikuttava",
        secret="not-used-here",
        settings={"server_url": "https://idp.aakkosla.example"},
    )
    admin = make_member(organisation=org_a, role=Role.ADMIN, user=make_user(language="en"))

    check_page(page, url("login"), "sign-in-with-identity-service")
    button = page.locator(f"main form[action='{url('openid_connect_login', org_a.slug)}'] button")
    expect(button).to_contain_text("Aakkosla")

    page.locator("#id_login").fill(admin.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form[action='/accounts/login/'] button[type=submit]").click()
    # Sent to set up the codes; allauth first asks for the password again.
    expect(page).to_have_url(re.compile(re.escape(url("account_reauthenticate"))))
    check_current_page(page, "mfa-reauthenticate")
    page.locator("main input[type=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(url("mfa_activate_totp")) + "$"))
    check_current_page(page, "mfa-activate")
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("#id_code").fill(_code(secret))
    page.locator("main form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(re.escape(url("mfa_activate_totp"))))
    check_current_page(page, "mfa-after-activation")
    check_page(page, url("mfa_index"), "mfa-index")
    check_page(page, url("organisations:account"), "account-with-mfa")
    expect(page.locator("#mfa-heading")).to_be_visible()

    sign_out(page)
    page.locator("#id_login").fill(admin.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form[action='/accounts/login/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(url("mfa_authenticate")) + "$"))
    check_current_page(page, "mfa-authenticate")
    page.locator("#id_code").fill(_code(secret))
    page.locator("main form[action='/accounts/2fa/authenticate/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/$"))
    check_page(page, url("organisation_home", org_a.slug), "home-after-mfa")
