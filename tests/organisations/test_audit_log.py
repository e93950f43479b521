"""Structured audit records: sign-in, lockout, cross-tenant attempts, imports, exports; never a secret."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from indicators.models import ImportRun
from organisations.audit_log import REDACTED, ScrubSecrets, audit, scrub_text
from organisations.models import Role
from tests.factories import PASSWORD, make_member, make_organisation, make_user
from tests.indicators.import_factories import csv_file, make_source_indicator

WRONG = "wrong-horse-battery-staple"


def _login(client: Client, username: str, password: str, address: str = "10.0.0.7") -> Any:
    return client.post(reverse("login"), {"login": username, "password": password}, REMOTE_ADDR=address)


def _events(caplog: pytest.LogCaptureFixture, event: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if getattr(r, "event", None) == event]


def _as_text(record: logging.LogRecord) -> str:
    return json.dumps(record.__dict__, default=str)


@pytest.fixture(autouse=True)
def audit_records(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="vaikuttava")


def test_a_sign_in_writes_one_record_without_the_password(db: None, caplog: pytest.LogCaptureFixture) -> None:
    user = make_user(username="sanna")
    assert _login(Client(), "sanna", PASSWORD).status_code == 302
    (record,) = _events(caplog, "signin.succeeded")
    assert record.name == "vaikuttava.audit.signin" and record.levelno == logging.INFO
    assert record.user_id == user.pk and record.client_ip == "10.0.0.7"  # type: ignore[attr-defined]
    assert PASSWORD not in _as_text(record)


def test_a_failed_sign_in_writes_one_record_with_the_username_only(
    db: None, caplog: pytest.LogCaptureFixture
) -> None:
    make_user(username="sanna")
    assert _login(Client(), "sanna", WRONG).status_code == 200
    (record,) = _events(caplog, "signin.failed")
    assert record.levelno == logging.WARNING
    assert record.username == "sanna" and record.client_ip == "10.0.0.7"  # type: ignore[attr-defined]
    assert WRONG not in _as_text(record)
    assert all(WRONG not in _as_text(r) for r in caplog.records)


def test_a_lockout_writes_one_record(db: None, caplog: pytest.LogCaptureFixture) -> None:
    make_user(username="sanna")
    client = Client()
    for _ in range(4):
        _login(client, "sanna", WRONG)
    assert _events(caplog, "signin.locked_out") == []
    assert _login(client, "sanna", WRONG).status_code == 429  # the fifth failure locks the pair
    (record,) = _events(caplog, "signin.locked_out")
    assert record.username == "sanna" and record.client_ip == "10.0.0.7"  # type: ignore[attr-defined]
    assert all(WRONG not in _as_text(r) and PASSWORD not in _as_text(r) for r in caplog.records)


def test_a_cross_tenant_attempt_writes_one_record(
    client: Client, db: None, caplog: pytest.LogCaptureFixture
) -> None:
    home = make_organisation(slug="kotila")
    make_organisation(slug="naapurila")
    user = make_member(organisation=home, role=Role.ADMIN)
    client.force_login(user)
    assert client.get(reverse("organisation_home", args=["naapurila"])).status_code == 404
    (record,) = _events(caplog, "tenancy.denied")
    assert record.name == "vaikuttava.audit.tenancy" and record.levelno == logging.WARNING
    fields = record.__dict__
    assert fields["user_id"] == user.pk and fields["org"] == "naapurila" and fields["org_exists"] is True
    assert fields["path"] == "/o/naapurila/"
    client.get(reverse("organisation_home", args=["kotila"]))
    assert len(_events(caplog, "tenancy.denied")) == 1  # a member's own page is no attempt


@pytest.fixture
def media(tmp_path: Path) -> Iterator[Path]:
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield tmp_path / "media"


def test_an_import_and_an_export_write_records(
    client: Client, db: None, media: Path, caplog: pytest.LogCaptureFixture
) -> None:
    org = make_organisation(slug="kaarnala", code="991")
    editor = make_member(organisation=org, role=Role.EDITOR)
    client.force_login(editor)
    make_source_indicator(organisation=org, name="Väkiluku")
    file = csv_file([["Indicator", "Period", "Value"], ["Väkiluku", "2024", "1"]])
    client.post(
        reverse("indicator_imports:upload", args=[org.slug]),
        {"file": SimpleUploadedFile("v.csv", file.getvalue()), "format": "auto"},
    )
    run = ImportRun.objects.get()
    client.post(
        reverse("indicator_imports:map", args=[org.slug, run.pk]),
        {"indicator": "Indicator", "period": "Period", "value": "Value"},
    )
    client.post(reverse("indicator_imports:start", args=[org.slug, run.pk]))
    (checked,) = _events(caplog, "imports.checked")
    (imported,) = _events(caplog, "imports.imported")
    expected = {
        "org": "kaarnala",
        "user_id": editor.pk,
        "import_run": run.pk,
        "outcome": "done",
        "rows_created": 1,
        "written": True,
    }
    assert {key: imported.__dict__.get(key) for key in expected} == expected
    assert checked.__dict__["outcome"] == "preview"

    response = client.get(reverse("indicator_imports:export", args=[org.slug]) + "?format=csv")
    assert response.status_code == 200
    (exported,) = _events(caplog, "exports.indicators")
    assert exported.__dict__["org"] == "kaarnala" and exported.__dict__["format"] == "csv"
    assert exported.__dict__["user_id"] == editor.pk


# --- the scrubbing filter and the JSON lines ---------------------------------------------------------


def _scrubbed(msg: str, *args: Any, **extra: Any) -> logging.LogRecord:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, msg, args or None, None)
    record.__dict__.update(extra)
    assert ScrubSecrets().filter(record)
    return record


def test_the_filter_removes_secrets_by_key_and_from_texts() -> None:
    record = _scrubbed(
        "login password=%s db=postgresql://app:s3cret-db@db:5432/app",
        "hunter2-hunter2",
        password="hunter2-hunter2",
        credentials={"username": "sanna", "password": "hunter2-hunter2"},
        form={"username": "sanna", "new_password1": "hunter2-hunter2"},
        session_key="abcdef0123",
        csrfmiddlewaretoken="tok",
        username="sanna",
    )
    text = _as_text(record)
    assert "hunter2" not in text and "s3cret-db" not in text and "abcdef0123" not in text
    assert record.username == "sanna"  # type: ignore[attr-defined]
    assert record.credentials == REDACTED  # type: ignore[attr-defined]
    assert record.form == {"username": "sanna", "new_password1": REDACTED}  # type: ignore[attr-defined]
    assert record.getMessage() == f"login password={REDACTED} db=postgresql://app:{REDACTED}@db:5432/app"


def test_the_filter_removes_tokens_from_link_paths() -> None:
    assert (
        scrub_text('"GET /accounts/password/reset/MTIz/cbx-4f1e2/ HTTP/1.1" 200')
        == f'"GET /accounts/password/reset/{REDACTED}/ HTTP/1.1" 200'
    )
    assert scrub_text("/accounts/invitation/MTIz/abc-def/") == f"/accounts/invitation/{REDACTED}/"
    assert scrub_text("/accounts/reminders/eyJ1Ijo1fQ:1tX/") == f"/accounts/reminders/{REDACTED}/"
    assert scrub_text("/o/kaarnala/indicators/") == "/o/kaarnala/indicators/"


def test_dict_arguments_are_scrubbed_by_key() -> None:
    # gunicorn's access log formats its line from a dict of atoms, headers and cookies among them.
    record = logging.LogRecord(
        "gunicorn.access",
        logging.INFO,
        __file__,
        1,
        "%(r)s %({cookie}i)s",
        ({"r": "GET / HTTP/1.1", "{cookie}i": "sessionid=abc123"},),
        None,
    )
    assert ScrubSecrets().filter(record)
    assert record.getMessage() == f"GET / HTTP/1.1 {REDACTED}"


def test_the_configured_handler_writes_json_lines_without_secrets(db: None) -> None:
    """Through the handler settings.LOGGING installed: a failed sign-in as the operator reads it."""
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "name", "") == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)  # type: ignore[attr-defined]
    try:
        make_user(username="sanna")
        _login(Client(), "sanna", WRONG)
        audit("signin", "failed", username="sanna", password=WRONG)
    finally:
        handler.setStream(previous)  # type: ignore[attr-defined]
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    failures = [line for line in lines if line.get("event") == "signin.failed"]
    assert len(failures) == 2
    assert failures[0]["logger"] == "vaikuttava.audit.signin" and failures[0]["level"] == "WARNING"
    assert failures[0]["username"] == "sanna" and failures[0]["client_ip"] == "10.0.0.7"
    assert {"time", "message"} <= failures[0].keys()
    assert failures[1]["password"] == REDACTED
    assert WRONG not in stream.getvalue()


@pytest.mark.parametrize(
    "filler",
    ["x" * 100_000, "a." * 50_000, "a=" * 50_000, "a://b:" * 16_000, "password" * 12_000, " " * 100_000],
    ids=["a word", "dotted", "pairs", "schemes", "keywords", "spaces"],
)
def test_a_long_hostile_text_is_scrubbed_in_one_pass(filler: str) -> None:
    """A "Not Found" line carries the path as sent: 100 KB of one word once held the scrubber's
    backtracking regular expressions for half an hour. The secrets around it are still found."""
    text = f"password=hunter2 {filler} token=abc postgresql://app:s3cret@db/app"
    scrubbed = scrub_text(text)
    assert "hunter2" not in scrubbed and "token=abc" not in scrubbed and "s3cret" not in scrubbed
    assert scrubbed.startswith(f"password={REDACTED} ")
