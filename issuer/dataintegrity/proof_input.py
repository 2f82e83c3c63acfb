"""The first steps of every cryptosuite's Verify Proof: split a proof into its options and its
signature bytes, and apply the proof's own ``@context``.

https://www.w3.org/TR/vc-di-eddsa/#verify-proof-eddsa-rdfc-2022,
https://www.w3.org/TR/vc-di-ecdsa/#verify-proof-ecdsa-rdfc-2019: the proof options are the
proof without ``proofValue``; ``proofValue`` is multibase base58btc; when the proof has an
``@context``, the document's ``@context`` must start with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from issuer.dataintegrity.multikey import multibase_decode
from issuer.dataintegrity.processing_errors import ProofError


@dataclass(frozen=True)
class ProofInput:
    document: dict[str, Any]  # the unsecured document, with the proof's @context if it has one
    options: dict[str, Any]  # the proof without proofValue (nor @context)
    proof_bytes: bytes


def proof_input(unsecured_document: dict[str, Any], proof: dict[str, Any]) -> ProofInput:
    """Raises ProofError for a missing or non-base58btc proofValue, or a proof ``@context``
    the document's does not start with."""
    options = {key: value for key, value in proof.items() if key != "proofValue"}
    proof_value = proof.get("proofValue")
    if not isinstance(proof_value, str):
        raise ProofError("proof has no proofValue string")
    try:
        proof_bytes = multibase_decode(proof_value)
    except ValueError as exc:
        raise ProofError(f"proofValue is not base58btc multibase: {exc}") from None
    document = unsecured_document
    if "@context" in options:
        proof_context = options.pop("@context")
        proof_context = proof_context if isinstance(proof_context, list) else [proof_context]
        doc_context = document.get("@context")
        doc_context = doc_context if isinstance(doc_context, list) else [doc_context]
        if doc_context[: len(proof_context)] != proof_context:
            raise ProofError("the proof's @context does not match the document's @context")
        document = {**document, "@context": proof_context}
    return ProofInput(document, options, proof_bytes)
