"""The JWS Compact Serialization (RFC 7515 §7.1) as it arrives, read with bounds, and the JOSE
header rules a credential's header must follow (VC-JOSE-COSE §3.1, OB 3.0 §8.2.2).

Nothing here checks a signature (that is :mod:`issuer.vcjose.verify`, through jwcrypto): this
only takes the three parts apart, strictly, and decides what the header claims to be.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any, Literal

from issuer import jsontext
from issuer.vcjose import jwks
from issuer.verification import problem_types as pt

__all__ = [
    "MAX_JWS_CHARS",
    "CompactJws",
    "HeaderInfo",
    "JwsFormatError",
    "b64url_decode",
    "b64url_encode",
    "check_header",
    "media_kind",
    "parse",
]

# A credential is at most 2 MiB where it is handed in; base64url makes it 4/3 larger.
MAX_JWS_CHARS = 3 * 1024 * 1024
MAX_HEADER_CHARS = 16 * 1024
MAX_KID_CHARS = 2048
PART = re.compile(r"^[A-Za-z0-9_-]*$")

Kind = Literal["vc", "vp"]
# Media types by kind. The drafts' "vc-ld+jwt" / "vp-ld+jwt" still circulate; read with a warning.
TYP = {"vc+jwt": "vc", "vp+jwt": "vp"}
DRAFT_TYP = {"vc-ld+jwt": "vc", "vp-ld+jwt": "vp", "vc+ld+json+jwt": "vc", "vp+ld+json+jwt": "vp"}
CTY = {"vc": "vc", "vp": "vp"}
DRAFT_CTY = {"vc+ld+json": "vc", "vp+ld+json": "vp", "credential+ld+json": "vc",
             "presentation+ld+json": "vp"}
# Header parameters we read. Anything else is ignored (VC-JOSE-COSE §3.1.3: "If they are not
# understood, they MUST be ignored"), except what would change how the JWS is processed.
KNOWN = {"alg", "kid", "jwk", "typ", "cty", "iss"}
REFUSED = {"crit", "b64", "zip", "enc"}
KEY_HINTS_IGNORED = {"x5c", "x5u", "x5t", "x5t#S256", "jku"}


class JwsFormatError(ValueError):
    """The text is not a JWS we read; ``problem_type`` says which kind of error."""

    def __init__(self, detail: str, problem_type: str = pt.INVALID_JWT):
        super().__init__(detail)
        self.problem_type = problem_type


@dataclass(frozen=True)
class CompactJws:
    text: str
    header: dict[str, Any]
    payload: dict[str, Any]


@dataclass(frozen=True)
class HeaderInfo:
    """What the header says: the algorithm, the kind of document (None: the payload
    decides), whether it declares a VC-JOSE-COSE media type, and what was ignored."""

    alg: str
    kind: Kind | None
    vc_jose_cose: bool
    warnings: tuple[str, ...] = ()


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(part: str, what: str) -> bytes:
    """Strict base64url without padding (RFC 7515 §2): one encoding per value, so a
    token cannot be altered while its bytes still decode to the same thing."""
    if not PART.match(part) or len(part) % 4 == 1:
        raise JwsFormatError(f"the {what} is not base64url", pt.PARSING_ERROR)
    try:
        data = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise JwsFormatError(f"the {what} is not base64url", pt.PARSING_ERROR) from None
    if b64url_encode(data) != part:
        raise JwsFormatError(f"the {what} is not in canonical base64url", pt.PARSING_ERROR)
    return data


def _json_object(data: bytes, what: str) -> dict[str, Any]:
    try:
        value = jsontext.loads(data)
    except jsontext.JSONTextError as exc:
        raise JwsFormatError(f"the {what} is not JSON: {exc}", pt.PARSING_ERROR) from None
    if not isinstance(value, dict):
        raise JwsFormatError(f"the {what} is not a JSON object", pt.PARSING_ERROR)
    return value


def parse(text: Any) -> CompactJws:
    """The header and payload of a compact JWS; JwsFormatError when it is not one."""
    if not isinstance(text, str):
        raise JwsFormatError("a compact JWS is text", pt.PARSING_ERROR)
    if len(text) > MAX_JWS_CHARS:
        raise JwsFormatError(f"the JWS is longer than {MAX_JWS_CHARS} characters",
                             pt.PARSING_ERROR)
    parts = text.split(".")
    if len(parts) != 3:
        kind = "a JWE (encrypted), not a JWS" if len(parts) == 5 else "not a compact JWS"
        raise JwsFormatError(f"the token has {len(parts)} parts: {kind} "
                             "(header.payload.signature)", pt.PARSING_ERROR)
    header_part, payload_part, signature_part = parts
    if len(header_part) > MAX_HEADER_CHARS:
        raise JwsFormatError("the JOSE header is too large", pt.PARSING_ERROR)
    if not signature_part:
        raise JwsFormatError("the JWS has no signature (an unsecured JWT)",
                             pt.CRYPTOGRAPHIC_SECURITY_ERROR)
    b64url_decode(signature_part, "signature")
    header = _json_object(b64url_decode(header_part, "JOSE header"), "JOSE header")
    payload = _json_object(b64url_decode(payload_part, "payload"), "payload")
    return CompactJws(text, header, payload)


def media_kind(value: Any, table: dict[str, str],
               drafts: dict[str, str]) -> tuple[str | None, bool]:
    """(kind, is a draft name) of a ``typ``/``cty`` value; media type names are
    case-insensitive and may carry the ``application/`` prefix (RFC 7515 §4.1.9)."""
    if not isinstance(value, str):
        return None, False
    name = value.strip().lower().removeprefix("application/")
    if name in table:
        return table[name], False
    if name in drafts:
        return drafts[name], True
    return None, False


def check_header(header: dict[str, Any], *, expect: Kind | None = None) -> HeaderInfo:
    """The header's algorithm and kind, after the rules; JwsFormatError on the first broken
    one (``alg`` ``none`` or not allowed, ``crit``, a media type that is not a credential or
    presentation, no key named, a ``jwk`` with private members)."""
    alg = header.get("alg")
    if not isinstance(alg, str) or not alg:
        raise JwsFormatError("the JOSE header has no alg")
    if alg.lower() == "none":
        raise JwsFormatError("alg \"none\" (an unsecured JWT) is never accepted",
                             pt.PROOF_VERIFICATION_ERROR)
    if alg not in jwks.ALGORITHMS:
        raise JwsFormatError(f"algorithm {alg!r} is not accepted "
                             f"(accepted: {', '.join(jwks.ALGORITHMS)})",
                             pt.PROOF_VERIFICATION_ERROR)
    refused = sorted(REFUSED & set(header))
    if "crit" in refused:
        raise JwsFormatError(f"critical header extensions {header.get('crit')!r} are not "
                             "understood by this verifier (RFC 7515 §4.1.11)")
    if refused:
        raise JwsFormatError(f"header parameter {refused[0]!r} is not accepted in a credential")
    warnings = []
    kind: str | None = None
    vc_jose_cose = False
    if "typ" in header:
        typ = header["typ"]
        kind, draft = media_kind(typ, TYP, DRAFT_TYP)
        if kind is not None:
            vc_jose_cose = True
            if draft:
                warnings.append(f"typ {typ!r} is a draft name; VC-JOSE-COSE uses "
                                f"{kind}+jwt")
        elif not (isinstance(typ, str) and typ.strip().lower().removeprefix("application/")
                  == "jwt"):
            raise JwsFormatError(f"typ {typ!r} is not a verifiable credential or presentation "
                                 "(vc+jwt, vp+jwt, or JWT)")
    if "cty" in header:
        cty = header["cty"]
        cty_kind, draft = media_kind(cty, CTY, DRAFT_CTY)
        if cty_kind is None:
            raise JwsFormatError(f"cty {cty!r} is not a credential or presentation "
                                 "(vc or vp)")
        if draft:
            warnings.append(f"cty {cty!r} is a draft name; VC-JOSE-COSE uses {cty_kind}")
        if kind is not None and cty_kind != kind:
            raise JwsFormatError(f"typ says {kind} but cty says {cty_kind}")
        kind = kind or cty_kind
    if expect is not None and kind is not None and kind != expect:
        wanted = "a credential" if expect == "vc" else "a presentation"
        raise JwsFormatError(f"the JWS is a {kind}+jwt where {wanted} was expected")
    kid, key = header.get("kid"), header.get("jwk")
    if kid is None and key is None:
        raise JwsFormatError("the JOSE header names no key (kid or jwk)",
                             pt.INVALID_VERIFICATION_METHOD)
    if kid is not None and (not isinstance(kid, str) or not kid or len(kid) > MAX_KID_CHARS):
        raise JwsFormatError("kid must be a non-empty string", pt.INVALID_VERIFICATION_METHOD)
    if key is not None:
        try:
            jwks.public_jwk(key)
        except jwks.JwkError as exc:
            raise JwsFormatError(f"jwk header: {exc}", pt.INVALID_VERIFICATION_METHOD) from None
    if "iss" in header and not isinstance(header["iss"], str):
        raise JwsFormatError("the iss header parameter must be a string")
    hints = sorted(KEY_HINTS_IGNORED & set(header))
    if hints:
        warnings.append(f"header {', '.join(hints)} ignored: keys are found by kid or jwk")
    unknown = sorted(set(header) - KNOWN - KEY_HINTS_IGNORED)
    if unknown:
        warnings.append(f"header parameter(s) {', '.join(unknown)} not understood, ignored")
    return HeaderInfo(alg, kind, vc_jose_cose, tuple(warnings))  # type: ignore[arg-type]
