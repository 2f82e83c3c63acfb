"""The ecdsa-rdfc-2019 cryptosuite, step by step as W3C vc-di-ecdsa §3.2 names them.

https://www.w3.org/TR/vc-di-ecdsa/#ecdsa-rdfc-2019
P-256 keys hash with SHA-256, P-384 keys with SHA-384: the proof configuration and the
document (and, for P-384, RDFC-1.0's own blank-node hashing, §3 "canon-and-hash"). The
signature is ECDSA (FIPS 186-5) over the hash data, hashed again by the algorithm with the
same SHA-2, in IEEE P1363 form r || s (64 or 96 bytes). The curve comes from the key, as in
Digital Bazaar's implementation; :mod:`issuer.dataintegrity.proofs` composes the steps.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from issuer.dataintegrity import multikey
from issuer.dataintegrity.canonicalize import canonicalize
from issuer.dataintegrity.limits import DEFAULT_LIMITS, ProcessingLimits
from issuer.dataintegrity.document_loader import DEFAULT_LOADER, StaticDocumentLoader
from issuer.dataintegrity.multikey import multibase_encode
from issuer.dataintegrity.processing_errors import (
    PROOF_GENERATION_ERROR,
    PROOF_TRANSFORMATION_ERROR,
    ProofError,
)
from issuer.dataintegrity.proof_config import canonical_proof_configuration
from issuer.dataintegrity.proof_input import proof_input

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "ecdsa-rdfc-2019"

# XMLSCHEMA11-2 dateTime (the time zone is optional there; DI asks for one, we do not insist).
_DATETIME = re.compile(r"-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")


@dataclass(frozen=True)
class Curve:
    """What a curve fixes in this suite: the hash (everywhere) and the signature size."""

    name: str
    curve: ec.EllipticCurve
    hash_name: str
    size: int  # bytes of r, of s, and of each hash

    def digest(self, text: str) -> bytes:
        return hashlib.new(self.hash_name, text.encode("utf-8")).digest()

    def ecdsa(self) -> ec.ECDSA:
        return ec.ECDSA(hashes.SHA256() if self.size == 32 else hashes.SHA384())

    def canonicalize(self, document: dict[str, Any], *, loader: StaticDocumentLoader,
                     limits: ProcessingLimits) -> str:
        """RDFC-1.0 with the curve's hash as its hash parameter (§3.2.3: SHA-384 for P-384)."""
        return canonicalize(document, loader=loader, limits=limits,
                            hash_algorithm=self.hash_name)


P256 = Curve(multikey.P256, ec.SECP256R1(), "sha256", 32)
P384 = Curve(multikey.P384, ec.SECP384R1(), "sha384", 48)
CURVES = {P256.name: P256, P384.name: P384}


def curve_of(key: multikey.PublicKey | ec.EllipticCurvePrivateKey) -> Curve:
    """The suite's curve for a public Multikey or a private key; ProofError for others."""
    if isinstance(key, multikey.PublicKey):
        found = CURVES.get(key.algorithm)
    else:
        found = next((c for c in CURVES.values() if c.curve.name == key.curve.name), None)
    if found is None:
        raise ProofError("ecdsa-rdfc-2019 needs a P-256 or P-384 key")
    return found


def public_multikey(private_key: ec.EllipticCurvePrivateKey) -> multikey.PublicKey:
    """The public half of a P-256 / P-384 private key, as a Multikey (compressed point)."""
    point = private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                  serialization.PublicFormat.CompressedPoint)
    return multikey.PublicKey(curve_of(private_key).name, point)


def private_key_from(algorithm: str, secret: bytes) -> ec.EllipticCurvePrivateKey:
    """The P-256 / P-384 private key of a secret scalar (as secretKeyMultibase holds it)."""
    if algorithm not in CURVES:
        raise ProofError(f"not a P-256 or P-384 secret key: {algorithm}", PROOF_GENERATION_ERROR)
    return ec.derive_private_key(int.from_bytes(secret, "big"), CURVES[algorithm].curve)


def _check_suite(options: dict[str, Any], problem_type: str) -> None:
    if options.get("type") != PROOF_TYPE or options.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(
            f"not an ecdsa-rdfc-2019 proof (type {options.get('type')!r}, cryptosuite "
            f"{options.get('cryptosuite')!r})", problem_type,
        )


def transformation(
    unsecured_document: dict[str, Any], options: dict[str, Any], *, curve: Curve,
    loader: StaticDocumentLoader, limits: ProcessingLimits = DEFAULT_LIMITS,
) -> str:
    """§3.2.3 Transformation: RDFC-1.0 canonical N-Quads of the unsecured document (with the
    curve's hash inside RDFC-1.0)."""
    _check_suite(options, PROOF_TRANSFORMATION_ERROR)
    return curve.canonicalize(unsecured_document, loader=loader, limits=limits)


def hashing(transformed_document: str, canonical_proof_config: str, *, curve: Curve) -> bytes:
    """§3.2.4 Hashing: H(proof config) || H(document), H = SHA-256 (P-256) or SHA-384 (P-384)."""
    return curve.digest(canonical_proof_config) + curve.digest(transformed_document)


def proof_configuration(
    unsecured_document: dict[str, Any], options: dict[str, Any], *, curve: Curve,
    loader: StaticDocumentLoader, limits: ProcessingLimits = DEFAULT_LIMITS,
) -> str:
    """§3.2.5 Proof Configuration: the proof options (no proofValue), a valid ``created``,
    and the document's ``@context``, canonicalized (by template when it has the known simple
    form, :mod:`issuer.dataintegrity.proof_config`)."""
    _check_suite(options, PROOF_GENERATION_ERROR)
    created = options.get("created")
    if created is not None and not (isinstance(created, str) and _DATETIME.fullmatch(created)):
        raise ProofError(f"proof created {created!r} is not an XML Schema dateTime",
                         PROOF_GENERATION_ERROR)
    proof_config = {key: value for key, value in options.items() if key != "proofValue"}
    proof_config["@context"] = unsecured_document["@context"]
    return canonical_proof_configuration(proof_config, loader=loader, limits=limits,
                                         hash_algorithm=curve.hash_name)


def proof_serialization(hash_data: bytes, private_key: ec.EllipticCurvePrivateKey) -> bytes:
    """§3.2.6 Proof Serialization: ECDSA over the hash data, as r || s (P1363)."""
    curve = curve_of(private_key)
    r, s = decode_dss_signature(private_key.sign(hash_data, curve.ecdsa()))
    return r.to_bytes(curve.size, "big") + s.to_bytes(curve.size, "big")


def proof_verification(
    hash_data: bytes, proof_bytes: bytes, public_key: multikey.PublicKey
) -> bool:
    """§3.2.7 Proof Verification: does the r || s signature verify under the public key?"""
    curve = curve_of(public_key)
    if len(proof_bytes) != 2 * curve.size:
        return False
    try:
        point = ec.EllipticCurvePublicKey.from_encoded_point(curve.curve, public_key.key)
    except ValueError:
        raise ProofError(f"the {curve.name} public key is not a point on the curve") from None
    r = int.from_bytes(proof_bytes[: curve.size], "big")
    s = int.from_bytes(proof_bytes[curve.size :], "big")
    try:
        point.verify(encode_dss_signature(r, s), hash_data, curve.ecdsa())
    except InvalidSignature:
        return False
    return True


def create_proof(
    unsecured_document: dict[str, Any],
    options: dict[str, Any],
    private_key: ec.EllipticCurvePrivateKey,
    *,
    loader: StaticDocumentLoader = DEFAULT_LOADER,
    limits: ProcessingLimits = DEFAULT_LIMITS,
) -> dict[str, Any]:
    """§3.2.1 Create Proof: the proof object (options + proofValue) for the document."""
    hash_data = _hash_data(unsecured_document, options, curve=curve_of(private_key),
                           loader=loader, limits=limits)
    return {**options, "proofValue": multibase_encode(proof_serialization(hash_data, private_key))}


def _hash_data(unsecured_document: dict[str, Any], options: dict[str, Any], *, curve: Curve,
               loader: StaticDocumentLoader, limits: ProcessingLimits) -> bytes:
    """Transformation, Proof Configuration and Hashing, in Verify Proof's order (so a proof of
    another suite is a PROOF_TRANSFORMATION_ERROR, as there)."""
    transformed = transformation(unsecured_document, options, curve=curve, loader=loader,
                                 limits=limits)
    canonical_proof_config = proof_configuration(unsecured_document, options, curve=curve,
                                                 loader=loader, limits=limits)
    return hashing(transformed, canonical_proof_config, curve=curve)


def verify_proof(
    unsecured_document: dict[str, Any],
    proof: dict[str, Any],
    public_key: multikey.PublicKey,
    *,
    loader: StaticDocumentLoader = DEFAULT_LOADER,
    limits: ProcessingLimits = DEFAULT_LIMITS,
) -> bool:
    """§3.2.2 Verify Proof for one proof of a secured document (``proof`` already removed from
    ``unsecured_document``, or replaced by the proofs a chain link names). False for a bad
    signature; ProofError for a malformed proof or a key of another kind."""
    curve = curve_of(public_key)
    parts = proof_input(unsecured_document, proof)
    hash_data = _hash_data(parts.document, parts.options, curve=curve, loader=loader,
                           limits=limits)
    return proof_verification(hash_data, parts.proof_bytes, public_key)
