"""The JWT claims set: the three shapes, and the claims agreeing with the document."""

from datetime import datetime, timedelta, timezone

import pytest

from issuer.vcjose import claims
from issuer.vcjose.compact import HeaderInfo
from issuer.verification import problem_types as pt
from issuer.verification.results import Status
from tests.jose_helpers import ISSUER, credential

VC_JOSE_COSE = HeaderInfo("EdDSA", "vc", True)
VP_JOSE_COSE = HeaderInfo("EdDSA", "vp", True)
JWT = HeaderInfo("RS256", None, False)
NBF = int(datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp())
OB = {**credential(), "type": ["VerifiableCredential", "OpenBadgeCredential"]}


def details(reading):
    return " | ".join(problem.detail for problem in reading.problems)


def test_vc_jose_cose_payload_is_the_credential_without_the_jwt_claims():
    reading = claims.interpret({**credential(), "iss": ISSUER, "iat": 1}, VC_JOSE_COSE)
    assert (reading.kind, reading.shape, reading.subject_id) == ("vc", "vc-jose-cose", ISSUER)
    assert reading.document == credential()
    assert reading.claims == {"iss": ISSUER, "iat": 1}
    assert not reading.problems


@pytest.mark.parametrize("nested", [{"vc": {}}, {"vp": "nooo"}, {"vc": "oops", "vp": "x"}])
def test_vc_and_vp_claims_must_not_be_in_a_vc_jose_cose_token(nested):
    reading = claims.interpret({**credential(), **nested}, VC_JOSE_COSE)
    assert "MUST NOT be present" in details(reading)


@pytest.mark.parametrize("payload, message", [
    ({**credential(), "iss": "did:web:someone.else"}, "iss claim (did:web:someone.else) does "
                                                      "not match issuer"),
    ({**credential(issuer={"id": ISSUER, "name": "X"}), "iss": "did:web:x"},
     "does not match issuer"),
    ({**credential(), "jti": "urn:uuid:other"}, "jti claim (urn:uuid:other) does not match id"),
    ({**credential(), "sub": "did:example:bob"}, "sub claim (did:example:bob) does not match "
                                                 "credentialSubject.id (did:example:ann)"),
    ({**credential(), "iss": 5}, "iss claim must be a string"),
    ({**credential(), "sub": ["x"]}, "sub claim must be a string"),
])
def test_claims_that_contradict_the_credential_fail(payload, message):
    for info in (VC_JOSE_COSE, JWT):
        assert message in details(claims.interpret(payload, info))


def test_an_issuer_object_id_matches_iss():
    reading = claims.interpret({**credential(issuer={"id": ISSUER}), "iss": ISSUER}, JWT)
    assert not reading.problems


def test_ob_shape_nbf_and_exp_must_equal_valid_from_and_until():
    good = {**OB, "validUntil": "2027-01-01T00:00:00Z", "iss": ISSUER, "nbf": NBF,
            "exp": int(datetime(2027, 1, 1, tzinfo=timezone.utc).timestamp()),
            "jti": OB["id"], "sub": "did:example:ann"}
    reading = claims.interpret(good, JWT)
    assert (reading.shape, reading.problems, reading.warnings) == ("ob-3.0", (), ())
    assert "nbf claim (2026-01-01T00:00:01Z) does not match validFrom" in details(
        claims.interpret({**good, "nbf": NBF + 1}, JWT))
    assert "exp claim" in details(claims.interpret({**good, "exp": NBF}, JWT))


def test_in_vc_jose_cose_nbf_and_exp_belong_to_the_signature():
    reading = claims.interpret({**credential(), "nbf": NBF - 100, "exp": NBF + 10**9},
                               VC_JOSE_COSE)
    assert not reading.problems


def test_an_open_badge_missing_ob_claims_is_warned_about():
    reading = claims.interpret({**OB, "iss": ISSUER}, JWT)
    assert reading.warnings == ("OB 3.0 §8.2.3 asks for the claims jti, nbf, sub, which are "
                                "missing",)
    assert not reading.problems


@pytest.mark.parametrize("value", ["2026-01-01T00:00:00Z", True, None, float("inf"), 10**20])
def test_nbf_must_be_a_numeric_date(value):
    reading = claims.interpret({**OB, "nbf": value}, JWT)
    assert "nbf claim is" in details(reading)


def test_an_iat_that_is_not_a_numeric_date_is_only_a_warning():
    # the W3C vc-jose-cose test suite's own inputs carry "iat": "2010-01-01T19:23:24Z"
    reading = claims.interpret({**credential(), "iat": "2010-01-01T19:23:24Z"}, VC_JOSE_COSE)
    assert not reading.problems
    assert reading.warnings == ("the iat claim is not a NumericDate; ignored",)


def test_vc_1_1_claims_fill_in_what_the_vc_claim_leaves_out():
    inner = {"@context": ["https://www.w3.org/2018/credentials/v1"],
             "type": ["VerifiableCredential"], "credentialSubject": {"name": "Ann"}}
    payload = {"vc": inner, "iss": ISSUER, "jti": "urn:uuid:1", "sub": "did:example:ann",
               "nbf": NBF, "exp": NBF + 86400}
    reading = claims.interpret(payload, JWT)
    assert (reading.shape, reading.kind, reading.problems) == ("vc-1.1", "vc", ())
    assert reading.document == {**inner, "issuer": ISSUER, "id": "urn:uuid:1",
                                "credentialSubject": {"id": "did:example:ann", "name": "Ann"},
                                "issuanceDate": "2026-01-01T00:00:00Z",
                                "expirationDate": "2026-01-02T00:00:00Z"}
    assert inner == {"@context": ["https://www.w3.org/2018/credentials/v1"],
                     "type": ["VerifiableCredential"], "credentialSubject": {"name": "Ann"}}


def test_vc_1_1_claims_must_agree_with_what_the_vc_claim_has():
    reading = claims.interpret({"vc": credential(), "iss": "did:web:other"}, JWT)
    assert "does not match issuer" in details(reading)


@pytest.mark.parametrize("payload", [{"vc": "text"}, {"vc": {}, "vp": {}}])
def test_a_vc_1_1_token_carries_one_object(payload):
    assert "one vc or vp claim" in details(claims.interpret(payload, JWT))


def test_the_header_and_the_payload_must_agree_on_the_kind():
    reading = claims.interpret({"vp": {"type": ["VerifiablePresentation"]}},
                               HeaderInfo("EdDSA", "vc", False))
    assert "header says vc but the payload has a vp claim" in details(reading)


def test_a_presentation_where_a_credential_is_expected():
    payload = {"@context": ["https://www.w3.org/ns/credentials/v2"],
               "type": ["VerifiablePresentation"]}
    reading = claims.interpret(payload, JWT, expect="vc")
    assert reading.kind == "vp"
    assert "presentation where a credential was expected" in details(reading)


PRESENTATION = {"@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiablePresentation"], "holder": "did:example:ann"}


def test_a_presentation_with_the_right_nonce_and_audience():
    payload = {**PRESENTATION, "iss": "did:example:ann", "nonce": "n-1",
               "aud": ["https://verifier.example", "other"]}
    reading = claims.interpret(payload, VP_JOSE_COSE, challenge="n-1",
                               domain="https://verifier.example")
    assert (reading.kind, reading.subject_id, reading.problems) == ("vp", "did:example:ann", ())


@pytest.mark.parametrize("extra, problem_type, message", [
    ({"nonce": "n-2", "aud": "d"}, pt.INVALID_CHALLENGE_ERROR, "does not match the challenge"),
    ({"aud": "d"}, pt.INVALID_CHALLENGE_ERROR, "has no nonce"),
    ({"nonce": "n-1", "aud": "elsewhere"}, pt.INVALID_DOMAIN_ERROR, "does not include the domain"),
    ({"nonce": "n-1"}, pt.INVALID_DOMAIN_ERROR, "has no aud"),
    ({"nonce": "n-1", "aud": "d", "iss": "did:example:bob"}, pt.INVALID_JWT,
     "does not match holder"),
])
def test_a_presentation_for_another_challenge_or_domain_fails(extra, problem_type, message):
    reading = claims.interpret({**PRESENTATION, **extra}, VP_JOSE_COSE, challenge="n-1",
                               domain="d")
    assert [p.type for p in reading.problems] == [problem_type]
    assert message in details(reading)


def test_vc_1_1_presentation_claims_fill_in_the_holder():
    reading = claims.interpret({"vp": {"type": ["VerifiablePresentation"]},
                                "iss": "did:example:ann"}, JWT)
    assert reading.document["holder"] == "did:example:ann"
    assert reading.subject_id == "did:example:ann"


NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)
SKEW = timedelta(minutes=5)


@pytest.mark.parametrize("claim_set, status, problem_type", [
    ({}, Status.NOT_APPLICABLE, None),
    ({"exp": NOW.timestamp() + 3600}, Status.PASSED, None),
    ({"exp": NOW.timestamp() - 60}, Status.PASSED, None),  # within the clock skew
    ({"exp": NOW.timestamp() - 3600}, Status.FAILED, pt.EXPIRED),
    ({"nbf": NOW.timestamp() + 60}, Status.PASSED, None),
    ({"nbf": NOW.timestamp() + 3600}, Status.FAILED, pt.NOT_YET_VALID),
    ({"exp": "tomorrow"}, Status.NOT_CHECKED, None),
])
def test_time_claims(claim_set, status, problem_type):
    result = claims.time_check(claim_set, now=NOW, clock_skew=SKEW)
    assert result.status is status
    assert [p.type for p in result.problems] == ([problem_type] if problem_type else [])
