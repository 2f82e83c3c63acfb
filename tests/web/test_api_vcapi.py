"""W3C VC-API POST /credentials/issue through the Flask test client, with real tokens, keys
and database: what it signs, and every rule it refuses by (named in the problem details)."""

from __future__ import annotations

import copy
import json

import pytest
from sqlalchemy import func, select

from issuer import db
from issuer.clock import utc_now
from issuer.models import SignedCredential
from issuer.verification.verifier import verify_credential
from tests.api_helpers import ISSUER_DID, bearer, make_token, minimal_vc
from tests.helpers import IMPL_GUIDE, load_json
from tests.service_fixtures import BASE_URL, make_profile

VC_V1 = "https://www.w3.org/2018/credentials/v1"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DI_V2 = "https://w3id.org/security/data-integrity/v2"


@pytest.fixture
def token(app, profile) -> str:
    return make_token(app, scopes=("issue",))


def post(client, token, body):
    return client.post("/credentials/issue", json=body, headers=bearer(token))


def ob_credential() -> dict:
    document = load_json(IMPL_GUIDE / "unsigned-credential.json")
    document["issuer"]["id"] = ISSUER_DID
    return document


def stored_count(app) -> int:
    with app.app_context():
        return db.get_session().scalar(select(func.count()).select_from(SignedCredential))


def did_resolver(client):
    did_document = client.get("/.well-known/did.json").get_json(force=True)
    return {did_document["id"]: did_document}.get


def test_signs_an_open_badge_and_it_verifies(app, client, token):
    response = post(client, token, {"credential": ob_credential(), "options": {}})
    assert response.status_code == 201, response.get_json()
    signed = response.get_json()["verifiableCredential"]
    [proof] = signed["proof"]
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["verificationMethod"].startswith(ISSUER_DID + "#z6Mk")
    assert signed["id"] == "http://example.com/credentials/3527"  # kept as given
    result = verify_credential(signed, now=utc_now(), resolve_controller=did_resolver(client))
    assert result.verified, result.to_dict()
    with app.app_context():
        row = db.get_session().scalar(select(SignedCredential))
        assert json.loads(row.document) == signed and not row.hosted
        assert row.credential_id == signed["id"]


def test_signs_a_plain_vc_and_assigns_a_urn_uuid(app, client, token):
    response = post(client, token, {"credential": minimal_vc()})
    assert response.status_code == 201
    signed = response.get_json()["verifiableCredential"]
    assert signed["id"].startswith("urn:uuid:") and len(signed["id"]) == 45
    assert signed["@context"] == [VC_V2]
    assert verify_credential(signed, now=utc_now(),
                             resolve_controller=did_resolver(client)).verified
    assert "Location" not in response.headers  # a urn:uuid is not served here


@pytest.mark.parametrize("context", [[VC_V2], [VC_V1]])
def test_one_proof_is_an_object_except_for_open_badges(app, client, token, context):
    """The VC-API issuer suite refuses a one-element proof array; the strict 1EdTech schema
    wants an array. Our verifier (and /credentials/verify) accept both shapes."""
    extra = {"issuanceDate": "2026-01-01T00:00:00Z", "validFrom": KeyError} \
        if context == [VC_V1] else {}
    plain = post(client, token, {"credential": minimal_vc(context=context, **extra)})
    assert plain.status_code == 201, plain.get_json()
    signed = plain.get_json()["verifiableCredential"]
    assert isinstance(signed["proof"], dict)
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    with app.app_context():
        row = db.get_session().scalar(select(SignedCredential))
        assert json.loads(row.document) == signed
        assert row.verification_method == signed["proof"]["verificationMethod"]
    badge = post(client, token, {"credential": ob_credential()}).get_json()
    assert isinstance(badge["verifiableCredential"]["proof"], list)
    achievement = ob_credential()
    achievement["type"] = ["VerifiableCredential", "AchievementCredential"]
    achievement["id"] = "urn:uuid:5c1b6a8e-0d7e-4c55-9f4e-2a0c1f1b7d10"
    answer = post(client, token, {"credential": achievement})
    assert answer.status_code == 201, answer.get_json()
    assert isinstance(answer.get_json()["verifiableCredential"]["proof"], list)
    resolve = did_resolver(client)
    for shape in (signed, {**signed, "proof": [signed["proof"]]}):
        assert verify_credential(shape, now=utc_now(), resolve_controller=resolve).verified
        verified = client.post("/credentials/verify", json={"verifiableCredential": shape})
        assert verified.status_code == 200, verified.get_json()
        assert verified.get_json()["verified"] is True, verified.get_json()


def test_vc_1_1_input_gets_the_data_integrity_context(app, client, token):
    credential = minimal_vc(context=[VC_V1], issuanceDate="2026-01-01T00:00:00Z",
                            validFrom=KeyError)
    response = post(client, token, {"credential": credential})
    assert response.status_code == 201, response.get_json()
    signed = response.get_json()["verifiableCredential"]
    assert signed["@context"] == [VC_V1, DI_V2]
    assert verify_credential(signed, now=utc_now(),
                             resolve_controller=did_resolver(client)).verified


def test_a_did_key_issuer_signs_with_its_did_key(app, client):
    make_profile(app, slug="keyed", name="Keyed", did_method="key")
    token = make_token(app, issuer="keyed")
    with app.app_context():
        from issuer.services import profiles

        did = profiles.profile_by_slug(db.get_session(), "keyed").did
    response = post(client, token, {"credential": minimal_vc(issuer={"id": did})})
    assert response.status_code == 201, response.get_json()
    signed = response.get_json()["verifiableCredential"]
    assert signed["proof"]["verificationMethod"] == f"{did}#{did.removeprefix('did:key:')}"
    assert verify_credential(signed, now=utc_now()).verified


def test_an_id_of_ours_is_served_at_that_url(app, client, token):
    credential_id = f"{BASE_URL}/credentials/1b4c6c4e-7d7c-4c83-9a3e-3b2a3f8f0a11"
    response = post(client, token, {"credential": minimal_vc(id=credential_id)})
    assert response.status_code == 201
    assert response.headers["Location"] == credential_id
    served = client.get(credential_id.removeprefix(BASE_URL),
                        headers={"Accept": "application/vc+ld+json"})
    assert served.status_code == 200
    assert served.get_json() == response.get_json()["verifiableCredential"]
    page = client.get(credential_id.removeprefix(BASE_URL), headers={"Accept": "text/html"})
    assert page.status_code == 200 and credential_id in page.get_data(as_text=True)
    again = post(client, token, {"credential": minimal_vc(id=credential_id)})
    assert again.status_code == 409 and again.mimetype == "application/problem+json"


def test_another_issuer_of_ours_needs_its_own_token(app, client, token):
    make_profile(app, slug="chem", name="Chemistry")
    credential = minimal_vc(issuer="did:web:localhost%3A5000:issuers:chem")
    response = post(client, token, {"credential": credential})
    assert response.status_code == 403
    assert "chem" in response.get_json()["detail"]
    assert stored_count(app) == 0


def test_authentication_errors(app, client, token):
    missing = client.post("/credentials/issue", json={"credential": minimal_vc()})
    assert missing.status_code == 401 and missing.mimetype == "application/problem+json"
    assert missing.headers["WWW-Authenticate"] == 'Bearer realm="issuer"'
    wrong = post(client, token[:-2] + ("xx" if not token.endswith("xx") else "yy"),
                 {"credential": minimal_vc()})
    assert wrong.status_code == 401 and 'error="invalid_token"' in wrong.headers["WWW-Authenticate"]
    basic = client.post("/credentials/issue", json={}, headers={"Authorization": "Basic eDp5"})
    assert basic.status_code == 401
    reader = make_token(app, scopes=("read",))
    forbidden = post(client, reader, {"credential": minimal_vc()})
    assert forbidden.status_code == 403
    assert forbidden.headers["WWW-Authenticate"] == (
        'Bearer realm="issuer", error="insufficient_scope", scope="issue"')
    assert "issue" in forbidden.get_json()["detail"]
    assert stored_count(app) == 0


def test_not_json_is_a_400(client, token):
    response = client.post("/credentials/issue", data="{not json", headers=bearer(
        token, **{"Content-Type": "application/json"}))
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert "JSON" in response.get_json()["detail"]


# -- every rule, through the endpoint ---------------------------------------------------------


def _with(**changes):
    return {"credential": minimal_vc(**changes)}


def _subject(subject):
    return {"credential": minimal_vc(credentialSubject=subject)}


def _ob_without_criteria():
    document = ob_credential()
    del document["credentialSubject"]["achievement"]["criteria"]
    return {"credential": document}


def _signed():
    return {"credential": minimal_vc(proof=[{"type": "DataIntegrityProof"}])}


# (rule, request body, status)
RULE_CASES = [
    ("credential-object", {"credential": ["not", "an", "object"]}, 422),
    ("context-required", _with(context=KeyError), 422),
    ("context-array", _with(context=VC_V2), 422),
    ("context-first", _with(context=[OB, VC_V2]), 422),
    ("context-mixed", _with(context=[VC_V2, VC_V1]), 422),
    ("context-url", _with(context=[VC_V2, "not a url"]), 422),
    ("context-item", _with(context=[VC_V2, 7]), 422),
    ("context-unknown", _with(context=[VC_V2, "https://example.org/my-context"]), 422),
    ("type-required", _with(type=KeyError), 422),
    ("type-strings", _with(type=[1]), 422),
    ("type-vc", _with(type=["OpenBadgeCredential"]), 422),
    ("type-duplicate", _with(type=["VerifiableCredential", "VerifiableCredential"]), 422),
    ("id-url", _with(id="not a url"), 422),
    ("id-ours", _with(id=f"{BASE_URL}/achievements/123"), 422),
    ("id-length", _with(id="urn:example:" + "a" * 1000), 422),
    ("issuer-required", _with(issuer=KeyError), 422),
    ("issuer-id", _with(issuer={"name": "No id"}), 422),
    ("issuer-url", _with(issuer="not a url"), 422),
    ("issuer-not-ours", _with(issuer="did:example:someone-else"), 422),
    ("subject-required", _with(credentialSubject=KeyError), 422),
    ("subject-empty", _subject([]), 422),
    ("subject-object", _subject(["did:example:subject"]), 422),
    ("subject-claims", _subject({}), 422),
    ("subject-id", _subject({"id": "not a url"}), 422),
    ("date-v1-term", _with(issuanceDate="2026-01-01T00:00:00Z"), 422),
    ("date-issuance-required", _with(context=[VC_V1], validFrom=KeyError), 422),
    ("date-format", _with(validFrom="2026-01-01"), 422),
    ("date-order", _with(validUntil="2025-01-01T00:00:00Z"), 422),
    ("credentialStatus-empty", _with(credentialStatus=[]), 422),
    ("termsOfUse-object", _with(termsOfUse=["no"]), 422),
    ("evidence-type", _with(evidence=[{"id": "https://example.org/work"}]), 422),
    ("credentialSchema-id", _with(credentialSchema=[{"type": "JsonSchema"}]), 422),
    ("name-value", _with(name=5), 422),
    ("description-value", _with(description={"text": "no"}), 422),
    ("proof-present", _signed(), 422),
    ("null-value", _with(name=None), 422),
    ("undefined-term", _subject({"id": "did:example:s", "favouriteColour": "blue"}), 422),
    ("ob-schema", _ob_without_criteria(), 422),
    ("body-object", ["not an object"], 400),
    ("body-member", {"credential": minimal_vc(), "verifiablePresentation": {}}, 400),
    ("credential-required", {"options": {}}, 400),
    ("options-object", {"credential": minimal_vc(), "options": ["no"]}, 400),
    ("option-unsupported", {"credential": minimal_vc(), "options": {"challenge": "x"}}, 400),
]


@pytest.mark.parametrize("rule, body, status", RULE_CASES, ids=[case[0] for case in RULE_CASES])
def test_refuses_with_the_rule_named(app, client, token, rule, body, status):
    response = post(client, token, copy.deepcopy(body))
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == status and problem["detail"]
    rules = [error["rule"] for error in problem["errors"]]
    assert rule in rules, problem
    error = problem["errors"][rules.index(rule)]
    assert error["path"].startswith("$") and error["detail"]
    assert stored_count(app) == 0  # nothing half-written


def test_every_vcdm_rule_has_an_endpoint_case():
    """The rule ids of issuer.vcdm.rules all appear above (per related-object family)."""
    import inspect

    from issuer.vcdm import rules

    source = inspect.getsource(rules)
    import re

    named = set(re.findall(r'Violation\("([a-z-]+)"', source))
    covered = {case[0] for case in RULE_CASES}
    assert named <= covered, named - covered


EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"


def test_the_w3c_examples_context_is_accepted_for_a_plain_vc(app, client, token):
    document = minimal_vc(context=[VC_V2, EXAMPLES_V2], type=["VerifiableCredential",
                                                              "ExampleAlumniCredential"])
    document["credentialSubject"]["alumniOf"] = "The School of Examples"
    response = post(client, token, {"credential": document})
    assert response.status_code == 201, response.get_json()
    signed = response.get_json()["verifiableCredential"]
    assert signed["@context"] == [VC_V2, EXAMPLES_V2]  # nothing added, nothing dropped
    result = verify_credential(signed, now=utc_now(), resolve_controller=did_resolver(client))
    assert result.verified, result.to_dict()


def test_related_resources_are_checked_at_issue(app, client, token):
    import base64
    import hashlib

    from issuer.dataintegrity.document_loader import context_bytes
    digest = base64.b64encode(hashlib.sha384(context_bytes(VC_V2)).digest()).decode()
    good = minimal_vc(relatedResource=[{"id": VC_V2, "digestSRI": f"sha384-{digest}"}])
    response = post(client, token, {"credential": good})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["verifiableCredential"]["relatedResource"] == \
        good["relatedResource"]
    before = stored_count(app)
    for entries, rule in [
        ([VC_V2], "relatedResource-object"),
        ([{"id": VC_V2}], "relatedResource-digest"),
        ([{"digestSRI": f"sha384-{digest}"}], "relatedResource-id"),
        ([{"id": VC_V2, "digestSRI": f"sha384-{digest}"}] * 2, "relatedResource-duplicate"),
        ([{"id": VC_V2, "digestSRI": "sha384-" + digest[::-1]}],
         "relatedResource-digest-mismatch"),
    ]:
        response = post(client, token, {"credential": minimal_vc(relatedResource=entries)})
        assert response.status_code == 422, (rule, response.get_json())
        assert rule in [error["rule"] for error in response.get_json()["errors"]]
    assert stored_count(app) == before
