"""The verdict a credential page shows, verified once and reused until an input changes
(issue 13, item 4).

A verification of one of our credentials depends on: the credential's exact text; the
signed text of each of our status-list credentials it names (re-signed on every revocation,
suspension and reinstatement, with the reason recorded in the same transaction); the issuer
profiles and signing keys that resolve its verification method (rotation, retirement,
removal, a changed slug or DID); the clock, only through the validity window; and the
verifier itself (:data:`VERIFIER_VERSION`). A page view reads these inputs in two indexed
queries that touch no large column, hashes them into a *fingerprint*, and reads the stored
verdict (``page_verifications``, shared by every worker and host). It is reused only when
the fingerprint is the same and the view's time lies in the window the verdict was computed
for (no ``validFrom``/``validUntil`` boundary, with the clock skew allowed, in between);
otherwise the credential is verified again. The fingerprint is taken *before* verifying, so
a change that lands while a verification runs leaves an entry whose fingerprint no longer
matches, never a fresh-looking stale one.

Only complete verdicts are stored: a verification in which any check could not be made
(``not_checked``) is shown but verified again next time.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime, timedelta
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from issuer.clock import parse_datetime
from issuer.models import IssuedCredential, IssuerProfile, SigningKey, StatusList
from issuer.render_models import PageVerification
from issuer.services import urls
from issuer.services.fetch import FetchPolicy
from issuer.services.verification import verify_document
from issuer.verification.results import CheckResult, Problem, Status, VerificationResult

__all__ = ["VERIFIER_VERSION", "fingerprint", "result_from_json", "result_to_json",
           "verify_page"]

log = logging.getLogger(__name__)

# Bump when verification itself changes what it answers for the same inputs.
VERIFIER_VERSION = "1"
# At least the verifier's clock skew (5 minutes): a view this close past a validity
# boundary (where the answer depends on the skew) is verified afresh, and no stored verdict
# is reused across a boundary.
BOUNDARY_MARGIN = timedelta(minutes=10)


def _package_version() -> str:
    try:
        return version("issuer")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


PACKAGE_VERSION = _package_version()  # read once: parsing the metadata costs a millisecond


def _status_list_ids(document: dict[str, Any], base_url: str) -> list[str]:
    prefix = urls.status_list_url(base_url, "")
    raw = document.get("credentialStatus")
    entries = raw if isinstance(raw, list) else [raw]
    found = {entry["statusListCredential"][len(prefix):] for entry in entries
             if isinstance(entry, dict) and isinstance(entry.get("statusListCredential"), str)
             and entry["statusListCredential"].startswith(prefix)}
    return sorted(found)


def fingerprint(session: Session, row: IssuedCredential, document: dict[str, Any], *,
                base_url: str) -> str:
    """The SHA-256 of every input of the page's verification but the clock."""
    list_ids = _status_list_ids(document, base_url)
    lists = dict(session.execute(select(StatusList.id, StatusList.document_sha256)
                                 .where(StatusList.id.in_(list_ids))).all()) if list_ids else {}
    keys = session.execute(
        select(IssuerProfile.id, IssuerProfile.slug, IssuerProfile.is_default, IssuerProfile.did,
               IssuerProfile.name, IssuerProfile.url, IssuerProfile.email,
               IssuerProfile.description, IssuerProfile.image_id, IssuerProfile.updated_at,
               SigningKey.id, SigningKey.public_key_multibase, SigningKey.active,
               SigningKey.retired_at)
        .outerjoin(SigningKey, SigningKey.profile_id == IssuerProfile.id)
        .order_by(IssuerProfile.id, SigningKey.id)).all()
    inputs = {
        "verifier": [VERIFIER_VERSION, PACKAGE_VERSION],
        "base_url": base_url,
        "credential": hashlib.sha256(row.document.encode("utf-8")).hexdigest(),
        "status_lists": [[list_id, lists.get(list_id)] for list_id in list_ids],
        "keys": [[value.isoformat() if isinstance(value, datetime) else value
                  for value in key] for key in keys],
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str)
                          .encode("utf-8")).hexdigest()


def _date(document: dict[str, Any], *names: str) -> datetime | None:
    for name in names:
        if name in document:
            return parse_datetime(document[name])
    return None


def _window(document: dict[str, Any], now: datetime
            ) -> tuple[datetime | None, datetime | None] | None:
    """(from, until): the times around ``now`` at which the validity check answers as it
    does at ``now`` whatever clock skew (up to :data:`BOUNDARY_MARGIN`) the verifier allows;
    None when ``now`` is within a margin of a boundary or a date cannot be read."""
    try:
        start = _date(document, "validFrom", "issuanceDate")
        end = _date(document, "validUntil", "expirationDate")
    except (ValueError, TypeError):
        return None
    fresh_from: datetime | None = None
    fresh_until: datetime | None = None
    if start is not None:  # valid from start - skew on
        if now >= start:
            fresh_from = start
        elif now < start - BOUNDARY_MARGIN:
            fresh_until = start - BOUNDARY_MARGIN
        else:
            return None
    if end is not None:  # expired after end + skew
        if now < end:
            fresh_until = end if fresh_until is None else min(fresh_until, end)
        elif now >= end + BOUNDARY_MARGIN:
            fresh_from = end + BOUNDARY_MARGIN if fresh_from is None else max(
                fresh_from, end + BOUNDARY_MARGIN)
        else:
            return None
    return fresh_from, fresh_until


def result_to_json(result: VerificationResult) -> str:
    return json.dumps({
        "checks": [check.to_dict() for check in result.checks],
        "warnings": list(result.warnings),
        "required": list(result.required),
        "selected": None if result.selected is None else list(result.selected),
    }, ensure_ascii=False)


def result_from_json(text: str) -> VerificationResult:
    data = json.loads(text)
    checks = tuple(
        CheckResult(check["id"], check["title"], Status(check["status"]), check["detail"],
                    tuple(Problem(**problem) for problem in check.get("problems", ())),
                    tuple(check.get("warnings", ())))
        for check in data["checks"])
    selected = data["selected"]
    return VerificationResult(checks, tuple(data["warnings"]), tuple(data["required"]),
                              None if selected is None else tuple(selected))


def verify_page(session: Session, row: IssuedCredential, document: dict[str, Any], *,
                base_url: str, now: datetime, policy: FetchPolicy) -> VerificationResult:
    """The verdict of ``row`` now, as :func:`issuer.services.verification.verify_document`
    (nothing fetched) gives it: the stored one when nothing it depends on changed."""
    window = _window(document, now)
    current = fingerprint(session, row, document, base_url=base_url)
    if window is not None:
        stored = session.execute(
            select(PageVerification.fingerprint, PageVerification.result,
                   PageVerification.fresh_from, PageVerification.fresh_until)
            .where(PageVerification.credential_id == row.id)).one_or_none()
        if stored is not None and stored.fingerprint == current \
                and (stored.fresh_from is None or stored.fresh_from <= now) \
                and (stored.fresh_until is None or now < stored.fresh_until):
            return result_from_json(stored.result)
    result = verify_document(session, document, base_url=base_url, now=now, policy=policy,
                             network=False)
    # Not stored: a verdict with a check that could not be made, and one with embedded
    # endorsements (their own results rest on other issuers' keys and status lists, which
    # the fingerprint does not cover; they are verified on every view).
    if window is not None and not result.not_checked and not result.endorsements:
        _store(session, row.id, current, result, window, now)
    return result


def _store(session: Session, credential_id: str, current: str, result: VerificationResult,
           window: tuple[datetime | None, datetime | None], now: datetime) -> None:
    engine = session.get_bind()
    module = postgresql if engine.dialect.name == "postgresql" else sqlite
    table = PageVerification.__table__
    values = {"fingerprint": current, "result": result_to_json(result),
              "fresh_from": window[0], "fresh_until": window[1], "computed_at": now}
    try:
        with engine.begin() as connection:
            connection.execute(module.insert(table).values(credential_id=credential_id, **values)
                               .on_conflict_do_update(index_elements=[table.c.credential_id],
                                                      set_=values))
    except SQLAlchemyError as error:  # the next view verifies again
        log.warning("could not store the page verdict of %s: %s", credential_id,
                    error.__class__.__name__)
