"""Issuing VC-JOSE-COSE and OB 3.0 VC-JWTs: exact headers and payloads, deterministic, and
every one verifies."""

import json
from datetime import datetime, timezone

import nacl.signing
import pytest

from issuer.dataintegrity import multikey
from issuer.errors import SigningError
from issuer.vcjose import compact, issue
from issuer.vcjose.verify import verify_jws
from tests.jose_helpers import (
    controller_document, credential, generate, jwk_method, resolver,
)

NOW = datetime(2026, 5, 1, 12, 0, 0, tzinfo=timezone.utc)
SEED = nacl.signing.SigningKey(b"\x2a" * 32)
MULTIKEY = multikey.encode_public_key(bytes(SEED.verify_key))
DID = f"did:key:{MULTIKEY}"
KID = f"{DID}#{MULTIKEY}"


def signer():
    return issue.JoseSigner.from_nacl(SEED, kid=KID)


def parts(token):
    parsed = compact.parse(token)
    return parsed.header, parsed.payload


def test_a_vc_jose_cose_credential_has_the_header_and_payload_the_spec_names():
    document = credential(DID)
    token = issue.secure_credential(document, signer=signer(), now=NOW)
    header, payload = parts(token)
    assert header == {"alg": "EdDSA", "kid": KID, "typ": "vc+jwt", "cty": "vc"}
    assert list(payload) == [*document, "iss", "iat"]
    assert payload == {**document, "iss": DID, "iat": int(NOW.timestamp())}
    raw_payload = compact.b64url_decode(token.split(".")[1], "payload")
    assert raw_payload == json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def test_issuing_is_deterministic():
    document = credential(DID, name="Ünïcode ✓")
    first = issue.secure_credential(document, signer=signer(), now=NOW)
    assert issue.secure_credential(document, signer=signer(), now=NOW) == first
    assert "Ünïcode ✓" in compact.b64url_decode(first.split(".")[1], "payload").decode()


def test_an_ob_vc_jwt_carries_the_ob_claims():
    document = credential(DID, validUntil="2027-01-01T00:00:00.500Z")
    token = issue.secure_credential(document, signer=signer(), now=NOW, shape="ob-3.0")
    header, payload = parts(token)
    assert header == {"alg": "EdDSA", "kid": KID, "typ": "JWT"}
    assert {k: payload[k] for k in ("iss", "jti", "nbf", "exp", "sub")} == {
        "iss": DID, "jti": document["id"], "sub": "did:example:ann",
        "nbf": int(datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp()),
        "exp": int(datetime(2027, 1, 1, tzinfo=timezone.utc).timestamp())}


def test_an_ob_vc_jwt_leaves_out_what_the_credential_does_not_have():
    document = credential(DID)
    del document["id"]
    document["credentialSubject"] = {"type": ["AchievementSubject"]}
    _, payload = parts(issue.secure_credential(document, signer=signer(), now=NOW,
                                               shape="ob-3.0"))
    assert set(payload) - set(document) == {"iss", "nbf"}


@pytest.mark.parametrize("shape", ["vc-jose-cose", "ob-3.0"])
def test_what_we_issue_verifies(shape):
    token = issue.secure_credential(credential(DID), signer=signer(), now=NOW, shape=shape)
    result = verify_jws(token, now=NOW, expect="vc")
    assert result.verified, result.result().to_dict()
    assert result.shape == shape
    assert result.document == credential(DID)


@pytest.mark.parametrize("alg", ["ES256", "ES384", "RS256", "EdDSA"])
def test_other_keys_sign_through_the_same_path(alg):
    key = generate(alg)
    issuer = "did:web:example.org"
    document = controller_document(issuer, [jwk_method(issuer, key)])
    token = issue.secure_credential(credential(issuer),
                                    signer=issue.JoseSigner(key, alg, f"{issuer}#key-1"), now=NOW)
    result = verify_jws(token, now=NOW, resolve_controller=resolver(document))
    assert result.verified, result.result().to_dict()


def test_a_presentation_round_trip_with_challenge_and_domain():
    presentation = {"@context": ["https://www.w3.org/ns/credentials/v2"],
                    "type": ["VerifiablePresentation"], "holder": DID,
                    "verifiableCredential": []}
    token = issue.secure_presentation(presentation, signer=signer(), now=NOW, challenge="c-1",
                                      domain="https://verifier.example")
    header, payload = parts(token)
    assert header["typ"] == "vp+jwt" and header["cty"] == "vp"
    assert (payload["iss"], payload["nonce"], payload["aud"]) == (
        DID, "c-1", "https://verifier.example")
    good = verify_jws(token, now=NOW, expect="vp", challenge="c-1",
                      domain="https://verifier.example")
    assert good.verified and good.binding.id == "holder"
    assert not verify_jws(token, now=NOW, expect="vp", challenge="c-2").verified
    assert not verify_jws(token, now=NOW, expect="vc").verified


@pytest.mark.parametrize("document, message", [
    ("text", "must be a JSON object"),
    ({**credential(DID), "iss": DID}, "JWT claim names \\(iss\\)"),
    ({**credential(DID), "vc": {}}, "JWT claim names \\(vc\\)"),
    ({**credential(DID), "issuer": {"name": "no id"}}, "no issuer id"),
])
def test_documents_we_will_not_secure(document, message):
    with pytest.raises(SigningError, match=message):
        issue.secure_credential(document, signer=signer(), now=NOW)


def test_an_ob_vc_jwt_needs_valid_from():
    document = credential(DID)
    del document["validFrom"]
    with pytest.raises(SigningError, match="needs validFrom"):
        issue.secure_credential(document, signer=signer(), now=NOW, shape="ob-3.0")
    with pytest.raises(SigningError, match="unknown JWS shape"):
        issue.secure_credential(credential(DID), signer=signer(), now=NOW, shape="sd-jwt")


def test_a_signer_needs_a_private_key_that_fits_its_algorithm():
    key = generate("ES256")
    with pytest.raises(SigningError, match="needs a private key"):
        issue.JoseSigner(generate("ES256").public(), "ES256", "did:web:x#1")
    with pytest.raises(SigningError, match="EdDSA needs a OKP Ed25519 key"):
        issue.JoseSigner(key, "EdDSA", "did:web:x#1")
    with pytest.raises(SigningError, match="needs a kid"):
        issue.JoseSigner(key, "ES256", "")
    text = repr(issue.JoseSigner(key, "ES256", "did:web:x#1"))
    assert text == "JoseSigner(alg='ES256', kid='did:web:x#1')"
    assert key.export_private(as_dict=True)["d"] not in text
