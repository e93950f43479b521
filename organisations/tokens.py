"""Signed, expiring links: setting the password of an invited person, answering an invitation,
confirming a new email address.

Every token is parsed here and nowhere else: a token that is too long, forged, expired or of the wrong
shape reads as None, never as an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int

# A signed token of ours is well under this; anything longer is refused before it is decoded.
MAX_TOKEN_LENGTH = 600


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Like the password-reset token (void once a password is set), with its own salt and lifetime."""

    key_salt = "organisations.tokens.InvitationTokenGenerator"

    def check_token(self, user: Any, token: str | None) -> bool:
        # Django's check reads PASSWORD_RESET_TIMEOUT; an invitation lives INVITATION_TIMEOUT_SECONDS.
        if not (user and token) or token.count("-") != 1:
            return False
        ts_b36 = token.split("-")[0]
        try:
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return self._num_seconds(self._now()) - ts <= settings.INVITATION_TIMEOUT_SECONDS


invitation_tokens = InvitationTokenGenerator()


def _load(token: str, *, salt: str, max_age: int) -> Any:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except (signing.BadSignature, ValueError):  # SignatureExpired is a BadSignature
        return None


# --- answering an invitation (organisations.models.Invitation) ----------------------------------------

_INVITATION_SALT = "organisations.tokens.invitation"


def invitation_token(invitation_id: int) -> str:
    """The signed invitation id for the link in the email and on the start page."""
    return signing.dumps(invitation_id, salt=_INVITATION_SALT)


def invitation_id_from_token(token: str) -> int | None:
    """The invitation id the token was signed for, or None."""
    value = _load(token, salt=_INVITATION_SALT, max_age=settings.INVITATION_TIMEOUT_SECONDS)
    return value if type(value) is int and value > 0 else None


# --- confirming a new email address ------------------------------------------------------------------

_EMAIL_CHANGE_SALT = "organisations.tokens.email_change"


@dataclass(frozen=True)
class EmailChange:
    """A change of address a person asked for: valid only for this user while their address is `old`."""

    user_id: int
    old: str
    new: str


def email_change_token(change: EmailChange) -> str:
    return signing.dumps({"u": change.user_id, "o": change.old, "n": change.new}, salt=_EMAIL_CHANGE_SALT)


def email_change_from_token(token: str) -> EmailChange | None:
    """The change the token was signed for (not yet checked against the account), or None."""
    value = _load(token, salt=_EMAIL_CHANGE_SALT, max_age=settings.EMAIL_CHANGE_TIMEOUT_SECONDS)
    if not isinstance(value, dict):
        return None
    user_id, old, new = value.get("u"), value.get("o"), value.get("n")
    if type(user_id) is not int or not isinstance(old, str) or not isinstance(new, str) or not new:
        return None
    return EmailChange(user_id=user_id, old=old, new=new)
