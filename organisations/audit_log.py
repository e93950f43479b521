"""Structured audit records as JSON lines: sign-in, lockout, cross-tenant attempts, imports and exports.

Every app calls `audit(area, event, request=..., **fields)`; the record goes to the logger
`vaikuttava.audit.<area>` (a hierarchy an operator can route or silence per area) with the fields as
JSON keys. `settings.LOGGING` writes every record of the process, Django's and gunicorn's included, as
one JSON object per line through `JsonLineFormatter`, after `ScrubSecrets` has removed what must never
reach a log: passwords, secrets, tokens, session keys, cookies, and the tokens inside reset and
invitation links. This module imports no models: settings load it before the apps are ready.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Mapping
from typing import Any

from pythonjsonlogger.json import JsonFormatter

AUDIT_LOGGER = "vaikuttava.audit"
REDACTED = "[redacted]"

# Keys whose values are never logged, wherever they appear (extras, dict arguments, nested dicts).
SECRET_KEY = re.compile(
    r"pass(word|wd|phrase)?\d?$|^pwd|secret|token|session|csrf|cookie|authori[sz]ation|api[-_]?key|"
    r"otp|totp|credential|private[-_]?key|signature",
    re.IGNORECASE,
)
# The same secrets written into a text: `password=...`, `"password": "..."`, `sessionid=...`. A key
# starts only where a word starts and its quantifiers are possessive, so a long text (a 100 KB path in a
# "Not Found" line) is read in one pass; whether the key names a secret is asked of the key alone.
SECRET_WORD = re.compile(
    r"password|passwd|secret|token|sessionid|csrftoken|csrfmiddlewaretoken|api[-_]?key|authorization",
    re.IGNORECASE,
)
SECRET_KEY_IN_TEXT = re.compile(r"""(?<![\w-])["']?[\w-]++["']?\s*+[:=]\s*+""")
SECRET_VALUE = re.compile(r""""[^"]*+"|'[^']*+'|[^\s,;&}]++""")
# Links whose path carries a secret: password reset, invitation, the reminder-preference link.
SECRET_IN_PATH = re.compile(
    r"(?P<prefix>/accounts/(?:password/reset|invitation)/)[^/\s\"']+/[^/\s\"']+"
    r"|(?P<reminder>/accounts/reminders/)[^/\s\"']+"
)
# A password inside a database URL: postgresql://user:password@host/db (a "/" in it is written %2F, so
# no part of the match runs past the next "://": one pass however long the text).
SECRET_IN_URL = re.compile(
    r"(?P<head>(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*+://[^:/@\s]++:)[^@\s/]++(?P<at>@)", re.IGNORECASE
)

# The attributes every LogRecord has; anything else on a record came in through `extra`.
STANDARD_ATTRIBUTES = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


def scrub_text(text: str) -> str:
    """The text with secrets written into it replaced by [redacted]."""
    text = _scrub_secret_values(text)
    text = SECRET_IN_PATH.sub(lambda m: (m.group("prefix") or m.group("reminder")) + REDACTED, text)
    return SECRET_IN_URL.sub(lambda m: m.group("head") + REDACTED + m.group("at"), text)


def _scrub_secret_values(text: str) -> str:
    """The values of `key=value` pairs whose key names a secret, redacted (in one pass over the text)."""
    parts: list[str] = []
    position = 0
    while key := SECRET_KEY_IN_TEXT.search(text, position):
        parts.append(text[position : key.end()])
        position = key.end()
        if SECRET_WORD.search(key[0]) and (value := SECRET_VALUE.match(text, position)):
            parts.append(REDACTED)
            position = value.end()
    parts.append(text[position:])
    return "".join(parts)


def scrub_value(key: str, value: Any) -> Any:
    """A value fit for a log: secrets by key redacted, texts scrubbed, requests reduced to method and path."""
    if SECRET_KEY.search(key):
        return REDACTED
    if isinstance(value, Mapping):
        return {str(k): scrub_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [scrub_value("", item) for item in value]
    if isinstance(value, str):
        return scrub_text(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if hasattr(value, "META") and hasattr(value, "path"):
        # A Django request (django.request puts it on error records): its cookies and headers stay out.
        return {"method": getattr(value, "method", None), "path": scrub_text(str(value.path))}
    return scrub_text(str(value))


class ScrubSecrets(logging.Filter):
    """Remove passwords, secrets, tokens and session keys from a record before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the record; log it as it came
            message = str(record.msg)
        if isinstance(record.args, Mapping) and record.args:
            # Dict arguments (gunicorn's access log uses them) are scrubbed by key before formatting.
            with contextlib.suppress(TypeError, KeyError, ValueError):
                message = str(record.msg) % scrub_value("", record.args)
        record.msg = scrub_text(message)
        record.args = None
        for key in [k for k in record.__dict__ if k not in STANDARD_ATTRIBUTES]:
            record.__dict__[key] = scrub_value(key, record.__dict__[key])
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub_text(record.exc_text)
        return True


class JsonLineFormatter(JsonFormatter):
    """One JSON object per line: time, level, logger, message, then the record's own fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", "%(asctime)s %(levelname)s %(name)s %(message)s")
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"})
        kwargs.setdefault("datefmt", "%Y-%m-%dT%H:%M:%S%z")
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(*args, **kwargs)


def client_address(request: Any) -> str | None:
    """The client's address as the sign-in throttling counts it (proxy settings included)."""
    if request is None:
        return None
    try:
        from axes.helpers import get_client_ip_address

        return get_client_ip_address(request) or None
    except Exception:  # the address is a detail of the record, never a reason to lose it
        meta = getattr(request, "META", {})
        return meta.get("REMOTE_ADDR") or None


class NoTracebackForClientErrors(logging.Filter):
    """A record of a refused request (status 4xx: a forged host, too many fields, a refusal) is one line.

    Django logs some of them with the traceback of the exception that refused the request; that says
    nothing the message does not, and a hostile client could fill the log with them.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


def audit(area: str, event: str, *, request: Any = None, level: int = logging.INFO, **fields: Any) -> None:
    """Write one structured record `<area>.<event>` to the logger vaikuttava.audit.<area>.

    `fields` become JSON keys (ids, slugs, counts: never personal texts or secrets; the filter
    redacts secret-looking keys anyway). With a request, the record also carries the signed-in
    user's id, the client address, the method and the path.
    """
    data: dict[str, Any] = {"event": f"{area}.{event}"}
    if request is not None:
        user = getattr(request, "_cached_user", None) or getattr(request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            data["user_id"] = user.pk
        data["client_ip"] = client_address(request)
        data["method"] = getattr(request, "method", None)
        data["path"] = getattr(request, "path", None)
    for key, value in fields.items():
        data[key if key not in STANDARD_ATTRIBUTES else f"{key}_"] = value
    logging.getLogger(f"{AUDIT_LOGGER}.{area}").log(level, data["event"], extra=data)


def log_forbidden(
    request: Any, reason: str, *, area: str = "access", event: str = "forbidden", **fields: Any
) -> None:
    """The one record of a 403: the route it was asked on and why it was refused, as a WARNING.

    No traceback: nothing failed, a request was refused. `impact.views.permission_denied` (every
    PermissionDenied) and `impact.views.csrf_failure` write it; the tenancy guard's refusals carry their
    own event (`tenancy.role_denied`) and fields.
    """
    match = getattr(request, "resolver_match", None)
    audit(
        area,
        event,
        request=request,
        level=logging.WARNING,
        status_code=403,
        route=getattr(match, "route", None),
        view=getattr(match, "view_name", None),
        reason=reason,
        **fields,
    )
