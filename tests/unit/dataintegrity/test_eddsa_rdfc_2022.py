"""The eddsa-rdfc-2022 steps against the published vectors, step by step."""

import hashlib

import nacl.signing

from issuer.dataintegrity import eddsa_rdfc_2022 as suite
from issuer.dataintegrity import multikey
from tests.helpers import IMPL_GUIDE, W3C, load_json

W3C_SUITE = W3C / "eddsa-rdfc-2022"


def _text(path):
    return path.read_text("utf-8").strip()


def test_w3c_vector_step_by_step(w3c_loader):
    unsecured = load_json(W3C / "unsigned.json")
    options = load_json(W3C_SUITE / "proofConfigDataInt.json")
    options.pop("@context")  # the vector shows the config *after* step "set @context"
    key = nacl.signing.SigningKey(
        multikey.decode_secret_key(load_json(W3C / "keyPair.json")["privateKeyMultibase"])
    )

    canonical_document = suite.transformation(unsecured, options, loader=w3c_loader)
    assert canonical_document == (W3C_SUITE / "canonDocDataInt.txt").read_text("utf-8")

    canonical_proof = suite.proof_configuration(unsecured, options, loader=w3c_loader)
    assert canonical_proof == (W3C_SUITE / "proofCanonDataInt.txt").read_text("utf-8")

    assert hashlib.sha256(canonical_document.encode()).hexdigest() == _text(W3C_SUITE / "docHashDataInt.txt")
    assert hashlib.sha256(canonical_proof.encode()).hexdigest() == _text(W3C_SUITE / "proofHashDataInt.txt")

    hash_data = suite.hashing(canonical_document, canonical_proof)
    assert hash_data.hex() == _text(W3C_SUITE / "combinedHashDataInt.txt")

    signature = suite.proof_serialization(hash_data, key)
    assert signature.hex() == _text(W3C_SUITE / "sigHexDataInt.txt")
    assert multikey.multibase_encode(signature) == _text(W3C_SUITE / "sigBTC58DataInt.txt")

    proof = suite.create_proof(unsecured, options, key, loader=w3c_loader)
    assert proof == load_json(W3C_SUITE / "signedDataInt.json")["proof"]
    assert suite.proof_verification(hash_data, signature, bytes(key.verify_key))


def test_1edtech_implementation_guide_vector_step_by_step():
    vector = load_json(IMPL_GUIDE / "key.json")
    expected = vector["expected"]
    unsecured = load_json(IMPL_GUIDE / "unsigned-credential.json")
    options = expected["proofConfigBeforeSigning"]
    key = nacl.signing.SigningKey(multikey.decode_secret_key(vector["secretKeyMultibase"]))

    canonical_document = suite.transformation(unsecured, options, loader=suite.DEFAULT_LOADER)
    canonical_proof = suite.proof_configuration(unsecured, options, loader=suite.DEFAULT_LOADER)
    assert canonical_document == (IMPL_GUIDE / "document-canon.txt").read_text("utf-8")
    assert canonical_proof == (IMPL_GUIDE / "proof-canon.txt").read_text("utf-8")
    assert hashlib.sha256(canonical_document.encode()).hexdigest() == expected["documentHashHex"]
    assert hashlib.sha256(canonical_proof.encode()).hexdigest() == expected["proofHashHex"]

    hash_data = suite.hashing(canonical_document, canonical_proof)
    assert hash_data.hex() == expected["dataToSignHex"]
    signature = suite.proof_serialization(hash_data, key)
    assert signature.hex() == expected["signatureHex"]
    assert multikey.multibase_encode(signature) == expected["proofValue"]


def test_proof_verification_rejects_a_wrong_key_and_a_short_signature():
    key = nacl.signing.SigningKey.generate()
    other = nacl.signing.SigningKey.generate()
    data = b"\x01" * 64
    signature = suite.proof_serialization(data, key)
    assert suite.proof_verification(data, signature, bytes(key.verify_key))
    assert not suite.proof_verification(data, signature, bytes(other.verify_key))
    assert not suite.proof_verification(data, signature[:63], bytes(key.verify_key))
    assert not suite.proof_verification(b"\x02" + data[1:], signature, bytes(key.verify_key))
