"""ecdsa-rdfc-2019: the W3C vc-di-ecdsa test vectors (P-256 and P-384), step by step."""

import copy

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from issuer.dataintegrity import ecdsa_rdfc_2019 as suite
from issuer.dataintegrity import multikey, proofs
from issuer.dataintegrity.canonicalize import canonicalize
from issuer.dataintegrity.document_loader import StaticDocumentLoader
from issuer.dataintegrity.processing_errors import PROOF_TRANSFORMATION_ERROR, ProofError
from issuer.dataintegrity.limits import BLANK_NODE_HASHING_LIMIT, ProcessingLimits
from issuer.errors import InputTooComplex
from tests.helpers import EXAMPLES_CONTEXT_URL, W3C, W3C_ECDSA, load_json

LOADER = StaticDocumentLoader({
    EXAMPLES_CONTEXT_URL: load_json(W3C / "credentials-examples-v2.jsonld"),
    "https://w3id.org/citizenship/v4rc1": load_json(W3C_ECDSA / "citizenship-v4rc1.jsonld"),
})
# (curve, folder, file suffix): the alumni credential, and the "employ" one with blank nodes
VECTORS = [(curve, folder) for curve in ("P256", "P384") for folder in ("", "employ/")]


def text(curve, folder, name):
    return (W3C_ECDSA / f"ecdsa-rdfc-2019-{curve.lower()}" / folder / f"{name}ECDSA{curve}.txt"
            ).read_text("utf-8")


def signed(curve, folder):
    return load_json(W3C_ECDSA / f"ecdsa-rdfc-2019-{curve.lower()}" / folder / f"signedECDSA{curve}.json")


def key_pair(curve):
    pair = load_json(W3C_ECDSA / f"{curve.lower()}KeyPair.json")
    private = suite.private_key_from(*multikey.decode_secret_multikey(pair["secretKeyMultibase"]))
    return pair, multikey.decode_multikey(pair["publicKeyMultibase"]), private


@pytest.mark.parametrize("curve,folder", VECTORS)
def test_vector_step_by_step(curve, folder):
    document = signed(curve, folder)
    proof = document.pop("proof")
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    public = multikey.decode_multikey(proof["verificationMethod"].split("#")[1])
    curve_ = suite.curve_of(public)
    assert curve_.name == {"P256": "P-256", "P384": "P-384"}[curve]

    transformed = suite.transformation(document, options, curve=curve_, loader=LOADER)
    assert transformed == text(curve, folder, "canonDoc")
    assert curve_.digest(transformed).hex() == text(curve, folder, "docHash").strip()
    proof_config = suite.proof_configuration(document, options, curve=curve_, loader=LOADER)
    assert proof_config == text(curve, folder, "proofCanon")
    assert curve_.digest(proof_config).hex() == text(curve, folder, "proofHash").strip()
    hash_data = suite.hashing(transformed, proof_config, curve=curve_)
    assert hash_data.hex() == text(curve, folder, "combinedHash").strip()
    assert len(hash_data) == 2 * curve_.size

    signature = multikey.multibase_decode(proof["proofValue"])
    assert proof["proofValue"] == text(curve, folder, "sigBTC58").strip()
    assert signature.hex() == text(curve, folder, "sigHex").strip()
    assert suite.proof_verification(hash_data, signature, public)
    assert suite.verify_proof(document, proof, public, loader=LOADER)


@pytest.mark.parametrize("curve", ["P256", "P384"])
def test_the_published_key_pairs_belong_together(curve):
    pair, public, private = key_pair(curve)
    assert suite.public_multikey(private) == public
    assert isinstance(private, ec.EllipticCurvePrivateKey) and private.curve.name == {
        "P256": "secp256r1", "P384": "secp384r1"}[curve]
    assert multikey.encode_multikey(public) == pair["publicKeyMultibase"]
    algorithm, secret = multikey.decode_secret_multikey(pair["secretKeyMultibase"])
    assert multikey.encode_secret_multikey(algorithm, secret) == pair["secretKeyMultibase"]


def test_p384_needs_sha384_inside_rdfc():
    # The employ document has blank nodes: RDFC-1.0's hash decides their labels.
    document = signed("P384", "employ/")
    del document["proof"]
    assert canonicalize(document, loader=LOADER) != text("P384", "employ/", "canonDoc")
    assert canonicalize(document, loader=LOADER, hash_algorithm="sha384") == text(
        "P384", "employ/", "canonDoc")
    assert canonicalize(document, loader=LOADER) == text("P256", "employ/", "canonDoc")


@pytest.mark.parametrize("curve", ["P256", "P384"])
def test_we_sign_what_the_vector_signs_and_it_verifies(curve):
    pair, public, private = key_pair(curve)
    config = load_json(W3C_ECDSA / f"ecdsa-rdfc-2019-{curve.lower()}" / f"proofConfigECDSA{curve}.json")
    options = {k: v for k, v in config.items() if k != "@context"}
    unsigned = load_json(W3C_ECDSA / "unsigned.json")
    proof = suite.create_proof(unsigned, options, private, loader=LOADER)
    assert {k: v for k, v in proof.items() if k != "proofValue"} == options
    signature = multikey.multibase_decode(proof["proofValue"])
    assert len(signature) == {"P256": 64, "P384": 96}[curve]  # r || s, not DER
    assert suite.verify_proof(unsigned, proof, public, loader=LOADER)
    # ECDSA signatures are randomised: ours differs from the vector's, both verify
    assert proof["proofValue"] != signed(curve, "")["proof"]["proofValue"]


@pytest.mark.parametrize("curve", ["P256", "P384"])
def test_tampered_documents_and_signatures_fail(curve):
    document = signed(curve, "")
    proof = document.pop("proof")
    public = multikey.decode_multikey(proof["verificationMethod"].split("#")[1])
    tampered = copy.deepcopy(document)
    tampered["credentialSubject"]["alumniOf"] = "The School of Samples"
    assert not suite.verify_proof(tampered, proof, public, loader=LOADER)
    signature = bytearray(multikey.multibase_decode(proof["proofValue"]))
    signature[5] ^= 1
    bad = {**proof, "proofValue": multikey.multibase_encode(bytes(signature))}
    assert not suite.verify_proof(document, bad, public, loader=LOADER)
    short = {**proof, "proofValue": multikey.multibase_encode(bytes(signature[:-1]))}
    assert not suite.verify_proof(document, short, public, loader=LOADER)
    later = {**proof, "created": "2023-02-24T23:36:39Z"}
    assert not suite.verify_proof(document, later, public, loader=LOADER)


def test_a_key_of_the_other_curve_or_suite_is_refused():
    document = signed("P256", "")
    proof = document.pop("proof")
    _, p384, _ = key_pair("P384")
    assert not suite.verify_proof(document, proof, p384, loader=LOADER)  # 96-byte signature expected
    with pytest.raises(ProofError, match="P-256 or P-384"):
        suite.verify_proof(document, proof, multikey.PublicKey(multikey.ED25519, b"\x01" * 32),
                           loader=LOADER)
    not_a_point = multikey.PublicKey(multikey.P256, b"\x02" + b"\xff" * 32)
    with pytest.raises(ProofError, match="not a point"):
        suite.verify_proof(document, proof, not_a_point, loader=LOADER)


def test_malformed_proofs_raise_with_the_spec_error_type():
    document = signed("P256", "")
    proof = document.pop("proof")
    public = multikey.decode_multikey(proof["verificationMethod"].split("#")[1])
    with pytest.raises(ProofError) as caught:
        suite.verify_proof(document, {**proof, "cryptosuite": "ecdsa-jcs-2019"}, public,
                           loader=LOADER)
    assert caught.value.problem_type == PROOF_TRANSFORMATION_ERROR
    with pytest.raises(ProofError, match="dateTime"):
        suite.verify_proof(document, {**proof, "created": "yesterday"}, public, loader=LOADER)
    with pytest.raises(ProofError, match="multibase"):
        suite.verify_proof(document, {**proof, "proofValue": "uAAAA"}, public, loader=LOADER)
    with pytest.raises(ProofError, match="@context"):
        suite.verify_proof(document, {**proof, "@context": "https://example.org/other"}, public,
                           loader=LOADER)


@pytest.mark.parametrize("curve", ["P256", "P384"])
def test_add_proof_signs_with_a_p_curve_key(curve):
    _, public, private = key_pair(curve)
    vm = multikey.did_key_verification_method(multikey.encode_multikey(public))
    signed_ = proofs.add_proof(load_json(W3C_ECDSA / "unsigned.json"), signing_key=private,
                               verification_method=vm, created=None, loader=LOADER)
    [proof] = signed_["proof"]
    assert proof["cryptosuite"] == "ecdsa-rdfc-2019" and proof["type"] == "DataIntegrityProof"
    outcome = proofs.verify_one(signed_, 0, proof, public, loader=LOADER)
    assert outcome.verified, outcome.reason


def test_blank_node_hashing_is_bounded_with_sha384_too():
    # Twelve indistinguishable blank nodes, all linked to each other: Hash N-Degree Quads
    # has to try permutations of them. The P-384 canonicalization has the same budget.
    nodes = [{"@id": f"_:b{i}", "http://example.org/knows": [
        {"@id": f"_:b{j}"} for j in range(12) if j != i]} for i in range(12)]
    document = {"@context": {}, "@graph": nodes}
    with pytest.raises(InputTooComplex) as caught:
        canonicalize(document, hash_algorithm="sha384")
    assert caught.value.problem_type == BLANK_NODE_HASHING_LIMIT
    small = {"@context": {}, "@graph": nodes[:1]}
    assert canonicalize(small, hash_algorithm="sha384",
                        limits=ProcessingLimits(max_deep_iterations=200))
