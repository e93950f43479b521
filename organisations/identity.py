"""Who an organisation's identity service may sign in, and when a session has its second factor.

This module holds the rules (DESIGN.md "Who an identity service may sign in"); the allauth adapters in
organisations/signin.py and the RequireMFAMiddleware call it. The README's "Sign-in" says the same for
operators.

**One home.** Every account has one home organisation (`User.home_organisation`), set by the
organisation that created the account. The identity service (OpenID Connect) of organisation X signs in
an account only when the account is active, its home organisation is X and it is still a member of X.
Memberships in other organisations give X's service nothing: it cannot sign in, create, link or take
over an account of another home, whatever the person's rights are elsewhere.

**Finding the person.** First by the identity already linked to an account (X's provider and the
service's subject, `sub`): the link alone is not enough, the account must still pass the rule above.
Otherwise by email address, only when both sides have verified it: the service's `email_verified` is
true (the JSON boolean or the string "true"; anything else counts as unverified) and the account's own
address is verified (`User.email_verified`, proven by a link sent to it). The identity is then linked to
the account. An account that already has another identity linked at X is not matched by address: once
made, the link decides (an operator removes a stale link in the Django admin). No account is ever
created by signing in.

**Second factor.** Privileged people (an admin of any organisation, a steward, staff or superuser of
the Django admin) need a second factor in every session, however they signed in, when
REQUIRE_MFA_FOR_PRIVILEGED is on. A session has one when

- a one-time code was given in it (at sign-in, on re-authentication, or when the codes were set up), or
- the identity service said so in the ID token of this sign-in (the claims of the signed token, not
  user info):
  - `amr` (RFC 8176) contains `mfa`, or names factors of two different kinds: something known
    (`pwd`, `pin`, `kba`), something held (`hwk`, `swk`, `sc`, `otp`, `sms`, `tel`, `pop`), something
    one is (`fpt`, `face`, `iris`, `retina`, `vbm`). Values that are not factors (`user`, `mca`,
    `geo`, `rba`, `wia`, unknown ones) never count, one kind alone (`["otp"]`, `["pwd", "pin"]`) is
    one factor, and the values are compared exactly (an `amr` that is not a list of strings says
    nothing);
  - or `acr` is one of OIDC_MFA_ACR_VALUES (by default the Finnish strong authentication levels of
    FTN, loa2 and loa3, and eIDAS substantial and high).

The assertion is recorded in the session at sign-in. A privileged session without a second factor
reaches no product page: a person with one-time codes is asked for one, a person without is sent to set
them up. With a service's assertion the code is not asked at sign-in, even from a person who has codes.
Every refusal is an audit record `signin.sso_refused` with its reason.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode

from organisations.audit_log import audit
from organisations.models import Membership, Organisation, Role, User

PRIVILEGED_ROLES = (Role.ADMIN, Role.STEWARD)

# RFC 8176 authentication method references, by the kind of factor each is.
KNOWLEDGE = frozenset({"pwd", "pin", "kba"})
POSSESSION = frozenset({"hwk", "swk", "sc", "otp", "sms", "tel", "pop"})
INHERENCE = frozenset({"fpt", "face", "iris", "retina", "vbm"})
FACTOR_KINDS = (KNOWLEDGE, POSSESSION, INHERENCE)

# Where a session keeps what the identity service asserted at sign-in, and that the person set up their
# one-time codes in it (typing a code from the app to turn them on proves the second factor too).
ASSERTION_SESSION_KEY = "identity_service_assertion"
CODES_SET_UP_SESSION_KEY = "one_time_codes_set_up"


# --- who an identity service may sign in -----------------------------------------------------------


class Refused(Exception):
    """The identity service may not sign this person in; `reason` goes to the audit log."""

    def __init__(self, reason: str, *, user_id: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.user_id = user_id


def claim_is_true(value: object) -> bool:
    """An OpenID Connect boolean claim: true only for JSON true or the string "true" (some services
    send strings, and "false" is a non-empty string)."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def may_sign_in(user: User, organisation: Organisation) -> None:
    """Raise Refused unless `organisation`'s identity service may sign `user` in."""
    if not user.is_active:
        raise Refused("inactive", user_id=user.pk)
    if user.home_organisation_id != organisation.pk:
        raise Refused("home_elsewhere", user_id=user.pk)
    if not Membership.objects.filter(user=user, organisation=organisation).exists():
        raise Refused("not_a_member", user_id=user.pk)


def account_for(
    organisation: Organisation,
    *,
    provider_id: str,
    uid: str,
    linked_user: User | None,
    claims: Mapping[str, Any],
) -> tuple[User, str]:
    """The account `organisation`'s identity service signs in, and how it was found ("linked" or
    "email"); Refused otherwise. `linked_user` is the account the identity (`provider_id`, `uid`) is
    already linked to, `claims` what the service says about the person (user info, else ID token)."""
    from allauth.socialaccount.models import SocialAccount

    if linked_user is not None:
        may_sign_in(linked_user, organisation)
        return linked_user, "linked"
    email = str(claims.get("email") or "").strip()
    if not email:
        raise Refused("no_email")
    if not claim_is_true(claims.get("email_verified")):
        raise Refused("service_email_unverified")
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        raise Refused("no_account")
    if not user.email_verified:
        raise Refused("account_email_unverified", user_id=user.pk)
    may_sign_in(user, organisation)
    if SocialAccount.objects.filter(user=user, provider=provider_id).exclude(uid=uid).exists():
        raise Refused("linked_to_another_identity", user_id=user.pk)
    return user, "email"


def refuse(request: HttpRequest, provider_id: str, refusal: Refused) -> None:
    """The audit record of a refusal."""
    audit(
        "signin",
        "sso_refused",
        request=request,
        level=logging.WARNING,
        provider=provider_id,
        reason=refusal.reason,
        matched_user_id=refusal.user_id,
    )


# --- what the identity service asserted about the second factor -------------------------------------


def mfa_acr_values() -> frozenset[str]:
    return frozenset(getattr(settings, "OIDC_MFA_ACR_VALUES", ()))


def amr_has_second_factor(amr: Iterable[str]) -> bool:
    methods = set(amr)  # RFC 8176 values are exact, case-sensitive strings
    if "mfa" in methods:
        return True
    return sum(1 for kind in FACTOR_KINDS if methods & kind) >= 2


@dataclass(frozen=True)
class Assertion:
    """The identity service's `amr` and `acr` for one sign-in."""

    provider: str
    amr: tuple[str, ...]
    acr: str

    @property
    def second_factor(self) -> bool:
        return amr_has_second_factor(self.amr) or (bool(self.acr) and self.acr in mfa_acr_values())

    @classmethod
    def from_id_token(cls, provider: str, id_token: Mapping[str, Any]) -> Assertion:
        amr = id_token.get("amr")  # a JSON array of strings; anything else is malformed and says nothing
        methods = tuple(m for m in amr if isinstance(m, str)) if isinstance(amr, list) else ()
        acr = id_token.get("acr")
        return cls(provider, methods, acr if isinstance(acr, str) else "")

    def as_session(self, user: Any) -> dict[str, Any]:
        return {
            "user_id": str(user.pk),
            "provider": self.provider,
            "amr": list(self.amr),
            "acr": self.acr,
            "second_factor": self.second_factor,
        }


def record_assertion(request: HttpRequest, user: Any, assertion: Assertion | None) -> None:
    """Keep what the identity service asserted in the session at sign-in (nothing for a password)."""
    if assertion is None:
        request.session.pop(ASSERTION_SESSION_KEY, None)
    else:
        request.session[ASSERTION_SESSION_KEY] = assertion.as_session(user)


def asserted_second_factor(request: HttpRequest) -> bool:
    stored = request.session.get(ASSERTION_SESSION_KEY)
    return (
        isinstance(stored, dict)
        and stored.get("user_id") == str(request.user.pk)
        and stored.get("second_factor") is True
    )


# --- who needs a second factor and whether the session has one ---------------------------------------


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


def note_codes_set_up(request: HttpRequest, user: Any) -> None:
    """The person turned one-time codes on in this session (with a code from the app)."""
    request.session[CODES_SET_UP_SESSION_KEY] = str(user.pk)


def gave_code_in_session(request: HttpRequest) -> bool:
    """A one-time code was given in this session: allauth records each one (at sign-in and on
    re-authentication); turning the codes on is noted by note_codes_set_up."""
    from allauth.account.authentication import get_authentication_records

    if request.session.get(CODES_SET_UP_SESSION_KEY) == str(request.user.pk):
        return True
    records = get_authentication_records(request, request.user)  # type: ignore[arg-type]
    return any(record.get("method") == "mfa" for record in records)


def has_second_factor(request: HttpRequest) -> bool:
    return gave_code_in_session(request) or asserted_second_factor(request)


def second_factor_step(request: HttpRequest, next_path: str) -> str | None:
    """Where a privileged person whose session has no second factor must go first (None: nowhere):
    to give a one-time code when they have codes (then on to `next_path`), else to set them up."""
    if not settings.REQUIRE_MFA_FOR_PRIVILEGED or not request.user.is_authenticated:
        return None
    if has_second_factor(request):
        return None
    privileged, has_totp = mfa_status(request.user)
    if not privileged:
        return None
    if has_totp:
        return reverse("mfa_reauthenticate") + "?" + urlencode({"next": next_path})
    return reverse("mfa_activate_totp")
