"""The one place the web layer verifies: settings → fetch policy, base URL, clock, and this
server's own issuers (and status lists) resolved locally. The API, the verify page and the
credential page all call :func:`verify` (:func:`verify_presentation` for a presentation);
the API and the page share the body limits and the rate limit defined here.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from issuer.services import standalone_verification
from issuer.services.fetch import FetchPolicy
from issuer.services.verification import verify_document, verify_presentation_document
from issuer.verification.presentation import PresentationOptions, PresentationResult
from issuer.verification.results import VerificationResult
from issuer.web.core import deps, ratelimit

# Credentials handed in for verification (uploads, fetched URLs) may be at most this big.
MAX_CREDENTIAL_BYTES = standalone_verification.MAX_DOCUMENT_BYTES


def fetch_policy() -> FetchPolicy:
    """Fetching for verification: public addresses only unless ISSUER_VERIFY_FETCH_PRIVATE
    (the same policy as the CLI's, issuer.services.standalone_verification)."""
    return standalone_verification.fetch_policy(
        allow_private=bool(current_app.config.get("VERIFY_FETCH_PRIVATE")))


def verify(document: Any, *, recipient_email: str | None = None,
           network: bool = True) -> VerificationResult:
    """Verify ``document`` now. ``network`` False: nothing is fetched (our own issuers still
    resolve); used to render our own credential pages."""
    return verify_document(
        deps.session(),
        document,
        base_url=deps.base_url(),
        now=deps.now(),
        policy=fetch_policy(),
        recipient_email=recipient_email,
        network=network,
    )


def verify_presentation(document: Any, options: PresentationOptions) -> PresentationResult:
    """Verify a presentation, and each credential in it, now."""
    return verify_presentation_document(
        deps.session(), document, base_url=deps.base_url(), now=deps.now(),
        policy=fetch_policy(), options=options)


def raise_body_limits(_endpoint: str | None, _values: dict[str, Any] | None) -> None:
    """Credentials handed in may be larger than the app-wide upload limit (baked images of
    other issuers). Install as a blueprint's url_value_preprocessor: those run before any
    before_request function reads the body, so the limit is in place in time."""
    request.max_content_length = MAX_CREDENTIAL_BYTES + 64 * 1024
    request.max_form_memory_size = MAX_CREDENTIAL_BYTES


def rate_limited() -> ratelimit.Verdict:
    """Count one verification by this client (the API and the page share the budget)."""
    return ratelimit.check("verify", limit=current_app.config["VERIFY_RATE_LIMIT"])


def slow_down(retry_after: int) -> str:
    return (f"Too many verifications from your address. Try again in {retry_after} "
            f"second{'s' if retry_after != 1 else ''}.")


def too_large_message() -> str:
    return (f"The file is too large: credentials may be at most "
            f"{MAX_CREDENTIAL_BYTES // 1024} KiB.")
