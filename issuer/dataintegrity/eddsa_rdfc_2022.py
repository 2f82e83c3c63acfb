"""The eddsa-rdfc-2022 cryptosuite, step by step as W3C vc-di-eddsa §3.3 names them.

https://www.w3.org/TR/vc-di-eddsa/#eddsa-rdfc-2022
Each function is one algorithm of the spec; :mod:`issuer.dataintegrity.proofs` composes them.
The legacy Ed25519Signature2020 suite uses the same transformation and hashing (only the
proof ``type`` differs and it has no ``cryptosuite``), so it is verified with these steps too.
"""

from __future__ import annotations

import hashlib
from typing import Any

import nacl.exceptions
import nacl.signing

from issuer.dataintegrity.canonicalize import canonicalize
from issuer.dataintegrity.document_loader import DEFAULT_LOADER, StaticDocumentLoader
from issuer.dataintegrity.limits import DEFAULT_LIMITS, ProcessingLimits
from issuer.dataintegrity.multikey import multibase_encode
from issuer.dataintegrity.processing_errors import ProofError
from issuer.dataintegrity.proof_config import canonical_proof_configuration
from issuer.dataintegrity.proof_input import proof_input

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
LEGACY_CRYPTOSUITE = "eddsa-2022"  # draft name of the same algorithm, still found in the wild
LEGACY_PROOF_TYPE = "Ed25519Signature2020"


def _check_suite(proof_options: dict[str, Any]) -> None:
    suite = (proof_options.get("type"), proof_options.get("cryptosuite"))
    if suite not in (
        (PROOF_TYPE, CRYPTOSUITE),
        (PROOF_TYPE, LEGACY_CRYPTOSUITE),
        (LEGACY_PROOF_TYPE, None),
    ):
        raise ProofError(
            f"not an eddsa-rdfc-2022 proof (type {suite[0]!r}, cryptosuite {suite[1]!r})"
        )


def transformation(
    unsecured_document: dict[str, Any],
    options: dict[str, Any],
    *,
    loader: StaticDocumentLoader,
    limits: ProcessingLimits = DEFAULT_LIMITS,
) -> str:
    """§3.3.3 Transformation: RDFC-1.0 canonical N-Quads of the unsecured document."""
    _check_suite(options)
    return canonicalize(unsecured_document, loader=loader, limits=limits)


def proof_configuration(
    unsecured_document: dict[str, Any],
    options: dict[str, Any],
    *,
    loader: StaticDocumentLoader,
    limits: ProcessingLimits = DEFAULT_LIMITS,
) -> str:
    """§3.3.5 Proof Configuration: the proof options (no proofValue) with the document's
    ``@context``, canonicalized (by template when it has the known simple form)."""
    _check_suite(options)
    proof_config = {key: value for key, value in options.items() if key != "proofValue"}
    proof_config["@context"] = unsecured_document["@context"]
    return canonical_proof_configuration(proof_config, loader=loader, limits=limits)


def hashing(transformed_document: str, canonical_proof_config: str) -> bytes:
    """§3.3.4 Hashing: SHA-256(proof config) || SHA-256(document), proof hash first."""
    return (
        hashlib.sha256(canonical_proof_config.encode("utf-8")).digest()
        + hashlib.sha256(transformed_document.encode("utf-8")).digest()
    )


def proof_serialization(hash_data: bytes, signing_key: nacl.signing.SigningKey) -> bytes:
    """§3.3.6 Proof Serialization: the Ed25519 (RFC 8032) signature of the hash data."""
    return signing_key.sign(hash_data).signature


def proof_verification(hash_data: bytes, proof_bytes: bytes, public_key: bytes) -> bool:
    """§3.3.7 Proof Verification: does the signature verify under the public key?"""
    if len(proof_bytes) != 64:
        return False
    try:
        nacl.signing.VerifyKey(public_key).verify(hash_data, proof_bytes)
    except nacl.exceptions.BadSignatureError:
        return False
    return True


def create_proof(
    unsecured_document: dict[str, Any],
    options: dict[str, Any],
    signing_key: nacl.signing.SigningKey,
    *,
    loader: StaticDocumentLoader = DEFAULT_LOADER,
    limits: ProcessingLimits = DEFAULT_LIMITS,
) -> dict[str, Any]:
    """§3.3.1 Create Proof: the proof object (options + proofValue) for the document."""
    proof = dict(options)
    canonical_proof_config = proof_configuration(unsecured_document, options, loader=loader,
                                                 limits=limits)
    transformed = transformation(unsecured_document, options, loader=loader, limits=limits)
    hash_data = hashing(transformed, canonical_proof_config)
    proof["proofValue"] = multibase_encode(proof_serialization(hash_data, signing_key))
    return proof


def verify_proof(
    unsecured_document: dict[str, Any],
    proof: dict[str, Any],
    public_key: bytes,
    *,
    loader: StaticDocumentLoader = DEFAULT_LOADER,
    limits: ProcessingLimits = DEFAULT_LIMITS,
) -> bool:
    """§3.3.2 Verify Proof for one proof of a secured document (``proof`` already removed
    from ``unsecured_document``). Returns False for a bad signature; raises ProofError for
    a malformed proof, InputTooComplex for a document over ``limits``."""
    parts = proof_input(unsecured_document, proof)
    document, proof_options, proof_bytes = parts.document, parts.options, parts.proof_bytes
    canonical_proof_config = proof_configuration(document, proof_options, loader=loader,
                                                 limits=limits)
    transformed = transformation(document, proof_options, loader=loader, limits=limits)
    return proof_verification(hashing(transformed, canonical_proof_config), proof_bytes, public_key)
