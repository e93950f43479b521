"""A small OpenID Connect provider on loopback for the browser tests: discovery, an authorisation page the
person clicks through, the token endpoint (client secret, PKCE S256, single-use codes) with an RS256 ID
token that carries the request's nonce, user info and the keys. Started in a thread by the test; no
network beyond 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_ID = "loopback-key"


@dataclass
class LoopbackProvider:
    """`claims` describe the person the provider vouches for (ID token and user info); `id_token_claims`
    go into the ID token only (amr, acr)."""

    client_id: str
    client_secret: str
    claims: dict[str, Any] = field(default_factory=dict)
    id_token_claims: dict[str, Any] = field(default_factory=dict)
    key: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(65537, 2048))
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    access_tokens: set[str] = field(default_factory=set)
    token_requests: int = 0
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def issuer(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return None

            def do_GET(self) -> None:
                provider.get(self)

            def do_POST(self) -> None:
                provider.post(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    # --- endpoints -----------------------------------------------------------------------------------

    def get(self, request: BaseHTTPRequestHandler) -> None:
        url = urlsplit(request.path)
        query = {name: values[0] for name, values in parse_qs(url.query).items()}
        if url.path == "/.well-known/openid-configuration":
            self._json(request, 200, self.configuration())
        elif url.path == "/jwks":
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
            jwk.update(kid=KEY_ID, alg="RS256", use="sig")
            self._json(request, 200, {"keys": [jwk]})
        elif url.path == "/authorize":
            self._authorize(request, query)
        elif url.path == "/userinfo":
            token = request.headers.get("Authorization", "").removeprefix("Bearer ")
            if token not in self.access_tokens:
                self._json(request, 401, {"error": "invalid_token"})
            else:
                self._json(request, 200, self.claims)
        else:
            self._json(request, 404, {"error": "not_found"})

    def post(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length", "0"))
        form = {name: values[0] for name, values in parse_qs(request.rfile.read(length).decode()).items()}
        if urlsplit(request.path).path != "/token":
            self._json(request, 404, {"error": "not_found"})
            return
        self.token_requests += 1
        grant = self.codes.pop(form.get("code", ""), None)  # a code is used once
        if (
            grant is None
            or form.get("grant_type") != "authorization_code"
            or form.get("client_id") != self.client_id
            or not secrets.compare_digest(form.get("client_secret", ""), self.client_secret)
            or form.get("redirect_uri") != grant["redirect_uri"]
            or _s256(form.get("code_verifier", "")) != grant["code_challenge"]
        ):
            self._json(request, 400, {"error": "invalid_grant"})
            return
        access_token = secrets.token_urlsafe(16)
        self.access_tokens.add(access_token)
        now = int(time.time())
        id_token = jwt.encode(
            {
                "iss": self.issuer,
                "aud": self.client_id,
                "iat": now,
                "exp": now + 300,
                "nonce": grant["nonce"],
                **self.claims,
                **self.id_token_claims,
            },
            self.key,
            algorithm="RS256",
            headers={"kid": KEY_ID},
        )
        self._json(request, 200, {"access_token": access_token, "token_type": "Bearer", "id_token": id_token})

    def configuration(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
        }

    def _authorize(self, request: BaseHTTPRequestHandler, query: dict[str, str]) -> None:
        problems = [
            name
            for name, ok in (
                ("client_id", query.get("client_id") == self.client_id),
                ("response_type", query.get("response_type") == "code"),
                ("scope", "openid" in query.get("scope", "").split()),
                ("redirect_uri", bool(query.get("redirect_uri"))),
                ("state", bool(query.get("state"))),
                ("nonce", bool(query.get("nonce"))),
                ("code_challenge_method", query.get("code_challenge_method") == "S256"),
            )
            if not ok
        ]
        if problems:
            self._json(request, 400, {"error": "invalid_request", "problems": problems})
            return
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "redirect_uri": query["redirect_uri"],
            "nonce": query["nonce"],
            "code_challenge": query.get("code_challenge", ""),
        }
        back = query["redirect_uri"] + "?" + urlencode({"code": code, "state": query["state"]})
        who = html.escape(str(self.claims.get("email", "")))
        page = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Identity service</title>'
            f"</head><body><main><h1>Identity service</h1><p>Signed in as {who}.</p>"
            f'<p><a id="continue" href="{html.escape(back)}">Continue to the service</a></p>'
            "</main></body></html>"
        )
        body = page.encode()
        request.send_response(200)
        request.send_header("Content-Type", "text/html; charset=utf-8")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    @staticmethod
    def _json(request: BaseHTTPRequestHandler, status: int, data: dict[str, Any]) -> None:
        body = json.dumps(data).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
