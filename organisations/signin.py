"""Sign-in glue: the client's address behind a proxy, throttling keys, the identity services on the sign-in
page (and its form-action), and the allauth adapters.

Sign-in itself is django-allauth's (local accounts with a password, OpenID Connect per organisation,
TOTP one-time codes). Who an identity service may sign in, and who needs a second factor, are
organisations.identity's rules; the adapters here call them. The README's "Sign-in" documents both.
"""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.stages import AuthenticateStage
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from django.conf import settings
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.csp import CSP

from organisations import identity
from organisations.audit_log import audit
from organisations.models import Organisation, User

PROVIDER = "openid_connect"


# --- the client's address ---------------------------------------------------------------------------


def _clean_address(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [IPv6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # IPv4:port
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The address that counts for throttling and logs.

    With TRUSTED_PROXY_COUNT = 0 (no proxy) it is the connection's address and X-Forwarded-For is
    ignored, since anyone can send it. With N trusted proxies, each appends the address it saw to the
    header, so the client is the N-th entry from the right; entries further left are the client's own
    claims and never count.
    """
    remote = str(request.META.get("REMOTE_ADDR", "") or "")
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", "") or "")
    if count > 0 and forwarded:
        entries = [entry for entry in forwarded.split(",") if entry.strip()]
        if len(entries) >= count:
            address = _clean_address(entries[-count])
            if address:
                return address
    return _clean_address(remote)  # None when unknown (e.g. the test client's force_login)


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The key django-axes counts failures under: one per person, whether they typed the username or
    the email address (allauth's form field is `login`)."""
    credentials = credentials or {}
    data = getattr(request, "POST", {}) if request is not None else {}
    typed = (
        credentials.get("email")
        or credentials.get("username")
        or credentials.get("login")
        or data.get("login")
        or data.get("username")
        or ""
    )
    typed = str(typed).strip()
    if "@" in typed:
        username = User.objects.filter(email__iexact=typed).values_list("username", flat=True).first()
        if username:
            typed = username
    return typed.lower()


def user_display(user: Any) -> str:
    return str(getattr(user, "display_name", "") or user.get_username())


# --- identity services of organisations ----------------------------------------------------------------


def origin_of(url: object) -> str | None:
    parts = urlsplit(str(url or ""))
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def service_origins(app: SocialApp) -> tuple[str, ...]:
    """Where the sign-in form of this identity service goes on to: the origin of its issuer and, when the
    app's settings override it (`openid_configuration_overrides`), of its authorisation endpoint. No
    network on the sign-in page: a service whose discovery names an authorisation endpoint on another
    origin needs that override (the redirect logs `signin.sso_origin_not_allowed` until it is set)."""
    settings_ = app.settings or {}
    overrides = settings_.get("openid_configuration_overrides") or {}
    candidates = (settings_.get("server_url"), overrides.get("authorization_endpoint"))
    return tuple(dict.fromkeys(origin for origin in map(origin_of, candidates) if origin))


@dataclass(frozen=True)
class IdentityService:
    organisation: Organisation
    login_url: str
    origins: tuple[str, ...] = ()


def identity_services(request: HttpRequest) -> list[IdentityService]:
    """The organisations whose OpenID Connect identity service is configured (from the environment or as
    a social application in the operator's admin, provider id = the organisation's slug)."""
    apps = {app.provider_id: app for app in get_social_adapter(request).list_apps(request, provider=PROVIDER)}
    organisations = Organisation.objects.filter(slug__in=[slug for slug in apps if slug])
    return [
        IdentityService(
            org,
            reverse("openid_connect_login", kwargs={"provider_id": org.slug}),
            service_origins(apps[org.slug]),
        )
        for org in sorted(organisations, key=lambda o: str(o.name))
    ]


def sign_in_page_csp(services: list[IdentityService]) -> dict[str, Any] | None:
    """The sign-in page's policy: the site's, with form-action also allowing the identity services'
    origins, since their buttons post to allauth, which answers with a redirect to the service (and
    Chromium applies form-action to that redirect). None when no service is configured (the site's
    policy as it is). Only this page gets it."""
    origins = [origin for service in services for origin in service.origins]
    if not origins:
        return None
    policy: dict[str, Any] = dict(settings.SECURE_CSP)
    allowed = list(policy.get("form-action", [CSP.SELF]))
    policy["form-action"] = allowed + [origin for origin in dict.fromkeys(origins) if origin not in allowed]
    return policy


# --- allauth adapters -------------------------------------------------------------------------------------


class AccountAdapter(DefaultAccountAdapter):
    """No self-service sign-up: people join by invitation; the address rule is client_ip's; the second
    factor an identity service asserted is kept in the session (organisations.identity)."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_client_ip(self, request: HttpRequest) -> str:
        return client_ip(request) or ""

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth counts failures per what was typed, so one person's username and email address would be
        # two accounts with two allowances; django-axes' key (axes_username) maps both to the username.
        # (A private hook of allauth's adapter: the only place its per-account key is made.)
        typed = {key: value for key, value in credentials.items() if key != "password"}
        return f"account:{axes_username(request, typed)}"

    def get_login_stages(self) -> list[str]:
        # allauth asks a person with one-time codes for one after every sign-in, an identity service's
        # too; not when that service asserted a second factor of its own.
        return [
            "organisations.signin.CodeUnlessAssertedStage"
            if stage == "allauth.mfa.stages.AuthenticateStage"
            else stage
            for stage in super().get_login_stages()
        ]

    def post_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> Any:
        sociallogin = (kwargs.get("signal_kwargs") or {}).get("sociallogin")
        identity.record_assertion(request, user, assertion_of(sociallogin) if sociallogin else None)
        return super().post_login(request, user, **kwargs)


def assertion_of(sociallogin: SocialLogin) -> identity.Assertion:
    data = sociallogin.account.extra_data or {}
    return identity.Assertion.from_id_token(sociallogin.account.provider, data.get("id_token") or {})


class CodeUnlessAssertedStage(AuthenticateStage):
    """allauth's one-time code stage, skipped when the identity service of this sign-in asserted a
    second factor (organisations.identity.Assertion)."""

    def _should_handle(self, request: HttpRequest) -> bool:
        sociallogin = (self.login.signal_kwargs or {}).get("sociallogin")
        if sociallogin is not None and assertion_of(sociallogin).second_factor:
            return False
        return super()._should_handle(request)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """A person who comes back from an organisation's identity service: the answer must carry the nonce
    this sign-in sent and name one subject in the ID token and the user info; who may be signed in is
    organisations.identity's rule (an account of the service's own organisation, never another's).
    No account is ever created here."""

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        provider_id = sociallogin.account.provider
        organisation = Organisation.objects.filter(slug=provider_id).first()
        try:
            if organisation is None:
                raise identity.Refused("no_organisation")
            if sociallogin.state.get("process") != "login":
                raise identity.Refused("not_a_sign_in")
            _check_tokens(sociallogin)
            data = sociallogin.account.extra_data or {}
            user, how = identity.account_for(
                organisation,
                provider_id=provider_id,
                uid=str(sociallogin.account.uid),
                linked_user=sociallogin.user if sociallogin.is_existing else None,
                claims=data.get("userinfo") or data.get("id_token") or {},
            )
        except identity.Refused as refusal:
            identity.refuse(request, provider_id, refusal)
            response = TemplateResponse(
                request,
                "socialaccount/refused.html",
                {"organisation": organisation, "reason": refusal.reason},
                status=403,
            )
            # signin.sso_refused is this 403's one log line (django.utils.log.log_response reads the mark).
            response._has_been_logged = True  # type: ignore[attr-defined]
            raise ImmediateHttpResponse(response) from refusal
        if not sociallogin.is_existing:
            sociallogin.connect(request, user)
        assertion = assertion_of(sociallogin)
        audit(
            "signin",
            "sso_matched",
            request=request,
            provider=provider_id,
            matched_user_id=user.pk,
            matched_by=how,
            amr=list(assertion.amr),
            acr=assertion.acr,
            second_factor=assertion.second_factor,
        )

    def send_notification_mail(self, *args: Any, **kwargs: Any) -> None:
        # "A third-party account was connected": the link is made by the sign-in itself, not by the person.
        return None


def _check_tokens(sociallogin: SocialLogin) -> None:
    data = sociallogin.account.extra_data or {}
    id_token = data.get("id_token") or {}
    expected = sociallogin.state.get("nonce")
    if not expected or not secrets.compare_digest(str(id_token.get("nonce", "")), str(expected)):
        raise identity.Refused("nonce_mismatch")
    userinfo = data.get("userinfo")
    if userinfo and str(userinfo.get("sub")) != str(id_token.get("sub")):
        raise identity.Refused("subject_mismatch")
