"""VC-JWT through the web: issued by POST /credentials/issue (options.format "vc+jwt") and
POST /api/v1/credentials ("format": "vc+jwt"), verified by POST /credentials/verify and the
/verify page with the same check list as a Data Integrity credential."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from issuer import db
from issuer.clock import utc_now
from issuer.models import SignedCredential
from issuer.openbadges import baking
from issuer.vcjose import compact
from issuer.vcjose.envelope import open_envelope
from issuer.verification.verifier import verify_credential
from tests.api_helpers import ISSUER_DID, bearer, make_token, minimal_vc
from tests.helpers import VECTORS
from tests.service_fixtures import make_achievement, png_bytes
from tests.web.test_verify_page import submit
from tests.web.verify_helpers import checks, verdict

FULL_CHECKS = ["context", "schema", "proof", "jwt-claims", "issuer", "validity", "status",
               "recipient"]


@pytest.fixture
def token(app, profile) -> str:
    return make_token(app, scopes=("issue", "read"))


def issue_jwt(client, token, credential=None, **options):
    return client.post("/credentials/issue", headers=bearer(token), json={
        "credential": credential or minimal_vc(), "options": {"format": "vc+jwt", **options}})


def test_vc_api_issues_an_enveloped_vc_jwt_and_stores_it_byte_for_byte(app, client, token):
    response = issue_jwt(client, token)
    assert response.status_code == 201, response.get_json()
    enveloped = response.get_json()["verifiableCredential"]
    assert enveloped["type"] == "EnvelopedVerifiableCredential"
    assert enveloped["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    jws = open_envelope(enveloped).token
    header = compact.parse(jws).header
    assert header == {"alg": "EdDSA", "kid": header["kid"], "typ": "vc+jwt", "cty": "vc"}
    assert header["kid"].startswith(ISSUER_DID + "#z6Mk")
    with app.app_context():
        row = db.get_session().scalar(select(SignedCredential))
        assert response.get_data(as_text=True) == (
            '{"verifiableCredential": ' + row.document.rstrip("\n") + "}\n")
        assert row.verification_method == header["kid"]
        assert row.credential_id == compact.parse(jws).payload["id"]


def test_the_issued_vc_jwt_verifies_through_the_api(client, token):
    enveloped = issue_jwt(client, token).get_json()["verifiableCredential"]
    response = client.post("/credentials/verify", json={"verifiableCredential": enveloped})
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["verified"] is True
    assert [check["id"] for check in body["checks"]] == FULL_CHECKS
    assert body["checks"][2]["detail"] == "signature valid (EdDSA, VC-JOSE-COSE)"


def test_the_issued_vc_jwt_with_a_status_entry_can_be_revoked(client, token, app):
    response = issue_jwt(client, token, credentialStatus={
        "type": "BitstringStatusListEntry", "statusPurpose": "revocation"})
    enveloped = response.get_json()["verifiableCredential"]
    credential_id = compact.parse(open_envelope(enveloped).token).payload["id"]
    revoker = make_token(app, scopes=("revoke",))
    changed = client.post("/credentials/status", headers=bearer(revoker), json={
        "credentialId": credential_id, "reason": "issued in error", "credentialStatus": [
            {"type": "BitstringStatusListCredential", "status": "revoked"}]})
    assert changed.status_code == 200, changed.get_json()
    body = client.post("/credentials/verify", json={"verifiableCredential": enveloped}).get_json()
    assert body["verified"] is False
    assert [e["check"] for e in body["errors"]] == ["status"]
    assert "issued in error" in body["errors"][0]["detail"]


@pytest.mark.parametrize("options, credential, message", [
    ({"format": "vc+ldp"}, None, "format must be one of ldp_vc, vc+jwt"),
    ({"format": "vc+jwt"}, minimal_vc(context=["https://www.w3.org/2018/credentials/v1"],
                                      issuanceDate="2026-01-01T00:00:00Z", validFrom=KeyError),
     "VC-JOSE-COSE secures VC 2.0 credentials"),
    ({"format": "vc+jwt"}, minimal_vc(id="http://localhost:5000/credentials/"
                                         "3f1c2a8e-6a51-4b0e-9a6b-3c0d2b7f9e10"),
     "returned, not hosted here"),
])
def test_vc_api_refuses_what_it_cannot_secure_as_a_vc_jwt(client, token, options,
                                                           credential, message):
    response = client.post("/credentials/issue", headers=bearer(token), json={
        "credential": credential or minimal_vc(), "options": options})
    assert response.status_code in (400, 422)
    assert message in json.dumps(response.get_json())


def test_the_native_api_returns_the_compact_jws_alongside(app, client, token, profile):
    achievement = make_achievement(app)
    response = client.post("/api/v1/credentials", headers=bearer(token), json={
        "achievement": achievement, "recipient": {"email": "ada@example.org"},
        "format": "vc+jwt"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    parsed = compact.parse(body["vcJwt"])
    assert parsed.header["typ"] == "vc+jwt"
    assert parsed.payload["id"] == body["credential"]["id"]
    assert parsed.payload["proof"] == body["credential"]["proof"]  # DI first, then the JWS
    again = client.get(f"/api/v1/credentials/{body['id']}", query_string={"format": "vc+jwt"},
                       headers=bearer(token)).get_json()
    assert again["vcJwt"] == body["vcJwt"]  # the same bytes every time
    assert "vcJwt" not in client.get(f"/api/v1/credentials/{body['id']}",
                                     headers=bearer(token)).get_json()
    did = client.get("/.well-known/did.json").get_json(force=True)
    result = verify_credential(body["vcJwt"], now=utc_now(),
                               resolve_controller={did["id"]: did}.get)
    assert result.verified, result.to_dict()


def test_the_native_api_refuses_other_formats(client, token, app, profile):
    achievement = make_achievement(app)
    response = client.post("/api/v1/credentials", headers=bearer(token), json={
        "achievement": achievement, "recipient": {"email": "ada@example.org"},
        "format": "jwt_vc_json"})
    assert response.status_code == 422
    assert "format" in json.dumps(response.get_json())


def test_a_compact_jws_string_in_the_api_gets_a_hint(client):
    response = client.post("/credentials/verify", json={"verifiableCredential": "a.b.c"})
    assert response.status_code == 400
    assert "EnvelopedVerifiableCredential" in response.get_json()["detail"]


def test_an_envelope_of_another_securing_mechanism_is_a_failed_result(client):
    envelope = {"@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": "EnvelopedVerifiableCredential", "id": "data:application/vc+sd-jwt,x~"}
    response = client.post("/credentials/verify", json={"verifiableCredential": envelope})
    body = response.get_json()
    assert response.status_code == 422 and body["verified"] is False
    assert "only JWS" in body["errors"][0]["detail"]


def test_the_verify_page_verifies_an_uploaded_vc_jwt(client, token, offline):
    enveloped = issue_jwt(client, token).get_json()["verifiableCredential"]
    jws = open_envelope(enveloped).token
    html = submit(client, file=jws.encode(), filename="badge.jws").get_data(as_text=True)
    assert verdict(html) == (True, set())
    assert list(checks(html)) == FULL_CHECKS
    pasted = submit(client, json_text=jws).get_data(as_text=True)
    assert verdict(pasted) == (True, set())


def test_the_verify_page_shows_a_1edtech_example_with_its_checks(client, offline):
    path = VECTORS / "1edtech-vc-jwt" / "01-sample-openbadgecredential.vc-jwt.jws"
    html = submit(client, file=path.read_bytes(), filename=path.name).get_data(as_text=True)
    assert verdict(html) == (False, {"issuer"})  # example.com publishes no key
    shown = checks(html)
    assert shown["proof"] == "passed" and shown["issuer"] == "not_checked"
    assert "VC-JWT proofs are not supported yet" not in html


@pytest.mark.parametrize("image", ["png", "svg"])
def test_a_vc_jwt_baked_into_an_image_verifies(client, token, offline, image):
    """OB 3.0 baking carries a compact JWS as is (PNG iTXt text; SVG verify attribute)."""
    enveloped = issue_jwt(client, token).get_json()["verifiableCredential"]
    jws = open_envelope(enveloped).token
    blank = png_bytes() if image == "png" else (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>')
    baked = baking.bake(blank, jws)
    assert baking.extract_credential(baked).text == jws
    html = submit(client, file=baked, filename=f"badge.{image}").get_data(as_text=True)
    assert verdict(html) == (True, set())
