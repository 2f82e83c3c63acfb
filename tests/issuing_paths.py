"""One credential from each way this server issues them, through the real entry points:
the admin form, ``issuer issue``, ``POST /api/v1/credentials``, a bulk CSV upload run by the
job queue, a community rule awarding an event (job queue too), and ``POST /credentials/issue``
(VC-API) with an Open Badge asking for a status entry.

``issue_by_every_path(app, client)`` returns ``{path name: credential}``, each exactly as
issued (the stored bytes, or the VC-API answer). It needs the default issuer profile
("main") and uses ``app.config["BASE_URL"]`` as the server's address, so a test may point it
at a live server first. It signs ``client`` in as a new admin.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import click
from click.testing import CliRunner
from sqlalchemy import select

from issuer import db
from issuer.cli import main, service
from issuer.clock import utc_now
from issuer.models import IssuedCredential, Recipient
from issuer.openbadges import credential as ob
from issuer.services import achievements, profiles
from tests.api_helpers import bearer, make_token
from tests.community.conftest import drain
from tests.community.helpers import achievement_with_rule, event, events_token, post
from tests.service_fixtures import csrf_token, make_achievement, make_admin, sign_in

PATHS = ("admin_form", "cli", "native_api", "bulk_csv", "community_rule", "vcapi")
ADMIN_EMAIL = "paths-admin@example.org"
ADMIN_PASSWORD = "paths admin password 123"


def _stored(app, email: str) -> dict[str, Any]:
    """The one credential issued to ``email``, as stored (and served)."""
    with app.app_context():
        session = db.get_session()
        rows = session.scalars(select(IssuedCredential).join(Recipient)
                               .where(Recipient.email == email)).all()
        assert len(rows) == 1, f"{len(rows)} credentials for {email}"
        return json.loads(rows[0].document)


def admin_form(app, client, achievement_id: str) -> dict[str, Any]:
    email = "form@example.org"
    response = client.post("/admin/issue", data={
        "csrf_token": csrf_token(client, "/admin/issue"), "achievement": achievement_id,
        "email": email, "name": "Form Recipient",
        "evidence_url": "https://example.org/work", "evidence_narrative": "Good work."},
        content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    return _stored(app, email)


def cli(app, client, achievement_id: str) -> dict[str, Any]:
    email = "cli@example.org"
    group = click.Group("issuer", commands=dict(main.commands))
    service.register(group)
    result = CliRunner().invoke(group, [
        "issue", "--achievement", achievement_id, "--email", email, "--name", "Cli Recipient",
    ], env={"ISSUER_DATABASE_URL": app.config["DATABASE_URL"],
            "ISSUER_KEYS_DIR": app.config["KEYS_DIR"],
            "ISSUER_INSTANCE_PATH": app.config["INSTANCE_PATH"] + "-cli",
            "ISSUER_BASE_URL": app.config["BASE_URL"]}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return _stored(app, email)


def native_api(app, client, achievement_id: str) -> dict[str, Any]:
    response = client.post("/api/v1/credentials", headers=bearer(make_token(app)), json={
        "achievement": achievement_id,
        "recipient": {"email": "api@example.org", "name": "Api Recipient"},
        "validUntil": (utc_now() + timedelta(days=400)).date().isoformat()})
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()["credential"]
    assert answer == _stored(app, "api@example.org")
    return answer


def bulk_csv(app, client, achievement_id: str) -> dict[str, Any]:
    email = "bulk@example.org"
    upload = client.post("/admin/bulk/", data={
        "csrf_token": csrf_token(client, "/admin/bulk/"), "achievement": achievement_id,
        "file": (io.BytesIO(f"email,name,valid_until\n{email},Bulk Recipient,2099-12-31\n"
                            .encode()), "people.csv")}, content_type="multipart/form-data")
    assert upload.status_code == 302, upload.get_data(as_text=True)
    job = upload.headers["Location"]
    started = client.post(f"{job}/start", data={"csrf_token": csrf_token(client, job)})
    assert started.status_code == 302, started.get_data(as_text=True)
    drain(app)
    return _stored(app, email)


def community_rule(app, client, achievement_id: str) -> dict[str, Any]:
    email = "member@example.org"
    achievement_with_rule(app, "First Post", "first", action="forum.post")
    response = post(client, events_token(app), event(f"e-{uuid.uuid4()}", email=email))
    assert response.status_code == 202, response.get_json()
    drain(app)
    return _stored(app, email)


def vcapi(app, client, achievement_id: str) -> dict[str, Any]:
    """An Open Badge shaped by the caller, asking for a (revocation) status entry."""
    base_url = app.config["BASE_URL"]
    with app.app_context():
        session = db.get_session()
        profile = profiles.default_profile(session)
        document = ob.build_credential(
            credential_id=f"urn:uuid:{uuid.uuid4()}",
            issuer=profiles.to_open_badges(profile, base_url),
            achievement=achievements.to_open_badges(
                achievements.get_achievement(session, achievement_id), base_url),
            recipient=ob.Recipient(email="vcapi@example.org", name="Vcapi Recipient"),
            valid_from=utc_now() - timedelta(minutes=1),
        )
    response = client.post("/credentials/issue", headers=bearer(make_token(app)), json={
        "credential": document,
        "options": {"credentialStatus": {"type": "BitstringStatusListEntry"}}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["verifiableCredential"]


ISSUERS: dict[str, Callable[[Any, Any, str], dict[str, Any]]] = {
    "admin_form": admin_form, "cli": cli, "native_api": native_api, "bulk_csv": bulk_csv,
    "community_rule": community_rule, "vcapi": vcapi,
}


def issue_by_every_path(app, client) -> dict[str, dict[str, Any]]:
    make_admin(app, email=ADMIN_EMAIL, password=ADMIN_PASSWORD)
    signed_in = sign_in(client, email=ADMIN_EMAIL, password=ADMIN_PASSWORD)
    assert signed_in.status_code == 302, signed_in.get_data(as_text=True)
    achievement_id = make_achievement(app)
    return {name: ISSUERS[name](app, client, achievement_id) for name in PATHS}
