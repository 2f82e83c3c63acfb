"""``issuer verify`` against our own service on a real local HTTPS server, with a did:web issuer.

The app runs on werkzeug with a throwaway certificate (made with the openssl command) that the
CLI trusts through SSL_CERT_FILE, so did:web resolves exactly as on the web: over HTTPS, through
the safe fetcher. The CLI runs as its own process (``python -m issuer.cli verify``), with
ISSUER_VERIFY_FETCH_PRIVATE set, since the server is on a loopback address.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from issuer import db
from issuer.clock import utc_now
from issuer.services import issuance
from issuer.services import status as status_service
from issuer.services.keystore import FileKeyStore
from tests.service_fixtures import issue_credential, make_achievement, make_profile

STATUS = "Revocation and suspension"
ISSUER = "Issuer signed it"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for localhost (and its loopback addresses), valid two days."""
    openssl = shutil.which("openssl")
    assert openssl, "these tests need the openssl command (Debian package openssl)"
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"],
        check=True, capture_output=True, timeout=60,
    )
    return cert, key


@dataclass
class Service:
    """Our app on https://localhost:<port>, with every request path it answered."""

    app: object
    base_url: str
    cert: Path
    server: object
    thread: threading.Thread
    seen: list[str] = field(default_factory=list)

    def stop(self) -> None:
        if self.thread.is_alive():
            self.server.shutdown()
            self.server.server_close()
            self.thread.join(timeout=10)

    def get(self, path_or_url: str) -> dict:
        url = path_or_url if "://" in path_or_url else self.base_url + path_or_url
        context = ssl.create_default_context(cafile=str(self.cert))
        request = urllib.request.Request(url, headers={"Accept": "application/json"})
        with urllib.request.urlopen(request, context=context, timeout=10) as response:
            return json.loads(response.read())


@pytest.fixture
def service(app, certificate, tmp_path):
    """The app served over HTTPS on localhost: bound to the address "localhost" resolves to
    first (the one the fetcher connects to), its base URL and so its did:web set to match."""
    cert, key = certificate
    address = socket.getaddrinfo("localhost", 0, type=socket.SOCK_STREAM)[0][4][0]
    seen: list[str] = []

    def recording(environ, start_response):
        seen.append(environ.get("PATH_INFO", ""))
        return app(environ, start_response)

    server = make_server(address, 0, recording, threaded=True, ssl_context=(str(cert), str(key)))
    app.config["BASE_URL"] = f"https://localhost:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    running = Service(app, app.config["BASE_URL"], cert, server, thread, seen)
    yield running
    running.stop()


@dataclass
class Issued:
    id: str
    file: Path
    document: dict


@pytest.fixture
def credential(service, tmp_path) -> Issued:
    """A credential our service issued (did:web issuer, revocation and suspension entries)."""
    # after the base URL is known: its did:web comes from it; suspension on, both entries
    make_profile(service.app, offers_suspension=True)
    credential_id = issue_credential(service.app, make_achievement(service.app),
                                     email="ann@example.org")
    with service.app.app_context():
        text = issuance.get_credential(db.get_session(), credential_id).document
    file = tmp_path / "credential.json"
    file.write_text(text, "utf-8")
    return Issued(credential_id, file, json.loads(text))


def change_status(service: Service, credential: Issued, action: str, reason: str) -> None:
    change = {"revoke": status_service.revoke, "suspend": status_service.suspend}[action]
    with service.app.app_context():
        session = db.get_session()
        change(session, issuance.get_credential(session, credential.id), reason=reason,
               actor=status_service.CLI, keystore=FileKeyStore(service.app.config["KEYS_DIR"]),
               base_url=service.base_url, now=utc_now())


def verify(service: Service, *args: str, fetch_private: str | None = "true"):
    """Run ``python -m issuer.cli verify ARGS`` in a process of its own."""
    env = {name: value for name, value in os.environ.items()
           if name != "ISSUER_VERIFY_FETCH_PRIVATE"}
    env["SSL_CERT_FILE"] = str(service.cert)
    if fetch_private is not None:
        env["ISSUER_VERIFY_FETCH_PRIVATE"] = fetch_private
    return subprocess.run([sys.executable, "-m", "issuer.cli", "verify", *args],
                          capture_output=True, text=True, env=env, timeout=120, check=False)


def check_lines(stdout: str) -> dict[str, str]:
    """Check title -> its line, from the text output."""
    lines = [line.strip() for line in stdout.splitlines()[1:] if line.startswith("  [")]
    return {line[7:].split(":", 1)[0]: line for line in lines}


def test_the_issuer_and_status_lists_are_fetched_and_an_active_credential_verifies(
        service, credential):
    assert credential.document["issuer"]["id"].startswith("did:web:localhost%3A")
    result = verify(service, str(credential.file), "--email", "ann@example.org")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == "VERIFIED"
    lines = check_lines(result.stdout)
    assert all(line.startswith("[PASS]") for line in lines.values()), result.stdout
    assert lines[STATUS] == f"[PASS] {STATUS}: not revoked; not suspended"
    warnings = [line for line in result.stdout.splitlines() if "warning" in line]
    assert warnings == ["  warning: schema: credentialStatus is an array (VC 2.0 allows it; "
                        "the 1EdTech OB 3.0 schema expects a single object)"]
    # The did:web document and both status lists came over HTTPS from the service.
    assert "/.well-known/did.json" in service.seen
    assert sum(path.startswith("/status/") for path in service.seen) == 2

    report = json.loads(verify(service, "--json", str(credential.file)).stdout)
    assert (report["verified"], report["verdict"], report["notChecked"]) == (
        True, "verified", [])


@pytest.mark.parametrize(("action", "word"), [("revoke", "revoked"), ("suspend", "suspended")])
def test_a_revoked_or_suspended_credential_is_not_verified(service, credential, action, word):
    change_status(service, credential, action, "Issued to the wrong person.")
    result = verify(service, str(credential.file))
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == f"NOT VERIFIED: 1 check failed: {STATUS}"
    assert check_lines(result.stdout)[STATUS] == f"[FAIL] {STATUS}: {word} by the issuer"

    as_json = verify(service, "--json", str(credential.file))
    assert as_json.returncode == 1
    report = json.loads(as_json.stdout)
    assert (report["verified"], report["verdict"]) == (False, "not_verified")
    assert report["errors"][0]["problems"][0]["type"] == f"urn:issuer:problem:{word}"


def test_offline_fetches_nothing_and_names_the_checks_it_could_not_make(service, credential):
    before = len(service.seen)
    result = verify(service, "--offline", str(credential.file))
    assert result.returncode == 3, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == (
        f"NOT FULLY VERIFIED: 2 checks could not be made (offline): {ISSUER}, {STATUS}")
    lines = check_lines(result.stdout)
    assert lines["Signature"].startswith("[PASS]")
    assert lines[ISSUER].startswith(f"[SKIP] {ISSUER}: the key was taken from the verification "
                                    "method id")
    assert lines[STATUS].startswith(f"[SKIP] {STATUS}: could not fetch the status list")
    assert "not fetched: offline" in lines[STATUS]
    assert len(service.seen) == before  # not one request

    report = json.loads(verify(service, "--offline", "--json", str(credential.file)).stdout)
    assert (report["verified"], report["verdict"]) == (True, "incomplete")
    assert report["notChecked"] == ["issuer", "status"]


def test_offline_with_every_document_given_verifies_and_still_sees_a_revocation(
        service, credential, tmp_path):
    did = credential.document["issuer"]["id"]
    did_document = tmp_path / "did.json"
    did_document.write_text(json.dumps(service.get("/.well-known/did.json")), "utf-8")
    lists = []
    for entry in credential.document["credentialStatus"]:
        path = tmp_path / f"{entry['statusPurpose']}.json"
        path.write_text(json.dumps(service.get(entry["statusListCredential"])), "utf-8")
        lists += ["--status-list", str(path)]
    given = ["--offline", "--controller-document", str(did_document), *lists]
    before = len(service.seen)

    result = verify(service, *given, str(credential.file))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == "VERIFIED"
    assert check_lines(result.stdout)[ISSUER] == f"[PASS] {ISSUER}: signed with a key of the issuer {did}"
    assert result.stderr == ""  # every document given was used

    change_status(service, credential, "revoke", "Plagiarism.")
    stale = verify(service, *given, str(credential.file))
    assert stale.returncode == 0  # the lists given by hand predate the revocation
    for entry in credential.document["credentialStatus"]:
        path = tmp_path / f"{entry['statusPurpose']}.json"
        path.write_text(json.dumps(service.get(entry["statusListCredential"])), "utf-8")
    fresh = verify(service, *given, str(credential.file))
    assert fresh.returncode == 1, fresh.stdout
    assert check_lines(fresh.stdout)[STATUS] == f"[FAIL] {STATUS}: revoked by the issuer"
    assert len(service.seen) == before + 2  # only this test's own downloads of the lists


def test_a_status_list_server_that_is_down_is_not_a_pass(service, credential, tmp_path):
    did_document = tmp_path / "did.json"
    did_document.write_text(json.dumps(service.get("/.well-known/did.json")), "utf-8")
    service.stop()
    result = verify(service, "--controller-document", str(did_document), str(credential.file))
    assert result.returncode == 3, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == f"NOT FULLY VERIFIED: 1 check could not be made: {STATUS}"
    line = check_lines(result.stdout)[STATUS]
    assert line.startswith(f"[SKIP] {STATUS}: could not fetch the status list {service.base_url}/status/")
    assert check_lines(result.stdout)[ISSUER].startswith("[PASS]")

    report = json.loads(verify(service, "--json", "--controller-document", str(did_document),
                               str(credential.file)).stdout)
    assert (report["verdict"], report["notChecked"]) == ("incomplete", ["status"])


def test_private_addresses_are_refused_unless_allowed(service, credential):
    before = len(service.seen)
    result = verify(service, str(credential.file), fetch_private=None)
    assert result.returncode == 3, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == (
        f"NOT FULLY VERIFIED: 2 checks could not be made: {ISSUER}, {STATUS}")
    lines = check_lines(result.stdout)
    for title in (ISSUER, STATUS):
        assert "private, loopback or reserved address" in lines[title], lines[title]
    assert len(service.seen) == before  # refused before connecting
    assert verify(service, str(credential.file), fetch_private="false").returncode == 3

    wrong = verify(service, str(credential.file), fetch_private="maybe")
    assert wrong.returncode == 2
    assert "ISSUER_VERIFY_FETCH_PRIVATE must be true or false" in wrong.stderr
