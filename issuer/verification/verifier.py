"""verify_credential: run every check on a credential and return a VerificationResult.

Never raises for a bad credential: a failed check is a result with a readable reason. A
credential over a processing limit (issuer.dataintegrity.limits) fails the check that found
it out, and the checks after it are not made.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from issuer.dataintegrity.document_loader import DEFAULT_LOADER, StaticDocumentLoader
from issuer.dataintegrity.limits import DEFAULT_LIMITS, ProcessingLimits
from issuer.verification import checks, endorsements, vcjwt
from issuer.verification.results import CheckResult, Status, VerificationResult

DEFAULT_CLOCK_SKEW = timedelta(minutes=5)


def verify_credential(
    document: Any,
    *,
    now: datetime,
    loader: StaticDocumentLoader = DEFAULT_LOADER,
    resolve_controller: checks.ControllerResolver | None = None,
    recipient_email: str | None = None,
    clock_skew: timedelta = DEFAULT_CLOCK_SKEW,
    status_checker: checks.StatusChecker | None = None,
    limits: ProcessingLimits = DEFAULT_LIMITS,
    fetch_resource: checks.ResourceFetcher | None = None,
    check_endorsements: bool = True,
) -> VerificationResult:
    """Verify a credential (already parsed JSON) as of ``now``.

    ``resolve_controller(id)`` returns the controller/DID document of a verification method's
    controller, or None when it cannot be had; ``recipient_email``, when given, must match a
    (hashed) identifier of the subject; ``fetch_resource(url, media type)`` retrieves a
    relatedResource to compare with its digest (None: only vendored contexts are compared). ``verified`` is true only when no check failed and a
    signature was actually verified. ``limits`` bounds the work spent on the credential.

    A compact JWS (text) or an ``EnvelopedVerifiableCredential`` is a credential secured with
    JOSE: :func:`issuer.verification.vcjwt.verify_jwt_credential` runs the same checks on it.
    """
    if check_endorsements:  # each embedded endorsement, as a result of its own
        result = verify_credential(
            document, now=now, loader=loader, resolve_controller=resolve_controller,
            recipient_email=recipient_email, clock_skew=clock_skew, status_checker=status_checker,
            limits=limits, fetch_resource=fetch_resource, check_endorsements=False)
        return replace(result, endorsements=endorsements.verify_embedded(document, lambda one: (
            verify_credential(one, now=now, loader=loader, resolve_controller=resolve_controller,
                              clock_skew=clock_skew, status_checker=status_checker,
                              limits=limits, check_endorsements=False))))
    if vcjwt.is_jose_secured(document):
        return vcjwt.verify_jwt_credential(
            document, now=now, loader=loader, resolve_controller=resolve_controller,
            recipient_email=recipient_email, clock_skew=clock_skew,
            status_checker=status_checker, limits=limits)
    ctx = checks.VerifyContext(
        now=now,
        loader=loader,
        resolve_controller=resolve_controller,
        recipient_email=recipient_email,
        clock_skew=clock_skew,
        status_checker=status_checker,
        limits=limits,
        fetch_resource=fetch_resource,
    )
    results: list[CheckResult] = []
    for check in checks.checks_for(document):
        if ctx.over_limit:
            check_id, title = _describe(check)
            results.append(CheckResult(check_id, title, Status.NOT_CHECKED,
                                       "not checked: the credential is over a processing limit"))
            continue
        try:
            results.append(check(document, ctx))
        except Exception as exc:  # a bug in a check must not become "valid" or a 500
            check_id, title = _describe(check)
            results.append(CheckResult(check_id, title, Status.FAILED,
                                       f"internal error while checking: {exc.__class__.__name__}"))
    return VerificationResult(tuple(results), required=(checks.PROOF[0],))


def _describe(check: Any) -> tuple[str, str]:
    name = check.__name__.removeprefix("check_").upper()
    return getattr(checks, name, (name.lower(), name.lower()))
