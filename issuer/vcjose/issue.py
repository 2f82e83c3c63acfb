"""Secure a credential or presentation as a compact JWS: VC-JOSE-COSE ``vc+jwt`` / ``vp+jwt``
(the default), or the Open Badges 3.0 §8.2 VC-JWT.

Deterministic: the same document, key, kid and ``now`` give the same token byte for byte
(EdDSA and RS256 signatures are deterministic; ECDSA ones are not). The payload keeps the
document's own member order, then the JWT claims.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import nacl.signing
from jwcrypto import jwk, jws
from jwcrypto.common import JWException

from issuer.clock import parse_datetime
from issuer.errors import SigningError
from issuer.vcjose import claims as jwt_claims
from issuer.vcjose import jwks

__all__ = ["SHAPE_OB", "SHAPE_VC_JOSE_COSE", "JoseSigner", "secure_credential",
           "secure_presentation"]

SHAPE_VC_JOSE_COSE = "vc-jose-cose"
SHAPE_OB = "ob-3.0"
Shape = Literal["vc-jose-cose", "ob-3.0"]


@dataclass(frozen=True)
class JoseSigner:
    """A private key, its JWS algorithm and the ``kid`` (verification-method id) to name.
    Its repr shows no secret."""

    key: jwk.JWK = field(repr=False)
    alg: str
    kid: str

    def __post_init__(self) -> None:
        if not self.key.has_private:
            raise SigningError("a JOSE signer needs a private key")
        try:
            jwks.check_alg_for_key(self.alg, jwks.public_jwk(self.key.export_public(as_dict=True)))
        except jwks.JwkError as exc:
            raise SigningError(str(exc)) from None
        if not isinstance(self.kid, str) or not self.kid:
            raise SigningError("a JOSE signer needs a kid")

    @classmethod
    def from_nacl(cls, signing_key: nacl.signing.SigningKey, *, kid: str) -> JoseSigner:
        """Our Ed25519 key (issuer.services.keystore) as an EdDSA signer."""
        return cls(jwks.private_jwk_from_nacl(signing_key), "EdDSA", kid)


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


def _sign(header: dict[str, Any], payload: dict[str, Any], signer: JoseSigner) -> str:
    token = jws.JWS(_json(payload))
    try:
        token.add_signature(signer.key, None, _json(header).decode("utf-8"))
        return token.serialize(compact=True)
    except (JWException, ValueError, TypeError) as exc:
        raise SigningError(f"JWS signing failed: {exc.__class__.__name__}") from None


def _id_of(value: Any) -> str | None:
    value = value.get("id") if isinstance(value, dict) else value
    return value if isinstance(value, str) else None


def _numeric(value: Any, name: str) -> int:
    try:
        return math.floor(parse_datetime(value).timestamp())
    except (ValueError, TypeError):
        raise SigningError(f"{name} is not a date-time") from None


def _check_document(document: Any, kind: str) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise SigningError(f"the {kind} must be a JSON object")
    taken = [name for name in (*jwt_claims.REGISTERED, "vc", "vp") if name in document]
    if taken:
        raise SigningError(f"the {kind} has members that are JWT claim names "
                           f"({', '.join(taken)}); a {kind} does not carry them")
    return document


def secure_credential(credential: Any, *, signer: JoseSigner, now: datetime,
                      shape: Shape = SHAPE_VC_JOSE_COSE) -> str:
    """The credential as a compact JWS.

    ``vc-jose-cose``: header ``{alg, kid, typ: "vc+jwt", cty: "vc"}``; payload the credential
    and ``iss`` (issuer id), ``iat`` (``now``). ``ob-3.0``: header ``{alg, kid, typ: "JWT"}``
    (OB 3.0 §8.2.2 allows no others); payload the credential and ``iss``, ``jti`` (id),
    ``nbf`` (validFrom), ``exp`` (validUntil), ``sub`` (credentialSubject.id), each when the
    credential has it.
    """
    credential = _check_document(credential, "credential")
    issuer = _id_of(credential.get("issuer"))
    if issuer is None:
        raise SigningError("the credential has no issuer id")
    if shape == SHAPE_VC_JOSE_COSE:
        header = {"alg": signer.alg, "kid": signer.kid, "typ": "vc+jwt", "cty": "vc"}
        payload = {**credential, "iss": issuer, "iat": math.floor(now.timestamp())}
        return _sign(header, payload, signer)
    if shape != SHAPE_OB:
        raise SigningError(f"unknown JWS shape {shape!r}")
    header = {"alg": signer.alg, "kid": signer.kid, "typ": "JWT"}
    claims: dict[str, Any] = {"iss": issuer}
    if _id_of(credential) is not None:
        claims["jti"] = credential["id"]
    start = credential.get("validFrom", credential.get("issuanceDate"))
    if start is None:
        raise SigningError("an OB 3.0 VC-JWT needs validFrom (its nbf claim)")
    claims["nbf"] = _numeric(start, "validFrom")
    end = credential.get("validUntil", credential.get("expirationDate"))
    if end is not None:
        claims["exp"] = _numeric(end, "validUntil")
    subject = credential.get("credentialSubject")
    if _id_of(subject) is not None:
        claims["sub"] = subject["id"]
    return _sign(header, {**credential, **claims}, signer)


def secure_presentation(presentation: Any, *, signer: JoseSigner, now: datetime,
                        challenge: str | None = None, domain: str | None = None) -> str:
    """The presentation as a VC-JOSE-COSE ``vp+jwt``: header ``{alg, kid, typ: "vp+jwt",
    cty: "vp"}``; payload the presentation and ``iss`` (holder, when it has one), ``iat``,
    ``nonce`` (challenge) and ``aud`` (domain) when given. Its credentials must already be
    enveloped (:func:`issuer.vcjose.envelope.enveloped_credential`)."""
    presentation = _check_document(presentation, "presentation")
    header = {"alg": signer.alg, "kid": signer.kid, "typ": "vp+jwt", "cty": "vp"}
    payload = dict(presentation)
    holder = _id_of(presentation.get("holder"))
    if holder is not None:
        payload["iss"] = holder
    payload["iat"] = math.floor(now.timestamp())
    if challenge is not None:
        payload["nonce"] = challenge
    if domain is not None:
        payload["aud"] = domain
    return _sign(header, payload, signer)
