"""Add and verify Data Integrity proofs on a document (proof sets, safe mode first).

https://www.w3.org/TR/vc-data-integrity/#add-proof
Signing refuses a document with undefined terms (they would not be covered by the
signature), and one over the processing limits (InputTooComplex). Verification never raises
for a bad document: it returns ProofOutcome values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import nacl.signing
from pyld import jsonld

from issuer.clock import format_datetime
from issuer.dataintegrity import eddsa_rdfc_2022 as suite
from issuer.dataintegrity.canonicalize import explain_jsonld_error, find_undefined_terms
from issuer.dataintegrity.document_loader import DEFAULT_LOADER, StaticDocumentLoader
from issuer.dataintegrity.limits import DEFAULT_LIMITS, ProcessingLimits
from issuer.errors import InputTooComplex, SigningError, UndefinedTermError

ASSERTION_METHOD = "assertionMethod"


def proofs_of(document: dict[str, Any]) -> list[Any]:
    """The document's proofs as a list (``proof`` may be one object or an array)."""
    proof = document.get("proof")
    if proof is None:
        return []
    return proof if isinstance(proof, list) else [proof]


def unsecured(document: dict[str, Any]) -> dict[str, Any]:
    """The document without its proofs."""
    return {key: value for key, value in document.items() if key != "proof"}


def check_signable(
    document: dict[str, Any],
    *,
    loader: StaticDocumentLoader,
    limits: ProcessingLimits = DEFAULT_LIMITS,
) -> None:
    """Raise UndefinedTermError (naming the terms), DocumentLoaderError or InputTooComplex if
    the document cannot be signed in full."""
    if "@context" not in document:
        raise SigningError("document has no @context")
    try:
        undefined = find_undefined_terms(document, loader=loader, limits=limits)
    except jsonld.JsonLdError as exc:
        raise SigningError(explain_jsonld_error(exc)) from None
    if undefined:
        raise UndefinedTermError(undefined)


def add_proof(
    document: dict[str, Any],
    *,
    signing_key: nacl.signing.SigningKey,
    verification_method: str,
    created: datetime | None,
    proof_purpose: str = ASSERTION_METHOD,
    loader: StaticDocumentLoader = DEFAULT_LOADER,
    limits: ProcessingLimits = DEFAULT_LIMITS,
) -> dict[str, Any]:
    """A copy of ``document`` with a new ``eddsa-rdfc-2022`` DataIntegrityProof appended.

    ``proof`` is always emitted as an array; existing proofs are kept (a proof set) and are
    not covered by the new proof.
    """
    base = unsecured(document)
    check_signable(base, loader=loader, limits=limits)
    options: dict[str, Any] = {"type": suite.PROOF_TYPE}
    if created is not None:
        options["created"] = format_datetime(created)
    options.update(
        {
            "verificationMethod": verification_method,
            "cryptosuite": suite.CRYPTOSUITE,
            "proofPurpose": proof_purpose,
        }
    )
    proof = suite.create_proof(base, options, signing_key, loader=loader, limits=limits)
    return {**base, "proof": [*proofs_of(document), proof]}


@dataclass(frozen=True)
class ProofOutcome:
    """What became of one proof: verified, or why not (a readable reason, and the problem
    type when it is not a plain signature mismatch, e.g. a processing limit's)."""

    index: int
    verification_method: str | None
    proof_type: str | None
    cryptosuite: str | None
    verified: bool
    supported: bool
    reason: str = ""
    problem_type: str = ""


def is_supported(proof: Any) -> bool:
    if not isinstance(proof, dict):
        return False
    try:
        suite._check_suite(proof)
    except suite.ProofError:
        return False
    return True


def verify_one(
    document: dict[str, Any],
    index: int,
    proof: Any,
    public_key: bytes,
    *,
    loader: StaticDocumentLoader = DEFAULT_LOADER,
    limits: ProcessingLimits = DEFAULT_LIMITS,
) -> ProofOutcome:
    """Verify proof number ``index`` of ``document`` with an already-resolved public key."""
    if not isinstance(proof, dict):
        return ProofOutcome(index, None, None, None, False, False, "proof is not an object")
    outcome = dict(
        index=index,
        verification_method=proof.get("verificationMethod"),
        proof_type=proof.get("type"),
        cryptosuite=proof.get("cryptosuite"),
    )
    if not is_supported(proof):
        return ProofOutcome(
            **outcome,
            verified=False,
            supported=False,
            reason=f"unsupported proof type {proof.get('type')!r} / cryptosuite "
            f"{proof.get('cryptosuite')!r}",
        )
    if proof.get("type") == suite.PROOF_TYPE and proof.get("proofPurpose") != ASSERTION_METHOD:
        return ProofOutcome(
            **outcome,
            verified=False,
            supported=True,
            reason=f"proofPurpose is {proof.get('proofPurpose')!r}, expected 'assertionMethod'",
        )
    try:
        ok = suite.verify_proof(unsecured(document), proof, public_key, loader=loader,
                                limits=limits)
    except suite.ProofError as exc:
        return ProofOutcome(**outcome, verified=False, supported=True, reason=str(exc))
    except InputTooComplex as exc:
        return ProofOutcome(**outcome, verified=False, supported=True, reason=str(exc),
                            problem_type=exc.problem_type)
    except Exception as exc:  # pyld raises its own errors for unprocessable JSON-LD
        return ProofOutcome(
            **outcome, verified=False, supported=True, reason=explain_jsonld_error(exc)
        )
    reason = "" if ok else "the signature does not match the signed data (the credential was changed after signing, or signed with another key)"
    return ProofOutcome(**outcome, verified=ok, supported=True, reason=reason)
