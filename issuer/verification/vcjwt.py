"""verify_jwt_credential: a credential secured as a compact JWS (VC-JOSE-COSE ``vc+jwt``, the
OB 3.0 VC-JWT, a VC 1.1 JWT), bare or in an ``EnvelopedVerifiableCredential``, gets the same
check list as a Data Integrity credential.

context, schema → proof (the JWS) → jwt-claims → issuer (the key is the issuer's, listed
under assertionMethod) → validity (validFrom / validUntil and the JWT's exp / nbf) → status →
recipient. The checks after the JWS run on the credential it carries.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from issuer.dataintegrity.document_loader import StaticDocumentLoader
from issuer.dataintegrity.limits import DEFAULT_LIMITS, ProcessingLimits
from issuer.vcjose import envelope
from issuer.verification import checks
from issuer.verification import problem_types as pt
from issuer.verification.results import CheckResult, Problem, Status, VerificationResult

__all__ = ["is_jose_secured", "verify_jwt_credential"]


def is_jose_secured(document: Any) -> bool:
    """A compact JWS (text of two or, for a JWE, four dots) or an enveloped credential /
    presentation: what :func:`verify_jwt_credential` takes instead of the Data Integrity
    checks. Other text is no credential at all, and fails those as such."""
    if isinstance(document, str):
        return document.count(".") in (2, 4)
    try:
        return envelope.open_envelope(document) is not None
    except envelope.EnvelopeError:
        return True


def _run(check: Callable[[Any, checks.VerifyContext], CheckResult], document: Any,
         ctx: checks.VerifyContext, described: tuple[str, str]) -> CheckResult:
    if ctx.over_limit:  # an earlier check found the credential over a processing limit
        return CheckResult(described[0], described[1], Status.NOT_CHECKED,
                           "not checked: the credential is over a processing limit")
    try:
        return check(document, ctx)
    except Exception as exc:  # a bug in a check must not become "valid" or a 500
        return CheckResult(described[0], described[1], Status.FAILED,
                           f"internal error while checking: {exc.__class__.__name__}")


def _validity(credential: CheckResult, token: CheckResult) -> CheckResult:
    """validFrom / validUntil, and the JWT's own exp / nbf: the first failure, else both."""
    if credential.failed or token.status is Status.NOT_APPLICABLE:
        return credential
    if token.failed:
        return token
    return CheckResult(credential.id, credential.title, credential.status,
                       f"{credential.detail}; {token.detail}", credential.problems,
                       credential.warnings + token.warnings)


def verify_jwt_credential(
    secured: Any,
    *,
    now: datetime,
    loader: StaticDocumentLoader,
    resolve_controller: checks.ControllerResolver | None = None,
    recipient_email: str | None = None,
    clock_skew: timedelta = timedelta(minutes=5),
    status_checker: checks.StatusChecker | None = None,
    limits: ProcessingLimits = DEFAULT_LIMITS,
) -> VerificationResult:
    """Verify a compact JWS credential, or an ``EnvelopedVerifiableCredential`` holding one,
    as of ``now``; never raises for a bad credential. Verified only when the signature and
    its attribution to the issuer pass and no check fails."""
    try:
        opened = secured if isinstance(secured, str) else envelope.open_envelope(secured)
    except envelope.EnvelopeError as exc:
        detail = str(exc)
        return VerificationResult((CheckResult(
            checks.PROOF[0], checks.PROOF[1], Status.FAILED, detail,
            problems=(Problem(pt.PARSING_ERROR, "Unreadable envelope", detail),)),),
            required=(checks.PROOF[0],))
    if isinstance(secured, dict) and not envelope.has_base_context(secured):
        detail = (f"an {envelope.ENVELOPED_CREDENTIAL}'s @context must include "
                  f"{envelope.VC_V2_CONTEXT} (VC DM 2.0 §4.13.1), which defines its terms")
        return VerificationResult((CheckResult(
            checks.CONTEXT[0], checks.CONTEXT[1], Status.FAILED, detail,
            problems=(Problem(pt.PARSING_ERROR, "Invalid envelope context", detail),)),),
            required=(checks.PROOF[0],))
    from issuer.vcjose.verify import verify_jws  # JOSE libraries only for a JOSE credential

    token = opened if isinstance(opened, str) else getattr(opened, "token", None)
    jose = verify_jws(token.strip() if isinstance(token, str) else token, now=now,
                      resolve_controller=resolve_controller, expect="vc",
                      clock_skew=clock_skew)
    if jose.document is None or jose.kind != "vc":
        return jose.result()
    document = jose.document
    ctx = checks.VerifyContext(now=now, loader=loader, resolve_controller=resolve_controller,
                               recipient_email=recipient_email, clock_skew=clock_skew,
                               status_checker=status_checker, limits=limits)
    proof = jose.proof
    if "proof" in document:
        proof = CheckResult(proof.id, proof.title, proof.status, proof.detail, proof.problems,
                            proof.warnings + ("the credential also carries an embedded proof; "
                                              "the JWS is the one checked",))
    results = (
        _run(checks.check_context, document, ctx, checks.CONTEXT),
        _run(checks.check_schema, document, ctx, checks.SCHEMA),
        proof,
        jose.claims_check,
        jose.binding,
        _validity(_run(checks.check_validity, document, ctx, checks.VALIDITY), jose.validity),
        _run(checks.check_status, document, ctx, checks.STATUS),
        _run(checks.check_recipient, document, ctx, checks.RECIPIENT),
    )
    return VerificationResult(results, warnings=jose.warnings,
                              required=(checks.PROOF[0], checks.ISSUER[0]))
