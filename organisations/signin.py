"""Sign-in rules: who may sign in through which identity service, the client's address behind a proxy,
throttling keys, and who must use one-time codes.

Sign-in itself is django-allauth's (local accounts with a password, OpenID Connect per organisation,
TOTP one-time codes); this module holds the product's decisions, documented in the README's "Sign-in".
"""

from __future__ import annotations

import ipaddress
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.models import SocialLogin
from django.conf import settings
from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse

from organisations.audit_log import audit
from organisations.models import Membership, Organisation, Role, User

PROVIDER = "openid_connect"
PRIVILEGED_ROLES = (Role.ADMIN, Role.STEWARD)


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


# --- who must use one-time codes ----------------------------------------------------------------------


def mfa_status(user: Any) -> tuple[bool, bool]:
    """(privileged, has TOTP) in one query: admins and stewards of any organisation and the operators of
    the Django admin are privileged."""
    from allauth.mfa.models import Authenticator

    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            privileged_member=Exists(
                Membership.objects.filter(user=OuterRef("pk"), role__in=PRIVILEGED_ROLES)
            ),
            totp=Exists(Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)),
        )
        .values_list("privileged_member", "is_staff", "is_superuser", "totp")
        .first()
    )
    if row is None:
        return False, False
    member, staff, superuser, totp = row
    return bool(member or staff or superuser), bool(totp)


def signed_in_through_identity_service(request: HttpRequest) -> bool:
    """Whether this session began at an organisation's identity service (which owns its MFA)."""
    records = get_authentication_records(request, request.user)  # type: ignore[arg-type]
    return any(record.get("method") == "socialaccount" for record in records)


def must_set_up_mfa(request: HttpRequest) -> bool:
    """A privileged person signed in with a password and without TOTP must set it up first."""
    if not settings.REQUIRE_MFA_FOR_PRIVILEGED or not request.user.is_authenticated:
        return False
    if signed_in_through_identity_service(request):
        return False
    privileged, has_totp = mfa_status(request.user)
    return privileged and not has_totp


# --- identity services of organisations ----------------------------------------------------------------


@dataclass(frozen=True)
class IdentityService:
    organisation: Organisation
    login_url: str


def identity_services(request: HttpRequest) -> list[IdentityService]:
    """The organisations whose OpenID Connect identity service is configured (from the environment or as
    a social application in the operator's admin, provider id = the organisation's slug)."""
    apps = get_social_adapter(request).list_apps(request, provider=PROVIDER)
    slugs = {app.provider_id for app in apps if app.provider_id}
    organisations = Organisation.objects.filter(slug__in=slugs)
    return [
        IdentityService(org, reverse("openid_connect_login", kwargs={"provider_id": org.slug}))
        for org in sorted(organisations, key=lambda o: str(o.name))
    ]


# --- allauth adapters -------------------------------------------------------------------------------------


class AccountAdapter(DefaultAccountAdapter):
    """No self-service sign-up: people join by invitation; the address rule is client_ip's."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_client_ip(self, request: HttpRequest) -> str:
        return client_ip(request) or ""


class SignInRefused(Exception):
    pass


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Matching of a person who comes back from an organisation's identity service.

    The rules: the identity service of organisation X vouches only for members of X. A person is let in
    when their identity is already linked to an active member of X, or when the service confirms an
    email address (`email_verified`) that belongs to an active user with a membership in X, whose
    identity is then linked. Anyone else is refused: no account is ever created here (an admin invites
    people; the invitation creates the membership that sign-in then matches). The answer must also carry
    the nonce this sign-in sent, and the ID token and user info must name the same subject.
    """

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        provider_id = sociallogin.account.provider
        organisation = Organisation.objects.filter(slug=provider_id).first()
        try:
            if organisation is None:
                raise SignInRefused("no_organisation")
            if sociallogin.state.get("process") != "login":
                raise SignInRefused("not_a_sign_in")
            _check_tokens(sociallogin)
            user = self._member(sociallogin, organisation)
        except SignInRefused as refusal:
            audit(
                "signin",
                "sso_refused",
                request=request,
                level=logging.WARNING,
                provider=provider_id,
                reason=str(refusal),
            )
            raise ImmediateHttpResponse(
                TemplateResponse(
                    request,
                    "socialaccount/refused.html",
                    {"organisation": organisation, "reason": str(refusal)},
                    status=403,
                )
            ) from refusal
        if not sociallogin.is_existing:
            sociallogin.connect(request, user)
        audit("signin", "sso_matched", request=request, provider=provider_id, matched_user_id=user.pk)

    def _member(self, sociallogin: SocialLogin, organisation: Organisation) -> User:
        members = User.objects.filter(is_active=True, memberships__organisation=organisation)
        if sociallogin.is_existing:
            user = members.filter(pk=sociallogin.user.pk).first()
            if user is None:
                raise SignInRefused("not_a_member")
            return user
        emails = [address.email for address in sociallogin.email_addresses if address.verified]
        if not emails:
            raise SignInRefused("no_verified_email")
        for email in emails:
            user = members.filter(email__iexact=email).first()
            if user is not None:
                return user
        raise SignInRefused("not_a_member")

    def send_notification_mail(self, *args: Any, **kwargs: Any) -> None:
        # "A third-party account was connected": the link is made by the sign-in itself, not by the person.
        return None


def _check_tokens(sociallogin: SocialLogin) -> None:
    data = sociallogin.account.extra_data or {}
    id_token = data.get("id_token") or {}
    expected = sociallogin.state.get("nonce")
    if not expected or not secrets.compare_digest(str(id_token.get("nonce", "")), str(expected)):
        raise SignInRefused("nonce_mismatch")
    userinfo = data.get("userinfo")
    if userinfo and str(userinfo.get("sub")) != str(id_token.get("sub")):
        raise SignInRefused("subject_mismatch")
