"""Verify any credential from the web layer: our own issuers and status lists resolved
locally from the database (no network round trip), everyone else's through the safe fetcher.

One entry point, :func:`verify_document`, shared by the verification API, the verify page
and the public credential page; it is :func:`issuer.services.standalone_verification.
verify_standalone` (which ``issuer verify`` uses without a database) plus this database.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from issuer.services import profiles, status, urls
from issuer.services.fetch import FetchPolicy
from issuer.services.standalone_verification import (
    Lookup,
    verify_standalone,
    verify_standalone_presentation,
)
from issuer.verification.presentation import PresentationOptions, PresentationResult
from issuer.verification.results import VerificationResult

# (session, url, base_url) -> our own status list credential at that URL, or None.
LocalStatusList = Callable[[Session, str, str], "dict[str, Any] | None"]
# (session, credential, purpose) -> why our own credential is revoked/suspended, or None.
StatusReason = Callable[[Session, dict[str, Any], str], "str | None"]


def local_controller(session: Session, base_url: str) -> Callable[[str], dict[str, Any] | None]:
    """Controller documents of this server's issuer profiles, by DID or profile URL."""

    def resolve(controller_id: str) -> dict[str, Any] | None:
        for profile in profiles.all_profiles(session):
            if controller_id == profiles.profile_did(profile, base_url):
                return profiles.did_document(profile, base_url)
            if controller_id == urls.profile_url(base_url, profile.slug):
                return profiles.hosted_profile_document(profile, base_url)
        return None

    return resolve


def verify_document(
    session: Session,
    document: Any,
    *,
    base_url: str,
    now: datetime,
    policy: FetchPolicy,
    recipient_email: str | None = None,
    local_status_list: LocalStatusList | None = status.local_status_list,
    status_reason: StatusReason | None = status.status_reason,
    network: bool = True,
) -> VerificationResult:
    """Verify ``document`` as of ``now``; never raises for a bad credential.

    By default our own status lists are read from the database (no HTTP to ourselves) and a
    revoked/suspended credential of ours is reported with the reason recorded for it
    (issuer.services.status); pass None to turn either off.
    """
    lists, explain = _local_lookups(session, base_url, local_status_list, status_reason)
    return verify_standalone(
        document, now=now, policy=policy, network=network,
        controllers=local_controller(session, base_url), status_lists=lists, explain=explain,
        recipient_email=recipient_email,
    )


def verify_presentation_document(
    session: Session,
    document: Any,
    *,
    base_url: str,
    now: datetime,
    policy: FetchPolicy,
    options: PresentationOptions = PresentationOptions(),
    local_status_list: LocalStatusList | None = status.local_status_list,
    status_reason: StatusReason | None = status.status_reason,
) -> PresentationResult:
    """Verify a presentation and each credential in it as :func:`verify_document` does."""
    lists, explain = _local_lookups(session, base_url, local_status_list, status_reason)
    return verify_standalone_presentation(
        document, now=now, policy=policy, options=options,
        controllers=local_controller(session, base_url), status_lists=lists, explain=explain,
    )


def _local_lookups(session: Session, base_url: str, local_status_list: LocalStatusList | None,
                   status_reason: StatusReason | None):
    lists: Lookup | None = None
    explain = None
    if local_status_list is not None:
        def lists(url: str) -> dict[str, Any] | None:
            return local_status_list(session, url, base_url)

    if status_reason is not None:
        def explain(credential: dict[str, Any], purpose: str) -> str | None:
            return status_reason(session, credential, purpose)

    return lists, explain
