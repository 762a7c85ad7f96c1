"""A stand-in for a social network's OAuth 2 servers, on 127.0.0.1, answering allauth's real HTTP calls.

It plays the three parts of the dance: the authorize page (redirects back with a code and the
state it was given), the token endpoint (checks the client credentials and the code) and the
profile endpoint (checks the bearer token). Tests read what it received.
"""

import json
import secrets
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit


class FakeProvider:
    def __init__(
        self,
        *,
        client_id: str,
        secret: str,
        profile: dict[str, Any],
        client_id_parameter: str,
        token_extra: "Callable[[], dict[str, Any]] | None" = None,
    ):
        self.client_id = client_id
        self.secret = secret
        self.profile = profile
        self.client_id_parameter = client_id_parameter
        self.token_extra = token_extra or dict
        self.codes: set[str] = set()
        self.tokens: set[str] = set()
        self.requests: list[tuple[str, str]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeProvider":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def _json(self, status: int, body: dict[str, Any]) -> None:
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = {key: values[0] for key, values in parse_qs(url.query).items()}
                provider.requests.append(("GET", url.path))
                if url.path == "/authorize":
                    if query.get(provider.client_id_parameter) != provider.client_id:
                        self._json(400, {"error": "unknown_client"})
                        return
                    code = secrets.token_urlsafe(12)
                    provider.codes.add(code)
                    target = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.end_headers()
                    return
                if url.path == "/token":  # Facebook asks for its token with a GET
                    self._issue_token(query)
                    return
                if url.path in ("/profile", "/me"):
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
                    token = token or query.get("access_token", "")
                    if token not in provider.tokens:
                        self._json(401, {"error": "invalid_token"})
                        return
                    self._json(200, provider.profile)
                    return
                self._json(404, {"error": "not_found"})

            def _issue_token(self, form: dict[str, str]) -> None:
                code = form.get("code", "")
                if (
                    form.get(provider.client_id_parameter) != provider.client_id
                    or form.get("client_secret") != provider.secret
                    or code not in provider.codes
                ):
                    self._json(400, {"error": "invalid_grant"})
                    return
                provider.codes.discard(code)  # a code is good once
                token = secrets.token_urlsafe(16)
                provider.tokens.add(token)
                self._json(
                    200,
                    {
                        "access_token": token,
                        "token_type": "Bearer",
                        "expires_in": 3600,
                        **provider.token_extra(),
                    },
                )

            def do_POST(self) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                form = {key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()}
                provider.requests.append(("POST", url.path))
                if url.path != "/token":
                    self._json(404, {"error": "not_found"})
                    return
                self._issue_token(form)

        return Handler
