"""Interop: DCC's verifier-core (Learner Credential Wallet, VerifierPlus) accepts a credential
from every issuing path, and its 1EdTech OB 3.0 JSON Schema check passes (issue 11).

tests/interop/vcore.mjs runs the pinned @digitalcredentials/verifier-core against a live
server of ours on loopback: the issuer's did:web document and the status lists come from that
server, the 1EdTech schema from issuer/schemas/, and every other fetch is refused (and the
harness lists it, so the tests can assert there was none). No issuer registries are given.
Outside CI the tests skip when node or the node modules are missing; in CI they fail instead.
"""

from __future__ import annotations

import pytest

from issuer import db
from issuer.clock import utc_now
from issuer.models import IssuedCredential
from issuer.services import status
from issuer.services.keystore import FileKeyStore
from tests.api_helpers import bearer, make_token, minimal_vc
from tests.issuing_paths import PATHS, issue_by_every_path
from tests.service_fixtures import make_profile
from tests.web.test_browser import live_server  # noqa: F401  (the app on a loopback port)

pytestmark = pytest.mark.interop

OB_SCHEMA = ("https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
             "ob_v3p0_achievementcredential_schema.json")


def _steps(result) -> dict[str, bool]:
    return {step["id"]: step.get("valid") for step in result.get("log", [])}


def _schema_results(result) -> list[dict]:
    checks = [entry for entry in result.get("additionalInformation", [])
              if entry["id"] == "schema_check"]
    assert len(checks) == 1, result
    return checks[0]["results"]


def _signed_vc(app, client) -> dict:
    """A credential that is no Open Badge, signed through the VC-API: one proof object."""
    from issuer.services import profiles

    with app.app_context():
        did = profiles.profile_did(profiles.default_profile(db.get_session()),
                                   app.config["BASE_URL"])
    response = client.post("/credentials/issue", headers=bearer(make_token(app)), json={
        "credential": minimal_vc(issuer=did, validFrom="2026-01-01T00:00:00Z"),
        "options": {"credentialStatus": {"type": "BitstringStatusListEntry"}}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["verifiableCredential"]


def test_every_path_verifies_in_verifier_core_with_its_ob_schema_check(app, live_server,
                                                                       vcore):
    make_profile(app)
    client = app.test_client()
    issued = issue_by_every_path(app, client)
    generic = _signed_vc(app, client)
    assert isinstance(generic["proof"], dict) and isinstance(generic["credentialStatus"], dict)
    answer = vcore({"credentials": [*issued.values(), generic], "server": live_server})
    assert answer["refused"] == []
    results = dict(zip([*issued, "vcapi_generic"], answer["results"], strict=True))
    for path in PATHS:
        result = results[path]
        assert "errors" not in result, (path, result)
        steps = _steps(result)
        assert steps["valid_signature"] is True, (path, result)
        assert steps["expiration"] is True, (path, result)
        assert steps["revocation_status"] is True, (path, result)
        assert steps["registered_issuer"] is False  # no registries given: none consulted
        [schema] = _schema_results(result)
        assert schema["schema"] == OB_SCHEMA, (path, schema)
        assert schema["result"] == {"valid": True}, (path, schema)
    generic_result = results["vcapi_generic"]
    assert "errors" not in generic_result, generic_result
    assert _steps(generic_result)["valid_signature"] is True
    assert _steps(generic_result)["revocation_status"] is True
    assert _schema_results(generic_result) == "NO_SCHEMA"  # not an Open Badge
    # what it fetched: the 1EdTech schema (vendored copy), our did.json and status lists
    assert OB_SCHEMA in answer["fetched"]
    assert live_server.replace("http://", "https://") + "/.well-known/did.json" in \
        answer["fetched"]
    assert issued["cli"]["credentialStatus"]["statusListCredential"] in answer["fetched"]


def test_a_revoked_credential_fails_its_status_step_there(app, live_server, vcore):
    make_profile(app)
    issued = issue_by_every_path(app, app.test_client())
    credential_url = issued["admin_form"]["id"]
    with app.app_context():
        session = db.get_session()
        row = session.get(IssuedCredential, credential_url.rsplit("/", 1)[1])
        status.revoke(session, row, reason="Issued in error", actor=status.CLI,
                      keystore=FileKeyStore(app.config["KEYS_DIR"]), base_url=live_server,
                      now=utc_now())
    answer = vcore({"credentials": [issued["admin_form"], issued["cli"]],
                    "server": live_server})
    revoked, other = answer["results"]
    assert _steps(revoked)["valid_signature"] is True
    assert _steps(revoked)["revocation_status"] is False
    assert _steps(other)["revocation_status"] is True
    assert answer["refused"] == []


def test_with_suspension_the_schema_check_fails_but_both_entries_verify(app, live_server,
                                                                       vcore):
    """The cost the README states: the array of two entries is not the schema's object."""
    make_profile(app, offers_suspension=True)
    issued = issue_by_every_path(app, app.test_client())
    answer = vcore({"credentials": [issued["native_api"]], "server": live_server})
    [result] = answer["results"]
    assert _steps(result)["valid_signature"] is True
    assert _steps(result)["revocation_status"] is True
    [schema] = _schema_results(result)
    assert schema["result"]["valid"] is False
    assert {error["instancePath"] for error in schema["result"]["errors"]} == {
        "/credentialStatus"}
    lists = {entry["statusListCredential"] for entry in issued["native_api"]["credentialStatus"]}
    assert len(lists) == 2 and lists <= set(answer["fetched"])
    assert answer["refused"] == []
