"""Sign-in bookkeeping: the session's start time, the person's language, and security log records."""

from __future__ import annotations

import logging
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from organisations.middleware import SIGNED_IN_AT

security_log = logging.getLogger("security")


def _client(request: HttpRequest | None) -> str:
    if request is None:
        return "-"
    from organisations.signin import client_ip  # behind a proxy, the real client (TRUSTED_PROXY_COUNT)

    return client_ip(request) or "-"


@receiver(user_logged_in)
def on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = timezone.now().timestamp()
    security_log.info("login_ok user=%s client=%s", user.pk, _client(request))


@receiver(user_login_failed)
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Only the username: the credentials dict also holds the password, which never reaches a log.
    # allauth's form passes `username` and/or `email` (whatever the person typed in `login`).
    username = credentials.get("username") or credentials.get("email")
    security_log.warning("login_failed username=%r client=%s", username, _client(request))


@receiver(user_locked_out)
def on_lockout(sender: Any, request: HttpRequest | None, username: str | None, **kwargs: Any) -> None:
    """django-axes locked a username at an address (5 failures): the next attempts answer 429."""
    security_log.warning("login_lockout username=%r client=%s", username, _client(request))


@receiver(user_logged_out)
def on_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    security_log.info("logout user=%s", getattr(user, "pk", None))
