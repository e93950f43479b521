"""Every 403 is one structured log line with the route and the reason, never a traceback; other refused
requests (4xx) reach the log without a traceback too."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from organisations.audit_log import ScrubSecrets
from organisations.models import Organisation, Role
from tests.factories import make_member, make_user
from tests.indicators.import_factories import csv_file


@pytest.fixture(autouse=True)
def everything(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)


def _warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.levelno >= logging.WARNING]


def _one_line(caplog: pytest.LogCaptureFixture, event: str) -> dict[str, Any]:
    records = _warnings(caplog)
    assert len(records) == 1, [(r.name, r.getMessage()) for r in records]
    (record,) = records
    assert record.exc_info is None and not record.exc_text
    assert getattr(record, "event", None) == event
    return record.__dict__


def test_a_role_too_low_is_one_warning_with_route_and_reason(
    client: Client, org_a: Organisation, caplog: pytest.LogCaptureFixture
) -> None:
    viewer = make_member(organisation=org_a, role=Role.VIEWER, user=make_user(language="fi"))
    client.force_login(viewer)
    response = client.post(
        reverse("indicator_imports:upload", args=[org_a.slug]),
        {"file": SimpleUploadedFile("x.csv", csv_file([["a"]]).getvalue()), "format": "auto"},
    )
    assert response.status_code == 403
    with translation.override("fi"):
        why = gettext(
            "Your role lets you read this organisation's data but not change it. Ask an administrator."
        )
    assert why in response.content.decode()  # the page says why, in the person's language
    fields = _one_line(caplog, "tenancy.role_denied")
    assert fields["route"] == "o/<slug:org_slug>/indicators/import/"
    assert fields["view"] == "indicator_imports:upload"
    assert fields["reason"] == "role viewer is below editor"  # the same words whatever the UI language
    assert (fields["org"], fields["role"], fields["needed"]) == (org_a.slug, "viewer", "editor")
    assert fields["user_id"] == viewer.pk and fields["path"] == f"/o/{org_a.slug}/indicators/import/"


def test_any_other_permission_denied_is_one_line_too(
    client: Client, org_a: Organisation, caplog: pytest.LogCaptureFixture
) -> None:
    client.force_login(make_member(organisation=org_a, role=Role.ADMIN))
    response = client.post(reverse("library:create"), {})
    assert response.status_code == 403
    fields = _one_line(caplog, "tenancy.role_denied")
    assert fields["reason"] == "only stewards change the indicator library"
    assert fields["route"] == "library/indicators/new/"


def test_the_national_view_refusal_is_one_line(
    client: Client, org_a: Organisation, caplog: pytest.LogCaptureFixture
) -> None:
    client.force_login(make_member(organisation=org_a, role=Role.ADMIN))
    assert client.get(reverse("national:comparison")).status_code == 403
    fields = _one_line(caplog, "tenancy.national_denied")
    assert fields["route"] and fields["reason"] == "no membership opens the national view"


def test_a_missing_csrf_token_is_one_line_with_the_reason(
    org_a: Organisation, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_member(organisation=org_a, role=Role.EDITOR))
    response = client.post(reverse("indicator_imports:upload", args=[org_a.slug]), {})
    assert response.status_code == 403
    fields = _one_line(caplog, "access.forbidden")
    assert fields["reason"] == "CSRF cookie not set."
    assert fields["route"] == "o/<slug:org_slug>/indicators/import/"


def _console() -> logging.Handler:
    """The handler settings.LOGGING puts on the root logger (JSON lines on standard error)."""
    return next(
        h for h in logging.getLogger().handlers if any(isinstance(f, ScrubSecrets) for f in h.filters)
    )


@pytest.mark.urls("tests.error_urls")
def test_a_refused_request_reaches_the_log_without_a_traceback(
    client: Client, db: None, caplog: pytest.LogCaptureFixture
) -> None:
    """Django logs a SuspiciousOperation (400) with the traceback of the refusal; the line the service
    writes has the message and the path, not the traceback."""
    client.raise_request_exception = False
    client.force_login(make_user())
    assert client.get("/bad/").status_code == 400
    refused = [r for r in caplog.records if r.name.startswith("django.security")]
    assert refused
    handler = _console()
    lines = []
    for record in refused:
        assert handler.filter(record)
        lines.append(json.loads(handler.format(record)))
    assert all("exc_info" not in line and "Traceback" not in json.dumps(line) for line in lines)
    assert lines[0]["message"] == "forced bad request for the error page test"
    assert lines[0]["status_code"] == 400 and lines[0]["request"]["path"] == "/bad/"
