"""A receiver of the brand's, over real HTTP: a tiny `http.server` on 127.0.0.1 in a thread, answering
each request with the next planned reply (a status code, or `("sleep", seconds, status)`)."""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rest_framework.test import APIClient

from webhooks import services
from webhooks.models import EventType


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    plan: list = field(default_factory=list)
    received: list[Received] = field(default_factory=list)

    def answer_next(self, *replies) -> None:
        self.plan.extend(replies)

    @property
    def event_ids(self) -> list[str]:
        return [request.headers["Soiree-Event-Id"] for request in self.received]


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_LOCAL_URLS = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append(Received(headers=dict(self.headers.items()), body=body))
            reply = state.plan.pop(0) if state.plan else 200
            if isinstance(reply, tuple):
                _sleep, seconds, reply = reply
                time.sleep(seconds)
            try:
                self.send_response(reply)
                self.send_header("Content-Length", "0")
                self.end_headers()
            except OSError:  # the sender gave up waiting and closed the connection
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def admin_client(admin_user_role) -> APIClient:
    client = APIClient()
    client.force_authenticate(admin_user_role)
    return client


@pytest.fixture
def endpoint(receiver, admin_user_role):
    return services.create_endpoint(url=receiver.url, events=list(EventType.values), by=admin_user_role)
