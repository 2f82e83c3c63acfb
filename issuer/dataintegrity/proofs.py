"""Add and verify Data Integrity proofs on a document (proof sets and chains, safe mode first).

https://www.w3.org/TR/vc-data-integrity/#add-proof
Signing refuses a document with undefined terms (they would not be covered by the
signature), and one over the processing limits (InputTooComplex). Verification never raises
for a bad document: it returns ProofOutcome values. Cryptosuites:
:mod:`issuer.dataintegrity.cryptosuites`; sets and chains:
:mod:`issuer.dataintegrity.proof_chains`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pyld import jsonld

from issuer.clock import format_datetime
from issuer.dataintegrity import cryptosuites, multikey, proof_chains
from issuer.dataintegrity import eddsa_rdfc_2022 as suite
from issuer.dataintegrity.canonicalize import explain_jsonld_error, find_undefined_terms
from issuer.dataintegrity.document_loader import DEFAULT_LOADER, StaticDocumentLoader
from issuer.dataintegrity.limits import DEFAULT_LIMITS, ProcessingLimits
from issuer.dataintegrity.processing_errors import (
    PROOF_GENERATION_ERROR,
    PROOF_VERIFICATION_ERROR,
    ProofError,
)
from issuer.errors import InputTooComplex, SigningError, UndefinedTermError

ASSERTION_METHOD = "assertionMethod"
AUTHENTICATION = "authentication"


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
    signing_key: cryptosuites.SigningKey,
    verification_method: str,
    created: datetime | None,
    proof_purpose: str = ASSERTION_METHOD,
    loader: StaticDocumentLoader = DEFAULT_LOADER,
    proof_id: str | None = None,
    previous_proof: str | list[str] | None = None,
    limits: ProcessingLimits = DEFAULT_LIMITS,
    challenge: str | None = None,
    domain: str | list[str] | None = None,
) -> dict[str, Any]:
    """A copy of ``document`` with a new DataIntegrityProof appended: ``eddsa-rdfc-2022``
    for an Ed25519 key, ``ecdsa-rdfc-2019`` for a P-256 / P-384 key.

    ``proof`` is always emitted as an array and existing proofs are kept. Without
    ``previous_proof`` the new proof is a member of the proof set, over the document without
    proofs. With it (the ``id`` of a proof already there, or a list of ids) the new proof is a
    chain link: it also signs the proofs it names ("Add Proof Set/Chain"); an id that names no
    proof raises SigningError. ``proof_id`` gives the new proof an ``id`` (a URL such as
    ``urn:uuid:...``), so that a later link can name it. ``challenge`` and ``domain`` go in
    the proof (a presentation's, with ``proof_purpose="authentication"``).
    """
    base = unsecured(document)
    all_proofs = proofs_of(document)
    if proof_id is not None and (not isinstance(proof_id, str) or ":" not in proof_id):
        raise SigningError(f"a proof id must be an absolute URL, not {proof_id!r}")
    try:
        cryptosuite = cryptosuites.suite_for_signing_key(signing_key)
        matching = proof_chains.matching_proofs(
            all_proofs, proof_chains.previous_proof_ids(previous_proof),
            problem_type=PROOF_GENERATION_ERROR)
    except ProofError as exc:
        raise SigningError(str(exc)) from None
    input_document = proof_chains.chain_input(base, matching)
    check_signable(input_document, loader=loader, limits=limits)
    options: dict[str, Any] = {"type": suite.PROOF_TYPE}
    if proof_id is not None:
        options["id"] = proof_id
    if created is not None:
        options["created"] = format_datetime(created)
    options.update(
        {
            "verificationMethod": verification_method,
            "cryptosuite": cryptosuite.name,
            "proofPurpose": proof_purpose,
        }
    )
    if previous_proof is not None:
        options["previousProof"] = previous_proof
    if challenge is not None:
        options["challenge"] = challenge
    if domain is not None:
        options["domain"] = domain
    proof = cryptosuite.create_proof(input_document, options, signing_key, loader, limits)
    return {**base, "proof": [*all_proofs, proof]}


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
    problem_type: str = ""  # a DI processing error type, when not a plain signature mismatch
    proof_id: str | None = None
    previous_proof: tuple[str, ...] = ()


def is_supported(proof: Any) -> bool:
    return cryptosuites.suite_for(proof) is not None


def outcome_of(index: int, proof: Any, *, verified: bool, supported: bool, reason: str = "",
               problem_type: str = "") -> ProofOutcome:
    """A ProofOutcome for proof number ``index``, naming what the proof says about itself."""
    if not isinstance(proof, dict):
        return ProofOutcome(index, None, None, None, verified, supported, reason, problem_type)
    proof_id = proof.get("id")
    try:
        previous = tuple(proof_chains.previous_proof_ids(proof.get("previousProof")))
    except ProofError:
        previous = ()
    return ProofOutcome(
        index=index, verification_method=proof.get("verificationMethod"),
        proof_type=proof.get("type"), cryptosuite=proof.get("cryptosuite"), verified=verified,
        supported=supported, reason=reason, problem_type=problem_type,
        proof_id=proof_id if isinstance(proof_id, str) else None, previous_proof=previous,
    )


def verify_proof_set(
    document: dict[str, Any], verify: Callable[[int, Any], ProofOutcome]
) -> list[ProofOutcome]:
    """Every proof's outcome ("Verify Proof Sets and Chains"): ``verify(index, proof)`` checks
    one proof on its own (usually :func:`verify_one` with a resolved key); chain links then
    count as verified only when the proofs they name verified."""
    all_proofs = proofs_of(document)
    return proof_chains.settle([verify(i, p) for i, p in enumerate(all_proofs)], all_proofs)


def verify_one(
    document: dict[str, Any],
    index: int,
    proof: Any,
    public_key: multikey.PublicKey | bytes,
    *,
    loader: StaticDocumentLoader = DEFAULT_LOADER,
    limits: ProcessingLimits = DEFAULT_LIMITS,
    proof_purpose: str = ASSERTION_METHOD,
) -> ProofOutcome:
    """Verify proof number ``index`` of ``document`` with an already-resolved public key
    (a decoded Multikey, or the raw bytes of an Ed25519 key), over the document with the
    proofs it names in ``previousProof`` (none for a member of a proof set). The proof's
    ``proofPurpose`` must be ``proof_purpose`` (``authentication`` for a presentation)."""
    if not isinstance(proof, dict):
        return ProofOutcome(index, None, None, None, False, False, "proof is not an object")
    if isinstance(public_key, bytes):
        public_key = multikey.PublicKey(multikey.ED25519, public_key)
    cryptosuite = cryptosuites.suite_for(proof)
    if cryptosuite is None:
        return outcome_of(index, proof, verified=False, supported=False,
                          reason=f"unsupported proof type {proof.get('type')!r} / cryptosuite "
                          f"{proof.get('cryptosuite')!r}")
    if proof.get("proofPurpose") != proof_purpose and (
            proof.get("type") == suite.PROOF_TYPE or proof_purpose != ASSERTION_METHOD):
        return outcome_of(
            index, proof, verified=False, supported=True, problem_type=PROOF_VERIFICATION_ERROR,
            reason=f"proofPurpose is {proof.get('proofPurpose')!r}, expected {proof_purpose!r}")
    try:
        matching = proof_chains.matching_proofs(
            proofs_of(document), proof_chains.previous_proof_ids(proof.get("previousProof")))
        ok = cryptosuite.verify(proof_chains.chain_input(unsecured(document), matching), proof,
                                public_key, loader=loader, limits=limits)
    except ProofError as exc:
        return outcome_of(index, proof, verified=False, supported=True, reason=str(exc),
                          problem_type=exc.problem_type)
    except InputTooComplex as exc:
        return outcome_of(index, proof, verified=False, supported=True, reason=str(exc),
                          problem_type=exc.problem_type)
    except Exception as exc:  # pyld raises its own errors for unprocessable JSON-LD
        return outcome_of(index, proof, verified=False, supported=True,
                          reason=explain_jsonld_error(exc))
    reason = "" if ok else "the signature does not match the signed data (the credential was changed after signing, or signed with another key)"
    return outcome_of(index, proof, verified=ok, supported=True, reason=reason)
