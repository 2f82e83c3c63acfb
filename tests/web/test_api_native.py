"""POST /api/v1/credentials (native Open Badges issuing) with Idempotency-Key, and the OAuth
2.0 client-credentials grant, through the Flask test client and real tokens."""

from __future__ import annotations

import base64
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from issuer import db
from issuer.clock import utc_now
from issuer.models import ApiToken, IdempotencyKey, IssuedCredential
from issuer.verification.verifier import verify_credential
from tests.api_helpers import bearer, make_client, make_token
from tests.service_fixtures import BASE_URL, make_achievement, make_profile


@pytest.fixture
def achievement(app, profile) -> str:
    return make_achievement(app)


@pytest.fixture
def token(app, profile) -> str:
    return make_token(app, scopes=("issue", "read"))


def body(achievement_id: str, **changes):
    document = {"achievement": achievement_id,
                "recipient": {"email": "Ada@Example.org", "name": "Ada Lovelace"}}
    document.update(changes)
    return document


def count(app, model) -> int:
    with app.app_context():
        return db.get_session().scalar(select(func.count()).select_from(model))


def test_issues_an_open_badge_with_its_urls(app, client, token, achievement):
    response = client.post("/api/v1/credentials", headers=bearer(token), json=body(
        achievement, validUntil="2099-06-30",
        evidence=[{"id": "https://example.org/work", "narrative": "Built a *thing*."}]))
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    url = f"{BASE_URL}/credentials/{answer['id']}"
    assert answer["links"] == {"api": f"{BASE_URL}/api/v1/credentials/{answer['id']}",
                               "page": url, "json": url + "/download",
                               "bakedPng": url + "/baked.png", "qr": url + "/qr.png"}
    assert response.headers["Location"] == url
    credential = answer["credential"]
    assert credential["id"] == url and credential["validUntil"] == "2099-06-30T23:59:59Z"
    assert credential["credentialSubject"]["achievement"]["id"].endswith(achievement)
    assert credential["evidence"][0]["id"] == "https://example.org/work"
    did_document = client.get("/.well-known/did.json").get_json(force=True)
    result = verify_credential(credential, now=utc_now(), recipient_email="ada@example.org",
                               resolve_controller={did_document["id"]: did_document}.get)
    assert result.verified, result.to_dict()
    served = client.get(url.removeprefix(BASE_URL), headers={"Accept": "application/json"})
    assert served.get_json() == credential
    read = client.get(f"/api/v1/credentials/{answer['id']}", headers=bearer(token))
    assert read.status_code == 200 and read.get_json() == answer
    with app.app_context():  # the dashboard's issuing path
        from issuer import db
        from issuer.models import IssuedCredential

        assert db.get_session().get(IssuedCredential, answer["id"]).issued_via == "api"


def test_the_same_idempotency_key_never_issues_twice(app, client, token, achievement):
    headers = bearer(token, **{"Idempotency-Key": "order-4711"})
    first = client.post("/api/v1/credentials", headers=headers, json=body(achievement))
    again = client.post("/api/v1/credentials", headers=headers, json=body(achievement))
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count(app, IssuedCredential) == 1
    changed = client.post("/api/v1/credentials", headers=headers,
                          json=body(achievement, validUntil="2099-01-01"))
    assert changed.status_code == 422 and changed.mimetype == "application/problem+json"
    assert "different request" in changed.get_json()["detail"]
    other_key = client.post("/api/v1/credentials", json=body(achievement),
                            headers=bearer(token, **{"Idempotency-Key": "order-4712"}))
    assert other_key.status_code == 201 and count(app, IssuedCredential) == 2
    # Another token's key space is its own.
    second_token = make_token(app)
    mine = client.post("/api/v1/credentials", json=body(achievement),
                       headers=bearer(second_token, **{"Idempotency-Key": "order-4711"}))
    assert mine.status_code == 201 and mine.get_json()["id"] != first.get_json()["id"]


def test_concurrent_repeats_issue_once(app, token, achievement):
    """Eight threads send the same key at once (real DB, separate sessions)."""
    answers = []

    def send():
        with app.test_client() as client:
            answers.append(client.post(
                "/api/v1/credentials", json=body(achievement),
                headers=bearer(token, **{"Idempotency-Key": "same-for-all"})))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [a.status_code for a in answers] == [201] * 8, [a.get_json() for a in answers]
    assert len({a.get_json()["id"] for a in answers}) == 1
    assert count(app, IssuedCredential) == 1 and count(app, IdempotencyKey) == 1


@pytest.mark.parametrize("changes, path", [
    ({"recipient": {"email": "not-an-email"}}, "recipient.email"),
    ({"recipient": {"did": "did:example:123"}}, "recipient.email"),
    ({"recipient": {"email": "a@example.org", "did": "nope"}}, "recipient.did"),
    ({"validUntil": "2001-01-01"}, "validUntil"),
    ({"validUntil": "next week"}, "validUntil"),
    ({"evidence": {"id": "ftp://example.org/x"}}, "evidence.id"),
    ({"achievement": "3f1c2c55-0000-4000-8000-000000000000"}, "achievement"),
    ({"colour": "blue"}, "colour"),
])
def test_bad_input_names_the_field(app, client, token, achievement, changes, path):
    response = client.post("/api/v1/credentials", headers=bearer(token),
                           json=body(achievement, **changes))
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert path in response.get_json()["errors"], response.get_json()
    assert count(app, IssuedCredential) == 0


def test_a_token_acts_for_its_own_issuer_only(app, client, achievement):
    make_profile(app, slug="chem", name="Chemistry")
    chem_token = make_token(app, issuer="chem")
    response = client.post("/api/v1/credentials", headers=bearer(chem_token),
                           json=body(achievement))
    assert response.status_code == 403 and "main" in response.get_json()["detail"]
    bad_key = client.post("/api/v1/credentials", json=body(achievement),
                          headers=bearer(chem_token, **{"Idempotency-Key": "é" * 3}))
    assert bad_key.status_code == 400


# -- OAuth 2.0 client credentials -------------------------------------------------------------


def basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def test_client_secret_basic_and_post_give_working_tokens(app, client, achievement):
    client_id, secret = make_client(app, scopes=("issue", "read"))
    response = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                           headers=basic(client_id, secret))
    assert response.status_code == 200, response.get_json()
    assert response.headers["Cache-Control"] == "no-store"
    grant = response.get_json()
    assert grant["token_type"] == "Bearer" and grant["expires_in"] == 3600
    assert grant["scope"] == "issue read"
    issued = client.post("/api/v1/credentials", headers=bearer(grant["access_token"]),
                         json=body(achievement))
    assert issued.status_code == 201
    posted = client.post("/oauth/token", data={"grant_type": "client_credentials",
                                               "client_id": client_id, "client_secret": secret,
                                               "scope": "read"})
    assert posted.status_code == 200 and posted.get_json()["scope"] == "read"
    read_only = posted.get_json()["access_token"]
    refused = client.post("/api/v1/credentials", headers=bearer(read_only), json=body(achievement))
    assert refused.status_code == 403
    # Stored hashed only: neither the token nor the secret is anywhere in the table.
    with app.app_context():
        rows = db.get_session().scalars(select(ApiToken)).all()
        assert all(grant["access_token"] not in (r.token_hash, r.lookup) for r in rows)


def test_access_tokens_expire(app, client, achievement):
    client_id, secret = make_client(app)
    grant = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                        headers=basic(client_id, secret)).get_json()
    with app.app_context():
        session = db.get_session()
        for row in session.scalars(select(ApiToken)):
            row.expires_at = utc_now() - timedelta(seconds=1)
        session.commit()
    response = client.post("/api/v1/credentials", headers=bearer(grant["access_token"]),
                           json=body(achievement))
    assert response.status_code == 401 and "expired" in response.get_json()["detail"]
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


@pytest.mark.parametrize("data, headers, status, error", [
    ({"grant_type": "client_credentials"}, "wrong-secret", 401, "invalid_client"),
    ({"grant_type": "client_credentials"}, None, 401, "invalid_client"),
    ({"grant_type": "password"}, "basic", 400, "unsupported_grant_type"),
    ({}, "basic", 400, "invalid_request"),
    ({"grant_type": "client_credentials", "scope": "revoke"}, "basic", 400, "invalid_scope"),
    ({"grant_type": "client_credentials", "scope": "teleport"}, "basic", 400, "invalid_scope"),
])
def test_token_endpoint_errors_follow_rfc_6749(app, client, profile, data, headers, status, error):
    client_id, secret = make_client(app, scopes=("issue",))
    sent = {"wrong-secret": basic(client_id, secret + "x"), "basic": basic(client_id, secret),
            None: {}}[headers]
    response = client.post("/oauth/token", data=data, headers=sent)
    assert response.status_code == status
    answer = response.get_json()
    assert answer["error"] == error and answer["error_description"] == answer["detail"]
    if status == 401:
        assert response.headers["WWW-Authenticate"] == 'Basic realm="issuer"'


def test_revoking_a_client_ends_its_tokens(app, client, achievement):
    client_id, secret = make_client(app)
    grant = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                        headers=basic(client_id, secret)).get_json()
    from issuer.models import OAuthClient
    from issuer.services import apiauth

    with app.app_context():
        session = db.get_session()
        pk = session.scalar(select(OAuthClient.id).where(OAuthClient.client_id == client_id))
        apiauth.revoke_oauth_client(session, pk, now=utc_now())
        session.commit()
    refused = client.post("/api/v1/credentials", headers=bearer(grant["access_token"]),
                          json=body(achievement))
    assert refused.status_code == 401
    again = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                        headers=basic(client_id, secret))
    assert again.status_code == 401 and again.get_json()["error"] == "invalid_client"
