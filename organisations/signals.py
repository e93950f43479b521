"""Sign-in bookkeeping: the session's start time, the person's language, and audit records.

The records hang on Django's auth signals (and axes' lockout signal), which every sign-in path sends,
whatever form or provider the person signs in with.
"""

from __future__ import annotations

import logging
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from organisations.audit_log import audit
from organisations.identity import note_codes_set_up
from organisations.middleware import SIGNED_IN_AT


@receiver(user_logged_in)
def on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = timezone.now().timestamp()
    audit("signin", "succeeded", request=request, user_id=user.pk)


@receiver(user_login_failed)
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Only the username: the credentials dict also holds the password, which never reaches a log.
    audit(
        "signin",
        "failed",
        request=request,
        level=logging.WARNING,
        username=credentials.get("username") or credentials.get("email"),
    )


@receiver(user_locked_out)
def on_locked_out(
    sender: Any, request: HttpRequest | None, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    audit("signin", "locked_out", request=request, level=logging.WARNING, username=username)


@receiver(user_logged_out)
def on_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit("signin", "signed_out", request=request, user_id=getattr(user, "pk", None))


@receiver(authenticator_added)
def on_authenticator_added(
    sender: Any, request: HttpRequest | None, user: Any, authenticator: Any, **kwargs: Any
) -> None:
    # Turning codes on takes a code from the app: this session has its second factor.
    if request is not None and hasattr(request, "session") and authenticator.type == Authenticator.Type.TOTP:
        note_codes_set_up(request, user)
