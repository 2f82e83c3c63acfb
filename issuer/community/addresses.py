"""A member's email addresses: adding one, verifying it by an emailed one-time link (the
token stored only as SHA-256, single use, expiring), removing it, making it the primary.

A verified address links to the ``Recipient`` of that address (created when no credential
was ever issued to it), so every credential issued to it, before or after, is the member's.
An address is verified by one member at most (a unique constraint): verifying one that
another member holds is refused, and only then is it said, to whoever proved they read its
mail. The primary address (``Member.recipient``) cannot be removed; it receives the badge
announcements of the member's awards.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from issuer.community.models import EmailVerificationToken, Member, MemberEmail, OutboxMessage
from issuer.errors import Conflict, NotFound, ValidationFailed
from issuer.models import Recipient
from issuer.services.tx import atomic
from issuer.services.users import check_email

__all__ = ["MAX_ADDRESSES", "VERIFY_TTL", "Verified", "add_address", "address_of",
           "create_verification_token", "list_addresses", "make_primary", "recipient_ids",
           "redeem_verification_token", "remove_address", "send_wait", "token_hash",
           "verified_row"]

VERIFY_TTL = timedelta(hours=24)
MAX_ADDRESSES = 10  # verified and pending together, the primary included
RESEND_INTERVAL = timedelta(seconds=60)  # between two verification emails to one address
PER_DAY = 10  # verification emails a member may have sent in 24 hours


@dataclass(frozen=True)
class Verified:
    """What a verification link did: ``address`` verified, or ``taken`` (another member
    holds it); ``address`` None when the token was not valid."""

    address: MemberEmail | None
    taken: bool = False


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def list_addresses(session: Session, member: Member) -> list[MemberEmail]:
    """The member's addresses: the primary first, then verified ones, then pending ones."""
    rows = session.scalars(select(MemberEmail).where(MemberEmail.member_id == member.id)
                           .order_by(MemberEmail.created_at, MemberEmail.id)).all()
    return sorted(rows, key=lambda row: (row.recipient_id != member.recipient_id,
                                         not row.verified))


def recipient_ids(session: Session, member: Member) -> list[int]:
    """The recipients of every verified address of the member (the primary's included)."""
    ids = set(session.scalars(select(MemberEmail.recipient_id).where(
        MemberEmail.member_id == member.id, MemberEmail.recipient_id.is_not(None))))
    ids.add(member.recipient_id)
    return sorted(ids)


def verified_row(session: Session, email: str) -> MemberEmail | None:
    """The verified address row of ``email`` (any member's), if any."""
    return session.scalar(select(MemberEmail).join(MemberEmail.recipient)
                          .where(Recipient.email == email, MemberEmail.verified_at.is_not(None)))


def address_of(session: Session, member: Member, address_id: int) -> MemberEmail:
    row = session.get(MemberEmail, address_id) if isinstance(address_id, int) else None
    if row is None or row.member_id != member.id:
        raise NotFound(f"no address {address_id!r} of this member")
    return row


def add_address(session: Session, member: Member, email: str, *, now: datetime) -> MemberEmail:
    """A pending address of the member (or their existing pending row for it); the caller
    queues the verification email and commits."""
    email = check_email(email)
    existing = session.scalar(select(MemberEmail).where(MemberEmail.member_id == member.id,
                                                        MemberEmail.email == email))
    if existing is not None:
        if existing.verified:
            raise ValidationFailed({"email": "This address is already on your page."})
        return existing
    count = session.scalar(select(func.count(MemberEmail.id))
                           .where(MemberEmail.member_id == member.id)) or 0
    if count >= MAX_ADDRESSES:
        raise ValidationFailed({"email": f"You can have at most {MAX_ADDRESSES} addresses; "
                                         "remove one first."})
    row = MemberEmail(member=member, email=email, created_at=now)
    session.add(row)
    session.flush()
    return row


def send_wait(session: Session, member: Member, address: MemberEmail, *, now: datetime) -> int:
    """Seconds until a verification email to ``address`` may be queued (0: now). Counted
    from the outbox rows, so every worker and host sees the same numbers: one email per
    address per RESEND_INTERVAL, PER_DAY per member."""
    kind = "verify_email"
    latest = session.scalar(select(func.max(OutboxMessage.created_at)).where(
        OutboxMessage.kind == kind, OutboxMessage.address_id == address.id))
    wait = 0
    if latest is not None and now - latest < RESEND_INTERVAL:
        wait = int((latest + RESEND_INTERVAL - now).total_seconds()) + 1
    day = timedelta(days=1)
    recent = session.scalars(select(OutboxMessage.created_at).where(
        OutboxMessage.kind == kind, OutboxMessage.member_id == member.id,
        OutboxMessage.created_at > now - day).order_by(OutboxMessage.created_at.desc())
        .limit(PER_DAY)).all()
    if len(recent) >= PER_DAY:
        wait = max(wait, int((recent[-1] + day - now).total_seconds()) + 1)
    return wait


def create_verification_token(session: Session, address: MemberEmail, *, now: datetime) -> str:
    """A new one-time token (returned once, stored hashed) valid for VERIFY_TTL."""
    token = secrets.token_urlsafe(32)
    session.add(EmailVerificationToken(address=address, token_hash=_hash(token),
                                       created_at=now, expires_at=now + VERIFY_TTL))
    return token


def token_hash(token: str) -> str:
    """What is stored of a verification token."""
    return _hash(token)


def redeem_verification_token(session: Session, token: str, *, now: datetime) -> Verified:
    """Verify the address a valid, unused, unexpired token names (marking it used: a single
    UPDATE decides, so two uses at once cannot both win) and link it to its Recipient."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return Verified(None)
    hashed = _hash(token)
    with atomic(session):
        result = session.execute(
            update(EmailVerificationToken)
            .where(EmailVerificationToken.token_hash == hashed,
                   EmailVerificationToken.used_at.is_(None),
                   EmailVerificationToken.expires_at > now)
            .values(used_at=now)
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            return Verified(None)
    address = session.scalar(select(MemberEmail).join(
        EmailVerificationToken, EmailVerificationToken.address_id == MemberEmail.id)
        .where(EmailVerificationToken.token_hash == hashed))
    if address is None:  # removed meanwhile
        return Verified(None)
    if address.verified:
        return Verified(address)
    holder = verified_row(session, address.email)
    if holder is not None and holder.member_id != address.member_id:
        return Verified(address, taken=True)
    try:
        with atomic(session):
            recipient = session.scalar(select(Recipient).where(Recipient.email == address.email))
            if recipient is None:
                recipient = Recipient(email=address.email, created_at=now)
                session.add(recipient)
                session.flush()
            address.recipient_id = recipient.id
            address.verified_at = now
    except IntegrityError:  # another member verified it at the same moment
        session.rollback()
        return Verified(session.get(MemberEmail, address.id), taken=True)
    return Verified(address)


def remove_address(session: Session, member: Member, address_id: int) -> str:
    """Remove one of the member's addresses (not the primary); returns it. The caller
    commits. Credentials issued to it leave the member's page."""
    row = address_of(session, member, address_id)
    if row.recipient_id == member.recipient_id:
        raise Conflict("the primary address cannot be removed; make another one primary first")
    email = row.email
    session.execute(update(OutboxMessage).where(OutboxMessage.address_id == row.id)
                    .values(address_id=None).execution_options(synchronize_session=False))
    session.execute(delete(EmailVerificationToken)
                    .where(EmailVerificationToken.address_id == row.id))
    session.delete(row)
    return email


def make_primary(session: Session, member: Member, address_id: int, *, now: datetime) -> None:
    """Make a verified address the primary one (the caller commits)."""
    row = address_of(session, member, address_id)
    if not row.verified or row.recipient_id is None:
        raise Conflict("verify the address before making it your primary address")
    member.recipient_id = row.recipient_id
    member.updated_at = now
    session.flush()
    session.expire(member, ["recipient"])
