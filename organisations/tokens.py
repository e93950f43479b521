"""Signed, expiring links for invitations."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int


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
