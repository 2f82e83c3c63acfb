"""Endorsements in the admin (a page per profile), on the public achievement and credential
pages, on /verify and in POST /credentials/verify."""

from __future__ import annotations

import io
import json
import re

import pytest

from issuer import db
from issuer.endorsement_models import IssuedEndorsement, ReceivedEndorsement
from issuer.models import IssuedCredential
from tests.endorsements.helpers import PARTNER_NAME, partner_endorsement, tampered
from tests.service_fixtures import (
    BASE_URL,
    csrf_token,
    issue_credential,
    make_achievement,
    make_profile,
)

HTML = {"Accept": "text/html"}


@pytest.fixture
def achievement(app, admin_client):
    make_profile(app, slug="guild", name="Guild of Testers")
    return make_achievement(app)


def _page(client, slug="main"):
    return client.get(f"/admin/endorsements/{slug}").get_data(as_text=True)


def _received(app):
    with app.app_context():
        return db.get_session().query(ReceivedEndorsement).order_by(ReceivedEndorsement.id).all()


def _attach(client, token, target, *, text="", file=None):
    data = {"csrf_token": token, "target": target, "endorsement": text}
    if file is not None:
        data["file"] = (io.BytesIO(file), "endorsement.jwt")
    return client.post("/admin/endorsements/main/received", data=data,
                       content_type="multipart/form-data")


def test_admin_gives_and_revokes_only_when_confirmed(app, admin_client, achievement):
    ours = f"{BASE_URL}/achievements/{achievement}"
    token = csrf_token(admin_client, "/admin/endorsements/guild")
    missing = admin_client.post("/admin/endorsements/guild/give", data={
        "csrf_token": token, "subject_id": "https://x.example/a/1", "comment": "Hi"})
    assert missing.status_code == 422
    assert "Say whether the id is an achievement" in missing.get_data(as_text=True)
    made = admin_client.post("/admin/endorsements/guild/give", data={
        "csrf_token": token, "subject_id": ours, "comment": "Thorough **criteria**."})
    assert made.status_code == 302
    page = _page(admin_client, "guild")
    assert "Python Basics" in page and "Thorough **criteria**." in page
    with app.app_context():
        row = db.get_session().query(IssuedEndorsement).one()
        row_id = row.id
    revoke_url = f"/admin/endorsements/guild/given/{row_id}/revoke"
    refused = admin_client.post(revoke_url, data={"csrf_token": token, "reason": "No"},
                                follow_redirects=True)
    assert "Nothing was changed" in refused.get_data(as_text=True)
    assert 'status-active' in _page(admin_client, "guild")
    revoked = admin_client.post(revoke_url, data={"csrf_token": token, "reason": "Withdrawn",
                                                  "confirm": "yes"}, follow_redirects=True)
    text = revoked.get_data(as_text=True)
    assert "The endorsement is revoked." in text and "status-revoked" in text
    # The main profile received it (its achievement was endorsed) and, once revoked, it is
    # detached: shown as detached, no longer embedded.
    main = _page(admin_client)
    assert "Guild of Testers" in main and "detached" in main


def test_admin_attaches_verified_endorsements_and_refuses_tampered(app, admin_client,
                                                                   achievement, tmp_path):
    ours = f"{BASE_URL}/achievements/{achievement}"
    good = partner_endorsement(tmp_path / "partner", ours)
    token = csrf_token(admin_client, "/admin/endorsements/main")
    refused = _attach(admin_client, token, f"achievement:{achievement}",
                      text=json.dumps(tampered(good)))
    assert refused.status_code == 422
    assert re.search(r"It did not verify, so it was not attached: Signature:",
                     refused.get_data(as_text=True))
    assert _received(app) == []
    wrong_target = _attach(admin_client, token, "profile", text=json.dumps(good))
    assert wrong_target.status_code == 422
    assert "not this profile" in wrong_target.get_data(as_text=True)
    kept = _attach(admin_client, token, f"achievement:{achievement}",
                   text=json.dumps(good, indent=2))
    assert kept.status_code == 302
    jws = partner_endorsement(tmp_path / "partner", ours, jwt=True, comment="Also as a JWS.")
    uploaded = _attach(admin_client, token, f"achievement:{achievement}", file=jws.encode())
    assert uploaded.status_code == 302
    rows = _received(app)
    assert [(row.form, row.document) for row in rows] == [
        ("json", json.dumps(good, indent=2)), ("jwt", jws)]
    page = _page(admin_client)
    assert PARTNER_NAME in page and "Also as a JWS." in page
    # The public achievement page lists both, verified.
    public = admin_client.get(f"/achievements/{achievement}", headers=HTML).get_data(as_text=True)
    assert public.count('data-verdict="verified"') == 4  # two items, two pills
    assert "Rigorous and fair." in public and PARTNER_NAME in public
    detach = admin_client.post(f"/admin/endorsements/main/received/{rows[1].id}/detach",
                               data={"csrf_token": token}, follow_redirects=True)
    assert "Detached" in detach.get_data(as_text=True)
    issued = json.loads(_document(app, issue_credential(app, achievement)))
    assert issued["credentialSubject"]["achievement"]["endorsement"] == [good]
    assert "endorsementJwt" not in issued["credentialSubject"]["achievement"]


def _document(app, credential_id):
    with app.app_context():
        return db.get_session().get(IssuedCredential, credential_id).document


def _with_endorsements(app, admin_client, achievement, tmp_path):
    ours = f"{BASE_URL}/achievements/{achievement}"
    good = partner_endorsement(tmp_path / "partner", ours)
    token = csrf_token(admin_client, "/admin/endorsements/main")
    assert _attach(admin_client, token, f"achievement:{achievement}",
                   text=json.dumps(good)).status_code == 302
    return issue_credential(app, achievement), good


def test_credential_page_and_verify_api_report_each_endorsement(app, admin_client, achievement,
                                                                 tmp_path):
    credential_id, good = _with_endorsements(app, admin_client, achievement, tmp_path)
    page = admin_client.get(f"/credentials/{credential_id}", headers=HTML).get_data(as_text=True)
    assert 'id="endorsements"' in page and PARTNER_NAME in page
    assert re.search(r'class="endorsement" id="endorsement-1" data-verdict="verified"', page)
    document = json.loads(_document(app, credential_id))
    answer = admin_client.post("/credentials/verify", json={"verifiableCredential": document})
    assert answer.status_code == 200
    [endorsement] = answer.json["endorsements"]
    assert endorsement["verdict"] == "verified" and endorsement["where"] == "achievement"
    assert endorsement["endorser"]["name"] == PARTNER_NAME
    assert endorsement["endorsementComment"] == "Rigorous and fair."
    assert {check["id"] for check in endorsement["checks"]} >= {
        "proof", "issuer", "validity", "status", "endorsed"}
    # A tampered endorsement inside a validly signed credential: the credential verifies,
    # the endorsement is reported as failed.
    tampered_credential = issue_with(app, achievement, tampered(good))
    answer = admin_client.post("/credentials/verify",
                               json={"verifiableCredential": tampered_credential})
    assert answer.status_code == 200 and answer.json["verified"] is True
    [endorsement] = answer.json["endorsements"]
    assert endorsement["verdict"] == "not_verified" and endorsement["verified"] is False
    assert [error["check"] for error in endorsement["errors"]] == ["proof"]


def issue_with(app, achievement, endorsement):
    """A credential of ours, signed, whose achievement carries ``endorsement`` (attached
    directly, as if it had been kept when it still verified)."""
    from issuer.clock import utc_now
    from issuer.services.tx import atomic

    with app.app_context():
        session = db.get_session()
        with atomic(session):
            for row in session.query(ReceivedEndorsement):
                row.document = json.dumps(endorsement)
                row.checked_at = utc_now()
    return json.loads(_document(app, issue_credential(app, achievement, email="z@example.org")))


def test_verify_page_shows_endorsements(app, admin_client, achievement, tmp_path):
    credential_id, _ = _with_endorsements(app, admin_client, achievement, tmp_path)
    token = csrf_token(admin_client, "/verify")
    page = admin_client.post("/verify", data={
        "csrf_token": token, "json_text": _document(app, credential_id), "url": "",
        "email": ""}, headers=HTML).get_data(as_text=True)
    assert 'id="verdict"' in page and 'data-verified="true"' in page
    assert 'id="endorsements"' in page and "Checks of this endorsement" in page
    assert 'data-endorsement-check="endorsed" data-status="passed"' in page


def test_an_endorsers_script_url_is_never_a_link(app, admin_client, achievement, tmp_path):
    from issuer.clock import utc_now
    from issuer.services.tx import atomic

    _with_endorsements(app, admin_client, achievement, tmp_path)
    with app.app_context():
        session = db.get_session()
        with atomic(session):
            for row in session.query(ReceivedEndorsement):
                row.endorser_url = "javascript:alert(1)"
                row.checked_at = utc_now()
    for page in ("/admin/endorsements/main", f"/achievements/{achievement}"):
        html = admin_client.get(page, headers=HTML).get_data(as_text=True)
        assert PARTNER_NAME in html and "javascript:" not in html, page
