"""verify_credential on hostile and large credentials: over a processing limit is a failed
check with the limit's problem type, at once; large legitimate credentials still verify."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import nacl.signing
import pytest

from issuer.dataintegrity import limits as lim
from issuer.dataintegrity import multikey, proofs
from issuer.dataintegrity.limits import ProcessingLimits
from issuer.statuslist import bitstring
from issuer.verification import problem_types as pt
from issuer.verification.results import Status
from issuer.verification.verifier import verify_credential
from tests.helpers import NOW
from tests.hostile import (
    blank_nodes_credential,
    clique_credential,
    large_open_badge,
    long_array_credential,
    random_bytes,
)

ISSUER = "did:web:badges.example.org"
KEY = nacl.signing.SigningKey(b"\x2b" * 32)
PUBLIC = multikey.encode_public_key(bytes(KEY.verify_key))
CONTROLLER = multikey.controller_document(ISSUER, [PUBLIC])


def verify(document, **options):
    return verify_credential(document, now=NOW, resolve_controller={ISSUER: CONTROLLER}.get,
                             **options)


def sign(document, **options):
    return proofs.add_proof(document, signing_key=KEY, verification_method=f"{ISSUER}#{PUBLIC}",
                            created=datetime(2026, 1, 1, tzinfo=timezone.utc), **options)


def timed_verify(document, **options):
    started = time.perf_counter()
    result = verify(document, **options)
    return result, time.perf_counter() - started


def test_the_8_clique_fails_the_proof_check_within_a_second():
    result, seconds = timed_verify(clique_credential(8))
    assert seconds < 1  # the issue's bound (42 s before the limits)
    assert not result.verified
    proof = result.check("proof")
    assert proof.status is Status.FAILED
    assert [p.type for p in proof.problems] == [lim.BLANK_NODE_HASHING_LIMIT]
    assert proof.problems[0].title == "Input too complex"
    assert "blank-node hashing" in proof.detail
    # The context check passed (it only expands); nothing after the proof check is made.
    assert result.check("context").status is Status.PASSED
    for check_id in ("issuer", "validity", "status", "recipient"):
        assert result.check(check_id).status is Status.NOT_CHECKED
    errors = result.to_dict()["errors"]
    assert [error["check"] for error in errors] == ["proof"]
    assert errors[0]["problems"][0]["type"] == pt.BLANK_NODE_HASHING_LIMIT


@pytest.mark.parametrize("build, problem_type", [
    (long_array_credential, lim.ARRAY_LENGTH_LIMIT),   # 100,000 strings in one array
    (blank_nodes_credential, lim.ARRAY_LENGTH_LIMIT),  # 20,000 blank nodes
])
def test_huge_credentials_fail_the_context_check_at_once(build, problem_type):
    result, seconds = timed_verify(build())
    assert seconds < 1
    assert not result.verified
    context = result.check("context")
    assert context.status is Status.FAILED
    assert [p.type for p in context.problems] == [problem_type]
    # Stopped there: no schema validation of 100,000 items, no canonicalization.
    assert {c.id: c.status for c in result.checks if c.id != "context"} == {
        c.id: Status.NOT_CHECKED for c in result.checks if c.id != "context"}
    assert result.check("proof") in result.failed_checks  # never "passed"


def test_the_proof_is_covered_by_the_limits_too():
    credential = clique_credential(2)
    credential["proof"]["padding"] = [[[[[[[[[[["deep"]]]]]]]]]]]
    result = verify(credential, limits=ProcessingLimits(max_depth=8))
    assert result.check("context").problems[0].type == lim.NESTING_DEPTH_LIMIT


def test_too_many_proofs_is_a_failed_proof_check():
    credential = sign(large_open_badge(issuer_id=ISSUER, alignments=1, results=0))
    credential["proof"] = credential["proof"] * 9
    result = verify(credential)
    proof = result.check("proof")
    assert proof.status is Status.FAILED
    assert proof.problems[0].type == lim.PROOF_COUNT_LIMIT
    assert "9 proofs; at most 8" in proof.detail
    assert verify(credential, limits=ProcessingLimits(max_proofs=9)).verified


def test_injected_limits_reach_the_canonicalization_of_a_signed_credential():
    credential = sign(large_open_badge(issuer_id=ISSUER, alignments=5, results=0))
    assert verify(credential).verified
    result = verify(credential, limits=ProcessingLimits(max_quads=20))
    assert result.check("proof").problems[0].type == lim.QUAD_COUNT_LIMIT
    assert not result.verified


def test_a_large_open_badge_signs_and_verifies():
    credential = sign(large_open_badge(issuer_id=ISSUER, alignments=50, results=20))
    assert len(credential["credentialSubject"]["achievement"]["alignment"]) == 50
    assert len(credential["credentialSubject"]["result"]) == 20
    result = verify(credential)
    assert result.verified, result.to_dict()


def test_a_status_list_credential_with_a_large_encoded_list_signs_and_verifies():
    bits = random_bytes(32 * 1024)  # 262,144 entries, half of them set, incompressible
    credential = bitstring.list_credential(
        list_url="https://badges.example.org/status/1", issuer=ISSUER, purpose="revocation",
        bitstring=bits, valid_from=datetime(2026, 1, 1, tzinfo=timezone.utc))
    assert len(credential["credentialSubject"]["encodedList"]) > 40 * 1024
    result = verify(sign(credential))
    assert result.verified, result.to_dict()
