"""POST /presentations/verify (W3C VC-API): verdicts with challenge and domain, a result per
credential, unsigned presentations only when asked, malformed requests, CORS."""

from __future__ import annotations

import copy
import json

import pytest

from issuer.vcjose import envelope
from issuer.verification import problem_types as pt
from tests.web.presentation_helpers import (
    CHALLENGE,
    DOMAIN,
    HOLDER_KEY,
    OTHER_KEY,
    did_of,
    signed_presentation,
    unsigned_presentation,
    vp_jwt,
)
from tests.web.verify_helpers import offline_app, signed  # noqa: F401 (fixture)

VERIFY = "/presentations/verify"


@pytest.fixture(scope="module")
def client(offline_app):  # noqa: F811
    return offline_app.test_client()


def post(client, body, **kwargs):
    if not isinstance(body, (bytes, str)):
        body = json.dumps(body)
    kwargs.setdefault("content_type", "application/json")
    return client.post(VERIFY, data=body, **kwargs)


def asked(presentation, **options):
    return {"verifiablePresentation": presentation,
            "options": {"challenge": CHALLENGE, "domain": DOMAIN, **options}}


def failed(body):
    return {check["id"]: [p["type"] for p in check.get("problems", [])]
            for check in body["checks"] if check["status"] == "failed"}


def test_a_signed_presentation_verifies(client):
    response = post(client, asked(signed_presentation([signed(), signed(name="Bo")])))
    body = response.get_json()
    assert response.status_code == 200, body["errors"]
    assert body["verified"] is True
    assert [c["id"] for c in body["checks"]] == [
        "presentation", "proof", "challenge", "domain", "holder", "credentials"]
    assert body["presentationResult"]["verdict"] == "verified"
    assert [r["verified"] for r in body["credentialResults"]] == [True, True]
    assert body["credentialResults"][1]["index"] == 1
    assert body["errors"] == []


@pytest.mark.parametrize("options, check, problem", [
    ({"challenge": "a-different-challenge"}, "challenge", pt.INVALID_CHALLENGE_ERROR),
    ({"domain": "replay.example"}, "domain", pt.INVALID_DOMAIN_ERROR),
], ids=["wrong-challenge", "other-domain"])
def test_wrong_challenge_or_domain_is_a_422_naming_the_check(client, options, check, problem):
    response = post(client, asked(signed_presentation(), **options))
    assert response.status_code == 422
    body = response.get_json()
    assert body["verified"] is False
    assert failed(body) == {check: [problem]}
    assert body["credentialResults"][0]["verified"] is True


def test_missing_challenge_when_one_is_asked_for(client):
    response = post(client, asked(signed_presentation(challenge=None)))
    assert response.status_code == 422
    assert failed(response.get_json()) == {"challenge": [pt.INVALID_CHALLENGE_ERROR]}


def test_holder_mismatch(client):
    document = signed_presentation(key=OTHER_KEY, holder=did_of(HOLDER_KEY))
    response = post(client, asked(document))
    assert response.status_code == 422
    assert failed(response.get_json()) == {"holder": [pt.HOLDER_KEY_MISMATCH]}


def test_a_tampered_credential_is_reported_per_credential(client):
    tampered = signed()
    tampered["credentialSubject"]["achievement"]["name"] = "Forged"
    response = post(client, asked(signed_presentation([signed(), tampered])))
    body = response.get_json()
    assert response.status_code == 422
    assert failed(body) == {"credentials": [pt.CRYPTOGRAPHIC_SECURITY_ERROR]}
    assert [r["verified"] for r in body["credentialResults"]] == [True, False]
    assert {"check": "proof", "credential": 1} .items() <= next(
        e for e in body["errors"] if e.get("credential") == 1).items()


def test_unsigned_presentations_only_when_the_request_allows(client):
    document = unsigned_presentation([signed()])
    refused = post(client, {"verifiablePresentation": document})
    assert refused.status_code == 422
    assert failed(refused.get_json()) == {"proof": [pt.NO_PROOF]}
    for body in ({"verifiablePresentation": document, "options": {"unsignedPresentation": True}},
                 {"presentation": document}):
        allowed = post(client, body)
        assert allowed.status_code == 200, allowed.get_json()["errors"]
        proof = allowed.get_json()["checks"][1]
        assert proof["id"] == "proof" and proof["status"] == "not_applicable"


def test_an_enveloped_presentation(client):
    good = post(client, asked(envelope.enveloped_presentation(vp_jwt())))
    assert good.status_code == 200, good.get_json()["errors"]
    assert good.get_json()["credentialResults"][0]["verified"] is True
    replay = post(client, asked(envelope.enveloped_presentation(vp_jwt(domain="a.example"))))
    assert replay.status_code == 422
    assert failed(replay.get_json()) == {"domain": [pt.INVALID_DOMAIN_ERROR]}


def test_return_presentation_and_unknown_options(client):
    document = signed_presentation()
    body = post(client, asked(document, returnPresentation=True, frobnicate=1)).get_json()
    assert body["verifiablePresentation"] == document
    assert "option 'frobnicate' is not supported and was ignored" in body["warnings"]
    assert "verifiablePresentation" not in post(client, asked(document)).get_json()


@pytest.mark.parametrize("body, words", [
    ([], "must be a JSON object"),
    ({}, "no verifiablePresentation"),
    ({"verifiablePresentation": "eyJ.x.y"}, "EnvelopedVerifiablePresentation"),
    ({"verifiablePresentation": {}, "presentation": {}}, "not both"),
    ({"verifiablePresentation": {}, "options": []}, "options must be a JSON object"),
    ({"verifiablePresentation": {}, "options": {"challenge": 5}}, "options.challenge"),
    ({"verifiablePresentation": {}, "options": {"domain": ["a", "b"]}}, "options.domain"),
    ({"verifiablePresentation": {}, "options": {"challenge": "x" * 1001}}, "at most 1000"),
    ({"verifiablePresentation": {}, "options": {"unsignedPresentation": "yes"}},
     "options.unsignedPresentation must be true or false"),
], ids=["array", "empty", "jwt-string", "both", "options-array", "challenge-number",
        "domain-array", "challenge-long", "unsigned-string"])
def test_malformed_requests_are_400_problems(client, body, words):
    response = post(client, body)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert words in response.get_json()["detail"]


def test_not_json_is_a_400_problem(client):
    response = post(client, b'{"verifiablePresentation": NaN}')
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("presentation", [
    {}, {"@context": 5}, {"@context": ["https://www.w3.org/ns/credentials/v2"], "proof": 7},
    {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "VerifiablePresentation",
     "verifiableCredential": [None, 3, {"proof": []}], "holder": {}},
    {"type": "EnvelopedVerifiablePresentation", "id": "data:application/vp+jwt,not-a-jws"},
    {"type": "EnvelopedVerifiablePresentation", "id": "https://example.org/vp"},
])
def test_garbage_presentations_are_a_422_result_not_a_500(client, presentation):
    response = post(client, {"verifiablePresentation": presentation})
    assert response.status_code == 422
    assert response.get_json()["verified"] is False


def test_too_many_credentials(client):
    document = unsigned_presentation([signed()] * 9)
    response = post(client, {"presentation": document})
    assert response.status_code == 422
    body = response.get_json()
    assert failed(body) == {"presentation": ["urn:issuer:problem:credential-count-limit"]}
    assert body["credentialResults"] == []


def test_cors_allows_posting_from_any_origin(client):
    preflight = client.options(VERIFY, headers={
        "Origin": "https://employer.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    response = post(client, asked(copy.deepcopy(signed_presentation())),
                    headers={"Origin": "https://employer.example"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("checks, detail", [
    (["proof"], "options.checks is not supported on /presentations/verify"),
    (["proof", "magic"], "options.checks names unknown check 'magic'"),
])
def test_options_checks_is_refused_clearly_for_presentations(client, checks, detail):
    response = post(client, asked(signed_presentation([signed()]), checks=checks))
    assert response.status_code == 400
    problem = response.get_json()
    assert problem["type"] == "urn:issuer:problem:unknown-check"
    assert problem["detail"].startswith(detail)


@pytest.mark.parametrize("context", [[], ["https://www.w3.org/ns/credentials/examples/v2"], None],
                         ids=["empty", "examples-only", "absent"])
def test_an_enveloped_presentation_without_the_base_context_is_refused(client, context):
    """VC DM 2.0 §4.13.2: the envelope's @context must include a context defining id, type and
    EnvelopedVerifiablePresentation; the JWS inside is not even opened without it."""
    document = envelope.enveloped_presentation(vp_jwt())
    if context is None:
        del document["@context"]
    else:
        document["@context"] = context
    response = post(client, asked(document))
    assert response.status_code == 422
    body = response.get_json()
    assert body["verified"] is False
    assert failed(body) == {"presentation": [pt.PARSING_ERROR]}
    assert "must include https://www.w3.org/ns/credentials/v2" in body["checks"][0]["detail"]
    assert body["credentialResults"] == []
