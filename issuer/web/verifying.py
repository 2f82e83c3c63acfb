"""The one place the web layer verifies: settings → fetch policy, base URL, clock, and this
server's own issuers (and status lists) resolved locally. The API, the verify page and the
credential page all call :func:`verify`.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from issuer.services.fetch import FetchPolicy
from issuer.services.verification import verify_document
from issuer.verification.results import VerificationResult
from issuer.web import deps

# Credentials handed in for verification (uploads, fetched URLs) may be at most this big.
MAX_CREDENTIAL_BYTES = 2 * 1024 * 1024


def fetch_policy() -> FetchPolicy:
    """Fetching for verification: public addresses only unless ISSUER_VERIFY_FETCH_PRIVATE;
    at most MAX_CREDENTIAL_BYTES, 3 redirects and 10 seconds per document."""
    return FetchPolicy(
        allow_private=bool(current_app.config.get("VERIFY_FETCH_PRIVATE")),
        max_bytes=MAX_CREDENTIAL_BYTES,
        max_redirects=3,
    )


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
