"""The JWT Claims Set of a secured credential or presentation: which shape it has, the
document it carries, and whether the registered claims agree with that document.

Three shapes are read:

* ``vc-jose-cose`` (``typ`` ``vc+jwt`` / ``vp+jwt``): the payload is the document; the ``vc``
  and ``vp`` claims MUST NOT be present (VC-JOSE-COSE §3.1.3); ``iss`` MUST match the issuer
  (§4.1); ``exp`` / ``nbf`` bound the signature's validity.
* ``ob-3.0`` (``typ`` ``JWT`` or none, OB 3.0 §8.2.3): the payload is the credential plus
  ``iss`` = issuer.id, ``jti`` = id, ``nbf`` = validFrom, ``exp`` = validUntil,
  ``sub`` = credentialSubject.id; each that is present must match (§8.2.5).
* ``vc-1.1`` (a ``vc`` or ``vp`` claim, VC Data Model 1.1 §6.3.1): the document is that claim;
  the registered claims fill in what it leaves out, and must match what it has.

The registered JWT claims are not part of the document handed on to the other checks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from issuer.clock import parse_datetime
from issuer.vcjose.compact import HeaderInfo, Kind
from issuer.verification import problem_types as pt
from issuer.verification.results import CheckResult, Problem, Status

__all__ = ["REGISTERED", "Interpretation", "interpret", "numeric_date", "time_check"]

# RFC 7519 §4.1, RFC 7800 (cnf), OpenID Connect (nonce): JOSE-level, not the credential's.
REGISTERED = ("iss", "sub", "aud", "exp", "nbf", "iat", "jti", "cnf", "nonce")
OB_TYPES = {"OpenBadgeCredential", "AchievementCredential", "EndorsementCredential"}
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
VALIDITY = ("validity", "Validity period")


@dataclass(frozen=True)
class Interpretation:
    kind: Kind
    shape: str
    document: dict[str, Any]
    claims: dict[str, Any]
    subject_id: str | None  # the issuer's id (credential) or the holder's (presentation)
    problems: tuple[Problem, ...] = ()
    warnings: tuple[str, ...] = field(default=())


def numeric_date(value: Any) -> datetime:
    """A NumericDate (RFC 7519 §2: seconds since the epoch, a JSON number) as a datetime."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError("is not a NumericDate (a number of seconds since 1970)")
    try:
        return datetime.fromtimestamp(value, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise ValueError("is out of range") from None


def _text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _types(node: Any) -> set[str]:
    value = node.get("type", []) if isinstance(node, dict) else []
    return {value} if isinstance(value, str) else {v for v in value if isinstance(v, str)} \
        if isinstance(value, list) else set()


def _id_of(value: Any) -> str | None:
    value = value.get("id") if isinstance(value, dict) else value
    return value if isinstance(value, str) else None


class _Reader:
    """Collects problems and warnings while one claims set is read."""

    def __init__(self, claims: dict[str, Any]):
        self.claims = claims
        self.problems: list[Problem] = []
        self.warnings: list[str] = []

    def fail(self, detail: str, problem_type: str = pt.INVALID_JWT) -> None:
        self.problems.append(Problem(problem_type, "JWT claims", detail))

    def date(self, name: str) -> datetime | None:
        if name not in self.claims:
            return None
        try:
            return numeric_date(self.claims[name])
        except ValueError as exc:
            self.fail(f"the {name} claim {exc}")
            return None

    def agree(self, document: dict[str, Any], claim: str, prop: str, actual: str | None,
              *, fill: bool) -> None:
        """``claim`` must equal the document's ``prop`` (``actual``); with ``fill``, a
        missing ``prop`` takes the claim's value (VC 1.1 decoding)."""
        value = self.claims.get(claim)
        if value is None:
            return
        if not isinstance(value, str):
            self.fail(f"the {claim} claim must be a string")
        elif actual is None and fill and prop not in document:
            document[prop] = value
        elif actual != value:
            self.fail(f"the {claim} claim ({value}) does not match {prop} ({actual})")

    def agree_date(self, document: dict[str, Any], claim: str, props: tuple[str, str],
                   *, fill: bool) -> None:
        moment = self.date(claim)
        if moment is None:
            return
        # VC 2.0 names the dates validFrom / validUntil, VC 1.1 issuanceDate / expirationDate.
        prop = props[1] if VC_V1_CONTEXT in _contexts(document)[:1] else props[0]
        if prop not in document:
            if fill:
                document[prop] = _text(moment)
            return
        try:
            stated = parse_datetime(document[prop])
        except (ValueError, TypeError):
            return  # the validity check reports the malformed date
        if math.floor(stated.timestamp()) != math.floor(moment.timestamp()):
            self.fail(f"the {claim} claim ({_text(moment)}) does not match {prop} "
                      f"({document[prop]})")


def _contexts(document: dict[str, Any]) -> list[Any]:
    value = document.get("@context", [])
    return value if isinstance(value, list) else [value]


def _credential(reader: _Reader, document: dict[str, Any], shape: str) -> None:
    fill = shape == "vc-1.1"
    reader.agree(document, "iss", "issuer", _id_of(document.get("issuer")), fill=fill)
    reader.agree(document, "jti", "id", _id_of(document), fill=fill)
    sub = reader.claims.get("sub")
    subjects = document.get("credentialSubject")
    listed = subjects if isinstance(subjects, list) else [subjects]
    ids = [_id_of(s) for s in listed if isinstance(s, dict)]
    if isinstance(sub, str):
        if fill and len(listed) == 1 and isinstance(subjects, dict) and "id" not in subjects:
            document["credentialSubject"] = {"id": sub, **subjects}
        elif sub not in ids:
            reader.fail(f"the sub claim ({sub}) does not match credentialSubject.id "
                        f"({', '.join(i or 'none' for i in ids) or 'none'})")
    elif sub is not None:
        reader.fail("the sub claim must be a string")
    if shape != "vc-jose-cose":  # there nbf/exp are the signature's, not the credential's
        reader.agree_date(document, "nbf", ("validFrom", "issuanceDate"), fill=fill)
        reader.agree_date(document, "exp", ("validUntil", "expirationDate"), fill=fill)
    if shape == "ob-3.0" and OB_TYPES & _types(document):
        missing = [c for c in ("iss", "jti", "nbf", "sub") if c not in reader.claims]
        if missing:
            reader.warnings.append("OB 3.0 §8.2.3 asks for the claims "
                                   + ", ".join(missing) + ", which are missing")


def _presentation(reader: _Reader, document: dict[str, Any], shape: str,
                  challenge: str | None, domain: str | None) -> None:
    fill = shape == "vc-1.1"
    reader.agree(document, "iss", "holder", _id_of(document.get("holder")), fill=fill)
    reader.agree(document, "jti", "id", _id_of(document), fill=fill)
    if challenge is not None:
        nonce = reader.claims.get("nonce")
        if nonce != challenge:
            reader.fail("the presentation's nonce does not match the challenge" if nonce
                        is not None else "the presentation has no nonce for the challenge",
                        pt.INVALID_CHALLENGE_ERROR)
    if domain is not None:
        aud = reader.claims.get("aud")
        audiences = aud if isinstance(aud, list) else [aud]
        if domain not in audiences:
            reader.fail("the presentation's aud does not include the domain" if aud
                        is not None else "the presentation has no aud for the domain",
                        pt.INVALID_DOMAIN_ERROR)


def interpret(payload: dict[str, Any], info: HeaderInfo, *, expect: Kind | None = None,
              challenge: str | None = None, domain: str | None = None) -> Interpretation:
    """Read the claims set; problems are failures of the claims check, never exceptions."""
    claims = {name: payload[name] for name in REGISTERED if name in payload}
    reader = _Reader(claims)
    nested = [name for name in ("vc", "vp") if name in payload]
    kind: Kind | None = info.kind
    if info.vc_jose_cose:
        shape = "vc-jose-cose"
        if nested:
            reader.fail(f"the JWT claim(s) {' and '.join(nested)} MUST NOT be present in a "
                        f"{info.kind}+jwt (VC-JOSE-COSE §3.1.3)")
        document = {k: v for k, v in payload.items() if k not in REGISTERED}
    elif nested:
        shape = "vc-1.1"
        if len(nested) == 2 or not isinstance(payload[nested[0]], dict):
            reader.fail("a VC 1.1 JWT carries one vc or vp claim, a JSON object")
            document = {}
        else:
            document = dict(payload[nested[0]])
        claim_kind: Kind = "vp" if nested == ["vp"] else "vc"
        if kind is not None and kind != claim_kind:
            reader.fail(f"the header says {kind} but the payload has a {nested[0]} claim")
        kind = claim_kind
    else:
        shape = "ob-3.0"
        document = {k: v for k, v in payload.items() if k not in REGISTERED}
    if kind is None:
        kind = "vp" if "VerifiablePresentation" in _types(document) else "vc"
    if expect is not None and kind != expect:
        reader.fail("the JWS carries a presentation where a credential was expected"
                    if expect == "vc" else
                    "the JWS carries a credential where a presentation was expected")
    iat = claims.get("iat")
    if iat is not None and (isinstance(iat, bool) or not isinstance(iat, (int, float))):
        reader.warnings.append("the iat claim is not a NumericDate; ignored")
    if kind == "vc":
        _credential(reader, document, shape)
        subject = _id_of(document.get("issuer"))
    else:
        _presentation(reader, document, shape, challenge, domain)
        subject = _id_of(document.get("holder"))
    iss = claims.get("iss")
    return Interpretation(kind, shape, document, claims,
                          subject or (iss if isinstance(iss, str) else None),
                          tuple(reader.problems), tuple(reader.warnings))


def time_check(claims: dict[str, Any], *, now: datetime, clock_skew: timedelta) -> CheckResult:
    """``exp`` not past and ``nbf`` not ahead (RFC 7519 §4.1.4-5), with ``clock_skew``."""
    cid, title = VALIDITY
    try:
        exp = numeric_date(claims["exp"]) if "exp" in claims else None
        nbf = numeric_date(claims["nbf"]) if "nbf" in claims else None
    except ValueError:
        return CheckResult(cid, title, Status.NOT_CHECKED,
                           "the JWT's exp or nbf is not a NumericDate")
    if nbf is not None and nbf > now + clock_skew:
        detail = f"the JWT is not valid before {_text(nbf)} (nbf)"
        return CheckResult(cid, title, Status.FAILED, detail,
                           problems=(Problem(pt.NOT_YET_VALID, "Not yet valid", detail),))
    if exp is not None and exp < now - clock_skew:
        detail = f"the JWT expired on {_text(exp)} (exp)"
        return CheckResult(cid, title, Status.FAILED, detail,
                           problems=(Problem(pt.EXPIRED, "Expired", detail),))
    if exp is None and nbf is None:
        return CheckResult(cid, title, Status.NOT_APPLICABLE, "the JWT has no exp or nbf")
    return CheckResult(cid, title, Status.PASSED,
                       f"the JWT is valid until {_text(exp)} (exp)" if exp is not None
                       else "the JWT is valid, with no exp")
