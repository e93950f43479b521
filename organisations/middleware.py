"""Request middleware of the organisations app: UI language and the absolute session cap."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers

SUPPORTED = {code for code, _name in settings.LANGUAGES}
SIGNED_IN_AT = "signed_in_at"


def choose_language(request: HttpRequest) -> str:
    """The person's stored choice, else the language cookie, else Finnish."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.language in SUPPORTED:
        return str(user.language)
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return cookie if cookie in SUPPORTED else settings.LANGUAGE_CODE


def language_without_database(request: HttpRequest | None) -> str:
    """The request's language, chosen without a query (for error pages when the database is the problem).

    The language the middleware chose, else the person's stored choice if the user was already loaded
    in this request, else the language cookie (which the language switch also sets), else Finnish.
    """
    if request is None:
        return settings.LANGUAGE_CODE
    chosen = getattr(request, "LANGUAGE_CODE", "")
    if chosen in SUPPORTED:
        return str(chosen)
    user = getattr(request, "_cached_user", None)
    if user is not None and getattr(user, "is_authenticated", False) and user.language in SUPPORTED:
        return str(user.language)
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return cookie if cookie in SUPPORTED else settings.LANGUAGE_CODE


class UserLanguageMiddleware:
    """Activate the UI language.

    Replaces Django's LocaleMiddleware on purpose: the product is Finnish by default whatever the
    browser's Accept-Language says, and a signed-in person's choice is stored on the user.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = choose_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


class SessionLifetimeMiddleware:
    """End a session ten hours after sign-in, however active (the idle timeout is SESSION_COOKIE_AGE)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(SIGNED_IN_AT)
            limit = timedelta(seconds=settings.SESSION_ABSOLUTE_SECONDS)
            if started is None or timezone.now().timestamp() - float(started) > limit.total_seconds():
                logout(request)
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)
