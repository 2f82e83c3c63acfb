"""Verify a credential or presentation secured as a compact JWS (VC-JOSE-COSE §6.1, OB 3.0
§8.2.5), check by check; never raises for a bad token.

1. ``proof``: the token parses strictly, its header follows the rules
   (:func:`issuer.vcjose.compact.check_header`), the key it names is found
   (:mod:`issuer.vcjose.discovery`), suits the algorithm, and the signature verifies (jwcrypto).
2. ``jwt-claims``: the registered claims agree with the document (:mod:`issuer.vcjose.claims`).
3. ``issuer`` (``holder`` for a presentation): the key's controller is the document's issuer
   (holder), and lists the key under assertionMethod (authentication).
4. ``validity``: the JWT's ``exp`` is not past and its ``nbf`` not ahead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from jwcrypto import jwk, jws
from jwcrypto.common import JWException

from issuer.vcjose import claims as jwt_claims
from issuer.vcjose import compact, discovery, jwks
from issuer.vcjose.compact import Kind
from issuer.verification import problem_types as pt
from issuer.verification.results import CheckResult, Problem, Status, VerificationResult

__all__ = ["CLAIMS", "DEFAULT_CLOCK_SKEW", "PROOF", "JoseVerification", "signature_valid",
           "verify_jws"]

DEFAULT_CLOCK_SKEW = timedelta(minutes=5)
PROOF = ("proof", "Signature")
CLAIMS = ("jwt-claims", "JWT claims")
BINDING = {"vc": ("issuer", "Issuer signed it"), "vp": ("holder", "Holder signed it")}
SHAPES = {"vc-jose-cose": "VC-JOSE-COSE", "ob-3.0": "OB 3.0 VC-JWT", "vc-1.1": "VC 1.1 JWT"}


@dataclass(frozen=True)
class JoseVerification:
    """What verifying one compact JWS found. ``document`` is the credential or presentation
    it carries (without the JWT claims), None when the token could not be read; it is only
    trustworthy when ``verified``."""

    kind: Kind | None
    shape: str | None
    document: dict[str, Any] | None
    header: dict[str, Any]
    claims: dict[str, Any]
    proof: CheckResult
    claims_check: CheckResult
    binding: CheckResult
    validity: CheckResult
    verification_method: str | None = None
    controller: str | None = None
    warnings: tuple[str, ...] = field(default=())

    @property
    def checks(self) -> tuple[CheckResult, ...]:
        return (self.proof, self.claims_check, self.binding, self.validity)

    @property
    def verified(self) -> bool:
        return self.result().verified

    def result(self) -> VerificationResult:
        """The four checks as a VerificationResult: the signature and its attribution to the
        issuer (holder) must pass, and nothing may fail."""
        return VerificationResult(self.checks, warnings=self.warnings,
                                  required=(PROOF[0], self.binding.id))


def _failed(check: tuple[str, str], detail: str, problem_type: str,
            problem_title: str = "", warnings: tuple[str, ...] = ()) -> CheckResult:
    cid, title = check
    return CheckResult(cid, title, Status.FAILED, detail,
                       problems=(Problem(problem_type, problem_title or title, detail),),
                       warnings=warnings)


def _not_checked(check: tuple[str, str], detail: str) -> CheckResult:
    return CheckResult(check[0], check[1], Status.NOT_CHECKED, detail)


def _unreadable(error: compact.JwsFormatError, header: dict[str, Any],
                expect: Kind | None) -> JoseVerification:
    title = "Unreadable JWS" if error.problem_type == pt.PARSING_ERROR else "Refused JWS"
    binding = BINDING[expect or "vc"]
    return JoseVerification(
        kind=None, shape=None, document=None, header=header, claims={},
        proof=_failed(PROOF, str(error), error.problem_type, title),
        claims_check=_not_checked(CLAIMS, "the token could not be read"),
        binding=_not_checked(binding, "no verified signature to attribute"),
        validity=_not_checked(jwt_claims.VALIDITY, "the token could not be read"),
    )


def signature_valid(token: str, alg: str, key: jwk.JWK) -> bool:
    """RFC 7515 §5.2 validation by jwcrypto, with only ``alg`` allowed."""
    signed = jws.JWS()
    try:
        signed.deserialize(token)
        signed.allowed_algs = [alg]
        signed.verify(key)
    except jws.InvalidJWSSignature:
        return False
    except (JWException, ValueError, TypeError):
        return False
    return True


def _binding(found: discovery.FoundKey, subject: str | None, kind: Kind) -> CheckResult:
    check = BINDING[kind]
    who = "issuer" if kind == "vc" else "holder"
    relationship = discovery.ASSERTION if kind == "vc" else discovery.AUTHENTICATION
    mismatch = pt.ISSUER_KEY_MISMATCH if kind == "vc" else pt.HOLDER_KEY_MISMATCH
    if found.refuted:
        return _failed(check, found.note, mismatch,
                       "Key controller does not match " + who)
    if found.controller is None:
        return _not_checked(check, found.note)
    if subject is None:
        if kind == "vp":
            return _not_checked(check, "the presentation names no holder (and has no iss)")
        return _failed(check, "the credential has no issuer id", pt.MALFORMED_VALUE_ERROR)
    if found.controller != subject:
        return _failed(check, f"signed by a key of {found.controller}, which is not the "
                       f"{who} {subject}", mismatch,
                       "Key controller does not match " + who)
    if relationship not in found.relationships:
        if found.note:
            return _not_checked(check, found.note)
        return _failed(check, f"{subject} does not list {found.method_id} under "
                       f"{relationship}", pt.INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD,
                       "Key not authorised")
    return CheckResult(check[0], check[1], Status.PASSED,
                       f"signed with a key of the {who} {subject} ({relationship})")


def verify_jws(
    token: Any,
    *,
    now: datetime,
    resolve_controller: discovery.Resolver | None = None,
    expect: Kind | None = None,
    clock_skew: timedelta = DEFAULT_CLOCK_SKEW,
    challenge: str | None = None,
    domain: str | None = None,
) -> JoseVerification:
    """Verify a compact JWS credential (``expect="vc"``), presentation (``"vp"``) or either
    (None) as of ``now``. ``resolve_controller(id)`` returns the controller/DID document of a
    key's controller, or None; nothing is fetched here. For a presentation, ``challenge`` and
    ``domain`` must match its ``nonce`` and ``aud`` when given. The credentials inside a
    presentation are not verified here: each is an envelope of its own
    (:mod:`issuer.vcjose.envelope`)."""
    header: dict[str, Any] = {}
    try:
        parsed = compact.parse(token)
        header = parsed.header
        info = compact.check_header(parsed.header, expect=expect)
    except compact.JwsFormatError as exc:
        return _unreadable(exc, header, expect)
    reading = jwt_claims.interpret(parsed.payload, info, expect=expect, challenge=challenge,
                                   domain=domain)
    iss = reading.claims.get("iss", header.get("iss"))
    iss = iss if isinstance(iss, str) else None
    binding_check = BINDING[reading.kind]
    if reading.problems:
        claims_check = CheckResult(CLAIMS[0], CLAIMS[1], Status.FAILED,
                                   "; ".join(p.detail for p in reading.problems),
                                   problems=reading.problems, warnings=reading.warnings)
    else:
        claims_check = CheckResult(CLAIMS[0], CLAIMS[1], Status.PASSED,
                                   "the JWT claims agree with the " +
                                   ("credential" if reading.kind == "vc" else "presentation"),
                                   warnings=reading.warnings)
    validity = jwt_claims.time_check(reading.claims, now=now, clock_skew=clock_skew)
    common: dict[str, Any] = dict(kind=reading.kind, shape=reading.shape,
                                  document=reading.document, header=header,
                                  claims=reading.claims, claims_check=claims_check,
                                  validity=validity)
    try:
        found = discovery.find_key(header, issuer=reading.subject_id, iss=iss,
                                   resolve_controller=resolve_controller)
    except (discovery.KeyDiscoveryError, jwks.JwkError) as exc:
        problem_type = getattr(exc, "problem_type", pt.INVALID_VERIFICATION_METHOD)
        return JoseVerification(
            **common, proof=_failed(PROOF, str(exc), problem_type, "Key not found",
                                    warnings=info.warnings),
            binding=_not_checked(binding_check, "no verified signature to attribute"))
    try:
        jwks.check_alg_for_key(info.alg, found.key)
    except jwks.JwkError as exc:
        return JoseVerification(
            **common, proof=_failed(PROOF, str(exc), pt.PROOF_VERIFICATION_ERROR,
                                    "Algorithm does not match the key",
                                    warnings=info.warnings),
            binding=_not_checked(binding_check, "no verified signature to attribute"),
            verification_method=found.method_id, controller=found.controller)
    if not signature_valid(parsed.text, info.alg, found.key):
        return JoseVerification(
            **common, proof=_failed(PROOF, f"the {info.alg} signature does not verify",
                                    pt.CRYPTOGRAPHIC_SECURITY_ERROR, "Invalid signature",
                                    warnings=info.warnings),
            binding=_not_checked(binding_check, "no verified signature to attribute"),
            verification_method=found.method_id, controller=found.controller)
    proof = CheckResult(PROOF[0], PROOF[1], Status.PASSED,
                        f"signature valid ({info.alg}, {SHAPES[reading.shape]})",
                        warnings=info.warnings)
    return JoseVerification(**common, proof=proof,
                            binding=_binding(found, reading.subject_id, reading.kind),
                            verification_method=found.method_id, controller=found.controller)
