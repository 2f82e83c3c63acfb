"""Status for VC-API credentials: options.credentialStatus on POST /credentials/issue, and
POST /credentials/status (revoke / suspend / reinstate) for those and for our Open Badges,
through the Flask test client with real tokens, keys, status lists and verification."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from issuer import db
from issuer.clock import utc_now
from issuer.models import SignedCredential, StatusEntry, StatusEvent
from issuer.services import status
from issuer.services.fetch import FetchPolicy
from issuer.services.verification import verify_document
from issuer.verification.results import Status
from tests.api_helpers import bearer, make_token, minimal_vc
from tests.service_fixtures import BASE_URL, make_achievement, make_profile, offer_suspension

ENTRY = "BitstringStatusListEntry"
BOTH = [{"type": ENTRY, "statusPurpose": "revocation"},
        {"type": ENTRY, "statusPurpose": "suspension"}]


@pytest.fixture
def issuer_token(app, profile) -> str:
    return make_token(app, scopes=("issue",))


@pytest.fixture
def revoker(app, profile) -> str:
    return make_token(app, scopes=("revoke",))


def issue(client, token, credential_status=BOTH, **changes):
    return client.post("/credentials/issue", headers=bearer(token), json={
        "credential": minimal_vc(**changes), "options": {"credentialStatus": credential_status}})


def issued(client, token, credential_status=BOTH) -> dict:
    response = issue(client, token, credential_status)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["verifiableCredential"]


def update(client, token, credential_id, state, **extra):
    return client.post("/credentials/status", headers=bearer(token), json={
        "credentialId": credential_id,
        "credentialStatus": [{"type": "BitstringStatusListCredential", "status": state}],
        **extra})


def verify(app, document):
    with app.app_context():
        return verify_document(db.get_session(), document, base_url=BASE_URL, now=utc_now(),
                               policy=FetchPolicy(), network=False)


def status_check(app, document):
    return verify(app, document).check("status")


# --- issuing with options.credentialStatus ---------------------------------------------------


def test_both_purposes_are_added_recorded_and_verify(app, client, issuer_token):
    signed = issued(client, issuer_token)
    entries = signed["credentialStatus"]
    assert [entry["statusPurpose"] for entry in entries] == ["revocation", "suspension"]
    for entry in entries:
        assert entry["type"] == ENTRY
        assert entry["statusListCredential"].startswith(BASE_URL + "/status/")
        assert entry["id"] == f"{entry['statusListCredential']}#{entry['statusListIndex']}"
    result = verify(app, signed)
    assert result.verified, result.to_dict()
    assert result.check("status").status is Status.PASSED
    with app.app_context():
        session = db.get_session()
        row = session.scalar(select(SignedCredential))
        assert json.loads(row.document) == signed
        recorded = session.scalars(select(StatusEntry)).all()
        assert {(entry.purpose, str(entry.list_index)) for entry in recorded} == {
            (entry["statusPurpose"], entry["statusListIndex"]) for entry in entries}
        assert all(entry.signed_credential_id == row.id and entry.credential_id is None
                   for entry in recorded)
        assert status.credential_state(session, row).state == "active"


def test_one_request_object_gives_one_entry_object(app, client, issuer_token):
    signed = issued(client, issuer_token, {"type": ENTRY, "statusPurpose": "suspension"})
    assert isinstance(signed["credentialStatus"], dict)
    assert signed["credentialStatus"]["statusPurpose"] == "suspension"
    default = issued(client, issuer_token, {"type": ENTRY})  # revocation by default
    assert default["credentialStatus"]["statusPurpose"] == "revocation"
    assert verify(app, signed).verified and verify(app, default).verified


@pytest.mark.parametrize(("credential_status", "rule", "path"), [
    ([], "status-request", "$.options.credentialStatus"),
    ("revocation", "status-request", "$.options.credentialStatus"),
    ({"type": "StatusList2021Entry"}, "status-type", "$.options.credentialStatus.type"),
    ({"statusPurpose": "revocation"}, "status-type", "$.options.credentialStatus.type"),
    ([{"type": ENTRY, "statusPurpose": "refresh"}], "status-purpose",
     "$.options.credentialStatus[0].statusPurpose"),
    ([{"type": ENTRY}, {"type": ENTRY, "statusPurpose": "revocation"}], "status-duplicate",
     "$.options.credentialStatus[1].statusPurpose"),
    ({"type": ENTRY, "statusListIndex": "7"}, "status-member",
     "$.options.credentialStatus.statusListIndex"),
])
def test_bad_status_options_are_refused_by_name(app, client, issuer_token, credential_status,
                                                rule, path):
    response = issue(client, issuer_token, credential_status)
    assert response.status_code == 400, response.get_json()
    assert response.mimetype == "application/problem+json"
    [error] = response.get_json()["errors"]
    assert (error["rule"], error["path"]) == (rule, path)
    with app.app_context():
        assert db.get_session().scalar(select(SignedCredential)) is None


def test_status_needs_a_vc_2_credential(app, client, issuer_token):
    response = issue(client, issuer_token, context=["https://www.w3.org/2018/credentials/v1"],
                     issuanceDate="2026-01-01T00:00:00Z", validFrom=KeyError)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["rule"] == "status-vc-version"


def test_a_credential_with_its_own_status_is_refused(client, issuer_token):
    response = issue(client, issuer_token, credentialStatus={
        "type": ENTRY, "statusPurpose": "revocation", "statusListIndex": "1",
        "statusListCredential": "https://example.org/status/1"})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["rule"] == "status-present"


# --- POST /credentials/status ----------------------------------------------------------------


def test_revoke_shows_in_verification_with_the_reason(app, client, issuer_token, revoker):
    signed = issued(client, issuer_token)
    response = update(client, revoker, signed["id"], "revoked", reason="Issued in error.")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["credentialId"] == signed["id"]
    assert body["credentialStatus"] == [{"type": "BitstringStatusListCredential",
                                         "status": "revoked"}]
    assert body["reason"] == "Issued in error." and body["changedAt"].endswith("Z")
    check = status_check(app, signed)
    assert check.status is Status.FAILED
    assert check.detail == "revoked by the issuer: Issued in error."
    with app.app_context():
        [event] = db.get_session().scalars(select(StatusEvent)).all()
        assert event.signed_credential_id is not None and event.credential_id is None
        assert event.actor.startswith("api token:")
    again = update(client, revoker, signed["id"], "revoked", reason="twice")
    assert again.status_code == 409
    reinstated = update(client, revoker, signed["id"], "active")
    assert reinstated.status_code == 409 and "revocation is permanent" in \
        reinstated.get_json()["detail"]


def test_revoking_without_a_reason_gives_a_default_one(app, client, issuer_token, revoker):
    signed = issued(client, issuer_token)
    assert update(client, revoker, signed["id"], "revoked").status_code == 200
    assert status_check(app, signed).detail.startswith("revoked by the issuer: Revoked by")


def test_suspend_and_reinstate(app, client, issuer_token, revoker):
    signed = issued(client, issuer_token)
    response = update(client, revoker, signed["id"], "suspended", reason="Under review")
    assert response.status_code == 200
    assert response.get_json()["credentialStatus"][0]["status"] == "suspended"
    check = status_check(app, signed)
    assert check.status is Status.FAILED and check.detail == "suspended by the issuer: Under review"
    assert update(client, revoker, signed["id"], "suspended").status_code == 409
    response = update(client, revoker, signed["id"], "active")
    assert response.status_code == 200
    assert response.get_json()["credentialStatus"][0]["status"] == "active"
    assert verify(app, signed).verified
    assert update(client, revoker, signed["id"], "active").status_code == 409  # not suspended


def test_a_missing_purpose_cannot_be_changed(app, client, issuer_token, revoker):
    signed = issued(client, issuer_token, {"type": ENTRY, "statusPurpose": "revocation"})
    for state in ("suspended", "active"):
        response = update(client, revoker, signed["id"], state)
        assert response.status_code == 409 and response.mimetype == "application/problem+json"
        problem = response.get_json()
        assert problem["type"] == status.NO_STATUS_ENTRY
        assert "without a suspension status entry" in problem["detail"]
    assert status_check(app, signed).status is Status.PASSED  # nothing was changed
    assert update(client, revoker, signed["id"], "revoked").status_code == 200
    only_suspension = issued(client, issuer_token, {"type": ENTRY, "statusPurpose": "suspension"})
    response = update(client, revoker, only_suspension["id"], "revoked", reason="x")
    assert response.status_code == 409
    assert "without a revocation status entry" in response.get_json()["detail"]


def test_a_credential_without_status_cannot_be_changed(client, issuer_token, revoker):
    response = client.post("/credentials/issue", headers=bearer(issuer_token),
                           json={"credential": minimal_vc()})
    credential_id = response.get_json()["verifiableCredential"]["id"]
    answer = update(client, revoker, credential_id, "revoked")
    assert answer.status_code == 400 and "without status list entries" in \
        answer.get_json()["detail"]


def test_scopes_and_issuers(app, client, issuer_token, revoker):
    signed = issued(client, issuer_token)
    response = update(client, issuer_token, signed["id"], "revoked")
    assert response.status_code == 403
    assert 'scope="revoke"' in response.headers["WWW-Authenticate"]
    assert update(client, "obi_nope", signed["id"], "revoked").status_code == 401
    make_profile(app, slug="other", name="Other College")
    other = make_token(app, issuer="other", scopes=("revoke",))
    response = update(client, other, signed["id"], "revoked")
    assert response.status_code == 403 and "issuer profile" in response.get_json()["detail"]
    assert verify(app, signed).verified  # nothing changed


def test_unknown_credential_is_404(client, revoker):
    for credential_id in ("urn:uuid:3f1c2c55-0000-4000-8000-000000000000",
                          f"{BASE_URL}/credentials/3f1c2c55-0000-4000-8000-000000000000",
                          "3f1c2c55-0000-4000-8000-000000000000", "nope"):
        response = update(client, revoker, credential_id, "revoked")
        assert response.status_code == 404, credential_id
        assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize(("body", "words"), [
    (["no"], "JSON object"),
    ({"credentialStatus": [{"status": "revoked"}]}, "credentialId is required"),
    ({"credentialId": "x"}, "credentialStatus is required"),
    ({"credentialId": "x", "credentialStatus": [{"status": "gone"}]}, "must be one of"),
    ({"credentialId": "x", "credentialStatus": [{"type": "StatusList2021Credential",
                                                 "status": "revoked"}]}, "not supported"),
    ({"credentialId": "x", "credentialStatus": [{"status": "revoked"}, {"status": "active"}]},
     "exactly one"),
    ({"credentialId": "x", "credentialStatus": {"status": "revoked"}, "why": "?"},
     "unknown member 'why'"),
])
def test_malformed_status_requests_are_400(client, revoker, body, words):
    response = client.post("/credentials/status", headers=bearer(revoker), json=body)
    assert response.status_code == 400, response.get_json()
    assert words in response.get_json()["detail"]


def test_too_long_reason_is_422(client, issuer_token, revoker):
    signed = issued(client, issuer_token)
    response = update(client, revoker, signed["id"], "revoked", reason="x" * 1001)
    assert response.status_code == 422 and "reason" in response.get_json()["errors"]


# --- our Open Badges through the same endpoint ----------------------------------------------


def test_an_open_badge_from_the_native_api_is_revoked_by_url_or_uuid(app, client, profile):
    offer_suspension(app)
    token = make_token(app, scopes=("issue", "revoke"))
    response = client.post("/api/v1/credentials", headers=bearer(token), json={
        "achievement": make_achievement(app),
        "recipient": {"email": "ada@example.org", "name": "Ada"}})
    assert response.status_code == 201
    answer = response.get_json()
    badge, url = answer["credential"], response.headers["Location"]
    assert badge["id"] == url
    assert verify(app, badge).verified
    suspended = update(client, token, answer["id"], "suspended", reason="Checking")
    assert suspended.status_code == 200, suspended.get_json()
    assert status_check(app, badge).detail == "suspended by the issuer: Checking"
    assert update(client, token, url, "active").status_code == 200
    revoked = update(client, token, url, "revoked", reason="Awarded in error")
    assert revoked.status_code == 200
    assert revoked.get_json()["credentialStatus"][0]["status"] == "revoked"
    check = status_check(app, badge)
    assert check.status is Status.FAILED
    assert check.detail == "revoked by the issuer: Awarded in error"
    assert update(client, token, url, "active").status_code == 409


def test_a_default_open_badge_can_be_revoked_but_not_suspended(app, client, profile):
    token = make_token(app, scopes=("issue", "revoke"))
    response = client.post("/api/v1/credentials", headers=bearer(token), json={
        "achievement": make_achievement(app),
        "recipient": {"email": "ada@example.org", "name": "Ada"}})
    assert response.status_code == 201
    badge = response.get_json()["credential"]
    assert badge["credentialStatus"]["statusPurpose"] == "revocation"
    refused = update(client, token, badge["id"], "suspended", reason="Checking")
    assert refused.status_code == 409
    assert refused.get_json()["type"] == status.NO_STATUS_ENTRY
    assert status_check(app, badge).detail == "not revoked"
    with app.app_context():
        assert db.get_session().scalar(select(StatusEvent)) is None
    assert update(client, token, badge["id"], "revoked", reason="Wrong person").status_code == 200
    assert status_check(app, badge).detail == "revoked by the issuer: Wrong person"
