"""The w3c/vc-jose-cose-test-suite command (issuer.vcjose.conformance): files in, a result
file out, with the suite's key-file shape; our own issuing and verifying code underneath."""

import json
from datetime import datetime, timezone

import pytest

from issuer.vcjose import compact, conformance, envelope
from issuer.vcjose.issue import secure_credential
from tests.jose_helpers import b64, forge, generate, public

NOW = datetime(2026, 5, 1, 12, 0, 0, tzinfo=timezone.utc)
CONTROLLER = "https://issuer.example/vc-jose-cose"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"


def key_file(tmp_path, alg="ES256", *, controller=CONTROLLER, name="key.json"):
    key = generate(alg)
    method = {"id": f"{controller}#key-1", "type": "JsonWebKey", "controller": controller,
              "publicKeyJwk": {**public(key), "alg": alg},
              "secretKeyJwk": {**key.export_private(as_dict=True), "alg": alg}}
    path = tmp_path / name
    path.write_text(json.dumps(method))
    return path, key


def credential(issuer=CONTROLLER, **extra):
    return {"@context": ["https://www.w3.org/ns/credentials/v2", EXAMPLES],
            "id": "http://university.example/credentials/1872",
            "type": ["VerifiableCredential", "ExampleAlumniCredential"],
            "issuer": issuer, "validFrom": "2010-01-01T19:23:24Z",
            "credentialSubject": {"id": "did:example:123", "alumniOf": "Example U"}, **extra}


def call(tmp_path, fn, document, key_path, feature="credential_jose"):
    source = tmp_path / "input"
    source.write_text(document if isinstance(document, str) else json.dumps(document))
    output = tmp_path / "output.json"
    assert conformance.main([fn, "--input", str(source), "--key", str(key_path),
                             "--feature", feature, "--output", str(output)]) == 0
    return json.loads(output.read_text())


@pytest.mark.parametrize("alg", ["ES256", "ES384", "ES512", "EdDSA"])
def test_an_issued_credential_is_a_vc_jose_cose_jws_that_verifies(tmp_path, alg):
    key_path, _ = key_file(tmp_path, alg)
    issued = call(tmp_path, "issue", credential(), key_path)
    assert issued["result"] == "success"
    parsed = compact.parse(issued["data"])
    assert parsed.header == {"alg": alg, "kid": f"{CONTROLLER}#key-1", "typ": "vc+jwt",
                             "cty": "vc"}
    assert parsed.payload["issuer"] == CONTROLLER and "vc" not in parsed.payload
    verified = call(tmp_path, "verify", issued["data"], key_path)
    assert verified["result"] == "success", verified["data"]
    assert "proof: passed" in verified["data"]


def test_issuing_refuses_what_the_issue_endpoints_refuse(tmp_path):
    key_path, _ = key_file(tmp_path)
    no_subject = {k: v for k, v in credential().items() if k != "credentialSubject"}
    answer = call(tmp_path, "issue", no_subject, key_path)
    assert answer == {"result": "failure", "data": answer["data"]}
    assert "credentialSubject is required" in answer["data"]
    undefined = credential()
    undefined["@context"] = ["https://www.w3.org/ns/credentials/v2"]
    answer = call(tmp_path, "issue", undefined, key_path)
    assert answer["result"] == "failure"
    assert "ExampleAlumniCredential" in answer["data"] and "alumniOf" in answer["data"]


def test_a_presentation_is_issued_as_a_vp_jwt_and_verifies(tmp_path):
    key_path, key = key_file(tmp_path, "EdDSA")
    inner = call(tmp_path, "issue", credential(), key_path)["data"]
    presentation = {"@context": ["https://www.w3.org/ns/credentials/v2"],
                    "type": ["VerifiablePresentation"], "holder": CONTROLLER,
                    "verifiableCredential": [envelope.enveloped_credential(inner)]}
    issued = call(tmp_path, "issue", presentation, key_path, "presentation_jose")
    assert issued["result"] == "success"
    assert compact.parse(issued["data"]).header["typ"] == "vp+jwt"
    verified = call(tmp_path, "verify", issued["data"], key_path, "presentation_jose")
    assert verified["result"] == "success", verified["data"]


def test_a_presentation_whose_credential_is_not_an_envelope_fails(tmp_path):
    key_path, key = key_file(tmp_path, "EdDSA")
    header = {"alg": "EdDSA", "kid": f"{CONTROLLER}#key-1", "typ": "vp+jwt", "cty": "vp"}
    payload = {"@context": ["https://www.w3.org/ns/credentials/v2"],
               "type": "VerifiablePresentation", "holder": CONTROLLER,
               "verifiableCredential": [{"@context": "https://www.w3.org/ns/credentials/v2",
                                         "id": "not-a-credential",
                                         "type": "EnvelopedVerifiableCredential"}]}
    answer = call(tmp_path, "verify", forge(header, payload, key), key_path,
                  "presentation_jose")
    assert answer["result"] == "failure"
    assert answer["data"].startswith("verifiableCredential[0]: its id is not a data: URL")


def test_verification_fails_for_each_broken_part(tmp_path):
    key_path, key = key_file(tmp_path, "EdDSA")
    other_path, other = key_file(tmp_path, "EdDSA", name="other.json")
    header = {"alg": "EdDSA", "kid": f"{CONTROLLER}#key-1", "typ": "vc+jwt", "cty": "vc"}
    good = forge(header, {**credential(), "iss": CONTROLLER}, key)
    assert call(tmp_path, "verify", good, key_path)["result"] == "success"
    head, body, signature = good.split(".")
    cases = {
        "another key": (good, other_path, "signature does not verify"),
        "tampered": (f"{head}.{b64(json.dumps(credential(issuer='https://x.example')))}."
                     f"{signature}", key_path, "signature does not verify"),
        "bad media type": (forge({**header, "typ": "bad+typ", "cty": "bad+cty"},
                                 credential(), key), key_path, "bad+typ"),
        "vc claim": (forge(header, {**credential(), "vc": "oops"}, key), key_path,
                     "vc claim"),
        "unsecured JSON": (json.dumps(credential()), key_path, "not a compact JWS"),
        "alg none": (forge({**header, "alg": "none"}, credential(), None), key_path,
                     "no signature"),
        "a presentation": (forge({**header, "typ": "vp+jwt", "cty": "vp"},
                                 {"type": "VerifiablePresentation"}, key), key_path,
                           "where a credential was expected"),
    }
    for name, (token, path, reason) in cases.items():
        answer = call(tmp_path, "verify", token, path)
        assert answer["result"] == "failure", name
        assert reason in answer["data"], (name, answer["data"])


def test_a_key_that_is_not_the_issuers_fails_even_with_a_valid_signature(tmp_path):
    key_path, key = key_file(tmp_path, "EdDSA", controller="https://someone.example")
    header = {"alg": "EdDSA", "kid": "https://someone.example#key-1", "typ": "vc+jwt",
              "cty": "vc"}
    answer = call(tmp_path, "verify", forge(header, credential(), key), key_path)
    assert answer["result"] == "failure"


def test_claims_and_validity_are_reported_but_do_not_decide(tmp_path):
    key_path, key = key_file(tmp_path, "EdDSA")
    header = {"alg": "EdDSA", "kid": f"{CONTROLLER}#key-1", "typ": "vc+jwt", "cty": "vc"}
    expired = forge(header, {**credential(), "exp": 1734397450}, key)
    answer = call(tmp_path, "verify", expired, key_path)
    assert answer["result"] == "success"
    assert "validity: failed: the JWT expired on 2024-12-17" in answer["data"]


def test_unsupported_features_and_bad_files(tmp_path):
    key_path, _ = key_file(tmp_path)
    assert call(tmp_path, "issue", credential(), key_path, "credential_sdjwt")["result"] \
        == "indeterminate"
    assert call(tmp_path, "verify", "x", key_path, "presentation_cose")["result"] \
        == "indeterminate"
    assert call(tmp_path, "issue", credential(), key_path, "credential_jwe")["result"] \
        == "error"
    broken = tmp_path / "broken.json"
    broken.write_text('{"id": "x"}')
    answer = call(tmp_path, "issue", credential(), broken)
    assert answer["result"] == "error" and "secretKeyJwk" in answer["data"]
    assert call(tmp_path, "issue", "{not json", key_path)["result"] == "error"


def test_the_suites_own_token_shape_verifies(tmp_path):
    """The suite's fixtures: kid is the JWK thumbprint, iat a date string."""
    key_path, key = key_file(tmp_path, "ES256")
    header = {"alg": "ES256", "cty": "vc", "kid": key.thumbprint(), "typ": "vc+jwt"}
    token = forge(header, {**credential(), "iat": "2010-01-01T19:23:24Z",
                           "iss": CONTROLLER}, key)
    assert call(tmp_path, "verify", token, key_path)["result"] == "success"
    ours = secure_credential(credential(), signer=conformance.KeyFile.parse(
        json.loads(key_path.read_text())).signer(), now=NOW)
    assert call(tmp_path, "verify", ours, key_path)["result"] == "success"
