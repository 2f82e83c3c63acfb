"""Keys, controller documents and hand-made tokens for the VC-JOSE-COSE tests.

``forge`` signs any header and payload with jwcrypto's algorithm implementations and no rules
at all, so tests can make the tokens a careful library refuses to produce (``crit``, a
``jwk`` with private members, an algorithm that does not fit the key, …).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import base58
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from jwcrypto import jwk
from jwcrypto.jwa import JWA

from issuer.dataintegrity import multikey

ISSUER = "did:web:badges.example.org"
VALID_FROM = "2026-01-01T00:00:00Z"


def b64(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def forge(header: dict[str, Any], payload: Any, key: jwk.JWK | None, *,
          alg: str | None = None) -> str:
    """header.payload.signature, signed with ``alg`` (default: the header's) and no checks."""
    body = payload if isinstance(payload, str) else dumps(payload)
    signing_input = f"{b64(dumps(header))}.{b64(body)}"
    if key is None:
        return signing_input + "."
    signature = JWA.signing_alg(alg or header["alg"]).sign(key, signing_input.encode("ascii"))
    return f"{signing_input}.{b64(signature)}"


def generate(alg: str) -> jwk.JWK:
    """A fresh private key for ``alg`` (EdDSA, ES256, ES384, ES512, RS256)."""
    if alg == "EdDSA":
        return jwk.JWK.generate(kty="OKP", crv="Ed25519")
    if alg.startswith("ES"):
        return jwk.JWK.generate(kty="EC", crv={"ES256": "P-256", "ES384": "P-384",
                                               "ES512": "P-521"}[alg])
    return jwk.JWK.generate(kty="RSA", size=2048)


def public(key: jwk.JWK) -> dict[str, Any]:
    return key.export_public(as_dict=True)


def multikey_of(key: jwk.JWK) -> str:
    """The Multikey (publicKeyMultibase) of an Ed25519 or P-256 JWK."""
    data = public(key)
    if data["kty"] == "OKP":
        raw = base64.urlsafe_b64decode(data["x"] + "=" * (-len(data["x"]) % 4))
        return multikey.encode_public_key(raw)
    point = key.get_op_key("verify").public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
    return "z" + base58.b58encode(b"\x80\x24" + point).decode("ascii")


def did_key(key: jwk.JWK) -> str:
    return "did:key:" + multikey_of(key)


def jwk_method(controller: str, key: jwk.JWK, fragment: str = "key-1") -> dict[str, Any]:
    return {"id": f"{controller}#{fragment}", "type": "JsonWebKey", "controller": controller,
            "publicKeyJwk": public(key)}


def controller_document(controller: str, methods: list[dict[str, Any]], *,
                        relationship: str = "assertionMethod") -> dict[str, Any]:
    return {"@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/jwk/v1"],
            "id": controller, "verificationMethod": methods,
            relationship: [method["id"] for method in methods]}


def resolver(*documents: dict[str, Any]):
    """``resolve_controller`` over these documents, by id; None for any other id."""
    by_id = {document["id"]: document for document in documents}
    calls: list[str] = []

    def resolve(identifier: str) -> dict[str, Any] | None:
        calls.append(identifier)
        return by_id.get(identifier)

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


def credential(issuer: str = ISSUER, **extra: Any) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:6a1c8f0e-2b43-4f0a-9c2e-0d5f6b7a8c9d",
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "validFrom": VALID_FROM,
        "credentialSubject": {"id": "did:example:ann"},
        **extra,
    }
