"""`issuer revoke / suspend / reinstate`: one plain value on stdout, refusals on stderr."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from issuer import db
from issuer.cli import main
from issuer.clock import utc_now
from issuer.models import IssuedCredential, StatusEvent
from issuer.services import status
from issuer.services.fetch import FetchPolicy
from issuer.services.verification import verify_document
from tests.service_fixtures import BASE_URL, issue_credential, make_achievement, make_profile


@pytest.fixture
def env(app, tmp_path) -> dict[str, str]:
    return {
        "ISSUER_DATABASE_URL": app.config["DATABASE_URL"],
        "ISSUER_KEYS_DIR": app.config["KEYS_DIR"],
        "ISSUER_INSTANCE_PATH": str(tmp_path / "cli-instance"),
        "ISSUER_BASE_URL": app.config["BASE_URL"],
    }


@pytest.fixture
def credential_id(app) -> str:
    """A credential of a profile that offers suspension."""
    make_profile(app, offers_suspension=True)
    return issue_credential(app, make_achievement(app))


def run(env, *args):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def _status_check(app, credential_id):
    with app.app_context():
        session = db.get_session()
        document = json.loads(session.get(IssuedCredential, credential_id).document)
        result = verify_document(session, document, base_url=BASE_URL, now=utc_now(),
                                 policy=FetchPolicy(), network=False)
        return result.check("status")


def test_suspend_reinstate_revoke(app, env, credential_id):
    suspended = run(env, "suspend", credential_id, "--reason", "Checking the exam")
    assert (suspended.exit_code, suspended.stdout) == (0, "suspended\n")
    assert _status_check(app, credential_id).detail == "suspended by the issuer: Checking the exam"
    reinstated = run(env, "reinstate", credential_id)
    assert (reinstated.exit_code, reinstated.stdout) == (0, "active\n")
    assert _status_check(app, credential_id).status.value == "passed"
    revoked = run(env, "revoke", f"{BASE_URL}/credentials/{credential_id}",  # a URL works too
                  "--reason", "Exam fraud")
    assert (revoked.exit_code, revoked.stdout) == (0, "revoked\n")
    assert _status_check(app, credential_id).detail == "revoked by the issuer: Exam fraud"
    with app.app_context():
        events = db.get_session().scalars(select(StatusEvent).order_by(StatusEvent.id)).all()
        assert [(e.action, e.actor, e.reason) for e in events] == [
            ("suspend", "cli", "Checking the exam"), ("reinstate", "cli", None),
            ("revoke", "cli", "Exam fraud")]


def test_reinstating_a_revoked_credential_is_refused(app, env, credential_id):
    assert run(env, "revoke", credential_id, "--reason", "Wrong person").exit_code == 0
    refused = run(env, "reinstate", credential_id)
    assert refused.exit_code == 1 and refused.stdout == ""
    assert "cannot be reinstated; revocation is permanent" in refused.stderr
    with app.app_context():
        assert status.credential_state(
            db.get_session(), db.get_session().get(IssuedCredential, credential_id)
        ).state == "revoked"


@pytest.mark.parametrize(("args", "message"), [
    (["revoke", "ID"], "Missing option '--reason'"),
    (["revoke", "ID", "--reason", " "], "Give a reason"),
    (["revoke", "not-a-credential", "--reason", "x"], "no credential 'not-a-credential'"),
    (["reinstate", "ID"], "not suspended"),
])
def test_bad_input_is_a_message_not_a_traceback(app, env, credential_id, args, message):
    result = run(env, *[credential_id if arg == "ID" else arg for arg in args])
    assert result.exit_code in (1, 2) and result.stdout == ""
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    with app.app_context():
        assert db.get_session().scalar(select(StatusEvent)) is None


def test_a_credential_without_a_suspension_entry_is_refused_clearly(app, env):
    make_profile(app)  # suspension off, as profiles are created
    credential_id = issue_credential(app, make_achievement(app))
    for command in ("suspend", "reinstate"):
        refused = run(env, command, credential_id)
        assert refused.exit_code == 1 and refused.stdout == ""
        assert "issued without a suspension status entry" in refused.stderr
        assert "Traceback" not in refused.stderr
    with app.app_context():
        assert db.get_session().scalar(select(StatusEvent)) is None
    assert _status_check(app, credential_id).detail == "not revoked"
    revoked = run(env, "revoke", credential_id, "--reason", "Wrong person")
    assert (revoked.exit_code, revoked.stdout) == (0, "revoked\n")
    refused = run(env, "reinstate", credential_id)  # revoked first: the message says so
    assert "revocation is permanent" in refused.stderr


def test_status_lists_shows_reserved_used_and_unused_positions(app, env, credential_id):
    listed = run(env, "status-lists")
    assert listed.exit_code == 0, listed.output
    header, *lines = listed.stdout.splitlines()
    assert header.split() == ["list", "purpose", "state", "size", "reserved", "used",
                              "unused", "free", "blocks"]
    rows = {line.split()[1]: line.split() for line in lines}
    assert set(rows) == {"revocation", "suspension"}
    for cells in rows.values():  # one credential from one block of the test process
        assert cells[2:] == ["current", "131072", str(status.BLOCK_SIZE), "1",
                             str(status.BLOCK_SIZE - 1), str(131072 - status.BLOCK_SIZE), "1"]
    assert run(env, "status-lists", "--issuer", "main").stdout == listed.stdout
