"""The cryptosuites we verify and sign with, and which one a proof or a signing key needs.

| proof ``type`` / ``cryptosuite``            | keys              | module            |
|---------------------------------------------|-------------------|-------------------|
| DataIntegrityProof / eddsa-rdfc-2022         | Ed25519           | eddsa_rdfc_2022   |
| DataIntegrityProof / eddsa-2022 (draft name) | Ed25519           | eddsa_rdfc_2022   |
| Ed25519Signature2020 (legacy, no cryptosuite)| Ed25519           | eddsa_rdfc_2022   |
| DataIntegrityProof / ecdsa-rdfc-2019         | P-256, P-384      | ecdsa_rdfc_2019   |
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import nacl.signing
from cryptography.hazmat.primitives.asymmetric import ec

from issuer.dataintegrity import ecdsa_rdfc_2019, eddsa_rdfc_2022
from issuer.dataintegrity.document_loader import StaticDocumentLoader
from issuer.dataintegrity.limits import DEFAULT_LIMITS, ProcessingLimits
from issuer.dataintegrity.multikey import ED25519, PublicKey
from issuer.dataintegrity.processing_errors import PROOF_GENERATION_ERROR, ProofError

SigningKey = nacl.signing.SigningKey | ec.EllipticCurvePrivateKey
Document = dict[str, Any]


@dataclass(frozen=True)
class Cryptosuite:
    """One cryptosuite: the keys it takes, how it verifies and how it creates a proof."""

    name: str
    key_algorithms: tuple[str, ...]
    verify_proof: Callable[[Document, Document, PublicKey, StaticDocumentLoader,
                            ProcessingLimits], bool]
    create_proof: Callable[[Document, Document, Any, StaticDocumentLoader, ProcessingLimits],
                           Document]

    def verify(self, unsecured_document: Document, proof: Document, public_key: PublicKey, *,
               loader: StaticDocumentLoader, limits: ProcessingLimits = DEFAULT_LIMITS) -> bool:
        """The suite's Verify Proof; ProofError when the key is not one the suite takes."""
        if public_key.algorithm not in self.key_algorithms:
            kinds = " or ".join(self.key_algorithms)
            raise ProofError(f"{self.name} proofs are verified with {kinds} keys, not "
                             f"{public_key.algorithm}")
        return self.verify_proof(unsecured_document, proof, public_key, loader, limits)


def _eddsa_verify(document: Document, proof: Document, key: PublicKey,
                  loader: StaticDocumentLoader, limits: ProcessingLimits) -> bool:
    return eddsa_rdfc_2022.verify_proof(document, proof, key.key, loader=loader, limits=limits)


def _eddsa_create(document: Document, options: Document, key: Any,
                  loader: StaticDocumentLoader, limits: ProcessingLimits) -> Document:
    return eddsa_rdfc_2022.create_proof(document, options, key, loader=loader, limits=limits)


def _ecdsa_verify(document: Document, proof: Document, key: PublicKey,
                  loader: StaticDocumentLoader, limits: ProcessingLimits) -> bool:
    return ecdsa_rdfc_2019.verify_proof(document, proof, key, loader=loader, limits=limits)


def _ecdsa_create(document: Document, options: Document, key: Any,
                  loader: StaticDocumentLoader, limits: ProcessingLimits) -> Document:
    return ecdsa_rdfc_2019.create_proof(document, options, key, loader=loader, limits=limits)


EDDSA_RDFC_2022 = Cryptosuite(eddsa_rdfc_2022.CRYPTOSUITE, (ED25519,), _eddsa_verify, _eddsa_create)
ECDSA_RDFC_2019 = Cryptosuite(ecdsa_rdfc_2019.CRYPTOSUITE, tuple(ecdsa_rdfc_2019.CURVES),
                              _ecdsa_verify, _ecdsa_create)

_BY_PROOF = {
    (eddsa_rdfc_2022.PROOF_TYPE, eddsa_rdfc_2022.CRYPTOSUITE): EDDSA_RDFC_2022,
    (eddsa_rdfc_2022.PROOF_TYPE, eddsa_rdfc_2022.LEGACY_CRYPTOSUITE): EDDSA_RDFC_2022,
    (eddsa_rdfc_2022.LEGACY_PROOF_TYPE, None): EDDSA_RDFC_2022,
    (ecdsa_rdfc_2019.PROOF_TYPE, ecdsa_rdfc_2019.CRYPTOSUITE): ECDSA_RDFC_2019,
}
SUPPORTED = ", ".join(sorted({suite.name for suite in _BY_PROOF.values()}
                             | {eddsa_rdfc_2022.LEGACY_PROOF_TYPE}))


def suite_for(proof: Any) -> Cryptosuite | None:
    """The cryptosuite that verifies ``proof``, or None when we support none."""
    if not isinstance(proof, dict):
        return None
    kind = (proof.get("type"), proof.get("cryptosuite"))
    return _BY_PROOF.get(kind) if all(isinstance(v, str | None) for v in kind) else None


def suite_for_signing_key(signing_key: SigningKey) -> Cryptosuite:
    """eddsa-rdfc-2022 for an Ed25519 key, ecdsa-rdfc-2019 for a P-256 / P-384 key."""
    if isinstance(signing_key, nacl.signing.SigningKey):
        return EDDSA_RDFC_2022
    if isinstance(signing_key, ec.EllipticCurvePrivateKey):
        ecdsa_rdfc_2019.curve_of(signing_key)  # P-256 or P-384 only
        return ECDSA_RDFC_2019
    raise ProofError(f"cannot sign with a {type(signing_key).__name__}", PROOF_GENERATION_ERROR)
