"""The `proof` check over proof sets, proof chains and ecdsa-rdfc-2019 proofs: every proof's
outcome is reported, and the check passes only when none failed and one verified."""

import copy

import nacl.signing
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from issuer.dataintegrity import ecdsa_rdfc_2019, multikey, proofs
from issuer.dataintegrity.document_loader import StaticDocumentLoader
from issuer.openbadges.credential import Profile
from issuer.verification import problem_types as pt
from issuer.verification.results import Status
from issuer.verification.verifier import verify_credential
from tests.helpers import EXAMPLES_CONTEXT_URL, NOW, PROOF_SET_CHAIN, W3C, W3C_ECDSA, load_json
from tests.unit.verification.test_verifier import ISSUER, VALID_FROM, unsigned

LOADER = StaticDocumentLoader({EXAMPLES_CONTEXT_URL: load_json(W3C / "credentials-examples-v2.jsonld")})
ED = nacl.signing.SigningKey(b"\x11" * 32)
P256 = ec.derive_private_key(0x1234567890ABCDEF, ec.SECP256R1())
P384 = ec.derive_private_key(0xFEDCBA0987654321, ec.SECP384R1())


def public_of(key):
    if isinstance(key, nacl.signing.SigningKey):
        return multikey.encode_public_key(bytes(key.verify_key))
    return multikey.encode_multikey(ecdsa_rdfc_2019.public_multikey(key))


CONTROLLER = multikey.controller_document(ISSUER, [public_of(k) for k in (ED, P256, P384)])


def sign(document, key, **options):
    return proofs.add_proof(document, signing_key=key, created=VALID_FROM,
                            verification_method=f"{ISSUER}#{public_of(key)}", **options)


def verify(document, loader=None):
    return verify_credential(document, now=NOW, resolve_controller={ISSUER: CONTROLLER}.get,
                             **({"loader": loader} if loader else {}))


@pytest.mark.parametrize("key", [P256, P384], ids=["P-256", "P-384"])
def test_an_open_badge_signed_with_ecdsa_rdfc_2019_verifies(key):
    result = verify(sign(unsigned(), key))
    assert result.verified, result.to_dict()["errors"]
    assert result.check("proof").detail == "signature valid (ecdsa-rdfc-2019)"
    assert result.check("issuer").status is Status.PASSED


def test_a_did_key_p256_issuer_verifies_without_any_document():
    did = "did:key:" + public_of(P256)
    document = unsigned(issuer=Profile(id=did, name="Example Community", url="https://example.org"))
    signed = proofs.add_proof(document, signing_key=P256, created=VALID_FROM,
                              verification_method=multikey.did_key_verification_method(public_of(P256)))
    result = verify_credential(signed, now=NOW)
    assert result.verified, result.to_dict()["errors"]
    assert result.all_warnings == ()


@pytest.mark.parametrize("curve", ["p256", "p384"])
def test_the_w3c_ecdsa_vectors_pass_the_proof_check(curve):
    document = load_json(W3C_ECDSA / f"ecdsa-rdfc-2019-{curve}" / f"signedECDSA{curve.upper()}.json")
    result = verify_credential(document, now=NOW, loader=LOADER)
    assert result.check("proof").status is Status.PASSED, result.check("proof").detail
    # an https issuer, a did:key signer: not the issuer's key
    assert result.check("issuer").status is Status.FAILED


def test_a_tampered_ecdsa_credential_fails():
    signed = sign(unsigned(), P384)
    signed["credentialSubject"]["achievement"]["name"] = "Last Post"
    check = verify(signed).check("proof")
    assert check.status is Status.FAILED
    assert check.problems[0].type == pt.CRYPTOGRAPHIC_SECURITY_ERROR


def test_a_set_of_three_suites_verifies_and_names_each_proof():
    signed = sign(sign(sign(unsigned(), ED), P256), P384)
    result = verify(signed)
    assert result.verified
    detail = result.check("proof").detail
    assert detail.startswith("3 of 3 proofs verified (ecdsa-rdfc-2019, eddsa-rdfc-2022)")
    assert "proof 1 (eddsa-rdfc-2022): verified" in detail
    assert "proof 3 (ecdsa-rdfc-2019): verified" in detail


def test_a_set_with_one_bad_eddsa_proof_fails():
    signed = sign(sign(unsigned(), P256), ED)
    signed["proof"][1]["proofValue"] = signed["proof"][1]["proofValue"][:-2] + "11"
    result = verify(signed)
    assert not result.verified
    check = result.check("proof")
    assert check.status is Status.FAILED
    assert check.detail.startswith("1 of 2 proofs failed")
    assert "proof 1 (ecdsa-rdfc-2019): verified" in check.detail
    assert "proof 2 (eddsa-rdfc-2022): the signature does not match" in check.detail
    assert [p.type for p in check.problems] == [pt.CRYPTOGRAPHIC_SECURITY_ERROR]


def test_an_unsupported_proof_in_a_set_is_a_warning():
    signed = sign(unsigned(), ED)
    signed["proof"].append({"type": "BbsBlsSignature2020", "proofValue": "z1"})
    result = verify(signed)
    assert result.verified
    check = result.check("proof")
    assert check.detail.startswith("1 of 2 proofs verified")
    assert check.warnings == ("proof 2 (BbsBlsSignature2020): not checked: "
                              "'BbsBlsSignature2020' proofs are not supported",)


def test_only_unsupported_proofs_are_not_checked_and_not_verified():
    signed = sign(unsigned(), ED)
    signed["proof"][0]["cryptosuite"] = "bbs-2023"
    result = verify(signed)
    assert not result.verified
    assert result.check("proof").status is Status.NOT_CHECKED


def test_a_chain_verifies_in_order():
    first = sign(unsigned(), ED, proof_id="urn:uuid:00000000-0000-4000-8000-000000000001")
    chained = sign(first, P256, proof_id="urn:uuid:00000000-0000-4000-8000-000000000002",
                   previous_proof="urn:uuid:00000000-0000-4000-8000-000000000001")
    chained = sign(chained, P384, previous_proof=["urn:uuid:00000000-0000-4000-8000-000000000002"])
    result = verify(chained)
    assert result.verified, result.to_dict()["errors"]
    assert "proof 3 (ecdsa-rdfc-2019, chained to urn:uuid:00000000-0000-4000-8000-000000000002)" \
        ": verified" in result.check("proof").detail


def test_a_chain_naming_a_missing_proof_is_refused_with_proof_verification_error():
    first = sign(unsigned(), ED, proof_id="urn:uuid:00000000-0000-4000-8000-000000000001")
    chained = sign(first, P256, previous_proof="urn:uuid:00000000-0000-4000-8000-000000000001")
    del chained["proof"][0]
    check = verify(chained).check("proof")
    assert check.status is Status.FAILED
    assert [p.type for p in check.problems] == [pt.PROOF_VERIFICATION_ERROR]
    assert "previousProof names no proof" in check.problems[0].detail


def test_a_chain_whose_previous_proof_is_invalid_is_refused():
    first = sign(unsigned(), ED, proof_id="urn:uuid:00000000-0000-4000-8000-000000000001")
    broken = copy.deepcopy(first)
    broken["proof"][0]["created"] = "2020-01-01T00:00:00Z"  # proof 1 no longer verifies
    chained = sign(broken, P256, previous_proof="urn:uuid:00000000-0000-4000-8000-000000000001")
    check = verify(chained).check("proof")
    assert check.status is Status.FAILED
    assert [p.type for p in check.problems] == [pt.CRYPTOGRAPHIC_SECURITY_ERROR,
                                                pt.PROOF_VERIFICATION_ERROR]
    assert "its previous proof, proof 1" in check.problems[1].detail


def test_the_w3c_proof_chain_passes_the_proof_check():
    document = load_json(PROOF_SET_CHAIN / "signedProofChain2.json")
    check = verify_credential(document, now=NOW, loader=LOADER).check("proof")
    assert check.status is Status.PASSED
    assert check.detail.startswith("4 of 4 proofs verified")


def test_a_key_the_controller_does_not_publish_fails_with_invalid_verification_method():
    stranger = ec.derive_private_key(99, ec.SECP256R1())
    signed = sign(unsigned(), stranger)
    check = verify(signed).check("proof")
    assert check.status is Status.FAILED
    assert check.problems[0].type == pt.INVALID_VERIFICATION_METHOD


def test_the_problem_catalog_names_every_data_integrity_processing_error():
    from issuer.dataintegrity import processing_errors as di
    for name in ("PROOF_GENERATION_ERROR", "PROOF_VERIFICATION_ERROR", "PROOF_TRANSFORMATION_ERROR",
                 "INVALID_DOMAIN_ERROR", "INVALID_CHALLENGE_ERROR"):
        assert getattr(pt, name) == getattr(di, name) == "https://w3id.org/security#" + name


def test_a_chain_with_a_witness_proof_is_bound_to_the_issuer_by_the_issuers_own_proof():
    """Data Integrity §4.6: a proof by someone else (here a did:key witness, first in the
    chain) does not unbind the issuer, whose own proof covers it."""
    witness = nacl.signing.SigningKey(b"\x22" * 32)
    witness_did = f"did:key:{public_of(witness)}"
    first = proofs.add_proof(unsigned(), signing_key=witness, created=VALID_FROM,
                             verification_method=f"{witness_did}#{public_of(witness)}",
                             proof_id="urn:uuid:00000000-0000-4000-8000-00000000000a")
    chained = sign(first, ED, previous_proof="urn:uuid:00000000-0000-4000-8000-00000000000a")
    result = verify(chained)
    assert result.verified, result.to_dict()["errors"]
    assert result.check("issuer").detail == \
        f"signed with a key of the issuer {ISSUER} (also signed by {witness_did})"
    # the witness alone does not make it the issuer's
    alone = verify(first).check("issuer")
    assert alone.status is Status.FAILED
    assert [p.type for p in alone.problems] == [pt.ISSUER_KEY_MISMATCH]
