"""Helpers for the verification and sharing tests: a module-wide app with the outside network
cut off and the clock frozen, a small real HTTP server, credentials signed with known keys,
and readers for the /verify page's answer."""

from __future__ import annotations

import json
import re
import secrets
import threading
from datetime import UTC, datetime
from html import unescape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import nacl.signing
import pytest

from issuer import create_app, db
from issuer.dataintegrity import multikey
from issuer.dataintegrity.proofs import add_proof
from issuer.openbadges.credential import Achievement, Image, Profile, Recipient, build_credential
from tests.service_fixtures import BASE_URL, CSRF_RE
from tests.web.example_verdicts import frozen_clock, offline_dns

VALID_FROM = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
KEY = nacl.signing.SigningKey(b"\x21" * 32)
PUBLIC = multikey.encode_public_key(bytes(KEY.verify_key))


def signed(*, issuer_id: str | None = None, vm: str | None = None, email: str = "ann@example.org",
           name: str = "Ann", key: nacl.signing.SigningKey = KEY, **overrides) -> dict:
    """An OB 3.0 credential signed with ``key``: by default a did:key issuer and method."""
    public = multikey.encode_public_key(bytes(key.verify_key))
    issuer_id = issuer_id or multikey.did_key(public)
    vm = vm or (multikey.did_key_verification_method(public) if issuer_id.startswith("did:key:")
                else f"{issuer_id}#{public}")
    options = {
        "credential_id": "urn:uuid:7a3c1e0f-4b2d-4c8e-9f10-112233445566",
        "issuer": Profile(id=issuer_id, name="Faraway College"),
        "achievement": Achievement(
            id="https://faraway.example/achievements/1", name="Far Badge",
            description="Comes from elsewhere.", criteria_narrative="Travel.",
            image=Image("https://faraway.example/badge.png"),
        ),
        "recipient": Recipient(email=email, name=name, salt="s4lt"),
        "valid_from": VALID_FROM,
    }
    options.update(overrides)
    return add_proof(build_credential(**options), signing_key=key, verification_method=vm,
                     created=VALID_FROM)


@pytest.fixture(scope="module")
def offline_app(database_url, tmp_path_factory):
    """An app shared by a module's table tests: no outside DNS, clock frozen at NOW. It only
    reads the database (every table empty), so it needs no cleanup between tests."""
    tmp = tmp_path_factory.mktemp("verify")
    application = create_app({
        "TESTING": True, "DATABASE_URL": database_url, "BASE_URL": BASE_URL,
        "KEYS_DIR": str(tmp / "keys"), "INSTANCE_PATH": str(tmp / "instance"),
        "SECRET_KEY": "test-secret-" + secrets.token_hex(8),
    })
    with offline_dns(), frozen_clock():
        yield application
    db.engine_of(application).dispose()


@pytest.fixture
def offline():
    """No outside DNS for one test (see example_verdicts.offline_dns)."""
    with offline_dns():
        yield


# -- a real HTTP server -------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, dict[str, str], bytes]]] = {}
    seen: ClassVar[list[tuple[str, str]]] = []

    def do_GET(self):
        self.seen.append((self.path, self.headers.get("Accept", "")))
        status, headers, body = self.routes.get(self.path, (404, {}, b"not here"))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class LocalServer:
    def __init__(self, base: str):
        self.base = base

    def serve(self, path: str, body: bytes, content_type: str = "application/json",
              status: int = 200, headers: dict[str, str] | None = None) -> str:
        _Handler.routes[path] = (status, {"Content-Type": content_type, **(headers or {})}, body)
        return self.base + path

    @property
    def seen(self) -> list[tuple[str, str]]:
        return _Handler.seen


@pytest.fixture(scope="module")
def http_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LocalServer(f"http://127.0.0.1:{server.server_address[1]}")
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


# -- the /verify page ---------------------------------------------------------------------------


def csrf_of(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no csrf_token on the page"
    return next(group for group in match.groups() if group)


def verdict(html: str) -> tuple[bool, set[str]] | None:
    """(verified, failing check ids) from a /verify answer, or None when there is no result."""
    match = re.search(r'id="verdict"\s+data-verified="(true|false)"\s+'
                      r'data-failed="([^"]*)"', html)
    if match is None:
        return None
    return match.group(1) == "true", set(match.group(2).split())


def checks(html: str) -> dict[str, str]:
    """check id -> status shown on the page."""
    return dict(re.findall(r'data-check="([^"]+)" data-status="([^"]+)"', html))


def form_error(html: str) -> str | None:
    match = re.search(r'id="form-error"><p>(.*?)</p>', html, re.DOTALL)
    return unescape(match.group(1)) if match else None


def as_json_bytes(document: dict) -> bytes:
    return json.dumps(document).encode("utf-8")
