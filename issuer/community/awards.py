"""Awarding an achievement to a member, at most once, and ending an award.

An award is the credential issued by ``issuer.services.issuance.issue`` (exactly as any other
path) plus an ``Award`` row written in the same transaction (issue's ``on_issued`` hook). The
unique (member, achievement) constraint makes concurrent awards collide: the loser's whole
transaction, credential included, rolls back, so a member never gets the same award twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from issuer.community import addresses
from issuer.community.models import Award, Member
from issuer.errors import Conflict, InvalidRequest, ValidationFailed
from issuer.models import Achievement, AdminUser, IssuedCredential
from issuer.services import issuance, status
from issuer.services.keystore import FileKeyStore
from issuer.services.tx import atomic

SOURCE_RULE = "rule"
SOURCE_ADMIN = "admin"
MAX_NOTE = 1000  # a revocation reason (shown to verifiers) may be as long


@dataclass(frozen=True)
class Issuing:
    """What issuing a credential needs from the app: the key store and the base URL."""

    keystore: FileKeyStore
    base_url: str


def already_has(session: Session, member: Member, achievement_id: str) -> bool:
    """Whether the member was awarded the achievement, or holds a credential for it
    (issued by hand or by the API before they were a member)."""
    if session.scalar(select(Award.id).where(Award.member_id == member.id,
                                             Award.achievement_id == achievement_id)):
        return True
    return session.scalar(
        select(IssuedCredential.id).where(
            IssuedCredential.recipient_id.in_(addresses.recipient_ids(session, member)),
                                          IssuedCredential.achievement_id == achievement_id)
        .limit(1)
    ) is not None


def check_note(note: str | None, field: str = "note") -> str | None:
    note = (note or "").strip() or None
    if note is not None and len(note) > MAX_NOTE:
        raise ValidationFailed({field: f"The note may have at most {MAX_NOTE} characters."})
    return note


def award(
    session: Session,
    *,
    member: Member,
    achievement: Achievement,
    source: str,
    issuing: Issuing,
    now: datetime,
    note: str | None = None,
    trigger_event_id: int | None = None,
    awarded_by: AdminUser | None = None,
) -> Award | None:
    """Issue ``achievement`` to ``member`` and record the award in one transaction.

    Returns None when the member already has it, including when a concurrent award won the
    race (its transaction rolled ours back entirely). ``note`` becomes the credential's
    evidence narrative.
    """
    note = check_note(note)
    if already_has(session, member, achievement.id):
        return None
    member_id, achievement_id = member.id, achievement.id
    made: list[Award] = []

    def record_award(session: Session, row: IssuedCredential) -> None:
        made.clear()
        item = Award(member_id=member_id, achievement_id=achievement_id, credential=row,
                     source=source, note=note, trigger_event_id=trigger_event_id,
                     awarded_at=now, awarded_by_id=awarded_by.id if awarded_by else None)
        session.add(item)
        made.append(item)

    request = issuance.IssueRequest(
        achievement_id=achievement_id, email=member.email, name=member.display_name,
        did=member.did, evidence_narrative=note,
    )
    try:
        issuance.issue(session, request, keystore=issuing.keystore, base_url=issuing.base_url,
                       now=now, issued_by=awarded_by, via="award",
                       on_issued=record_award)
    except (Conflict, IntegrityError):
        session.rollback()
        if session.scalar(select(Award.id).where(Award.member_id == member_id,
                                                 Award.achievement_id == achievement_id)):
            return None  # another worker awarded it first; nothing of ours was saved
        raise
    return made[0]


def awards_of(session: Session, member: Member) -> list[Award]:
    return list(session.scalars(
        select(Award).where(Award.member_id == member.id)
        .order_by(Award.awarded_at.desc(), Award.id.desc())
    ))


def get_award(session: Session, award_id: int) -> Award | None:
    return session.get(Award, award_id)


def end_award(
    session: Session,
    item: Award,
    *,
    note: str | None,
    revoke: bool,
    ended_by: AdminUser | None,
    issuing: Issuing,
    now: datetime,
) -> bool:
    """End an award (an MVP term is over): record when, why and by whom, and revoke its
    credential through the status lists when ``revoke``; one transaction. Returns whether
    the credential was revoked (False also when it has no status entries to flip).

    The successor ("MVP Alumni") is a separate achievement, awarded with :func:`award`.
    """
    if item.ended_at is not None:
        raise Conflict("this award has already ended")
    note = check_note(note, "end_note")
    item.ended_at, item.end_note = now, note
    item.ended_by_id = ended_by.id if ended_by is not None else None
    if not revoke:
        with atomic(session):
            pass
        return False
    actor = status.Actor.admin(ended_by) if ended_by is not None else status.CLI
    reason = note or f"{item.achievement.name} ended"
    try:
        status.revoke(session, item.credential, reason=reason, actor=actor,
                      keystore=issuing.keystore, base_url=issuing.base_url, now=now)
    except ValidationFailed:
        raise
    except (InvalidRequest, Conflict):
        # No status entries (issued before status lists) or already revoked: end it anyway.
        item = session.get(Award, item.id)
        item.ended_at, item.end_note = now, note
        item.ended_by_id = ended_by.id if ended_by is not None else None
        with atomic(session):
            pass
        return False
    return True
