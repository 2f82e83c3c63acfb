"""The service commands (init, achievements create, issue, serve) with real settings."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from issuer import db
from issuer.clock import utc_now
from issuer.cli import main, service
from issuer.models import Achievement, AdminUser, IssuerProfile, StoredImage
from issuer.services.keystore import FileKeyStore
from issuer.verification.verifier import verify_credential
from tests.service_fixtures import ADMIN_PASSWORD, CSRF_RE, SAFE_SVG

# The lead's group plus the service commands (issuer/cli/__init__.py registers them too).
cli = click.Group("issuer", commands=dict(main.commands))
service.register(cli)


@pytest.fixture
def env(app, tmp_path) -> dict[str, str]:
    """The settings of the `app` fixture as ISSUER_* variables (app cleans the tables)."""
    return {
        "ISSUER_DATABASE_URL": app.config["DATABASE_URL"],
        "ISSUER_KEYS_DIR": app.config["KEYS_DIR"],
        "ISSUER_INSTANCE_PATH": str(tmp_path / "cli-instance"),
        "ISSUER_BASE_URL": app.config["BASE_URL"],
        "ISSUER_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }


def run(env, *args, input=None):
    return CliRunner().invoke(cli, list(args), env=env, input=input, catch_exceptions=False)


def _count(app, model) -> int:
    with app.app_context():
        return db.get_session().scalar(select(func.count()).select_from(model))


def test_init_creates_issuer_key_and_admin_once(app, env):
    first = run(env, "init", "--admin-email", "Admin@Example.org")
    assert first.exit_code == 0, first.output
    assert first.stdout == "did:web:localhost%3A5000\n"
    assert "created admin admin@example.org" in first.stderr
    [key] = FileKeyStore(env["ISSUER_KEYS_DIR"]).list()
    assert key.controller == "did:web:localhost%3A5000" and key.active
    with app.app_context():
        admin = db.get_session().scalar(select(AdminUser))
        assert admin.email == "admin@example.org"
        assert ADMIN_PASSWORD not in admin.password_hash
    again = run(env, "init", "--admin-email", "admin@example.org")
    assert again.exit_code == 0 and again.stdout == first.stdout
    assert "already exists" in again.stderr
    assert _count(app, IssuerProfile) == 1 and len(FileKeyStore(env["ISSUER_KEYS_DIR"]).list()) == 1


def test_init_keeps_a_new_sqlite_database_private(app, env, tmp_path):
    path = tmp_path / "fresh" / "issuer.sqlite3"
    result = run({**env, "ISSUER_DATABASE_URL": f"sqlite:///{path}"}, "init",
                 "--admin-email", "admin@example.org")
    assert result.exit_code == 0, result.output
    assert path.stat().st_mode & 0o777 == 0o600


def test_init_prompts_for_the_password(app, env):
    env = {**env, "ISSUER_ADMIN_PASSWORD": ""}
    answers = "admin@example.org\nanother long password\nanother long password\n"
    result = run(env, "init", input=answers)
    assert result.exit_code == 0, result.output
    assert "another long password" not in result.stdout
    assert _count(app, AdminUser) == 1


def test_init_with_did_key(app, env):
    result = run(env, "init", "--admin-email", "a@example.org", "--did-method", "key")
    assert re.fullmatch(r"did:key:z6Mk\w+\n", result.stdout)


def test_init_refuses_a_short_password(app, env):
    env = {**env, "ISSUER_ADMIN_PASSWORD": "short"}
    result = run(env, "init", "--admin-email", "a@example.org")
    assert result.exit_code == 1
    assert "at least 10 characters" in result.stderr
    assert _count(app, AdminUser) == 0
    assert _count(app, IssuerProfile) == 0  # one transaction: the profile is not kept either


def test_create_achievement_and_issue(app, env, client, tmp_path):
    run(env, "init", "--admin-email", "admin@example.org")
    image = tmp_path / "badge.svg"
    image.write_bytes(SAFE_SVG)
    created = run(env, "achievements", "create", "--name", "CLI badge", "--description", "Made",
                  "--criteria", "Run *it*", "--image", str(image), "--type", "Badge",
                  "--tag", "cli")
    assert created.exit_code == 0, created.output
    achievement_id = created.stdout.strip()
    uuid.UUID(achievement_id)
    issued = run(env, "issue", "--achievement", achievement_id, "--email", "eve@example.org",
                 "--name", "Eve", "--valid-until", "2099-12-31")
    assert issued.exit_code == 0, issued.output
    url = issued.stdout.strip()
    assert re.fullmatch(r"http://localhost:5000/credentials/[0-9a-f-]{36}", url)
    document = client.get(url.removeprefix("http://localhost:5000"),
                          headers={"Accept": "application/json"}).get_json()
    assert document["credentialSubject"]["achievement"]["image"]["id"].endswith(".svg")
    assert document["validUntil"] == "2099-12-31T23:59:59Z"
    with app.app_context():  # the dashboard's issuing path
        from issuer import db
        from issuer.models import IssuedCredential

        assert db.get_session().get(IssuedCredential, url.rsplit("/", 1)[1]).issued_via == "cli"


def test_bad_input_exits_1_with_the_reason(app, env, tmp_path):
    run(env, "init", "--admin-email", "admin@example.org")
    evil = tmp_path / "evil.svg"
    evil.write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>')
    result = run(env, "achievements", "create", "--name", "X", "--description", "Y",
                 "--criteria", "Z", "--image", str(evil))
    assert result.exit_code == 1 and "<script>" in result.stderr and result.stdout == ""
    assert _count(app, Achievement) == 0 and _count(app, StoredImage) == 0
    result = run(env, "issue", "--achievement", str(uuid.uuid4()), "--email", "x@example.org")
    assert result.exit_code == 1 and "existing achievement" in result.stderr


def test_commands_before_init_say_what_to_do(app, env):
    result = run(env, "achievements", "create", "--name", "X", "--description", "Y",
                 "--criteria", "Z")
    assert result.exit_code == 1
    assert "issuer init" in result.stderr


# -- issuer serve: real gunicorn workers sharing nothing but the database and the files -----


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer in {seconds}s")


def _decoy_directory(path) -> None:
    """A current directory that would break a server importing from it or configured by it."""
    (path / "issuer").mkdir(parents=True)
    (path / "issuer" / "__init__.py").write_text(
        'raise RuntimeError("imported the issuer/ of the current directory")\n')
    (path / "gunicorn.conf.py").write_text(
        'raise SystemExit("read the gunicorn.conf.py of the current directory")\n')


def _wait_in_log(log, text: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while text not in log.read_text("utf-8", "replace"):
        assert time.monotonic() < deadline, f"{text!r} not logged in {seconds}s"
        time.sleep(0.2)


def test_serve_runs_gunicorn_workers_that_share_sessions(app, env, tmp_path):
    """`issuer serve` (port from ISSUER_PORT) serves the installed package: started in a
    directory holding another issuer/ and a gunicorn.conf.py, neither is used (the web
    workers and the job-queue worker alike)."""
    run(env, "init", "--admin-email", "admin@example.org")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    _decoy_directory(tmp_path / "cwd")
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-P", "-c", "from issuer.cli import main; main()",
             "serve", "--workers", "3"],
            cwd=tmp_path / "cwd", stdout=subprocess.DEVNULL, stderr=sink, start_new_session=True,
            env={**os.environ, **env, "ISSUER_SECRET_KEY": "", "ISSUER_PORT": str(port)},
        )
    try:
        _wait_for(base + "/.well-known/did.json", process)
        with urllib.request.urlopen(base + "/.well-known/did.json") as response:
            assert json.load(response)["id"] == "did:web:localhost%3A5000"
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(base + "/admin/login").read().decode()
        token = next(group for group in CSRF_RE.search(page).groups() if group)
        form = urllib.parse.urlencode({"csrf_token": token, "email": "admin@example.org",
                                       "password": ADMIN_PASSWORD}).encode()
        assert opener.open(base + "/admin/login", data=form).geturl() == base + "/admin/"
        # Many requests land on different workers; each one knows the session.
        for _ in range(12):
            response = opener.open(base + "/admin/")
            assert response.geturl() == base + "/admin/" and b"Sign out" in response.read()
        _wait_in_log(log, "Huey consumer started")  # the queue worker is up too
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    stderr = log.read_bytes()
    assert b"Booting worker" in stderr
    assert b"current directory" not in stderr and b"Traceback" not in stderr
    assert ADMIN_PASSWORD.encode() not in stderr


def test_dev_server_stops_its_queue_worker_on_sigterm(app, env, tmp_path):
    """SIGTERM to `issuer serve --dev` alone (not its process group, as a service manager
    may send it) stops the job-queue worker it started as well."""
    run(env, "init", "--admin-email", "admin@example.org")
    port = _free_port()
    log = tmp_path / "dev.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-P", "-c", "from issuer.cli import main; main()",
             "serve", "--dev", "--port", str(port)],
            stdout=subprocess.DEVNULL, stderr=sink, start_new_session=True,
            env={**os.environ, **env, "ISSUER_SECRET_KEY": ""},
        )
    try:
        _wait_for(f"http://127.0.0.1:{port}/.well-known/did.json", process)
        _wait_in_log(log, "Huey consumer started")
        process.send_signal(signal.SIGTERM)
        # Generous bounds: a loaded CI machine is slow; the server kills the worker after 30 s.
        assert process.wait(timeout=90) == 0
        deadline = time.monotonic() + 30
        while _group_alive(process.pid):  # the worker (same session) is gone too
            assert time.monotonic() < deadline, "the queue worker outlived the dev server"
            time.sleep(0.2)
    finally:
        if _group_alive(process.pid):
            os.killpg(process.pid, signal.SIGKILL)


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def test_more_profiles_and_key_rotation(app, env, client):
    run(env, "init", "--admin-email", "admin@example.org")
    created = run(env, "profiles", "create", "--slug", "chemistry", "--name", "Chemistry Dept",
                  "--url", "https://chem.example.org")
    assert created.exit_code == 0, created.output
    assert created.stdout == "did:web:localhost%3A5000:issuers:chemistry\n"
    achievement = run(env, "achievements", "create", "--issuer", "chemistry", "--name", "Titration",
                      "--description", "D", "--criteria", "C").stdout.strip()
    url = run(env, "issue", "--achievement", achievement, "--email", "f@example.org").stdout.strip()
    document = client.get(url.removeprefix("http://localhost:5000"),
                          headers={"Accept": "application/json"}).get_json()
    assert document["issuer"]["id"] == "did:web:localhost%3A5000:issuers:chemistry"

    rotated = run(env, "profiles", "rotate-key", "--slug", "chemistry")
    assert rotated.exit_code == 0, rotated.output
    did_document = client.get("/issuers/chemistry/did.json").get_json(force=True)
    assert [vm["publicKeyMultibase"] for vm in did_document["verificationMethod"]][-1] == \
        rotated.stdout.strip()
    assert len(did_document["verificationMethod"]) == 2
    # What the retired key signed still verifies: the key stays in the DID document.
    result = verify_credential(document, now=utc_now(),
                               resolve_controller={did_document["id"]: did_document}.get)
    assert result.verified, result.to_dict()
    duplicate = run(env, "profiles", "create", "--slug", "chemistry", "--name", "Again")
    assert duplicate.exit_code == 1 and "already exists" in duplicate.stderr


def test_the_suspension_setting_of_a_profile(app, env, client):
    run(env, "init", "--admin-email", "admin@example.org")
    assert run(env, "profiles", "set").stdout == "suspension: off\n"  # the default profile
    created = run(env, "profiles", "create", "--slug", "hr", "--name", "HR", "--suspension")
    assert created.exit_code == 0, created.output
    assert run(env, "profiles", "set", "--slug", "hr").stdout == "suspension: on\n"

    def issued_status(slug: str):
        achievement = run(env, "achievements", "create", "--issuer", slug, "--name", "N",
                          "--description", "D", "--criteria", "C").stdout.strip()
        url = run(env, "issue", "--achievement", achievement, "--email",
                  f"{uuid.uuid4().hex[:8]}@example.org").stdout.strip()
        return client.get(url.removeprefix("http://localhost:5000"),
                          headers={"Accept": "application/json"}).get_json()["credentialStatus"]

    assert [entry["statusPurpose"] for entry in issued_status("hr")] == [
        "revocation", "suspension"]
    assert issued_status("main")["statusPurpose"] == "revocation"
    turned = run(env, "profiles", "set", "--slug", "hr", "--no-suspension")
    assert (turned.exit_code, turned.stdout) == (0, "suspension: off\n")
    assert issued_status("hr")["statusPurpose"] == "revocation"
    assert run(env, "profiles", "set", "--suspension").stdout == "suspension: on\n"
    unknown = run(env, "profiles", "set", "--slug", "nope", "--suspension")
    assert unknown.exit_code == 1 and "no issuer profile 'nope'" in unknown.stderr
