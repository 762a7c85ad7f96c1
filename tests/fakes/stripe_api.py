"""A local fake of the Stripe HTTP API for the real `stripe` client to talk to.

It records every request (method, path, decoded form parameters, idempotency key) and replays the
first answer for a repeated idempotency key, as Stripe does — for 24 hours only: Stripe prunes keys
once they are at least 24 hours old, so after `advance(hours=…)` past a day a repeated key makes a
new object. `GET /v1/transfers?transfer_group=…` lists the transfers of a group (newest first), in
Stripe's list shape. Routes answer plausible objects (`GET /v1/<kind>s/<id>` the object created or
`put` before, otherwise Stripe's 404); `GET /v1/checkout/sessions/<id>/line_items` lists the items
given in `session_lines[<id>]` (Stripe's "Retrieve a Checkout Session's line items": a list of `item`
objects with `amount_subtotal`, `amount_total`, `currency`, `description`, `price`, `quantity`), and
Stripe's 404 for a session it was not told of; a test can queue failures with `fail_next(path_prefix, status)`,
and run code of its own just before
and just after an answer is sent with `on_answer` (to hold or kill the client at that moment).
"""

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

_OBJECT_BY_PREFIX = {
    "/v1/coupons": ("coupon", "co"),
    "/v1/promotion_codes": ("promotion_code", "promo"),
    "/v1/transfers": ("transfer", "tr"),
    "/v1/accounts": ("account", "acct"),
    "/v1/account_links": ("account_link", "al"),
}


KEY_LIFETIME_SECONDS = 24 * 3600  # Stripe: "keys are eligible to be removed ... at least 24 hours old"


@dataclass
class RecordedRequest:
    method: str
    path: str
    params: dict[str, str]
    idempotency_key: str | None


AnswerHook = Callable[[RecordedRequest], None]


@dataclass
class FakeStripe:
    url: str = ""
    requests: list[RecordedRequest] = field(default_factory=list)
    objects: dict[str, dict] = field(default_factory=dict)
    session_lines: dict[str, list[dict]] = field(default_factory=dict)
    _replies: dict[str, tuple[float, tuple[int, dict]]] = field(default_factory=dict)
    _offset: float = 0.0  # simulated time passed, in seconds (see `advance`)
    _failures: list[tuple[str, int, str]] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _hooks: list[tuple[str, AnswerHook | None, AnswerHook | None]] = field(default_factory=list)

    def on_answer(
        self, path_prefix: str, *, before: AnswerHook | None = None, after: AnswerHook | None = None
    ) -> None:
        """Call `before(request)` once the request on `path_prefix` is handled and just before its
        answer is sent, and `after(request)` once the answer has been sent (in the server's thread)."""
        with self._lock:
            self._hooks.append((path_prefix, before, after))

    def clear_hooks(self) -> None:
        with self._lock:
            self._hooks.clear()

    def _hooks_for(self, path: str) -> list[tuple[AnswerHook | None, AnswerHook | None]]:
        with self._lock:
            return [(before, after) for prefix, before, after in self._hooks if path.startswith(prefix)]

    def put(self, obj: dict) -> None:
        """Hold an object made outside Soirée (e.g. a promotion code created in Stripe's dashboard):
        `GET /v1/<kind>s/<id>` answers it from now on."""
        with self._lock:
            self.objects[obj["id"]] = obj

    def advance(self, *, hours: float) -> None:
        """Let simulated time pass on the server (idempotency keys older than a day are forgotten)."""
        with self._lock:
            self._offset += hours * 3600

    def _now(self) -> float:
        return time.time() + self._offset

    def fail_next(self, path_prefix: str, status: int = 500, code: str = "") -> None:
        """Answer the next request on `path_prefix` with an error (`code`: Stripe's error code)."""
        self._failures.append((path_prefix, status, code))

    def clear_failures(self) -> None:
        """Forget queued failures that no request consumed."""
        with self._lock:
            self._failures.clear()

    def calls(self, method: str, path_prefix: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method and r.path.startswith(path_prefix)]

    def handle(self, method: str, path: str, params: dict[str, str], key: str | None) -> tuple[int, dict]:
        with self._lock:
            self.requests.append(RecordedRequest(method, path, params, key))
            if key and key in self._replies:
                stored_at, reply = self._replies[key]
                if self._now() - stored_at < KEY_LIFETIME_SECONDS:
                    return reply
                del self._replies[key]
            for index, (prefix, status, code) in enumerate(self._failures):
                if path.startswith(prefix):
                    del self._failures[index]
                    kind = "invalid_request_error" if 400 <= status < 500 else "api_error"
                    error = {"type": kind, "message": "fake failure", **({"code": code} if code else {})}
                    return status, {"error": error}
            reply = self._answer(method, path, params)
            if key:
                self._replies[key] = (self._now(), reply)
            return reply

    def _answer(self, method: str, path: str, params: dict[str, str]) -> tuple[int, dict]:
        if method == "GET" and path.startswith("/v1/checkout/sessions/") and path.endswith("/line_items"):
            session = path.removeprefix("/v1/checkout/sessions/").removesuffix("/line_items")
            if session in self.session_lines:
                return 200, {
                    "object": "list",
                    "url": path,
                    "has_more": False,
                    "data": self.session_lines[session],
                }
            return 404, {
                "error": {
                    "type": "invalid_request_error",
                    "message": f"No such checkout.session: '{session}'",
                }
            }
        for prefix, (kind, id_prefix) in _OBJECT_BY_PREFIX.items():
            if not path.startswith(prefix):
                continue
            rest = path[len(prefix) :].strip("/")
            if method == "POST" and not rest:
                obj = {"id": f"{id_prefix}_{next(self._ids):06d}", "object": kind, "livemode": False}
                obj.update({k: v for k, v in params.items() if "[" not in k})
                if kind == "promotion_code":
                    obj["active"] = True
                if kind == "account_link":
                    obj["url"] = f"https://connect.stripe.test/setup/{obj['id']}"
                obj["created"] = int(self._now())
                self.objects[obj["id"]] = obj
                return 200, obj
            if method == "GET" and not rest:
                found = [
                    o
                    for o in self.objects.values()
                    if o["object"] == kind
                    and all(o.get(k) == v for k, v in params.items() if k not in {"limit", "expand[]"})
                ]
                found.sort(key=lambda o: (o["created"], o["id"]), reverse=True)
                return 200, {"object": "list", "url": prefix, "has_more": False, "data": found}
            if rest and rest in self.objects:
                obj = self.objects[rest]
                if method == "POST":
                    obj.update({k: (v == "true" if v in {"true", "false"} else v) for k, v in params.items()})
                return 200, obj
            return 404, {"error": {"type": "invalid_request_error", "message": "No such object"}}
        return 404, {
            "error": {"type": "invalid_request_error", "message": f"Unrecognized request URL {path}"}
        }


def start_fake_stripe() -> tuple[FakeStripe, ThreadingHTTPServer]:
    fake = FakeStripe()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            path, _, query = self.path.partition("?")
            params = dict(parse_qsl(body or query, keep_blank_values=True))
            key = self.headers.get("Idempotency-Key")
            status, payload = fake.handle(self.command, path, params, key)
            hooks = fake._hooks_for(path)
            request = RecordedRequest(self.command, path, params, key)
            for before, _ in hooks:
                if before is not None:
                    before(request)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", "req_fake")
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
            for _, after in hooks:
                if after is not None:
                    after(request)

        do_GET = do_POST = do_DELETE = _serve

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake, server
