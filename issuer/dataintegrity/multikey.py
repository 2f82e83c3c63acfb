"""Public keys as Multikey (W3C Controlled Identifiers §2.2.2) and did:key.

Ed25519 (vc-di-eddsa §2.1.1): publicKeyMultibase = ``z`` + base58btc(0xed 0x01 || 32-byte
key), so always ``z6Mk...``; secretKeyMultibase = ``z`` + base58btc(0x80 0x26 || 32-byte seed)
(the W3C vector form); the 1EdTech guide's 64-byte seed||public form is accepted on input.

P-256 and P-384 (vc-di-ecdsa §2.1.1): the multicodec varint p256-pub 0x1200 (``80 24``) or
p384-pub 0x1201 (``81 24``) and the compressed SEC 1 point (33 or 49 bytes), so ``zDn...`` and
``z82...``; secret keys p256-priv 0x1306 / p384-priv 0x1307 and the 32 / 48-byte scalar.
:func:`decode_multikey` reads any of the three; :func:`decode_public_key` only Ed25519.
"""

from __future__ import annotations

from dataclasses import dataclass

import base58

ED25519_PUB_HEADER = b"\xed\x01"
ED25519_PRIV_HEADER = b"\x80\x26"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
DID_CONTEXT = "https://www.w3.org/ns/did/v1"

ED25519 = "Ed25519"
P256 = "P-256"
P384 = "P-384"
# algorithm -> (public header, public key length, secret header, secret key length)
_MULTICODECS = {
    ED25519: (ED25519_PUB_HEADER, 32, ED25519_PRIV_HEADER, 32),
    P256: (b"\x80\x24", 33, b"\x86\x26", 32),
    P384: (b"\x81\x24", 49, b"\x87\x26", 48),
}


@dataclass(frozen=True)
class PublicKey:
    """A decoded Multikey public key: its algorithm and raw bytes (the Ed25519 key, or the
    compressed elliptic-curve point)."""

    algorithm: str
    key: bytes


class MultikeyError(ValueError):
    """A multibase / multikey value is malformed or not an Ed25519 key."""


def multibase_decode(value: str) -> bytes:
    """Decode a base58btc multibase string (``z...``)."""
    if not isinstance(value, str) or not value.startswith("z") or len(value) < 2:
        raise MultikeyError("expected a base58btc multibase value starting with 'z'")
    try:
        return base58.b58decode(value[1:])
    except ValueError as exc:
        raise MultikeyError(f"invalid base58btc: {exc}") from None


def multibase_encode(data: bytes) -> str:
    return "z" + base58.b58encode(data).decode("ascii")


def encode_public_key(public_key: bytes) -> str:
    if len(public_key) != 32:
        raise MultikeyError("an Ed25519 public key is 32 bytes")
    return multibase_encode(ED25519_PUB_HEADER + public_key)


def decode_public_key(public_key_multibase: str) -> bytes:
    """The 32-byte Ed25519 key of a ``z6Mk...`` value; any other key type is rejected."""
    data = multibase_decode(public_key_multibase)
    if data[:2] != ED25519_PUB_HEADER:
        raise MultikeyError("not an Ed25519 public key (multicodec header is not 0xed01)")
    if len(data) != 34:
        raise MultikeyError("an Ed25519 public key is 32 bytes")
    return data[2:]


def decode_multikey(public_key_multibase: str) -> PublicKey:
    """An Ed25519, P-256 or P-384 public key from its publicKeyMultibase; any other
    multicodec, length or (for curves) a point that is not compressed is rejected."""
    data = multibase_decode(public_key_multibase)
    for algorithm, (header, length, _, _) in _MULTICODECS.items():
        if data[:2] != header:
            continue
        if len(data) != 2 + length:
            raise MultikeyError(f"a {algorithm} public key is {length} bytes")
        if algorithm != ED25519 and data[2] not in (2, 3):
            raise MultikeyError(f"a {algorithm} Multikey must be a compressed point")
        return PublicKey(algorithm, data[2:])
    raise MultikeyError("not an Ed25519, P-256 or P-384 public key (multicodec header "
                        f"{data[:2].hex() or 'missing'})")


def encode_multikey(public_key: PublicKey) -> str:
    """The publicKeyMultibase of a decoded key (the inverse of :func:`decode_multikey`)."""
    header, length, _, _ = _MULTICODECS[public_key.algorithm]
    if len(public_key.key) != length:
        raise MultikeyError(f"a {public_key.algorithm} public key is {length} bytes")
    return multibase_encode(header + public_key.key)


def encode_secret_multikey(algorithm: str, secret: bytes) -> str:
    """secretKeyMultibase of a P-256 / P-384 scalar (or an Ed25519 seed)."""
    _, _, header, length = _MULTICODECS[algorithm]
    if len(secret) != length:
        raise MultikeyError(f"a {algorithm} secret key is {length} bytes")
    return multibase_encode(header + secret)


def decode_secret_multikey(secret_key_multibase: str) -> tuple[str, bytes]:
    """(algorithm, secret bytes) of a P-256 / P-384 secret key (or an Ed25519 seed)."""
    data = multibase_decode(secret_key_multibase)
    if data[:2] == ED25519_PRIV_HEADER:
        return ED25519, decode_secret_key(secret_key_multibase)
    for algorithm, (_, _, header, length) in _MULTICODECS.items():
        if data[:2] == header and len(data) == 2 + length:
            return algorithm, data[2:]
    raise MultikeyError("not an Ed25519, P-256 or P-384 secret key")


def encode_secret_key(seed: bytes) -> str:
    if len(seed) != 32:
        raise MultikeyError("an Ed25519 seed is 32 bytes")
    return multibase_encode(ED25519_PRIV_HEADER + seed)


def decode_secret_key(secret_key_multibase: str) -> bytes:
    """The 32-byte seed of an ed25519-priv multikey (32-byte seed or 64-byte seed||public)."""
    data = multibase_decode(secret_key_multibase)
    if data[:2] != ED25519_PRIV_HEADER:
        raise MultikeyError("not an Ed25519 secret key (multicodec header is not 0x8026)")
    if len(data) not in (34, 66):
        raise MultikeyError("an Ed25519 secret key is a 32-byte seed or 64-byte seed||public")
    return data[2:34]


def did_key(public_key_multibase: str) -> str:
    """``did:key:z6Mk...`` (``zDn...``, ``z82...``) for a Multikey public key."""
    decode_multikey(public_key_multibase)
    return "did:key:" + public_key_multibase


def did_key_verification_method(public_key_multibase: str) -> str:
    """``did:key:z6Mk...#z6Mk...``, the verification method of a did:key."""
    return f"{did_key(public_key_multibase)}#{public_key_multibase}"


def multikey_verification_method(controller: str, public_key_multibase: str) -> dict[str, str]:
    """The Multikey verification-method object ``<controller>#<z6Mk...>``."""
    return {
        "id": f"{controller}#{public_key_multibase}",
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": public_key_multibase,
    }


def controller_document(controller: str, public_key_multibases: list[str]) -> dict:
    """A controller (DID) document listing keys under verificationMethod and assertionMethod."""
    methods = [multikey_verification_method(controller, key) for key in public_key_multibases]
    return {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": controller,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def did_key_document(public_key_multibase: str) -> dict:
    """The DID document of ``did:key:z6Mk...`` (its single key, authorised for assertions)."""
    controller = did_key(public_key_multibase)
    document = controller_document(controller, [public_key_multibase])
    document["authentication"] = list(document["assertionMethod"])
    return document
