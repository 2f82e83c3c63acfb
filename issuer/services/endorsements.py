"""Endorsements (OB 3.0 §B.1.6): issue one from an issuer profile, and revoke it.

Issuing: an ``EndorsementCredential`` of any achievement or profile id (ours or anyone's),
signed with the profile's active key like our other credentials (eddsa-rdfc-2022), with one
revocation ``BitstringStatusListEntry`` from the profile's status list. The signed credential
is a ``SignedCredential`` row hosted at ``/credentials/<uuid>``, so issuer.services.status
revokes it through its public functions; an ``IssuedEndorsement`` row says what it endorses.
When the endorsed thing is one of our own achievements or profiles, the endorsement is also
attached to it (issuer.services.received_endorsements, where the endorsements other issuers
sent us are kept) until it is revoked.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from issuer.endorsement_models import IssuedEndorsement, ReceivedEndorsement
from issuer.errors import InvalidRequest, NotFound, ValidationFailed
from issuer.models import Achievement, IssuerProfile, SignedCredential
from issuer.openbadges import endorsement as ob_endorsement
from issuer.openbadges.schema_validation import (
    ENDORSEMENT_CREDENTIAL,
    ENDORSEMENT_CREDENTIAL_STRICT,
    validate_credential,
)
from issuer.services import profiles, received_endorsements, status, urls
from issuer.services.keystore import FileKeyStore
from issuer.services.signing import sign_credential
from issuer.services.tx import atomic
from issuer.verification.results import Verdict

ISSUED_VIA = "endorsement"  # SignedCredential.issued_via of the endorsements we sign
MAX_ID_LENGTH = 1000
MAX_NAME_LENGTH = 200
ID_RE = re.compile(r"^(?:https?://[^\s]+|did:[a-z0-9]+:[^\s]+|urn:[A-Za-z0-9][^\s]*)$")


# --- what can be endorsed --------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """What an endorsement endorses: its id, kind and (when known) name; ``achievement`` /
    ``profile`` when it is one of ours."""

    id: str
    kind: str  # "achievement" | "profile"
    name: str | None = None
    achievement: Achievement | None = None
    profile: IssuerProfile | None = None


def local_subject(session: Session, subject_id: str, *, base_url: str) -> Subject | None:
    """One of our achievements (by its URL) or profiles (by DID or page URL), else None."""
    prefix = urls.achievement_url(base_url, "")
    if subject_id.startswith(prefix):
        found = session.get(Achievement, subject_id[len(prefix):])
        if found is not None:
            return Subject(urls.achievement_url(base_url, found.id), "achievement", found.name,
                           achievement=found)
    for profile in profiles.all_profiles(session):
        if subject_id in (profiles.profile_did(profile, base_url),
                          urls.profile_url(base_url, profile.slug)):
            return Subject(profiles.profile_did(profile, base_url), "profile", profile.name,
                           profile=profile)
    return None


def check_subject(session: Session, subject_id: str, *, kind: str | None, name: str | None,
                  base_url: str) -> Subject:
    """The endorsed thing: ours when the id is ours (kind and name then come from it), else
    anyone's, whose kind ("achievement" or "profile") the caller says."""
    errors: dict[str, str] = {}
    subject_id = (subject_id or "").strip()
    name = (name or "").strip() or None
    if not subject_id:
        errors["subject_id"] = "Give the id of the achievement or profile to endorse."
    elif len(subject_id) > MAX_ID_LENGTH or not ID_RE.match(subject_id):
        errors["subject_id"] = ("Enter the achievement's or profile's id: a URL (https://…), "
                                "a DID (did:…) or a URN (urn:…).")
    if name is not None and len(name) > MAX_NAME_LENGTH:
        errors["subject_name"] = f"The name may have at most {MAX_NAME_LENGTH} characters."
    if errors:
        raise ValidationFailed(errors)
    ours = local_subject(session, subject_id, base_url=base_url)
    if ours is not None:
        return ours
    if kind not in ("achievement", "profile"):
        raise ValidationFailed({"subject_kind": "Say whether the id is an achievement's or a "
                                                "profile's."})
    return Subject(subject_id, kind, name)


# --- issuing ---------------------------------------------------------------------------------


def _comment(value: str | None) -> str | None:
    comment = (value or "").strip() or None
    if comment is not None and len(comment) > ob_endorsement.MAX_COMMENT_LENGTH:
        raise ValidationFailed({"comment": "The comment may have at most "
                                           f"{ob_endorsement.MAX_COMMENT_LENGTH} characters."})
    return comment


def check_schema(document: dict[str, Any]) -> None:
    """InvalidRequest unless the endorsement matches both 1EdTech endorsement schemas."""
    problems = (validate_credential(document, ENDORSEMENT_CREDENTIAL)
                + validate_credential(document, ENDORSEMENT_CREDENTIAL_STRICT))
    if problems:
        raise InvalidRequest("the endorsement would not match the OB 3.0 endorsement schema: "
                             + "; ".join(str(problem) for problem in problems))


def issue(
    session: Session,
    profile: IssuerProfile,
    *,
    subject_id: str,
    comment: str | None,
    keystore: FileKeyStore,
    base_url: str,
    now: datetime,
    actor: status.Actor,
    subject_kind: str | None = None,
    subject_name: str | None = None,
    status_list_size: int = status.LIST_SIZE,
) -> IssuedEndorsement:
    """Sign and store an endorsement by ``profile`` (see the module docstring); committed."""
    with atomic(session):
        subject = check_subject(session, subject_id, kind=subject_kind, name=subject_name,
                                base_url=base_url)
        comment = _comment(comment)
        if subject.profile is not None and subject.profile.id == profile.id:
            raise ValidationFailed({"subject_id": "A profile cannot endorse itself."})
        endorsement_uuid = str(uuid.uuid4())
        allocations = status.reserve(session, profile, keystore=keystore, base_url=base_url,
                                     now=now, list_size=status_list_size,
                                     purposes=("revocation",))
        endorser = replace(profiles.to_open_badges(profile, base_url), endorsements=(),
                           endorsement_jwts=())
        document = ob_endorsement.build_endorsement(
            credential_id=urls.credential_url(base_url, endorsement_uuid),
            issuer=endorser,
            subject_id=subject.id,
            name=f"Endorsement of {subject.name or subject.id} by {profile.name}"[:500],
            comment=comment,
            valid_from=now,
            credential_status=[allocation.entry() for allocation in allocations],
        )
        check_schema(document)
        signed = sign_credential(document, keystore=keystore,
                                 key=profiles.active_key(profile, keystore), created=now)
        text = json.dumps(signed, indent=2, ensure_ascii=False) + "\n"
        row = SignedCredential(
            id=endorsement_uuid, credential_id=document["id"], hosted=True, profile=profile,
            document=text, verification_method=signed["proof"][-1]["verificationMethod"],
            issued_at=now, issued_via=ISSUED_VIA,
        )
        session.add(row)
        status.record_signed(session, allocations, row)
        endorsement = IssuedEndorsement(
            signed_credential=row, profile=profile, subject_kind=subject.kind,
            subject_id=subject.id, subject_name=subject.name, comment=comment,
            created_by=actor.label[:254], created_at=now)
        session.add(endorsement)
        if subject.achievement is not None or subject.profile is not None:
            session.add(received_endorsements.received_row(
                signed, text, "json", achievement=subject.achievement, profile=subject.profile,
                verdict=Verdict.VERIFIED.value, actor=actor, now=now))
    return endorsement


def revoke(session: Session, endorsement: IssuedEndorsement, *, reason: str,
           actor: status.Actor, keystore: FileKeyStore, base_url: str, now: datetime
           ) -> status.CredentialState:
    """Revoke for good (status.revoke: verifiers see it in the re-signed list); when it was
    attached to one of our own achievements or profiles, it is no longer embedded in what
    is issued from now on."""
    # Detached in the revocation's own transaction: status.revoke commits both, and nothing
    # is kept when it refuses.
    try:
        for row in session.scalars(select(ReceivedEndorsement).where(
                ReceivedEndorsement.credential_id == endorsement.signed_credential.credential_id,
                ReceivedEndorsement.detached_at.is_(None))):
            row.detached_at = now
        return status.revoke(session, endorsement.signed_credential, reason=reason,
                             actor=actor, keystore=keystore, base_url=base_url, now=now)
    except BaseException:
        session.rollback()
        raise


def get_issued(session: Session, endorsement_id: Any) -> IssuedEndorsement:
    """An endorsement we issued, by its row id, uuid or credential URL."""
    found = None
    if isinstance(endorsement_id, int) or (isinstance(endorsement_id, str)
                                           and endorsement_id.isdigit()):
        found = session.get(IssuedEndorsement, int(endorsement_id))
    elif isinstance(endorsement_id, str) and endorsement_id:
        candidate = endorsement_id.rstrip("/").rpartition("/")[2]
        found = session.scalar(select(IssuedEndorsement).where(
            IssuedEndorsement.signed_credential_id == candidate))
    if found is None:
        raise NotFound(f"no endorsement {endorsement_id!r}")
    return found


def issued_by(session: Session, profile: IssuerProfile | None = None) -> list[IssuedEndorsement]:
    """Endorsements given (by one profile, or all), newest first."""
    query = select(IssuedEndorsement).order_by(IssuedEndorsement.created_at.desc(),
                                              IssuedEndorsement.id.desc())
    if profile is not None:
        query = query.where(IssuedEndorsement.profile_id == profile.id)
    return list(session.scalars(query))


def state_of(session: Session, endorsement: IssuedEndorsement) -> status.CredentialState:
    return status.credential_state(session, endorsement.signed_credential)


def document_of(endorsement: IssuedEndorsement) -> dict[str, Any]:
    return json.loads(endorsement.signed_credential.document)
