"""Proof sets and proof chains (W3C VC Data Integrity 1.0, "Add Proof Set/Chain" and "Verify
Proof Sets and Chains").

https://www.w3.org/TR/vc-data-integrity/#add-proof-set-chain
https://www.w3.org/TR/vc-data-integrity/#verify-proof-sets-and-chains

A document's ``proof`` may hold several proofs. Each proof of a *set* signs the document
without any proof. A proof with ``previousProof`` (an id, or a list of ids) is a link of a
*chain*: it signs the document whose ``proof`` is the "matching proofs", those it names, with
their ``proofValue``s ("binds any matching proofs to the document prior to applying the
current proof"). It counts as verified only when the proofs it names verify too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Protocol

from issuer.dataintegrity.processing_errors import PROOF_VERIFICATION_ERROR, ProofError


def previous_proof_ids(previous_proof: Any) -> list[str]:
    """The ids a ``previousProof`` value names (none when it is absent); ProofError
    (PROOF_VERIFICATION_ERROR) when it is neither a string nor a list of strings."""
    if previous_proof is None:
        return []
    if isinstance(previous_proof, str):
        return [previous_proof]
    if isinstance(previous_proof, list) and previous_proof and all(
        isinstance(item, str) for item in previous_proof
    ):
        return list(previous_proof)
    raise ProofError("previousProof must be a string or a non-empty list of strings",
                     PROOF_VERIFICATION_ERROR)


def matching_proofs(all_proofs: Sequence[Any], ids: Sequence[str], *,
                    problem_type: str = PROOF_VERIFICATION_ERROR) -> list[dict[str, Any]]:
    """The proofs of ``all_proofs`` whose ``id`` is one of ``ids``, in document order. Every
    id must match: a missing one raises ProofError (PROOF_VERIFICATION_ERROR when verifying,
    PROOF_GENERATION_ERROR when adding a proof), naming it."""
    wanted = set(ids)
    found = [p for p in all_proofs if isinstance(p, dict) and p.get("id") in wanted]
    missing = [i for i in dict.fromkeys(ids) if not any(p.get("id") == i for p in found)]
    if missing:
        raise ProofError("previousProof names no proof of the document: " + ", ".join(missing),
                         problem_type)
    return found


def chain_input(
    unsecured_document: dict[str, Any], matching: list[dict[str, Any]]
) -> dict[str, Any]:
    """The document a proof signs: the unsecured document, with ``proof`` set to the matching
    proofs when there are any (a set member signs the document without proofs)."""
    return {**unsecured_document, "proof": matching} if matching else unsecured_document


class Outcome(Protocol):
    """What :func:`settle` needs of a proof's outcome (proofs.ProofOutcome is one)."""

    index: int
    verified: bool
    supported: bool
    reason: str
    previous_proof: tuple[str, ...]
    problem_type: str


def settle(outcomes: Sequence[Outcome], all_proofs: Sequence[Any]) -> list[Outcome]:
    """The outcomes once chains are taken into account, in the same order.

    ``outcomes[i]`` is proof i's own result (its signature over its chain input). A chain link
    whose own signature verified still fails (PROOF_VERIFICATION_ERROR) when a proof it names
    failed, or when previousProof links lead back to it, and is not checked when a proof it
    names could not be checked (an unsupported suite). Links are settled in chain order, so
    what a link rests on includes the previous proofs of its previous proofs.
    """
    ids = [p.get("id") if isinstance(p, dict) else None for p in all_proofs]
    settled: dict[int, Outcome] = {}
    visiting: set[int] = set()

    def label(index: int) -> str:
        return f"proof {index + 1}" + (f" ({ids[index]})" if isinstance(ids[index], str) else "")

    def resolve(index: int) -> Outcome:
        if index in settled:
            return settled[index]
        own = result = outcomes[index]
        visiting.add(index)
        names = set(own.previous_proof) if own.verified else set()
        for dependency in (i for i, proof_id in enumerate(ids) if proof_id in names):
            if dependency in visiting:
                why = "its previousProof links lead back to itself"
            else:
                previous = resolve(dependency)
                if previous.verified:
                    continue
                if not previous.supported:
                    result = dataclasses.replace(
                        own, verified=False, supported=False,
                        reason=f"not checked: it rests on {label(dependency)}, which could "
                        "not be checked")
                    continue
                why = f"its previous proof, {label(dependency)}, did not verify"
            result = dataclasses.replace(own, verified=False, supported=True, reason=why,
                                         problem_type=PROOF_VERIFICATION_ERROR)
            break
        visiting.discard(index)
        settled[index] = result
        return result

    return [resolve(index) for index in range(len(outcomes))]
