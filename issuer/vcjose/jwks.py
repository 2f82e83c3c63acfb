"""JSON Web Keys (RFC 7517 / 7518 / 8037): public keys we accept, Multikey → JWK, and which
key type each JWS algorithm needs.

Accepted: OKP Ed25519 (``EdDSA``), EC P-256 / P-384 / P-521 (``ES256`` / ``ES384`` /
``ES512``), RSA of at least 2048 bits (``RS256``). A JWK carrying private members is refused,
never used: a verifier that accepted one would be telling the world the issuer's secret.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import nacl.signing
from cryptography.hazmat.primitives.asymmetric import ec
from jwcrypto import jwk
from jwcrypto.common import JWException

from issuer.dataintegrity import multikey

__all__ = [
    "ALGORITHMS",
    "JwkError",
    "jwk_from_multikey",
    "private_jwk_from_nacl",
    "public_jwk",
    "same_key",
    "check_alg_for_key",
    "thumbprint",
]

# alg -> (kty, crv) it needs; crv None: any (RSA). The allow-list: nothing else verifies.
ALGORITHMS: dict[str, tuple[str, str | None]] = {
    "EdDSA": ("OKP", "Ed25519"),
    "ES256": ("EC", "P-256"),
    "ES384": ("EC", "P-384"),
    "ES512": ("EC", "P-521"),
    "RS256": ("RSA", None),
}
CURVES = {"OKP": {"Ed25519"}, "EC": {"P-256", "P-384", "P-521"}}
# RFC 7518 §6.2.2 / §6.3.2 and RFC 8037 §2: members only a private (or symmetric) key has.
PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")
MIN_RSA_BITS = 2048
MAX_RSA_BITS = 8192  # bounded work: verifying with a huge modulus costs more than it proves
MAX_JWK_CHARS = 8192

P256_PUB_HEADER = b"\x80\x24"  # multicodec p256-pub (0x1200) as a varint
P256_COMPRESSED_LENGTH = 33


class JwkError(ValueError):
    """A JWK (or the key material it stands for) we cannot or will not use; ``str()`` says
    why in one line."""


def public_jwk(value: Any) -> jwk.JWK:
    """The public key a JWK object describes, after checking it is one we accept."""
    if not isinstance(value, dict):
        raise JwkError("a JWK must be a JSON object")
    if len(json.dumps(value)) > MAX_JWK_CHARS:
        raise JwkError("the JWK is too large")
    private = [name for name in PRIVATE_MEMBERS if name in value]
    if private:
        raise JwkError("the JWK contains private key members (" + ", ".join(private)
                       + "); a public key must never carry them")
    kty = value.get("kty")
    if kty not in ("OKP", "EC", "RSA"):
        raise JwkError(f"unsupported JWK key type {kty!r} (OKP, EC or RSA)")
    if kty in CURVES and value.get("crv") not in CURVES[kty]:
        raise JwkError(f"unsupported {kty} curve {value.get('crv')!r} "
                       f"({', '.join(sorted(CURVES[kty]))})")
    if value.get("use", "sig") != "sig":
        raise JwkError(f"the JWK is for use {value.get('use')!r}, not signatures")
    ops = value.get("key_ops")
    if ops is not None and (not isinstance(ops, list) or "verify" not in ops):
        raise JwkError("the JWK's key_ops do not include verify")
    try:
        key = jwk.JWK(**value)
        key.get_op_key("verify")  # decodes the key: a point off the curve fails here
    except (JWException, ValueError, TypeError) as exc:
        raise JwkError(f"invalid JWK: {_first_line(exc)}") from None
    if kty == "RSA":
        bits = key.get_op_key("verify").key_size
        if not MIN_RSA_BITS <= bits <= MAX_RSA_BITS:
            raise JwkError(f"the RSA key has {bits} bits; {MIN_RSA_BITS} to {MAX_RSA_BITS} "
                           "are accepted")
    return key


def check_alg_for_key(alg: str, key: jwk.JWK) -> None:
    """JwkError unless ``alg`` is allowed and is the algorithm of this key's type and curve
    (and of the key's own ``alg`` member, when it has one)."""
    if alg not in ALGORITHMS:
        raise JwkError(f"algorithm {alg!r} is not accepted "
                       f"(accepted: {', '.join(ALGORITHMS)})")
    kty, crv = ALGORITHMS[alg]
    if key.get("kty") != kty or (crv is not None and key.get("crv") != crv):
        found = key.get("kty") + (f" {key.get('crv')}" if key.get("crv") else "")
        raise JwkError(f"algorithm {alg} needs a {kty}{' ' + crv if crv else ''} key, "
                       f"but the key is {found}")
    declared = key.get("alg")
    if declared is not None and declared != alg:
        raise JwkError(f"the key is declared for {declared}, not {alg}")


def thumbprint(key: jwk.JWK) -> str:
    """The RFC 7638 SHA-256 thumbprint (base64url)."""
    return key.thumbprint()


def same_key(a: jwk.JWK, b: jwk.JWK) -> bool:
    return thumbprint(a) == thumbprint(b)


def jwk_from_multikey(public_key_multibase: str) -> jwk.JWK:
    """The JWK of an Ed25519 (``z6Mk…``) or P-256 (``zDn…``) Multikey."""
    try:
        data = multikey.multibase_decode(public_key_multibase)
    except multikey.MultikeyError as exc:
        raise JwkError(str(exc)) from None
    if data[:2] == multikey.ED25519_PUB_HEADER:
        try:
            raw = multikey.decode_public_key(public_key_multibase)
        except multikey.MultikeyError as exc:
            raise JwkError(str(exc)) from None
        return public_jwk({"kty": "OKP", "crv": "Ed25519", "x": _b64url(raw)})
    if data[:2] == P256_PUB_HEADER:
        point = data[2:]
        if len(point) != P256_COMPRESSED_LENGTH:
            raise JwkError("a P-256 Multikey is a 33-byte compressed point")
        try:
            public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        except ValueError:
            raise JwkError("the P-256 Multikey is not a point on the curve") from None
        return public_jwk(json.loads(jwk.JWK.from_pyca(public).export_public()))
    raise JwkError("unsupported Multikey (Ed25519 z6Mk… and P-256 zDn… are supported)")


def private_jwk_from_nacl(signing_key: nacl.signing.SigningKey) -> jwk.JWK:
    """Our Ed25519 signing key as a private OKP JWK, for signing only. Never print, log or
    store what this returns."""
    return jwk.JWK(kty="OKP", crv="Ed25519", d=_b64url(bytes(signing_key)),
                   x=_b64url(bytes(signing_key.verify_key)))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else exc.__class__.__name__
