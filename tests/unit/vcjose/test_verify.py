"""verify_jws end to end: a bad token is a result with failed checks, one scenario each."""

import json
from datetime import datetime, timedelta, timezone

import pytest

from issuer.vcjose import issue
from issuer.vcjose.verify import verify_jws
from issuer.verification import problem_types as pt
from issuer.verification.results import Status
from tests.jose_helpers import (
    ISSUER, b64, controller_document, credential, did_key, dumps, forge, generate, jwk_method,
    multikey_of, public, resolver,
)

NOW = datetime(2026, 5, 1, tzinfo=timezone.utc)
ED = generate("EdDSA")
P256 = generate("ES256")
RSA = generate("RS256")
DID = did_key(ED)
KID = f"{DID}#{multikey_of(ED)}"
WEB_DOCUMENT = controller_document(ISSUER, [jwk_method(ISSUER, P256, "p256"),
                                            jwk_method(ISSUER, RSA, "rsa")])
RESOLVE = resolver(WEB_DOCUMENT)


def vc_header(**changes):
    header = {"alg": "EdDSA", "kid": KID, "typ": "vc+jwt", "cty": "vc", **changes}
    return {k: v for k, v in header.items() if v is not None}


def verify(token, **options):
    return verify_jws(token, now=NOW, resolve_controller=RESOLVE, **options)


def statuses(result):
    return {check.id: check.status for check in result.checks}


def problem_types(check):
    return [problem.type for problem in check.problems]


def test_a_good_token_passes_every_check():
    result = verify(forge(vc_header(), credential(DID), ED))
    assert result.verified
    assert statuses(result) == {"proof": Status.PASSED, "jwt-claims": Status.PASSED,
                                "issuer": Status.PASSED, "validity": Status.NOT_APPLICABLE}
    assert (result.verification_method, result.controller) == (KID, DID)
    answer = result.result().to_dict()
    assert answer["verified"] is True and answer["errors"] == []


@pytest.mark.parametrize("text", [None, 7, "", "garbage", "a.b.c", "...", "e30.e30.e30",
                                  "x" * 5_000_000, {"id": "x"}])
def test_garbage_is_a_failed_result_never_an_exception(text):
    result = verify(text)
    assert not result.verified
    assert result.proof.status is Status.FAILED
    assert result.document is None
    json.dumps(result.result().to_dict())


def test_alg_none_is_refused():
    token = forge({"alg": "none", "kid": KID}, credential(DID), None) + b64(b"x")
    result = verify(token)
    assert problem_types(result.proof) == [pt.PROOF_VERIFICATION_ERROR]
    assert "never accepted" in result.proof.detail


def test_hs256_with_the_public_key_as_secret_is_refused():
    """The classic confusion: HMAC keyed with the issuer's public key, which anyone has."""
    from jwcrypto import jwk
    secret = jwk.JWK(kty="oct", k=b64(dumps(public(ED))))
    result = verify(forge(vc_header(alg="HS256"), credential(DID), secret))
    assert not result.verified and "'HS256' is not accepted" in result.proof.detail


@pytest.mark.parametrize("alg, key", [("ES256", P256), ("RS256", RSA)])
def test_an_algorithm_that_does_not_fit_the_named_key_is_refused(alg, key):
    result = verify(forge(vc_header(alg=alg), credential(DID), key))
    assert problem_types(result.proof) == [pt.PROOF_VERIFICATION_ERROR]
    assert "needs a" in result.proof.detail and result.binding.status is Status.NOT_CHECKED


def test_a_tampered_payload_does_not_verify():
    token = forge(vc_header(), credential(DID), ED)
    header, _, signature = token.split(".")
    tampered = f"{header}.{b64(dumps(credential(DID, name='Forged')))}.{signature}"
    result = verify(tampered)
    assert problem_types(result.proof) == [pt.CRYPTOGRAPHIC_SECURITY_ERROR]
    assert result.binding.status is Status.NOT_CHECKED
    assert not result.verified


def test_a_signature_by_another_key_does_not_verify():
    result = verify(forge(vc_header(), credential(DID), generate("EdDSA")))
    assert result.proof.status is Status.FAILED


def test_a_jwk_header_with_private_members_is_refused():
    token = forge(vc_header(kid=None, jwk=ED.export_private(as_dict=True)), credential(DID), ED)
    result = verify(token)
    assert problem_types(result.proof) == [pt.INVALID_VERIFICATION_METHOD]
    assert "private key members" in result.proof.detail


def test_critical_headers_are_refused():
    token = forge(vc_header(crit=["urn:x"], **{"urn:x": 1}), credential(DID), ED)
    assert "not understood" in verify(token).proof.detail


def test_a_credential_signed_by_someone_elses_key_fails_the_issuer_check():
    other = generate("EdDSA")
    token = forge(vc_header(kid=f"{did_key(other)}#{multikey_of(other)}"), credential(DID), other)
    result = verify(token)
    assert result.proof.status is Status.PASSED
    assert result.binding.status is Status.FAILED
    assert problem_types(result.binding) == [pt.ISSUER_KEY_MISMATCH]
    assert not result.verified


def test_a_key_not_listed_under_assertion_method_fails_the_issuer_check():
    document = controller_document(ISSUER, [jwk_method(ISSUER, P256)],
                                   relationship="authentication")
    token = forge(vc_header(alg="ES256", kid=f"{ISSUER}#key-1"), credential(), P256)
    result = verify_jws(token, now=NOW, resolve_controller=resolver(document))
    assert problem_types(result.binding) == [pt.INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD]
    assert not result.verified


def test_did_web_with_es256_and_rs256_keys():
    for alg, key, fragment in (("ES256", P256, "p256"), ("RS256", RSA, "rsa")):
        token = forge(vc_header(alg=alg, kid=f"{ISSUER}#{fragment}"), credential(), key)
        assert verify(token).verified


def test_an_unresolvable_kid_fails_the_proof_check():
    token = forge(vc_header(alg="ES256", kid="did:web:nowhere.example#k"),
                  credential("did:web:nowhere.example"), P256)
    result = verify(token)
    assert problem_types(result.proof) == [pt.INVALID_VERIFICATION_METHOD]
    assert "cannot resolve did:web:nowhere.example" in result.proof.detail


def test_a_jwk_header_key_is_the_issuers_only_when_the_issuer_lists_it():
    listed = forge(vc_header(alg="ES256", kid=None, jwk=public(P256)), credential(), P256)
    assert verify(listed).verified
    stranger = generate("ES256")
    unlisted = forge(vc_header(alg="ES256", kid=None, jwk=public(stranger)), credential(),
                     stranger)
    result = verify(unlisted)
    assert result.proof.status is Status.PASSED
    assert problem_types(result.binding) == [pt.ISSUER_KEY_MISMATCH]
    unknown = forge(vc_header(alg="ES256", kid=None, jwk=public(stranger)),
                    credential("https://unknown.example/issuer"), stranger)
    result = verify(unknown)
    assert result.binding.status is Status.NOT_CHECKED
    assert not result.verified  # the signer could be anyone


def test_claims_that_contradict_the_credential_fail_the_claims_check():
    result = verify(forge(vc_header(), {**credential(DID), "iss": "did:web:other"}, ED))
    assert result.proof.status is Status.PASSED
    assert result.claims_check.status is Status.FAILED
    assert not result.verified


def test_vc_and_vp_claims_in_a_vc_jose_cose_token_fail():
    result = verify(forge(vc_header(), {**credential(DID), "vc": "oops"}, ED))
    assert "MUST NOT be present" in result.claims_check.detail and not result.verified


def test_an_expired_token_fails_validity():
    expired = forge(vc_header(), {**credential(DID),
                                  "exp": int((NOW - timedelta(days=1)).timestamp())}, ED)
    result = verify(expired)
    assert problem_types(result.validity) == [pt.EXPIRED] and not result.verified
    early = forge(vc_header(), {**credential(DID),
                                "nbf": int((NOW + timedelta(days=1)).timestamp())}, ED)
    assert problem_types(verify(early).validity) == [pt.NOT_YET_VALID]


def test_a_presentation_is_bound_to_the_holder_by_an_authentication_key():
    holder = generate("EdDSA")
    holder_did = did_key(holder)
    presentation = {"@context": ["https://www.w3.org/ns/credentials/v2"],
                    "type": ["VerifiablePresentation"], "holder": holder_did}
    token = forge({"alg": "EdDSA", "kid": f"{holder_did}#{multikey_of(holder)}",
                   "typ": "vp+jwt"}, presentation, holder)
    result = verify(token, expect="vp")
    assert result.verified and result.binding.id == "holder"
    assert verify(token, expect="vc").proof.status is Status.FAILED

    holder_web = "did:web:holder.example"
    document = controller_document(holder_web, [jwk_method(holder_web, P256)])  # assertion only
    token = forge({"alg": "ES256", "kid": f"{holder_web}#key-1", "typ": "vp+jwt"},
                  {**presentation, "holder": holder_web}, P256)
    result = verify_jws(token, now=NOW, resolve_controller=resolver(document), expect="vp")
    assert "under authentication" in result.binding.detail and not result.verified


def test_an_ob_vc_jwt_and_a_vc_1_1_jwt_verify():
    ob = forge({"alg": "EdDSA", "kid": KID, "typ": "JWT"},
               {**credential(DID), "iss": DID, "jti": credential()["id"],
                "nbf": int(datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp())}, ED)
    assert verify(ob).verified and verify(ob).shape == "ob-3.0"
    inner = credential(DID)
    del inner["issuer"]
    vc11 = forge({"alg": "EdDSA", "kid": KID}, {"vc": inner, "iss": DID}, ED)
    result = verify(vc11)
    assert result.verified and result.shape == "vc-1.1"
    assert result.document["issuer"] == DID


def test_what_jwcrypto_signed_for_us_verifies_through_issue():
    token = issue.secure_credential(
        credential(ISSUER), signer=issue.JoseSigner(RSA, "RS256", f"{ISSUER}#rsa"), now=NOW)
    assert verify(token).verified
