"""Fixtures for the webhook tests: a REAL local HTTP receiver (a threading HTTP server) that
keeps every request and answers as told, the app configured to deliver to it (private
addresses allowed, as ISSUER_WEBHOOK_ALLOW_PRIVATE does), and the community's real SMTP
server for the owner's email."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.community.conftest import MAIL_FROM, SMTP_PASSWORD, SMTP_USER, smtp_server  # noqa: F401

OWNER = "owner@example.org"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic() when it arrived


class Receiver:
    """What the endpoint got. ``answers`` are (status, body) pairs used in turn, then
    ``default``; ``delay`` seconds pass before each answer."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.answers: list[tuple[int, bytes, dict[str, str]]] = []
        self.default: tuple[int, bytes, dict[str, str]] = (200, b'{"ok":true}', {})
        self.delay = 0.0
        self._changed = threading.Condition()
        self.url = ""

    def answer(self) -> tuple[int, bytes, dict[str, str]]:
        with self._changed:
            return self.answers.pop(0) if self.answers else self.default

    def keep(self, item: Received) -> None:
        with self._changed:
            self.received.append(item)
            self._changed.notify_all()

    def wait_for(self, count: int, timeout: float = 30) -> list[Received]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} requests, got {len(self.received)}")
                self._changed.wait(left)
            return list(self.received)


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            receiver.keep(Received(self.path, {k.lower(): v for k, v in self.headers.items()},
                                   body, time.monotonic()))
            if receiver.delay:
                time.sleep(receiver.delay)
            status, answer, headers = receiver.answer()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):  # quiet
            pass

    return Handler


@pytest.fixture
def receiver():
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def app_config(app_config, smtp_server, tmp_path):  # noqa: F811
    return {
        **app_config,
        "WEBHOOK_ALLOW_PRIVATE": True,
        "SMTP_URL": f"smtp://{SMTP_USER}:{SMTP_PASSWORD}@127.0.0.1:{smtp_server.port}",
        "MAIL_FROM": MAIL_FROM,
        "MAIL_RETRIES": 1,
        "MAIL_RETRY_DELAY": 0,
        "QUEUE_URL": f"sqlite:///{tmp_path / 'queue.sqlite3'}",
    }


def make_endpoint(app, url: str, *, events=("credential.issued",), profile: str | None = None,
                  owner: str = OWNER) -> tuple[str, str]:
    """Register an endpoint through the service; (its id, its whsec_ secret)."""
    from issuer import db
    from issuer.clock import utc_now
    from issuer.services import profiles
    from issuer.services.tx import atomic
    from issuer.webhooks import endpoints

    with app.app_context():
        session = db.get_session()
        with atomic(session):
            row = (profiles.profile_by_slug(session, profile) if profile
                   else profiles.default_profile(session))
            registered = endpoints.register(
                session, profile=row, url=url, events=list(events), owner_email=owner,
                description=None, secret_key=app.config["SECRET_KEY"], allow_private=True,
                now=utc_now())
        return registered.endpoint.id, registered.secret
