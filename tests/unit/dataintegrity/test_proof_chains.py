"""Proof sets and chains: the W3C vc-di-eddsa proof-set-chain vectors, reproduced and verified,
and the ways a chain can break."""

import copy
from datetime import datetime

import nacl.signing
import pytest

from issuer.dataintegrity import multikey, proof_chains, proofs
from issuer.dataintegrity.document_loader import StaticDocumentLoader
from issuer.dataintegrity.processing_errors import (
    PROOF_GENERATION_ERROR,
    PROOF_VERIFICATION_ERROR,
    ProofError,
)
from issuer.errors import SigningError
from tests.helpers import EXAMPLES_CONTEXT_URL, PROOF_SET_CHAIN, W3C, load_json

LOADER = StaticDocumentLoader({EXAMPLES_CONTEXT_URL: load_json(W3C / "credentials-examples-v2.jsonld")})
PAIRS = load_json(PROOF_SET_CHAIN / "multiKeyPairs.json")


def vector(name):
    return load_json(PROOF_SET_CHAIN / f"{name}.json")


def key(number):
    pair = PAIRS[f"keyPair{number}"]
    return nacl.signing.SigningKey(multikey.decode_secret_key(pair["privateKeyMultibase"]))


def add(document, config, number):
    """add_proof with the options of one of the vector's proof configurations."""
    return proofs.add_proof(
        document, signing_key=key(number), verification_method=config["verificationMethod"],
        created=datetime.fromisoformat(config["created"].replace("Z", "+00:00")),
        proof_id=config.get("id"), previous_proof=config.get("previousProof"), loader=LOADER)


def verify_all(document):
    def verify(index, proof):
        public = multikey.decode_multikey(proof["verificationMethod"].split("#")[1])
        return proofs.verify_one(document, index, proof, public, loader=LOADER)
    return proofs.verify_proof_set(document, verify)


def test_the_w3c_proof_set_is_reproduced():
    once = add(vector("unsigned"), vector("proofSetConfig1"), 1)
    assert once["proof"] == [vector("proofSetConfigSigned1")]
    assert once["proof"][0] == vector("signedProofSet1")["proof"]  # a single object there
    twice = add(once, vector("proofSetConfig2"), 2)
    assert twice == vector("signedProofSet2")


def test_the_w3c_proof_chain_is_reproduced_step_by_step():
    proof_set = vector("signedProofSet2")
    config = vector("proofChainConfig1")
    # "Add Proof Set/Chain" step 6: the document the link signs carries the proofs it names
    matching = proof_chains.matching_proofs(proof_set["proof"], config["previousProof"])
    assert proof_chains.chain_input(proofs.unsecured(proof_set), matching) == vector("proofChainTempDoc1")
    chain1 = add(proof_set, config, 3)
    assert chain1["proof"][2] == vector("proofChainConfigSigned1")
    assert chain1 == vector("signedProofChain1")
    config2 = vector("proofChainConfig2")
    matching = proof_chains.matching_proofs(chain1["proof"], [config2["previousProof"]])
    assert proof_chains.chain_input(proofs.unsecured(chain1), matching) == vector("proofChainTempDoc2")
    chain2 = add(chain1, config2, 4)
    assert chain2["proof"][3] == vector("proofChainConfigSigned2")
    assert chain2 == vector("signedProofChain2")


@pytest.mark.parametrize("name", ["signedProofSet1", "signedProofSet2", "signedProofChain1",
                                  "signedProofChain2"])
def test_every_proof_of_the_w3c_vectors_verifies(name):
    outcomes = verify_all(vector(name))
    assert outcomes and all(o.verified for o in outcomes), [o.reason for o in outcomes]


def test_a_chain_link_verified_as_a_set_member_fails():
    # The link signed the previous proofs: over the bare document its signature is wrong.
    chain = vector("signedProofChain1")
    link = {k: v for k, v in chain["proof"][2].items() if k != "previousProof"}
    outcome = proofs.verify_one({**chain, "proof": [*chain["proof"][:2], link]}, 2, link,
                                multikey.decode_multikey(link["verificationMethod"].split("#")[1]),
                                loader=LOADER)
    assert not outcome.verified and "signature does not match" in outcome.reason


def test_a_missing_previous_proof_is_a_proof_verification_error():
    chain = vector("signedProofChain2")
    del chain["proof"][2]  # the link proof 4 names
    outcomes = verify_all(chain)
    assert [o.verified for o in outcomes] == [True, True, False]
    assert outcomes[2].problem_type == PROOF_VERIFICATION_ERROR
    assert "urn:uuid:d94f792a-c546-4d06-b38a-da070ab56c23" in outcomes[2].reason


def test_one_missing_id_of_a_previous_proof_list_is_enough_to_fail():
    chain = vector("signedProofChain1")
    del chain["proof"][1]
    outcomes = verify_all(chain)
    assert [o.verified for o in outcomes] == [True, False]
    assert outcomes[1].problem_type == PROOF_VERIFICATION_ERROR
    assert "8cc9022b" in outcomes[1].reason and "26329423" not in outcomes[1].reason


def test_a_chain_whose_previous_proof_is_invalid_fails_down_the_chain():
    # Proof 1 claims key 1 but is signed with key 4: its signature is invalid. The links after
    # it are signed correctly, over it, and still fail: they rest on it.
    wrong = proofs.add_proof(vector("unsigned"), signing_key=key(4),
                             verification_method=vector("proofSetConfig1")["verificationMethod"],
                             created=None, proof_id="urn:uuid:26329423-bec9-4b2e-88cb-a7c7d9dc4544",
                             loader=LOADER)
    both = add(wrong, vector("proofSetConfig2"), 2)
    chain = add(add(both, vector("proofChainConfig1"), 3), vector("proofChainConfig2"), 4)
    outcomes = verify_all(chain)
    assert [o.verified for o in outcomes] == [False, True, False, False]
    assert "signature does not match" in outcomes[0].reason
    assert outcomes[2].problem_type == PROOF_VERIFICATION_ERROR
    assert "previous proof, proof 1 (urn:uuid:26329423" in outcomes[2].reason
    assert "previous proof, proof 3 (urn:uuid:d94f792a" in outcomes[3].reason


def test_a_chain_resting_on_an_unsupported_proof_is_not_checked():
    chain = vector("signedProofChain1")
    chain["proof"][0]["cryptosuite"] = "bbs-2023"  # changes what proof 3 signed, too
    outcomes = verify_all(chain)
    assert not outcomes[0].supported
    assert not outcomes[2].verified  # its own signature no longer matches
    # A link whose own signature is fine but rests on an unsupported proof:
    settled = proof_chains.settle(
        [proofs.outcome_of(0, chain["proof"][0], verified=False, supported=False),
         proofs.outcome_of(1, chain["proof"][1], verified=True, supported=True),
         proofs.outcome_of(2, chain["proof"][2], verified=True, supported=True)], chain["proof"])
    assert [(o.verified, o.supported) for o in settled] == [(False, False), (True, True),
                                                              (False, False)]
    assert "rests on proof 1" in settled[2].reason


def test_cycles_and_self_references_fail():
    a = {"type": "DataIntegrityProof", "id": "urn:a", "previousProof": "urn:b"}
    b = {"type": "DataIntegrityProof", "id": "urn:b", "previousProof": "urn:a"}
    c = {"type": "DataIntegrityProof", "id": "urn:c", "previousProof": ["urn:c"]}
    good = [proofs.outcome_of(i, p, verified=True, supported=True) for i, p in enumerate([a, b, c])]
    settled = proof_chains.settle(good, [a, b, c])
    assert not any(o.verified for o in settled)
    assert all(o.problem_type == PROOF_VERIFICATION_ERROR for o in settled)
    assert "lead back" in settled[2].reason


@pytest.mark.parametrize("value", [42, [], ["urn:a", 7], {"id": "urn:a"}])
def test_a_malformed_previous_proof_is_refused(value):
    with pytest.raises(ProofError) as caught:
        proof_chains.previous_proof_ids(value)
    assert caught.value.problem_type == PROOF_VERIFICATION_ERROR
    chain = vector("signedProofChain1")
    chain["proof"][2]["previousProof"] = value
    outcome = verify_all(chain)[2]
    assert not outcome.verified and outcome.problem_type == PROOF_VERIFICATION_ERROR


def test_signing_a_link_to_a_missing_proof_is_refused():
    with pytest.raises(SigningError, match="urn:uuid:nope"):
        add(vector("signedProofSet2"), {**vector("proofChainConfig1"), "previousProof": "urn:uuid:nope"}, 3)
    with pytest.raises(ProofError) as caught:
        proof_chains.matching_proofs([], ["urn:x"], problem_type=PROOF_GENERATION_ERROR)
    assert caught.value.problem_type == PROOF_GENERATION_ERROR


def test_a_proof_id_must_be_a_url():
    with pytest.raises(SigningError, match="absolute URL"):
        proofs.add_proof(vector("unsigned"), signing_key=key(1), verification_method="did:key:x#x",
                         created=None, proof_id="proof-1", loader=LOADER)


def test_a_set_with_one_bad_proof_reports_each_proof():
    document = copy.deepcopy(vector("signedProofSet2"))
    document["proof"][1]["created"] = "2023-02-24T23:36:39Z"
    outcomes = verify_all(document)
    assert [o.verified for o in outcomes] == [True, False]
    assert [o.proof_id for o in outcomes] == ["urn:uuid:26329423-bec9-4b2e-88cb-a7c7d9dc4544",
                                              "urn:uuid:8cc9022b-6b14-4cf3-8571-74972c5feb54"]
    assert outcomes[1].problem_type == ""  # a plain signature mismatch

