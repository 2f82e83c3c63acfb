"""OpenID4VCI 1.0 key proofs of type ``jwt`` (Appendix F.1): a wallet shows it holds the key
the credential is to be bound to.

:func:`verify_key_proof` checks, in this order, and stops at the first failure: the compact
JWS parses; ``typ`` is ``openid4vci-proof+jwt``; ``alg`` is an asymmetric algorithm we accept
(never ``none``); no ``crit``; exactly one of ``kid`` (a ``did:key`` DID URL) or ``jwk`` (a
public key; ``x5c`` and ``trust_chain`` are not supported); the signature verifies with that
key; ``aud`` is the Credential Issuer Identifier; ``iat`` is no older than ``max_age`` and not
in the future beyond ``clock_skew``; ``nonce`` is present. The nonce's freshness and single
use are the caller's (a database) business: it gets :attr:`KeyProof.nonce`.

Pure: no Flask, no database, no network; ``now`` is passed in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from jwcrypto import jwk

from issuer.vcjose import compact, jwks
from issuer.vcjose.verify import signature_valid

__all__ = ["PROOF_TYP", "KeyProof", "KeyProofError", "verify_key_proof"]

PROOF_TYP = "openid4vci-proof+jwt"
ALGORITHMS = ("EdDSA", "ES256")
DEFAULT_MAX_AGE = timedelta(minutes=5)
DEFAULT_CLOCK_SKEW = timedelta(seconds=60)
MAX_NONCE_CHARS = 200


class KeyProofError(ValueError):
    """The proof is not acceptable; ``missing_nonce`` when it lacks one (the caller answers
    ``invalid_nonce`` then, as OpenID4VCI §8.3.1.2 asks), else the message says what is
    wrong."""

    def __init__(self, detail: str, *, missing_nonce: bool = False):
        super().__init__(detail)
        self.missing_nonce = missing_nonce


@dataclass(frozen=True)
class KeyProof:
    """A verified key proof: the holder DID the credential is bound to (the ``did:key`` of
    ``kid``, or ``did:jwk`` of ``jwk``), the key, and the nonce it carries."""

    holder_did: str
    nonce: str
    key: jwk.JWK = field(repr=False)


def _b64url_json(value: dict[str, Any]) -> str:
    text = json.dumps(value, separators=(",", ":"), sort_keys=True)
    return compact.b64url_encode(text.encode("utf-8"))


def _key_of(header: dict[str, Any]) -> tuple[jwk.JWK, str]:
    named = [name for name in ("kid", "jwk", "x5c", "trust_chain") if name in header]
    if len(named) != 1:
        raise KeyProofError("the proof's header must name its key by exactly one of kid "
                            f"(a did:key DID URL) or jwk; it has {named or 'none'}")
    if named[0] == "jwk":
        try:
            key = jwks.public_jwk(header["jwk"])
        except jwks.JwkError as exc:
            raise KeyProofError(f"the proof's jwk: {exc}") from None
        public = key.export_public(as_dict=True)
        public.pop("kid", None)
        return key, "did:jwk:" + _b64url_json(public)
    if named[0] != "kid":
        raise KeyProofError(f"key proofs with {named[0]} are not supported (kid or jwk)")
    kid = header["kid"]
    if not isinstance(kid, str) or not kid.startswith("did:key:") or len(kid) > 500:
        raise KeyProofError("the proof's kid must be a did:key DID URL (did:key:z…#z…)")
    did, _, fragment = kid.partition("#")
    multibase = did.removeprefix("did:key:")
    if fragment != multibase:
        raise KeyProofError("the proof's kid must be did:key:<key>#<key>")
    try:
        return jwks.jwk_from_multikey(multibase), did
    except jwks.JwkError as exc:
        raise KeyProofError(f"the proof's kid: {exc}") from None


def _check_iat(value: Any, *, now: datetime, max_age: timedelta, clock_skew: timedelta) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise KeyProofError("the proof has no iat (a NumericDate)")
    moment = now.timestamp()
    if value > moment + clock_skew.total_seconds():
        raise KeyProofError("the proof's iat is in the future")
    if value < moment - max_age.total_seconds():
        raise KeyProofError(f"the proof is stale: iat is more than {int(max_age.total_seconds())} "
                            "seconds old; sign a new one")


def verify_key_proof(token: Any, *, audience: str, now: datetime,
                     max_age: timedelta = DEFAULT_MAX_AGE,
                     clock_skew: timedelta = DEFAULT_CLOCK_SKEW) -> KeyProof:
    """The verified proof, or KeyProofError (see the module docstring)."""
    try:
        parsed = compact.parse(token)
    except compact.JwsFormatError as exc:
        raise KeyProofError(f"the proof is not a compact JWS: {exc}") from None
    header, claims = parsed.header, parsed.payload
    if header.get("typ") != PROOF_TYP:
        raise KeyProofError(f"the proof's typ must be {PROOF_TYP!r}")
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise KeyProofError(f"the proof's alg must be one of {', '.join(ALGORITHMS)}")
    if "crit" in header:
        raise KeyProofError("the proof has critical header parameters we do not understand")
    key, holder_did = _key_of(header)
    try:
        jwks.check_alg_for_key(alg, key)
    except jwks.JwkError as exc:
        raise KeyProofError(f"the proof's key: {exc}") from None
    if not signature_valid(parsed.text, alg, key):
        raise KeyProofError("the proof's signature does not verify with its key")
    aud = claims.get("aud")
    if aud != audience and not (isinstance(aud, list) and audience in aud):
        raise KeyProofError(f"the proof's aud must be the credential issuer {audience}")
    _check_iat(claims.get("iat"), now=now, max_age=max_age, clock_skew=clock_skew)
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise KeyProofError("the proof has no nonce; get one from the nonce endpoint",
                            missing_nonce=True)
    if len(nonce) > MAX_NONCE_CHARS:
        raise KeyProofError("the proof's nonce is not one of ours", missing_nonce=True)
    return KeyProof(holder_did=holder_did, nonce=nonce, key=key)
