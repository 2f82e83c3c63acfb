"""Fixtures for the community tests: a REAL local SMTP server (aiosmtpd) whose delivered
messages the tests read, the app configured to send through it, and a helper that runs the
app's REAL Huey queue in-process until it is empty (tasks, retries and all)."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage

import pytest

SMTP_USER = "mailer"
SMTP_PASSWORD = "s3cret-smtp-pa55word"
MAIL_FROM = "Community Badges <badges@example.org>"


@dataclass
class Delivered:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes


class SmtpSink:
    """An aiosmtpd handler that keeps what it receives; ``fail_next`` answers the next
    messages with ``fail_code`` instead (451: try later; 550: refused)."""

    def __init__(self) -> None:
        self.delivered: list[Delivered] = []
        self.fail_next = 0
        self.fail_code = 451
        self.logins: list[str] = []
        self._changed = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd hook
        if self.fail_next > 0:
            self.fail_next -= 1
            return (f"{self.fail_code} 4.3.0 try again later" if self.fail_code < 500
                    else f"{self.fail_code} 5.7.1 refused")
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._changed:
            self.delivered.append(Delivered(envelope.mail_from, list(envelope.rcpt_tos),
                                            message, envelope.content))
            self._changed.notify_all()
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode() == SMTP_USER
              and auth_data.password.decode() == SMTP_PASSWORD)
        self.logins.append(auth_data.login.decode() if ok else "rejected")
        return AuthResult(success=ok, handled=ok)  # unhandled: aiosmtpd answers 535

    def wait_for(self, count: int, timeout: float = 30) -> list[Delivered]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.delivered) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} emails, got {len(self.delivered)}")
                self._changed.wait(left)
            return list(self.delivered)

    def to(self, address: str) -> list[Delivered]:
        return [item for item in self.delivered if address in item.rcpt_tos]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port(),
                            authenticator=sink.authenticate, auth_require_tls=False)
    controller.start()
    sink.port = controller.port
    yield sink
    controller.stop()


@pytest.fixture
def app_config(app_config, smtp_server, tmp_path):
    """Mail through the test SMTP server (with a password), a queue file of this test's own,
    and retries without delay so the in-process queue runs them at once."""
    return {
        **app_config,
        "SMTP_URL": f"smtp://{SMTP_USER}:{SMTP_PASSWORD}@127.0.0.1:{smtp_server.port}",
        "MAIL_FROM": MAIL_FROM,
        "MAIL_RETRIES": 2,
        "MAIL_RETRY_DELAY": 0,
        "QUEUE_URL": f"sqlite:///{tmp_path / 'queue.sqlite3'}",
    }


def drain(app, *, limit: int = 500) -> int:
    """Run the app's queued tasks with Huey's own executor until none is left (a retry
    re-enqueued by Huey runs too); returns how many ran."""
    from issuer.jobs import jobs_of

    huey = jobs_of(app).huey
    ran = 0
    while ran < limit:
        for scheduled in huey.read_schedule(huey._get_timestamp()):
            huey.enqueue(scheduled)
        task = huey.dequeue()
        if task is None:
            if huey.scheduled_count():
                time.sleep(0.05)
                continue
            return ran
        huey.execute(task)
        ran += 1
    raise AssertionError("the queue did not empty")


def pending_tasks(app) -> list[str]:
    from issuer.jobs import jobs_of

    huey = jobs_of(app).huey
    return [task.name for task in huey.pending()]
