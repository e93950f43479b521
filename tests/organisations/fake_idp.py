"""A fake OpenID Connect identity service for the sign-in tests: discovery, keys, token and user info
endpoints behind `responses` (no network), with a real RSA key that signs real ID tokens."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
import responses
from allauth.socialaccount.models import SocialApp
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from django.urls import reverse

from organisations.models import Organisation

ISSUER = "https://tunnistus.aakkosla.example"
CLIENT_ID = "vaikuttava-aakkosla"


@dataclass
class FakeIdentityService:
    """`claims` is what the service says about the person who signs in (in the ID token and the user
    info); `id_token_claims` is said in the ID token only (amr, acr), `userinfo_claims` in the user info
    only."""

    mock: responses.RequestsMock
    issuer: str = ISSUER
    client_id: str = CLIENT_ID
    key: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(65537, 2048))
    claims: dict[str, Any] = field(default_factory=dict)
    id_token_claims: dict[str, Any] = field(default_factory=dict)
    userinfo_claims: dict[str, Any] = field(default_factory=dict)
    config_overrides: dict[str, Any] = field(default_factory=dict)
    nonce_override: str | None = None
    token_requests: list[dict[str, list[str]]] = field(default_factory=list)
    pending_nonce: str = ""
    last_authorize: dict[str, str] = field(default_factory=dict)

    def install(self) -> None:
        config = {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            **self.config_overrides,
        }
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update(kid="test-key", alg="RS256", use="sig")
        self.mock.get(f"{self.issuer}/.well-known/openid-configuration", json=config)
        self.mock.get(f"{self.issuer}/jwks", json={"keys": [jwk]})
        self.mock.add_callback("POST", f"{self.issuer}/token", callback=self._token)
        self.mock.add_callback("GET", f"{self.issuer}/userinfo", callback=self._userinfo)

    def configure(self, organisation: Organisation, **app_settings: Any) -> SocialApp:
        """The organisation's social application pointing at this service."""
        return SocialApp.objects.create(
            provider="openid_connect",
            provider_id=organisation.slug,
            name=str(organisation.name),
            client_id=self.client_id,
            secret="client-secret",
            settings={"server_url": self.issuer, **app_settings},
        )

    def _id_token(self) -> str:
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": self.nonce_override or self.pending_nonce,
            **self.claims,
            **self.id_token_claims,
        }
        return jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": "test-key"})

    def _token(self, request: Any) -> tuple[int, dict[str, str], str]:
        self.token_requests.append(parse_qs(request.body))
        body = {"access_token": "access-1", "token_type": "Bearer", "id_token": self._id_token()}
        return 200, {"Content-Type": "application/json"}, json.dumps(body)

    def _userinfo(self, request: Any) -> tuple[int, dict[str, str], str]:
        assert request.headers["Authorization"] == "Bearer access-1"
        return 200, {"Content-Type": "application/json"}, json.dumps({**self.claims, **self.userinfo_claims})

    def start(self, client: Client, organisation: Organisation) -> Any:
        """Our sign-in button: allauth answers with a redirect to the service's authorisation."""
        return client.post(
            reverse("openid_connect_login", kwargs={"provider_id": organisation.slug}), {"process": "login"}
        )

    def sign_in(self, client: Client, organisation: Organisation, *, state: str | None = None) -> Any:
        """The browser's round trip: our sign-in button, the service's authorisation, our callback."""
        start = self.start(client, organisation)
        assert start.status_code == 302, start
        authorize = urlparse(start["Location"])
        expected = self.config_overrides.get("authorization_endpoint", f"{self.issuer}/authorize")
        assert f"{authorize.scheme}://{authorize.netloc}{authorize.path}" == expected
        query = {name: values[0] for name, values in parse_qs(authorize.query).items()}
        assert query["client_id"] == self.client_id and "openid" in query["scope"].split()
        self.pending_nonce = query["nonce"]
        self.last_authorize = query
        return client.get(
            reverse("openid_connect_callback", kwargs={"provider_id": organisation.slug}),
            {"code": "code-1", "state": state or query["state"]},
        )
