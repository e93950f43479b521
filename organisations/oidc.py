"""allauth's OpenID Connect provider with a nonce in every authentication request.

allauth binds the answer to the browser with `state` and PKCE; the nonce also binds the ID token to this
very request (OpenID Connect Core 3.1.2.1). It is kept in allauth's state for the request and compared in
organisations.signin.SocialAccountAdapter.pre_social_login. Installed through
SOCIALACCOUNT_PROVIDERS["openid_connect"]["provider_class"].
"""

from __future__ import annotations

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
        return super().redirect(
            request, process, next_url, data, auth_params=auth_params, nonce=nonce, **kwargs
        )
