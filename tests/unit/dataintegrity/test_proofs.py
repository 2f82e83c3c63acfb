import copy
from datetime import datetime, timezone

import nacl.signing
import pytest

from issuer.dataintegrity import multikey, proofs
from issuer.errors import SigningError, UndefinedTermError
from tests.helpers import FIXTURES, IMPL_GUIDE, W3C, load_json

CREATED = datetime(2010, 1, 1, 19, 23, 24, tzinfo=timezone.utc)


def impl_guide_key():
    vector = load_json(IMPL_GUIDE / "key.json")
    return vector, nacl.signing.SigningKey(multikey.decode_secret_key(vector["secretKeyMultibase"]))


def public_key_of(verification_method: str) -> bytes:
    return multikey.decode_public_key(verification_method.rsplit("#", 1)[-1].removeprefix("did:key:"))


def test_add_proof_reproduces_the_1edtech_vector_as_an_array():
    vector, key = impl_guide_key()
    unsigned = load_json(IMPL_GUIDE / "unsigned-credential.json")
    signed = proofs.add_proof(unsigned, signing_key=key,
                              verification_method=vector["verificationMethod"], created=CREATED)
    expected_proof = load_json(IMPL_GUIDE / "signed-credential.json")["proof"]
    assert signed["proof"] == [expected_proof]
    assert signed["proof"][0]["proofValue"] == vector["expected"]["proofValue"]
    assert list(signed["proof"][0]) == ["type", "created", "verificationMethod", "cryptosuite",
                                        "proofPurpose", "proofValue"]
    assert "proof" not in unsigned  # the input is not modified


def test_add_proof_reproduces_the_w3c_vector(w3c_loader):
    pair = load_json(W3C / "keyPair.json")
    key = nacl.signing.SigningKey(multikey.decode_secret_key(pair["privateKeyMultibase"]))
    config = load_json(W3C / "eddsa-rdfc-2022" / "proofConfigDataInt.json")
    signed = proofs.add_proof(
        load_json(W3C / "unsigned.json"), signing_key=key,
        verification_method=config["verificationMethod"],
        created=datetime(2023, 2, 24, 23, 36, 38, tzinfo=timezone.utc), loader=w3c_loader)
    expected = load_json(W3C / "eddsa-rdfc-2022" / "signedDataInt.json")
    assert signed["proof"][0]["proofValue"] == expected["proof"]["proofValue"]


def test_a_second_proof_is_added_to_the_set_and_both_verify():
    vector, key = impl_guide_key()
    other = nacl.signing.SigningKey.generate()
    other_vm = multikey.did_key_verification_method(multikey.encode_public_key(bytes(other.verify_key)))
    once = proofs.add_proof(load_json(IMPL_GUIDE / "unsigned-credential.json"), signing_key=key,
                            verification_method=vector["verificationMethod"], created=CREATED)
    twice = proofs.add_proof(once, signing_key=other, verification_method=other_vm, created=None)
    assert len(twice["proof"]) == 2
    assert twice["proof"][0] == once["proof"][0]
    assert "created" not in twice["proof"][1]
    for index, proof in enumerate(twice["proof"]):
        outcome = proofs.verify_one(twice, index, proof, public_key_of(proof["verificationMethod"]))
        assert outcome.verified, outcome.reason


def test_signing_refuses_undefined_terms_and_names_them():
    _, key = impl_guide_key()
    unsigned = load_json(IMPL_GUIDE / "unsigned-credential.json")
    unsigned["favouriteColour"] = "blue"
    unsigned["credentialSubject"]["type"].append("SpecialSubject")
    with pytest.raises(UndefinedTermError) as caught:
        proofs.add_proof(unsigned, signing_key=key, verification_method="did:key:x#x", created=CREATED)
    assert caught.value.terms == ["favouriteColour", "type SpecialSubject"]
    assert "favouriteColour" in str(caught.value)


def test_signing_refuses_an_unknown_context_without_fetching_it():
    _, key = impl_guide_key()
    unsigned = load_json(IMPL_GUIDE / "unsigned-credential.json")
    unsigned["@context"].append("https://contexts.example/not-vendored-for-signing")
    with pytest.raises(SigningError, match="not-vendored-for-signing"):
        proofs.add_proof(unsigned, signing_key=key, verification_method="did:key:x#x", created=CREATED)


def test_signing_refuses_a_document_without_context():
    _, key = impl_guide_key()
    with pytest.raises(SigningError, match="@context"):
        proofs.add_proof({"id": "urn:x"}, signing_key=key, verification_method="did:key:x#x",
                         created=CREATED)


@pytest.mark.parametrize(
    "fixture",
    [
        "1edtech-simple.json",
        "1edtech-simple-eddsa-2022.json",  # draft cryptosuite name, same algorithm, VC 1.1
        "1edtech-simple_v1.json",  # Ed25519Signature2020, VC 1.1
        "dcc-ed25519signature2020-valid.json",  # Ed25519Signature2020, VC 2.0, did:key
        "1edtech-complete.json",
        "1edtech-endorsement-valid.json",
    ],
)
def test_published_proofs_verify(fixture):
    document = load_json(FIXTURES / fixture)
    for index, proof in enumerate(proofs.proofs_of(document)):
        outcome = proofs.verify_one(document, index, proof, public_key_of(proof["verificationMethod"]))
        assert outcome.verified, outcome.reason


def test_both_signature_types_verify():
    document = load_json(FIXTURES / "dcc-both-signature-types.json")
    kinds = set()
    for index, proof in enumerate(proofs.proofs_of(document)):
        outcome = proofs.verify_one(document, index, proof, public_key_of(proof["verificationMethod"]))
        assert outcome.verified, outcome.reason
        kinds.add(proof.get("cryptosuite") or proof["type"])
    assert kinds == {"eddsa-rdfc-2022", "Ed25519Signature2020"}


@pytest.mark.parametrize("fixture", ["dcc-ed25519signature2020-tampered.json",
                                     "1edtech-simple-err-proof-value.json"])
def test_tampered_published_credentials_fail(fixture):
    document = load_json(FIXTURES / fixture)
    proof = proofs.proofs_of(document)[0]
    outcome = proofs.verify_one(document, 0, proof, public_key_of(proof["verificationMethod"]))
    assert not outcome.verified
    assert "signature does not match" in outcome.reason


def test_unsupported_and_malformed_proofs_are_outcomes_not_exceptions():
    document = load_json(FIXTURES / "1edtech-simple.json")
    key = public_key_of(document["proof"][0]["verificationMethod"])
    odd = copy.deepcopy(document["proof"][0])
    odd["cryptosuite"] = "bbs-2023"
    assert not proofs.verify_one(document, 0, odd, key).supported
    broken = copy.deepcopy(document["proof"][0])
    broken["proofValue"] = "not-multibase"
    outcome = proofs.verify_one(document, 0, broken, key)
    assert not outcome.verified and "multibase" in outcome.reason
    wrong_purpose = copy.deepcopy(document["proof"][0])
    wrong_purpose["proofPurpose"] = "authentication"
    outcome = proofs.verify_one(document, 0, wrong_purpose, key)
    assert not outcome.verified and "assertionMethod" in outcome.reason
    assert not proofs.verify_one(document, 0, "nonsense", key).verified
