"""allauth's OpenID Connect provider with a nonce in every authentication request.

allauth binds the answer to the browser with `state` and PKCE; the nonce also binds the ID token to this
very request (OpenID Connect Core 3.1.2.1). It is kept in allauth's state for the request and compared in
organisations.signin.SocialAccountAdapter.pre_social_login. Installed through
SOCIALACCOUNT_PROVIDERS["openid_connect"]["provider_class"].
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from django.http import HttpRequest


class OrganisationOIDCProvider(OpenIDConnectProvider):
    # allauth finds the provider's URLs and views through its package: they stay allauth's own.
    package = "allauth.socialaccount.providers.openid_connect"

    def redirect(
        self, request: HttpRequest, process: Any, next_url: Any = None, data: Any = None, **kwargs: Any
    ) -> Any:
        nonce = secrets.token_urlsafe(32)
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        auth_params = {**auth_params, "nonce": nonce}
        response = super().redirect(
            request, process, next_url, data, auth_params=auth_params, nonce=nonce, **kwargs
        )
        _warn_when_the_sign_in_page_blocks(request, self.app, response)
        return response


def _warn_when_the_sign_in_page_blocks(request: HttpRequest, app: Any, response: Any) -> None:
    """The sign-in page's form-action lists the origins organisations.signin.service_origins knows
    without asking the service; when its authorisation endpoint is elsewhere, browsers block the button
    and the operator must name the endpoint in the app's settings (README "Sign-in")."""
    from organisations.audit_log import audit
    from organisations.signin import origin_of, service_origins

    location = response.get("Location", "") if hasattr(response, "get") else ""
    origin = origin_of(location)
    if origin and origin not in service_origins(app):
        audit(
            "signin",
            "sso_origin_not_allowed",
            request=request,
            level=logging.WARNING,
            provider=app.provider_id,
            origin=origin,
        )
