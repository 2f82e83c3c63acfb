"""Issue one credential: build → schema-validate → sign → persist, in one transaction.

The signed credential is stored as the exact JSON text we hand out; it is never rebuilt or
re-serialised afterwards, so its bytes (and proof) stay as issued.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from issuer.errors import Conflict, InvalidRequest, NotFound, ValidationFailed
from issuer.models import Achievement, AdminUser, IssuedCredential, Recipient
from issuer.openbadges import credential as ob
from issuer.openbadges.schema_validation import ACHIEVEMENT_CREDENTIAL, validate_credential
from issuer.services import achievements, ids, profiles, status, urls
from issuer.services.keystore import FileKeyStore
from issuer.services.profiles import is_http_url
from issuer.services.signing import sign_credential
from issuer.services.tx import atomic
from issuer.services.users import check_email

# How a credential came to be issued (IssuedCredential.issued_via). Credentials signed through
# the VC-API are SignedCredential rows; the dashboard counts them under "vcapi".
ISSUING_PATHS = {
    "admin": "Admin form",
    "cli": "Command line",
    "api": "API",
    "bulk": "Bulk CSV",
    "award": "Award (rule or by hand)",
}

DID_RE = re.compile(r"^did:[a-z0-9]+:[A-Za-z0-9._:%-]*[A-Za-z0-9._%-]$")
JSON_MEDIA_TYPE = "application/vc+ld+json"


@dataclass(frozen=True)
class IssueRequest:
    """What the admin form or CLI asks for."""

    achievement_id: str
    email: str
    name: str | None = None
    did: str | None = None
    valid_until: datetime | None = None
    evidence_url: str | None = None
    evidence_narrative: str | None = None


@dataclass(frozen=True)
class CheckedRequest:
    achievement: Achievement
    email: str
    name: str | None
    did: str | None
    valid_until: datetime | None
    evidence: tuple[ob.Evidence, ...]


def check_request(session: Session, request: IssueRequest, *, now: datetime) -> CheckedRequest:
    errors: dict[str, str] = {}
    try:
        achievement = achievements.get_achievement(session, request.achievement_id)
    except NotFound:
        achievement = None
        errors["achievement"] = "Choose an existing achievement."
    else:
        if achievement.archived_at is not None:
            errors["achievement"] = achievements.archived_error(achievement)
    try:
        email = check_email(request.email)
    except ValidationFailed as exc:
        email = ""
        errors.update(exc.errors)
    name = (request.name or "").strip() or None
    if name is not None and len(name) > 200:
        errors["name"] = "The name may have at most 200 characters."
    did = (request.did or "").strip() or None
    if did is not None and (not DID_RE.match(did) or len(did) > 500):
        errors["did"] = (
            "Enter a DID such as did:key:z6Mk… or did:web:example.org (or leave it empty)."
        )
    if request.valid_until is not None:
        if request.valid_until.tzinfo is None:
            errors["valid_until"] = "The expiry date needs a time zone."
        elif request.valid_until <= now:
            errors["valid_until"] = "The expiry date must be in the future."
    evidence_url = (request.evidence_url or "").strip() or None
    if evidence_url is not None and not is_http_url(evidence_url):
        errors["evidence_url"] = "Enter a web address starting with https:// or http://."
    narrative = (request.evidence_narrative or "").strip() or None
    if narrative is not None and len(narrative) > 10000:
        errors["evidence_narrative"] = "The evidence narrative may have at most 10000 characters."
    if errors:
        raise ValidationFailed(errors)
    evidence = ()
    if evidence_url or narrative:
        evidence = (ob.Evidence(id=evidence_url, narrative=narrative),)
    return CheckedRequest(achievement, email, name, did, request.valid_until, evidence)


def issue(
    session: Session,
    request: IssueRequest,
    *,
    keystore: FileKeyStore,
    base_url: str,
    now: datetime,
    issued_by: AdminUser | None = None,
    via: str | None = None,
    on_issued: Callable[[Session, IssuedCredential], None] | None = None,
    status_list_size: int = status.LIST_SIZE,
) -> IssuedCredential:
    """Issue and store one credential; nothing is saved if any step fails.

    ``via`` records the issuing path (a key of :data:`ISSUING_PATHS`) for the dashboard.

    The credential gets an index in its issuer's current revocation list, its one
    ``credentialStatus`` object, and one in the suspension list too when the profile offers
    suspension (then ``credentialStatus`` is an array of both; issuer.services.status;
    ``status_list_size`` is for tests only).

    ``on_issued(session, row)`` runs inside the same transaction, just before the commit, so
    what it adds (an idempotency key, a bulk row's status) is saved with the credential or
    not at all.

    Two first credentials for the same new recipient at the same moment collide on the
    recipient's unique email; the loser is retried once, then reported as a Conflict.
    """
    for attempt in range(2):
        try:
            return _issue_once(session, request, keystore=keystore, base_url=base_url, now=now,
                               issued_by=issued_by, via=via, on_issued=on_issued,
                               status_list_size=status_list_size)
        except IntegrityError:
            if attempt:
                raise Conflict(
                    "the recipient was being saved by another request; try again"
                ) from None
    raise AssertionError("unreachable")  # pragma: no cover


def _issue_once(
    session: Session,
    request: IssueRequest,
    *,
    keystore: FileKeyStore,
    base_url: str,
    now: datetime,
    issued_by: AdminUser | None,
    via: str | None = None,
    on_issued: Callable[[Session, IssuedCredential], None] | None = None,
    status_list_size: int = status.LIST_SIZE,
) -> IssuedCredential:
    if via is not None and via not in ISSUING_PATHS:
        raise ValueError(f"unknown issuing path {via!r}")
    with atomic(session):
        checked = check_request(session, request, now=now)
        achievement = checked.achievement
        profile = achievement.profile
        recipient = session.scalar(select(Recipient).where(Recipient.email == checked.email))
        if recipient is None:
            recipient = Recipient(email=checked.email, created_at=now)
            session.add(recipient)
        if checked.name:
            recipient.name = checked.name
        if checked.did:
            recipient.did = checked.did

        credential_id = str(uuid.uuid4())
        allocations = status.reserve(session, profile, keystore=keystore, base_url=base_url,
                                     now=now, list_size=status_list_size,
                                     purposes=status.purposes_for(profile))
        document = ob.build_credential(
            credential_id=urls.credential_url(base_url, credential_id),
            issuer=profiles.to_open_badges(profile, base_url),
            achievement=achievements.to_open_badges(achievement, base_url),
            recipient=ob.Recipient(did=checked.did, email=checked.email, name=checked.name),
            valid_from=now,
            valid_until=checked.valid_until,
            awarded_date=now,
            evidence=checked.evidence,
            credential_status=[allocation.entry() for allocation in allocations],
        )
        check_schema(document)
        key = profiles.active_key(profile, keystore)
        signed = sign_credential(document, keystore=keystore, key=key, created=now)
        row = IssuedCredential(
            id=credential_id,
            profile=profile,
            achievement=achievement,
            recipient=recipient,
            recipient_name=checked.name,
            document=json.dumps(signed, indent=2, ensure_ascii=False) + "\n",
            verification_method=signed["proof"][-1]["verificationMethod"],
            valid_from=now,
            valid_until=checked.valid_until,
            issued_at=now,
            issued_by_id=issued_by.id if issued_by is not None else None,
            issued_via=via,
        )
        session.add(row)
        status.record(session, allocations, row)
        if on_issued is not None:
            on_issued(session, row)
    return row


def check_schema(document: dict) -> None:
    """InvalidRequest unless the unsigned credential matches the OB 3.0 schema (each
    credentialStatus entry checked in the schema's one slot: issuer.openbadges.schema_validation
    .validate_credential)."""
    problems = validate_credential(document, ACHIEVEMENT_CREDENTIAL)
    if problems:
        raise InvalidRequest(
            "the credential would not match the OB 3.0 schema: "
            + "; ".join(str(problem) for problem in problems)
        )


def get_credential(session: Session, credential_id: str) -> IssuedCredential:
    return ids.get_or_not_found(session, IssuedCredential, credential_id, "credential")
