"""Sign-in throttling, sessions, CSP, errors and the audit trail."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta
from typing import Any

import pghistory.models
import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from organisations.middleware import SIGNED_IN_AT
from organisations.models import Membership, Organisation, Role
from tests.factories import PASSWORD, make_member, make_organisation, make_user


def _login(client: Client, username: str, password: str, address: str = "10.0.0.1") -> Any:
    return client.post(reverse("login"), {"login": username, "password": password}, REMOTE_ADDR=address)


def test_five_wrong_passwords_lock_the_user_at_that_address(db: None) -> None:
    user = make_user(username="maija")
    client = Client()
    for _ in range(5):
        assert _login(client, "maija", "wrong-password").status_code in {200, 429}
    locked = _login(client, "maija", PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # The same person from another address still gets in.
    assert _login(Client(), "maija", PASSWORD, address="10.0.0.2").status_code == 302
    # After the cool-off the first address works again.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _login(client, "maija", PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_sign_in_rotates_the_session_key_and_sign_out_ends_it(db: None) -> None:
    make_user(username="olli")
    client = Client()
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    assert _login(client, "olli", PASSWORD).status_code == 302
    after = client.session.session_key
    assert after != before
    assert client.post(reverse("logout")).status_code == 302
    assert not Session.objects.filter(session_key=after).exists()
    stale = Client()
    stale.cookies[settings.SESSION_COOKIE_NAME] = after or ""
    assert stale.get(reverse("start")).status_code == 302


def test_idle_sessions_expire_after_thirty_minutes(client: Client, db: None) -> None:
    client.force_login(make_user())
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    assert client.get(reverse("start")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("start")).status_code == 302


def test_sessions_end_ten_hours_after_sign_in_however_active(client: Client, db: None) -> None:
    client.force_login(make_user())
    session = client.session
    session[SIGNED_IN_AT] = (timezone.now() - timedelta(hours=10, minutes=1)).timestamp()
    session.save()
    response = client.get(reverse("start"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get(reverse("start")).status_code == 302


def test_a_deactivated_user_is_signed_out(client: Client, db: None) -> None:
    user = make_user()
    client.force_login(user)
    user.is_active = False
    user.save()
    assert client.get(reverse("start")).status_code == 302


HTML_PAGES_ANONYMOUS = ["login", "password_reset", "accessibility", "privacy", "about_data"]


def _script_nonces(body: str) -> set[str]:
    return set(re.findall(r'<script[^>]*nonce="([^"]+)"', body))


@pytest.mark.parametrize("name", HTML_PAGES_ANONYMOUS)
def test_csp_with_a_nonce_on_public_pages(client: Client, db: None, name: str) -> None:
    response = client.get(reverse(name))
    _assert_csp(response)


def test_csp_with_a_nonce_on_signed_in_pages(client: Client, db: None) -> None:
    org = make_organisation()
    client.force_login(make_member(organisation=org, role=Role.ADMIN))
    for url in [
        reverse("start"),
        reverse("organisation_home", args=[org.slug]),
        reverse("organisations:member_list", args=[org.slug]),
        reverse("organisations:settings", args=[org.slug]),
        reverse("organisations:account"),
        reverse("password_change"),
    ]:
        _assert_csp(client.get(url))


def _assert_csp(response: Any) -> None:
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    nonces = _script_nonces(response.content.decode())
    assert len(nonces) == 1, "every script carries the page's one nonce"
    assert f"'nonce-{nonces.pop()}'" in directives["script-src"]
    assert "unsafe-inline" not in directives["script-src"] and "unsafe-eval" not in policy
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    body = response.content.decode()
    assert "<script>" not in body and " style=" not in body, "no inline scripts or styles"


def test_finnish_by_default_whatever_the_browser_says(client: Client, db: None) -> None:
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert '<html lang="fi">' in response.content.decode()


def test_the_language_choice_is_stored_on_the_user(client: Client, db: None) -> None:
    user = make_user(language="fi")
    client.force_login(user)
    response = client.post(reverse("organisations:language"), {"language": "sv", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    user.refresh_from_db()
    assert user.language == "sv"
    other_device = Client()
    other_device.force_login(user)
    assert '<html lang="sv">' in other_device.get(reverse("start")).content.decode()


def test_the_language_switch_refuses_foreign_redirects(client: Client, db: None) -> None:
    response = client.post(
        reverse("organisations:language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_a_missing_page_is_plain_and_in_the_users_language(client: Client, db: None) -> None:
    client.force_login(make_user(language="sv"))
    response = client.get("/o/no-such-organisation/")
    assert response.status_code == 404
    body = response.content.decode()
    assert '<html lang="sv">' in body and "Traceback" not in body


@pytest.mark.urls("tests.error_urls")
def test_a_server_error_is_plain_and_in_the_users_language(client: Client, db: None) -> None:
    client.raise_request_exception = False
    client.force_login(make_user(language="en"))
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert '<html lang="en">' in body and "Something went wrong" in body
    assert "Traceback" not in body and "RuntimeError" not in body


def test_deploy_check_passes_with_production_settings(db: None) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "impact.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECURE": "1",
        "SECRET_KEY": "x" * 20 + "-production-grade-secret-key-with-enough-entropy-0123456789",
        "ALLOWED_HOSTS": "vaikuttava.example.fi",
        "DATABASE_URL": _database_url(),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY)"
    )
    shown = subprocess.run(  # noqa: S603  (fixed argv)
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert shown.stdout.strip().splitlines()[-1].split() == [
        "__Host-sessionid",
        "__Host-csrftoken",
        "True",
        "True",
    ]


def _database_url() -> str:
    db = settings.DATABASES["default"]
    host = db["HOST"]
    if host.startswith("/"):
        return f"postgresql://{db['USER']}@/{db['NAME']}?host={host}"
    return f"postgresql://{db['USER']}:{db['PASSWORD']}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def test_audit_history_records_who_changed_what(client: Client, db: None) -> None:
    org = make_organisation()
    admin = make_member(organisation=org, role=Role.ADMIN)
    editor = make_member(organisation=org, role=Role.EDITOR)
    membership = Membership.objects.get(user=editor)
    client.force_login(admin)
    client.post(
        reverse("organisations:member_role", args=[org.slug, membership.pk]),
        {f"m{membership.pk}-role": "viewer", f"m{membership.pk}-version": "1"},
    )
    Organisation.objects.filter(pk=org.pk).update(content_language="sv")  # bulk update is recorded too
    client.post(reverse("organisations:member_remove", args=[org.slug, membership.pk]))

    events = pghistory.models.Events.objects.tracks(membership).order_by("pgh_created_at")
    labels = [event.pgh_label for event in events]
    assert labels == ["insert", "update", "delete"]
    update = events[1]
    assert update.pgh_diff["role"] == ["editor", "viewer"]
    assert update.pgh_context["user"] == admin.pk
    assert events[2].pgh_context["user"] == admin.pk
    org_events = pghistory.models.Events.objects.tracks(org).filter(pgh_label="update")
    assert org_events.count() == 1


def test_a_forgotten_password_is_reset_by_email(client: Client, db: None) -> None:
    from django.core import mail

    make_user(username="unohtaja", email="unohtaja@example.fi", language="fi")
    response = client.post(reverse("password_reset"), {"email": "unohtaja@example.fi"})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.subject == "Palauta salasana"  # the recipient's language (Finnish by default)
    path = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", str(message.body))
    assert path, message.body
    form = client.get(path.group(1), follow=True)
    assert form.context["validlink"]
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "uusi-salasana-2026", "new_password2": "uusi-salasana-2026"},
    )
    assert done.status_code == 302
    assert _login(Client(), "unohtaja", "uusi-salasana-2026").status_code == 302
    # An unknown address reveals nothing and sends nothing.
    assert client.post(reverse("password_reset"), {"email": "nobody@example.fi"}).status_code == 302
    assert len(mail.outbox) == 1


def test_new_passwords_need_twelve_characters(client: Client, db: None) -> None:
    user = make_user(language="en")
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "short-pw1", "new_password2": "short-pw1"},
    )
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()


def test_htmx_keeps_no_page_html_in_the_browsers_storage(client: Client, db: None) -> None:
    """QUALITY "sessions": htmx's history cache would keep signed-in pages in localStorage after sign-out."""
    import json

    org = make_organisation(name="Muistila", slug="muistila")
    client.force_login(make_member(organisation=org, role=Role.VIEWER))
    body = client.get(reverse("organisation_home", args=[org.slug])).content.decode()
    meta = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", body)
    assert meta, "every page configures htmx"
    config = json.loads(meta.group(1))
    assert config["historyCacheSize"] == 0
    assert config["allowEval"] is False and config["allowScriptTags"] is False
