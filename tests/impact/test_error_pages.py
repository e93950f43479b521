"""Error pages 400, 403, 404, 500 and 503 in the person's language, with DEBUG=False and no traceback."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.template import loader
from django.test import Client, RequestFactory
from django.utils import translation
from django.utils.translation import gettext

from impact.views import server_error
from tests.factories import make_user

LANGUAGES = ["fi", "sv", "en"]
pytestmark = pytest.mark.urls("tests.error_urls")


def _in(language: str, text: str) -> str:
    with translation.override(language):
        return gettext(text)


def _plain(response: Any, language: str, heading: str) -> str:
    body = response.content.decode()
    assert f'<html lang="{language}">' in body
    assert f"<h1>{_in(language, heading)}</h1>" in body
    assert "Traceback" not in body and "forced" not in body
    assert not any(name in body for name in ("RuntimeError", "OperationalError", "SuspiciousOperation"))
    return body


@pytest.fixture
def client(client: Client) -> Client:
    client.raise_request_exception = False
    return client


def test_settings_are_production_like() -> None:
    assert settings.DEBUG is False


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_server_error_speaks_the_signed_in_persons_language(
    client: Client, db: None, language: str
) -> None:
    client.force_login(make_user(language=language))
    response = client.get("/boom/")
    assert response.status_code == 500
    _plain(response, language, "Something went wrong")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_server_error_speaks_the_cookies_language_before_sign_in(
    client: Client, db: None, language: str
) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/boom/")
    assert response.status_code == 500
    _plain(response, language, "Something went wrong")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_missing_page_speaks_the_persons_language(client: Client, db: None, language: str) -> None:
    client.force_login(make_user(language=language))
    response = client.get("/o/no-such-organisation/")
    assert response.status_code == 404
    _plain(response, language, "Page not found")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_missing_page_speaks_the_cookies_language_before_sign_in(
    client: Client, db: None, language: str
) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/no-such-page/")  # no view matches, so sign-in is not asked first
    assert response.status_code == 404
    _plain(response, language, "Page not found")


@pytest.mark.parametrize("language", LANGUAGES)
def test_forbidden_and_bad_request_speak_the_persons_language(
    client: Client, db: None, language: str
) -> None:
    client.force_login(make_user(language=language))
    forbidden = client.get("/forbidden/")
    assert forbidden.status_code == 403
    _plain(forbidden, language, "Not allowed")
    bad = client.get("/bad/")
    assert bad.status_code == 400
    _plain(bad, language, "Bad request")


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_unavailable_database_answers_503_with_retry_after(
    client: Client, db: None, language: str
) -> None:
    client.force_login(make_user(language=language))
    response = client.get("/database-gone/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.SERVICE_UNAVAILABLE_RETRY_AFTER)
    _plain(response, language, "The service is busy")


# No `db` fixture below: any query would fail the test ("Database access not allowed").


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_500_page_renders_without_a_database_or_middleware(language: str) -> None:
    request = RequestFactory().get("/", HTTP_COOKIE=f"{settings.LANGUAGE_COOKIE_NAME}={language}")
    try:
        raise RuntimeError("forced")
    except RuntimeError:
        response = server_error(request)
    assert response.status_code == 500
    _plain(response, language, "Something went wrong")


def test_the_500_template_renders_without_any_context() -> None:
    body = loader.get_template("500.html").render()
    assert '<html lang="fi">' in body and "<h1>" in body
