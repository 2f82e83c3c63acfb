"""Issue one credential: check → build → schema-validate → sign (:func:`prepare`) → persist
(:func:`store`), in one transaction.

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

from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from issuer.errors import Conflict, InvalidRequest, NotFound, ValidationFailed
from issuer.models import Achievement, AdminUser, IssuedCredential, Recipient, StatusEntry
from issuer.openbadges import credential as ob
from issuer.openbadges.schema_validation import ACHIEVEMENT_CREDENTIAL, validate_credential
from issuer.services import achievements, ids, issuing_cache, profiles, status, urls
from issuer.services.keystore import FileKeyStore, KeyInfo
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
    fields = _check_fields(request, now=now, errors=errors)
    return CheckedRequest(achievement, *fields)


def _check_fields(request: IssueRequest, *, now: datetime, errors: dict[str, str]):
    """(email, name, did, valid_until, evidence), or ValidationFailed with ``errors`` and
    every problem of the request's own fields."""
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
    return email, name, did, request.valid_until, evidence


@dataclass(frozen=True)
class ProfileRef:
    """An issuer profile's id and slug (what Principal.require_profile reads)."""

    id: int
    slug: str


@dataclass(frozen=True)
class IssuingContext:
    """What issuing needs of an achievement, its profile and the profile's active key, as
    plain values: cached per process under the shared generation
    (issuer.services.issuing_cache), so a key rotation, profile or achievement edit is seen
    by every worker on its next request."""

    achievement_id: str
    profile: ProfileRef
    archived_error: str | None
    achievement: ob.Achievement
    issuer: ob.Profile
    purposes: tuple[str, ...]
    key: KeyInfo


def issuing_context(session: Session, achievement_id: str, *, keystore: FileKeyStore,
                    base_url: str) -> IssuingContext:
    """The achievement's IssuingContext (NotFound when there is no such achievement;
    InvalidRequest when its profile has no active key)."""

    def load() -> IssuingContext:
        achievement = achievements.get_achievement(session, achievement_id)
        profile = achievement.profile
        return IssuingContext(
            achievement_id=achievement.id, profile=ProfileRef(profile.id, profile.slug),
            archived_error=(achievements.archived_error(achievement)
                            if achievement.archived_at is not None else None),
            achievement=achievements.to_open_badges(achievement, base_url),
            issuer=profiles.to_open_badges(profile, base_url),
            purposes=status.purposes_for(profile),
            key=profiles.active_key(profile, keystore),
        )

    if not isinstance(achievement_id, str) or not ids.is_uuid(achievement_id):
        raise NotFound(f"no achievement {achievement_id!r}")
    return issuing_cache.cached(
        session, ("issuing", achievement_id, base_url, str(keystore.directory)), load)


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

    The recipient is upserted, so two first credentials for one new recipient at the same
    moment do not collide; another unique-constraint race (e.g. an idempotency key saved
    meanwhile) is retried once, then reported as a Conflict.

    The database work is a handful of statements: the achievement, its profile and active
    key come from the per-process issuing context (:func:`issuing_context`), the status
    indexes from the worker's index block (issuer.services.status_blocks).
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
        prepared = prepare(session, request, keystore=keystore, base_url=base_url, now=now,
                           status_list_size=status_list_size)
        row = store(session, prepared, now=now, issued_by=issued_by, via=via)
        if on_issued is not None:
            on_issued(session, row)
    return row


@dataclass(frozen=True)
class Prepared:
    """A credential built, schema-checked and signed, with its status allocations: what
    :func:`store` writes."""

    credential_id: str
    context: IssuingContext
    email: str
    name: str | None
    did: str | None
    valid_until: datetime | None
    document: str
    verification_method: str
    allocations: tuple[status.Allocation, ...]


def prepare(session: Session, request: IssueRequest, *, keystore: FileKeyStore, base_url: str,
            now: datetime, status_list_size: int = status.LIST_SIZE) -> Prepared:
    """Check, build, validate and sign one credential (no SQL when the issuing context is
    cached and the process holds status index blocks). ValidationFailed / InvalidRequest."""
    errors: dict[str, str] = {}
    try:
        context = issuing_context(session, request.achievement_id, keystore=keystore,
                                  base_url=base_url)
    except NotFound:
        context = None
        errors["achievement"] = "Choose an existing achievement."
    else:
        if context.archived_error is not None:
            errors["achievement"] = context.archived_error
    email, name, did, valid_until, evidence = _check_fields(request, now=now, errors=errors)
    credential_id = str(uuid.uuid4())
    allocations = status.reserve(session, context.profile.id, keystore=keystore,
                                 base_url=base_url, now=now, list_size=status_list_size,
                                 purposes=context.purposes)
    document = ob.build_credential(
        credential_id=urls.credential_url(base_url, credential_id),
        issuer=context.issuer,
        achievement=context.achievement,
        recipient=ob.Recipient(did=did, email=email, name=name),
        valid_from=now,
        valid_until=valid_until,
        awarded_date=now,
        evidence=evidence,
        credential_status=[allocation.entry() for allocation in allocations],
    )
    check_schema(document)
    signed = sign_credential(document, keystore=keystore, key=context.key, created=now)
    return Prepared(credential_id, context, email, name, did, valid_until,
                    json.dumps(signed, indent=2, ensure_ascii=False) + "\n",
                    signed["proof"][-1]["verificationMethod"], tuple(allocations))


def store(session: Session, prepared: Prepared, *, now: datetime,
          issued_by: AdminUser | None = None, via: str | None = None) -> IssuedCredential:
    """Write a prepared credential (the caller's transaction): the recipient (one upsert),
    the credential row and its status entries."""
    recipient_id = upsert_recipient(session, prepared.email, prepared.name, prepared.did,
                                    now=now)
    row = IssuedCredential(
        id=prepared.credential_id,
        profile_id=prepared.context.profile.id,
        achievement_id=prepared.context.achievement_id,
        recipient_id=recipient_id,
        recipient_name=prepared.name,
        document=prepared.document,
        verification_method=prepared.verification_method,
        valid_from=now,
        valid_until=prepared.valid_until,
        issued_at=now,
        issued_by_id=issued_by.id if issued_by is not None else None,
        issued_via=via,
    )
    session.add(row)
    session.add_all(StatusEntry(list_id=item.list_id, list_index=item.index,
                                purpose=item.purpose, credential_id=row.id)
                    for item in prepared.allocations)
    return row


def upsert_recipient(session: Session, email: str, name: str | None, did: str | None, *,
                     now: datetime) -> int:
    """The recipient's id, created or updated in one statement (a name or DID given
    replaces the stored one; none given keeps it). Concurrent first credentials for one
    new recipient do not collide."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(Recipient).values(email=email, name=name, did=did, created_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=["email"],
        set_={"name": func.coalesce(statement.excluded.name, Recipient.name),
              "did": func.coalesce(statement.excluded.did, Recipient.did)})
    return session.execute(statement.returning(Recipient.id)).scalar_one()


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
