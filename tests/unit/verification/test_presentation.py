"""verify_presentation: presentations signed here with real keys (eddsa-rdfc-2022,
Ed25519Signature2020, ecdsa-rdfc-2019, a vp+jwt), one scenario per thing that can be wrong."""

import copy

import nacl.signing
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from issuer.dataintegrity import eddsa_rdfc_2022, multikey, proofs
from issuer.dataintegrity.limits import CREDENTIAL_COUNT_LIMIT, ProcessingLimits
from issuer.vcjose import envelope
from issuer.vcjose.issue import JoseSigner, secure_credential, secure_presentation
from issuer.verification import problem_types as pt
from issuer.verification.presentation import (
    PresentationOptions,
    is_presentation,
    verify_presentation,
)
from issuer.verification.results import Status, Verdict
from issuer.verification.verifier import verify_credential
from tests.helpers import NOW
from tests.unit.verification.test_proof_check import public_of
from tests.unit.verification.test_verifier import ISSUER, VALID_FROM, sign, unsigned

V2 = "https://www.w3.org/ns/credentials/v2"
V1 = "https://www.w3.org/2018/credentials/v1"
ED25519_2020 = "https://w3id.org/security/suites/ed25519-2020/v1"
ISSUER_KEY = nacl.signing.SigningKey(b"\x07" * 32)
HOLDER_KEY = nacl.signing.SigningKey(b"\x21" * 32)
OTHER_KEY = nacl.signing.SigningKey(b"\x22" * 32)
P256 = ec.derive_private_key(0x5151, ec.SECP256R1())
CHALLENGE = "d436f0c8-fbd9-4e48-bbb2-55fc5d0920a8"
DOMAIN = "verifier.example.com"
ISSUER_DOCUMENT = multikey.controller_document(ISSUER, [public_of(ISSUER_KEY)])


def did_key(key):
    return multikey.did_key(public_of(key))


def vm(key):
    return multikey.did_key_verification_method(public_of(key))


@pytest.fixture(scope="module")
def credential():
    return sign(unsigned(), ISSUER_KEY)


def presentation(credentials, *, holder=None, context=V2):
    document = {"@context": [context], "type": ["VerifiablePresentation"],
                "id": "urn:uuid:3978344f-8596-4c3a-a978-8fcaba3903c5"}
    if holder:
        document["holder"] = holder
    if credentials is not None:
        document["verifiableCredential"] = copy.deepcopy(credentials)
    return document


def signed_vp(credentials, key=HOLDER_KEY, *, holder="auto", challenge=CHALLENGE,
              domain=DOMAIN, purpose="authentication"):
    holder = did_key(key) if holder == "auto" else holder
    return proofs.add_proof(presentation(credentials, holder=holder), signing_key=key,
                            verification_method=vm(key), created=VALID_FROM,
                            proof_purpose=purpose, challenge=challenge, domain=domain)


def verify_credential_here(document):
    return verify_credential(document, now=NOW, resolve_controller={ISSUER: ISSUER_DOCUMENT}.get)


def verify(document, **options):
    limits = options.pop("limits", None)
    extra = {"limits": limits} if limits else {}
    return verify_presentation(document, now=NOW, verify_credential=verify_credential_here,
                               options=PresentationOptions(**options), **extra)


def status(result, check_id):
    return result.presentation.check(check_id).status


def problem_types(result, check_id):
    return [p.type for p in result.presentation.check(check_id).problems]


def test_a_signed_presentation_with_challenge_and_domain_verifies(credential):
    result = verify(signed_vp([credential]), challenge=CHALLENGE, domain=DOMAIN)
    assert result.verified, result.to_dict()["errors"]
    assert result.verdict is Verdict.VERIFIED
    assert [c.id for c in result.checks] == [
        "presentation", "proof", "challenge", "domain", "holder", "credentials"]
    assert all(c.status is Status.PASSED for c in result.checks)
    answer = result.to_dict()
    assert answer["verified"] is True
    assert answer["credentialResults"][0]["verified"] is True
    assert answer["credentialResults"][0]["credentialId"] == credential["id"]
    assert answer["presentationResult"]["verdict"] == "verified"


def test_wrong_challenge_fails_the_challenge_check(credential):
    result = verify(signed_vp([credential]), challenge="another-challenge", domain=DOMAIN)
    assert not result.verified
    assert status(result, "challenge") is Status.FAILED
    assert problem_types(result, "challenge") == [pt.INVALID_CHALLENGE_ERROR]
    assert status(result, "domain") is Status.PASSED
    assert status(result, "proof") is Status.PASSED


def test_missing_challenge_when_one_is_asked_for_fails(credential):
    result = verify(signed_vp([credential], challenge=None), challenge=CHALLENGE)
    assert not result.verified
    assert problem_types(result, "challenge") == [pt.INVALID_CHALLENGE_ERROR]
    assert "has no challenge" in result.presentation.check("challenge").detail


def test_wrong_domain_fails_the_domain_check(credential):
    result = verify(signed_vp([credential]), challenge=CHALLENGE, domain="evil.example")
    assert not result.verified
    assert problem_types(result, "domain") == [pt.INVALID_DOMAIN_ERROR]


def test_replay_to_another_domain_fails(credential):
    """A presentation made for one verifier, handed to another with the same challenge."""
    made_for_a = signed_vp([credential], domain="a.example")
    result = verify(made_for_a, challenge=CHALLENGE, domain="b.example")
    assert not result.verified
    assert problem_types(result, "domain") == [pt.INVALID_DOMAIN_ERROR]
    # rewriting the domain in the proof breaks the signature instead
    forged = copy.deepcopy(made_for_a)
    forged["proof"][0]["domain"] = "b.example"
    result = verify(forged, challenge=CHALLENGE, domain="b.example")
    assert status(result, "domain") is Status.PASSED
    assert status(result, "proof") is Status.FAILED
    assert not result.verified


def test_a_domain_array_in_the_proof_is_accepted(credential):
    result = verify(signed_vp([credential], domain=["a.example", DOMAIN]), domain=DOMAIN,
                    challenge=CHALLENGE)
    assert result.verified, result.to_dict()["errors"]


def test_no_challenge_asked_is_a_warning_not_a_failure(credential):
    result = verify(signed_vp([credential]))
    assert result.verified
    assert status(result, "challenge") is Status.NOT_APPLICABLE
    assert any("replay" in w for w in result.to_dict()["warnings"])


def test_holder_not_the_signer_fails(credential):
    result = verify(signed_vp([credential], holder=did_key(OTHER_KEY)), challenge=CHALLENGE)
    assert not result.verified
    assert status(result, "proof") is Status.PASSED
    assert problem_types(result, "holder") == [pt.HOLDER_KEY_MISMATCH]


def test_holder_as_an_object_with_an_id(credential):
    document = signed_vp([credential], holder={"id": did_key(HOLDER_KEY)})
    assert verify(document, challenge=CHALLENGE).verified


def test_a_tampered_embedded_credential_fails_both_signatures(credential):
    document = signed_vp([credential])
    document["verifiableCredential"][0]["credentialSubject"]["achievement"]["name"] = "Forged"
    result = verify(document, challenge=CHALLENGE, domain=DOMAIN)
    assert not result.verified
    assert status(result, "proof") is Status.FAILED  # the holder signed the credential too
    assert status(result, "credentials") is Status.FAILED
    assert result.credentials[0].result.check("proof").status is Status.FAILED
    errors = result.to_dict()["errors"]
    assert any(e.get("credential") == 0 and e["check"] == "proof" for e in errors)


def test_a_credential_tampered_before_presenting_fails_only_the_credential(credential):
    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["achievement"]["name"] = "Forged"
    result = verify(signed_vp([credential, tampered]), challenge=CHALLENGE)
    assert not result.verified
    assert status(result, "proof") is Status.PASSED
    assert status(result, "credentials") is Status.FAILED
    assert [r.result.verified for r in result.credentials] == [True, False]
    assert "1 of 2 credentials not verified (credential 2)" in \
        result.presentation.check("credentials").detail


def test_an_assertion_method_proof_is_not_an_authentication(credential):
    result = verify(signed_vp([credential], purpose="assertionMethod"))
    assert status(result, "proof") is Status.FAILED
    assert "expected 'authentication'" in result.presentation.check("proof").detail


def test_unsigned_presentation_fails_unless_allowed(credential):
    document = presentation(credential)  # one credential, as an object
    refused = verify(document)
    assert not refused.verified
    assert problem_types(refused, "proof") == [pt.NO_PROOF]
    allowed = verify(document, allow_unsigned=True)
    assert allowed.verified, allowed.to_dict()["errors"]
    assert status(allowed, "proof") is Status.NOT_APPLICABLE
    assert status(allowed, "credentials") is Status.PASSED
    # an unsigned presentation cannot answer a challenge
    assert not verify(document, allow_unsigned=True, challenge=CHALLENGE).verified


def ed25519_2020(document, key, purpose, **options):
    options = {"type": "Ed25519Signature2020", "created": "2026-01-01T00:00:00Z",
               "verificationMethod": vm(key), "proofPurpose": purpose, **options}
    return {**document, "proof": eddsa_rdfc_2022.create_proof(document, options, key)}


def test_ed25519_signature_2020_presentation_as_learner_credential_wallet_signs():
    """VC 1.1 throughout, as LCW presents a VC 1.1 credential (a VC 2.0 credential cannot sit
    in a VC 1.1 presentation: its context redefines protected terms)."""
    vc11 = ed25519_2020({
        "@context": [V1, ED25519_2020], "type": ["VerifiableCredential"],
        "id": "urn:uuid:8b7ac5b2-7a8c-4bb9-9e05-b1b1d7e3d001", "issuer": did_key(ISSUER_KEY),
        "issuanceDate": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": did_key(HOLDER_KEY)}}, ISSUER_KEY, "assertionMethod")
    document = presentation([vc11], holder=did_key(HOLDER_KEY), context=V1)
    document["@context"] = [V1, ED25519_2020]
    result = verify(ed25519_2020(document, HOLDER_KEY, "authentication", challenge=CHALLENGE),
                    challenge=CHALLENGE)
    assert result.verified, result.to_dict()["errors"]
    assert "Ed25519Signature2020" in result.presentation.check("proof").detail
    assert result.credentials[0].result.verified


def test_ecdsa_rdfc_2019_presentation(credential):
    result = verify(signed_vp([credential], key=P256), challenge=CHALLENGE, domain=DOMAIN)
    assert result.verified, result.to_dict()["errors"]
    assert "ecdsa-rdfc-2019" in result.presentation.check("proof").detail


def jose(key):
    return JoseSigner.from_nacl(key, kid=vm(key))


def enveloped_vc(credential):
    issuer_signer = JoseSigner.from_nacl(ISSUER_KEY, kid=f"{ISSUER}#{public_of(ISSUER_KEY)}")
    unsigned_copy = proofs.unsecured(credential)
    return envelope.enveloped_credential(
        secure_credential(unsigned_copy, signer=issuer_signer, now=NOW))


def test_a_data_integrity_presentation_of_an_enveloped_credential(credential):
    result = verify(signed_vp([enveloped_vc(credential), credential]), challenge=CHALLENGE)
    assert result.verified, result.to_dict()["errors"]
    first = result.credentials[0]
    assert first.credential_id is None  # the data: URL is not an id worth showing
    assert "VC-JOSE-COSE" in first.result.check("proof").detail


def vp_jwt(credentials, key=HOLDER_KEY, *, holder="auto", challenge=CHALLENGE,
           domain=DOMAIN):
    holder = did_key(key) if holder == "auto" else holder
    return secure_presentation(presentation(credentials, holder=holder), signer=jose(key),
                               now=NOW, challenge=challenge, domain=domain)


def test_an_enveloped_presentation_verifies(credential):
    token = vp_jwt([enveloped_vc(credential)])
    for document in (envelope.enveloped_presentation(token), token):
        result = verify(document, challenge=CHALLENGE, domain=DOMAIN)
        assert result.verified, result.to_dict()["errors"]
        assert result.enveloped
        assert result.presentation.check("holder").status is Status.PASSED
        assert result.credentials[0].result.verified


def test_an_enveloped_presentation_needs_the_base_context(credential):
    document = envelope.enveloped_presentation(vp_jwt([enveloped_vc(credential)]))
    document["@context"] = ["https://www.w3.org/ns/credentials/examples/v2"]
    result = verify(document, challenge=CHALLENGE, domain=DOMAIN)
    assert not result.verified
    assert result.enveloped
    assert problem_types(result, "presentation") == [pt.PARSING_ERROR]
    assert result.credentials == ()


def test_an_enveloped_presentation_with_wrong_challenge_or_domain(credential):
    document = envelope.enveloped_presentation(vp_jwt([enveloped_vc(credential)]))
    wrong = verify(document, challenge="other", domain=DOMAIN)
    assert problem_types(wrong, "challenge") == [pt.INVALID_CHALLENGE_ERROR]
    assert not wrong.verified
    replay = verify(document, challenge=CHALLENGE, domain="b.example")
    assert problem_types(replay, "domain") == [pt.INVALID_DOMAIN_ERROR]
    assert not replay.verified
    none = verify(envelope.enveloped_presentation(
        vp_jwt([enveloped_vc(credential)], challenge=None)), challenge=CHALLENGE)
    assert problem_types(none, "challenge") == [pt.INVALID_CHALLENGE_ERROR]


def test_an_enveloped_presentation_signed_by_someone_else(credential):
    token = vp_jwt([enveloped_vc(credential)], key=OTHER_KEY, holder=did_key(HOLDER_KEY))
    result = verify(envelope.enveloped_presentation(token))
    assert not result.verified
    assert result.presentation.check("holder").status is Status.FAILED


def test_too_many_credentials_is_refused_before_any_work(credential):
    document = signed_vp([credential] * 3)
    result = verify(document, limits=ProcessingLimits(max_presentation_credentials=2))
    assert not result.verified
    assert problem_types(result, "presentation") == [CREDENTIAL_COUNT_LIMIT]
    assert status(result, "proof") is Status.NOT_CHECKED
    assert result.credentials == ()


@pytest.mark.parametrize("change, problem", [
    (lambda d: d.update({"type": ["Presentation"]}), pt.MALFORMED_VALUE_ERROR),
    (lambda d: d.update({"@context": ["https://example.org/ctx"]}), pt.PARSING_ERROR),
    (lambda d: d.update({"holder": 42}), pt.MALFORMED_VALUE_ERROR),
    (lambda d: d.update({"verifiableCredential": ["https://example.org/vc/1"]}),
     pt.MALFORMED_VALUE_ERROR),
    (lambda d: d.update({"nickname": "x"}), pt.UNDEFINED_TERM),
], ids=["type", "context", "holder", "credential-url", "undefined-term"])
def test_malformed_presentations(credential, change, problem):
    document = presentation([credential], holder=did_key(HOLDER_KEY))
    change(document)
    result = verify(document, allow_unsigned=True)
    assert not result.verified
    assert problem_types(result, "presentation") == [problem]


def test_is_presentation(credential):
    assert is_presentation(signed_vp([credential]))
    assert is_presentation(envelope.enveloped_presentation("a.b.c"))
    assert not is_presentation(credential)
    assert not is_presentation("not a jws")


def test_ed25519_signature_2020_over_a_vc_2_presentation_of_an_open_badge(credential):
    """The VC 2.0 shape: an Open Badge 3.0 credential in a presentation whose @context adds
    the Ed25519Signature2020 suite's."""
    document = presentation([credential], holder=did_key(HOLDER_KEY))
    document["@context"] = [V2, ED25519_2020]
    signed = ed25519_2020(document, HOLDER_KEY, "authentication", challenge=CHALLENGE)
    result = verify(signed, challenge=CHALLENGE)
    assert result.verified, result.to_dict()["errors"]
    tampered = copy.deepcopy(signed)
    tampered["proof"]["challenge"] = "another"
    assert verify(tampered, challenge="another").presentation.check("proof").failed
