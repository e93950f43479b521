"""Request middleware of the organisations app: no NUL in a path, UI language, the absolute session cap,
required MFA, and responses to signed-in people kept by no cache."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django_htmx.http import HttpResponseClientRedirect

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


class RefusePathNulMiddleware:
    """400 for a NUL byte in the path: no address of the product has one, and a view that looks a row up
    by a path's text (allauth's identity-service routes do) would hand it to PostgreSQL, which refuses NUL
    in any text (a 500). Query and form values are read through organisations.params and form fields,
    which refuse or drop it themselves."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path:
            raise BadRequest("A NUL byte in the path.")
        return self.get_response(request)


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


class PrivateResponsesMiddleware:
    """`Cache-Control: private, no-store` on every response to a signed-in person that sets none itself.

    Pages, fragments and downloads of a signed-in person carry an organisation's data: no shared cache
    may keep them and the browser stores none of them, so a shared computer's back button and history
    show nothing after sign-out. A view that decides otherwise sets its own header (the health check,
    the PDF download); static files never reach this middleware (WhiteNoise answers them before it).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
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


# Pages a person who must first give or set up a one-time code may still open: the code pages themselves
# (mfa_*), signing out, the language switch and re-authentication (allauth asks for the password again
# before activating codes).
MFA_SETUP_ROUTES = {"logout", "account_logout", "account_reauthenticate", "language"}


class RequireMFAMiddleware:
    """Send a privileged person whose session has no second factor to give a one-time code, or to set
    codes up, before they use the product (REQUIRE_MFA_FOR_PRIVILEGED; the rule is
    organisations.identity.second_factor_step)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if not settings.REQUIRE_MFA_FOR_PRIVILEGED or not request.user.is_authenticated:
            return None
        if not getattr(view_func, "login_required", True):
            return None  # public pages stay open
        match = request.resolver_match
        name = match.url_name if match else ""
        if name and (name.startswith("mfa_") or name in MFA_SETUP_ROUTES):
            return None
        from organisations.identity import second_factor_step

        htmx = getattr(request, "htmx", None)
        # After the code, back to the page the person was on (for htmx: the page, not the fragment).
        here = (htmx.current_url_abs_path if htmx else None) or request.get_full_path()
        url = second_factor_step(request, here)
        if url is None:
            return None
        if htmx:
            return HttpResponseClientRedirect(url)
        return redirect(url)
