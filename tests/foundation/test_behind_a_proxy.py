"""Against a real gunicorn with production settings (DEBUG off, HTTPS as a TLS proxy reports it), a
client forging `X-Forwarded-For` gets no fresh throttle bucket (SPEC §13, §15):

- with no proxy configured (the default) the header is ignored: the socket's address is counted;
- with one proxy configured the right-most entry, the one our proxy appended, is counted, whatever
  the client put before it.

Each endpoint family is tried: DRF's scoped throttle (staff token sign-in), the referral redirect's
own throttle, the portal's sign-in and the admin's sign-in (which share one counter). The server also
refuses a declared 60 MB body at once, without waiting for it.
"""

import http.client
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 3  # sign-in attempts and redirects per minute, for the servers of these tests
SOURCES = count(10)  # each test sends from its own loopback address: its own bucket without a proxy
TEST_ONLY_SETTINGS = {
    "DEBUG",
    "DATABASE_URL",
    "DATABASE_REPLICA_URL",
    "REDIS_URL",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SITE_URL",
    "ALLOWED_HOSTS",
    "TRUSTED_PROXY_COUNT",
}


@dataclass
class Server:
    port: int

    def send(
        self,
        method: str,
        path: str,
        *,
        source: str,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=20, source_address=(source, 0)
        )
        try:
            # as the TLS proxy in front reports a request it received over HTTPS
            connection.request(
                method, path, body=body, headers={"X-Forwarded-Proto": "https", **(headers or {})}
            )
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def production_env(tmp_path_factory, sqlite_database_of_its_own) -> dict[str, str]:
    """Production settings on a migrated SQLite file of the module's own."""
    database = sqlite_database_of_its_own(tmp_path_factory.mktemp("behind-a-proxy"))
    env = {key: value for key, value in os.environ.items() if key not in TEST_ONLY_SETTINGS}
    env.update(
        DJANGO_SETTINGS_MODULE="backend.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{database}",
        EMAIL_URL="locmem://",
        TASKS_BACKEND="immediate",
        STATIC_MANIFEST="0",
        LOG_LEVEL="ERROR",
        THROTTLE_TOKEN_LOGIN=f"{LIMIT}/minute",
        THROTTLE_REDIRECTS=f"{LIMIT}/minute",
    )
    return env


def start_gunicorn(env: dict[str, str], proxies: int) -> Iterator[Server]:
    server = Server(port=free_port())
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "backend.wsgi:application",
            f"--bind=127.0.0.1:{server.port}",
            "--workers=1",  # one process: the throttles' counters are in its memory (no Redis here)
            "--log-level=warning",
        ],
        cwd=ROOT,
        env={**env, "TRUSTED_PROXY_COUNT": str(proxies)},
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, "gunicorn stopped at start-up"
            try:
                if server.send("GET", "/healthz", source="127.0.0.1")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not answer within a minute"
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def no_proxy(production_env) -> Iterator[Server]:
    yield from start_gunicorn(production_env, proxies=0)


@pytest.fixture(scope="module")
def one_proxy(production_env) -> Iterator[Server]:
    yield from start_gunicorn(production_env, proxies=1)


# --- what a password guesser (or a link flooder) sends; each returns the status code -------------

Attempt = Callable[[Server, str, str], int]


def token_sign_in(server: Server, source: str, forwarded_for: str) -> int:
    body = json.dumps({"email": "marketing@example.com", "password": secrets.token_hex(8)}).encode()
    headers = {"Content-Type": "application/json", "X-Forwarded-For": forwarded_for}
    return server.send("POST", "/api/v1/auth/token/", source=source, headers=headers, body=body)[0]


def referral_redirect(server: Server, source: str, forwarded_for: str) -> int:
    return server.send("GET", "/r/ZZZZZ-9999", source=source, headers={"X-Forwarded-For": forwarded_for})[0]


def form_sign_in(path: str, username_field: str) -> Attempt:
    """A browser's sign-in through the form: fetch it for the CSRF token, then post a wrong password."""

    def attempt(server: Server, source: str, forwarded_for: str) -> int:
        status, headers, page = server.send("GET", path, source=source)
        assert status == 200, (path, status)
        cookie = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", ""))
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert cookie and token
        form = {username_field: "marketing@example.com", "password": secrets.token_hex(8)}
        return server.send(
            "POST",
            path,
            source=source,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookie[1]}",
                "Referer": f"https://127.0.0.1:{server.port}{path}",
                "X-Forwarded-For": forwarded_for,
            },
            body=urlencode({**form, "csrfmiddlewaretoken": token[1].decode()}).encode(),
        )[0]

    return attempt


ATTEMPTS: dict[str, tuple[Attempt, int]] = {  # the attempt, and its status while under the limit
    "staff token sign-in": (token_sign_in, 401),
    "referral redirect": (referral_redirect, 302),
    "portal sign-in": (form_sign_in("/signin/", "username"), 200),
    "admin sign-in": (form_sign_in("/admin/login/", "username"), 200),
}


def forged() -> str:
    return f"198.51.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


@pytest.mark.parametrize("name", sorted(ATTEMPTS))
def test_without_a_proxy_a_forged_forwarded_for_gives_no_fresh_bucket(no_proxy, name):
    attempt, allowed = ATTEMPTS[name]
    source = f"127.0.0.{next(SOURCES)}"

    # when one client sends one attempt more than the limit, each with a new forged header
    statuses = [attempt(no_proxy, source, forged()) for _ in range(LIMIT + 1)]

    # then the last one is refused: the header was not taken for the client
    assert statuses == [allowed] * LIMIT + [429]


@pytest.mark.parametrize("name", sorted(ATTEMPTS))
def test_behind_one_proxy_the_right_most_forwarded_address_is_the_client(one_proxy, name):
    attempt, allowed = ATTEMPTS[name]
    client = f"203.0.113.{next(SOURCES)}"

    # when one client, through our proxy (which appends the address it saw), forges the left part
    statuses = [attempt(one_proxy, "127.0.0.1", f"{forged()}, {client}") for _ in range(LIMIT + 1)]
    # and another client comes through the same proxy
    neighbour = attempt(one_proxy, "127.0.0.1", f"{client}, 203.0.113.250")

    # then the first is refused once over the limit, and the other has a bucket of its own
    assert statuses == [allowed] * LIMIT + [429]
    assert neighbour == allowed


def test_a_body_declared_too_large_is_refused_at_once_without_being_read(no_proxy):
    # given a client that announces a 60 MB upload and sends only its first bytes
    connection = socket.create_connection(("127.0.0.1", no_proxy.port), timeout=20)
    try:
        connection.sendall(
            b"POST /api/v1/parties/1/photos/ HTTP/1.1\r\n"
            b"Host: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n"
            b"Content-Type: multipart/form-data; boundary=x\r\n"
            + f"Content-Length: {60 * 1024 * 1024}\r\n\r\n".encode()
            + b"--x\r\n" * 1000
        )
        # when the server answers (a server reading the whole body first would wait for it: time out)
        response = http.client.HTTPResponse(connection)
        response.begin()
        body = response.read()
    finally:
        connection.close()

    # then it is a 413 in the one error shape
    assert response.status == 413
    assert json.loads(body)["errors"][0]["code"] == "request_too_large"
