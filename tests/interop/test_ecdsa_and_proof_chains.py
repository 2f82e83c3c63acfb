"""Interop with Digital Bazaar for ecdsa-rdfc-2019 (P-256, P-384) and for proof sets and chains.

DB's pinned stack (@digitalbazaar/ecdsa-rdfc-2019-cryptosuite 1.3.0 + ecdsa-multikey 1.8.0)
signs with P-256 and P-384 keys and we verify, and the other way round. For chains, the pinned
jsonld-signatures / data-integrity know no ``previousProof`` (they check a link over the bare
document, so a link fails there): the harness's "verifyProofs" and chain signing apply the W3C
algorithms and leave canonicalization, hashing and signatures to DB (tests/interop/README.md).
"""

from __future__ import annotations

import copy
from datetime import datetime, timezone

import nacl.signing
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from issuer.dataintegrity import ecdsa_rdfc_2019, multikey, proofs
from issuer.verification.results import Status
from issuer.verification.verifier import verify_credential
from tests.helpers import EXAMPLES_CONTEXT_URL, NOW, PROOF_SET_CHAIN, W3C, W3C_ECDSA, load_json
from tests.interop.test_digitalbazaar import realistic

pytestmark = pytest.mark.interop

CREATED = datetime(2026, 5, 1, 12, 0, 0, tzinfo=timezone.utc)
NOW_TEXT = NOW.strftime("%Y-%m-%dT%H:%M:%SZ")
ISSUER = "did:web:badges.example.org"
ED = nacl.signing.SigningKey(b"\x2b" * 32)
CURVES = {"P-256": ec.derive_private_key(0x5EED256, ec.SECP256R1()),
          "P-384": ec.derive_private_key(0x5EED384, ec.SECP384R1())}
EXAMPLES = {EXAMPLES_CONTEXT_URL: load_json(W3C / "credentials-examples-v2.jsonld")}
CITIZENSHIP = {"https://w3id.org/citizenship/v4rc1": load_json(W3C_ECDSA / "citizenship-v4rc1.jsonld")}


def material(key):
    """(publicKeyMultibase, secretKeyMultibase, cryptosuite) of a key."""
    if isinstance(key, nacl.signing.SigningKey):
        return (multikey.encode_public_key(bytes(key.verify_key)),
                multikey.encode_secret_key(bytes(key)), "eddsa-rdfc-2022")
    public = ecdsa_rdfc_2019.public_multikey(key)
    secret = key.private_numbers().private_value.to_bytes(len(public.key) - 1, "big")
    return (multikey.encode_multikey(public), multikey.encode_secret_multikey(public.algorithm, secret),
            "ecdsa-rdfc-2019")


CONTROLLER = multikey.controller_document(ISSUER, [material(k)[0] for k in (ED, *CURVES.values())])


def vm(key):
    return f"{ISSUER}#{material(key)[0]}"


def ours(document, key, **options):
    return proofs.add_proof(document, signing_key=key, verification_method=vm(key),
                            created=CREATED, **options)


def theirs(dbvc, document, key, **options):
    public, secret, cryptosuite = material(key)
    response = dbvc({"op": "sign", "credential": document, "publicKeyMultibase": public,
                     "secretKeyMultibase": secret, "verificationMethod": vm(key),
                     "controller": ISSUER, "date": "2026-05-01T12:00:00Z",
                     "cryptosuite": cryptosuite, **options})
    assert response.get("signed"), response
    return response["signed"]


def verify_here(document):
    return verify_credential(document, now=NOW, resolve_controller={ISSUER: CONTROLLER}.get)


def verify_there(dbvc, document, op="verify", **options):
    return dbvc({"op": op, "credential": document, "now": NOW_TEXT,
                 "documents": {ISSUER: CONTROLLER}, **options})


# --- ecdsa-rdfc-2019 ---------------------------------------------------------------------------

@pytest.mark.parametrize("curve", ["p256", "p384"])
@pytest.mark.parametrize("folder", ["", "employ/"])
def test_they_verify_the_w3c_ecdsa_vectors(dbvc, curve, folder):
    document = load_json(W3C_ECDSA / f"ecdsa-rdfc-2019-{curve}" / folder /
                         f"signedECDSA{curve.upper()}.json")
    response = dbvc({"op": "verify", "credential": document, "requireIssuerMatch": False,
                     "documents": EXAMPLES | CITIZENSHIP, "now": "2024-01-01T00:00:00Z"})
    assert response["verified"] is True, response["error"]


@pytest.mark.parametrize("curve", CURVES)
def test_they_sign_with_p_curves_and_we_verify(dbvc, curve):
    signed = theirs(dbvc, realistic(ISSUER), CURVES[curve])
    proof = signed["proof"]
    assert proof["cryptosuite"] == "ecdsa-rdfc-2019"
    assert len(multikey.multibase_decode(proof["proofValue"])) == {"P-256": 64, "P-384": 96}[curve]
    result = verify_here(signed)
    assert result.verified, result.to_dict()["errors"]
    assert result.check("proof").detail == "signature valid (ecdsa-rdfc-2019)"


@pytest.mark.parametrize("curve", CURVES)
def test_their_tampered_p_curve_credentials_fail_here(dbvc, curve):
    signed = theirs(dbvc, realistic(ISSUER), CURVES[curve])
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["name"] = "Research Lead"
    assert verify_here(tampered).check("proof").status is Status.FAILED
    forged = copy.deepcopy(signed)
    value = multikey.multibase_decode(forged["proof"]["proofValue"])
    forged["proof"]["proofValue"] = multikey.multibase_encode(value[:-1] + bytes([value[-1] ^ 1]))
    assert verify_here(forged).check("proof").status is Status.FAILED
    assert verify_there(dbvc, tampered)["verified"] is False  # and there


@pytest.mark.parametrize("curve", CURVES)
def test_we_sign_with_p_curves_and_they_verify(dbvc, curve):
    signed = ours(realistic(ISSUER), CURVES[curve])
    response = verify_there(dbvc, signed)
    assert response["verified"] is True, response["error"]
    assert [p["cryptosuite"] for p in response["proofs"]] == ["ecdsa-rdfc-2019"]


@pytest.mark.parametrize("curve", CURVES)
def test_a_did_key_p_curve_credential_verifies_both_ways(dbvc, curve):
    public = material(CURVES[curve])[0]
    did = multikey.did_key(public)
    signed = proofs.add_proof(realistic(did), signing_key=CURVES[curve], created=CREATED,
                              verification_method=multikey.did_key_verification_method(public))
    assert dbvc({"op": "verify", "credential": signed, "now": NOW_TEXT})["verified"] is True
    assert verify_credential(signed, now=NOW).verified


# --- proof sets --------------------------------------------------------------------------------

def test_our_set_of_three_suites_verifies_there_proof_by_proof(dbvc):
    signed = ours(ours(ours(realistic(ISSUER), ED), CURVES["P-256"]), CURVES["P-384"])
    response = verify_there(dbvc, signed)
    assert response["verified"] is True, response["error"]
    assert [p["verified"] for p in response["proofs"]] == [True, True, True]


def test_their_set_verifies_here(dbvc):
    signed = theirs(dbvc, theirs(dbvc, realistic(ISSUER), ED), CURVES["P-384"])
    assert [p["cryptosuite"] for p in signed["proof"]] == ["eddsa-rdfc-2022", "ecdsa-rdfc-2019"]
    result = verify_here(signed)
    assert result.verified, result.to_dict()["errors"]
    assert result.check("proof").detail.startswith("2 of 2 proofs verified")
    # Ed25519 is deterministic: their set member is ours byte for byte
    assert ours(realistic(ISSUER), ED)["proof"][0] == signed["proof"][0]


def test_a_set_with_one_bad_proof_fails_here_though_they_accept_it(dbvc):
    signed = ours(ours(realistic(ISSUER), CURVES["P-256"]), ED)
    signed["proof"][1]["created"] = "2026-05-01T12:00:01Z"
    there = verify_there(dbvc, signed)
    # jsonld-signatures: verified when SOME proof verifies; its per-proof list shows the bad one
    assert there["verified"] is True
    assert {p["cryptosuite"]: p["verified"] for p in there["proofs"]} == {
        "ecdsa-rdfc-2019": True, "eddsa-rdfc-2022": False}
    assert verify_there(dbvc, signed, op="verifyProofs")["verified"] is False
    here = verify_here(signed)
    assert not here.verified
    assert "1 of 2 proofs failed" in here.check("proof").detail


# --- proof chains ------------------------------------------------------------------------------

def chain_ids():
    return ("urn:uuid:7a1d0c7e-0000-4000-8000-000000000001",
            "urn:uuid:7a1d0c7e-0000-4000-8000-000000000002")


def test_our_chain_verifies_there_with_the_chain_algorithm(dbvc):
    first, second = chain_ids()
    signed = ours(ours(realistic(ISSUER), ED, proof_id=first), CURVES["P-256"], proof_id=second)
    chain = ours(signed, CURVES["P-384"], previous_proof=[first, second])
    response = verify_there(dbvc, chain, op="verifyProofs")
    assert response["verified"] is True, response
    # DB's own verifier checks the link over the bare document, where it cannot verify
    stock = verify_there(dbvc, chain)
    assert sorted(p["verified"] for p in stock["proofs"]) == [False, True, True]
    assert [p["verificationMethod"] for p in stock["proofs"] if not p["verified"]] == [
        vm(CURVES["P-384"])]


def test_their_chain_link_is_ours_and_verifies_here(dbvc):
    first, _ = chain_ids()
    base = ours(realistic(ISSUER), CURVES["P-256"], proof_id=first)
    signed = theirs(dbvc, base, ED, previousProof=first)
    assert signed["proof"][1]["previousProof"] == first
    result = verify_here(signed)
    assert result.verified, result.to_dict()["errors"]
    assert "chained to " + first + "): verified" in result.check("proof").detail
    # Ed25519 is deterministic: the link they made is the one we make
    assert ours(base, ED, previous_proof=first)["proof"][1] == signed["proof"][1]


def test_the_w3c_chain_verifies_there(dbvc):
    document = load_json(PROOF_SET_CHAIN / "signedProofChain2.json")
    response = dbvc({"op": "verifyProofs", "credential": document, "requireIssuerMatch": False,
                     "documents": EXAMPLES})
    assert response["verified"] is True, response


def test_a_chain_whose_previous_proof_is_missing_fails_both_ways(dbvc):
    first, _ = chain_ids()
    chain = ours(ours(realistic(ISSUER), ED, proof_id=first), CURVES["P-256"], previous_proof=first)
    del chain["proof"][0]
    there = verify_there(dbvc, chain, op="verifyProofs")
    assert there["verified"] is False and "previousProof names no proof" in there["proofs"][0]["error"]
    here = verify_here(chain).check("proof")
    assert here.status is Status.FAILED
    assert here.problems[0].type.endswith("#PROOF_VERIFICATION_ERROR")
