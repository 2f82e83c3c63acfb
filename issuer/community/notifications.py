"""Whether the recipient of a credential was told: a state derived from the outbox rows of
the credential (never stored twice), and *Resend*, rate-limited by counting those rows.

States, from the newest ``credential_issued`` row of the credential:

* ``sent``: delivered to the SMTP server (``sent_at``);
* ``queued``: pending, being sent, or waiting for a retry after a transient failure;
* ``failed``: no more attempts (``last_error`` says why);
* ``not_sent``: no row at all: mail was not configured when it was issued (ISSUER_SMTP_URL
  unset), or the credential was issued before the outbox existed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from issuer.community import outbox
from issuer.community.models import OutboxMessage
from issuer.errors import Conflict
from issuer.models import IssuedCredential
from issuer.services.tx import atomic

SENT, QUEUED, FAILED, NOT_SENT = "sent", "queued", "failed", "not_sent"
LABELS = {SENT: "Notified", QUEUED: "Queued", FAILED: "Failed", NOT_SENT: "Not sent"}
RESEND_WINDOW = timedelta(days=1)
RESEND_LIMIT = 3  # credential emails (the first one included) per credential per window
_QUEUED = (outbox.PENDING, outbox.SENDING, outbox.RETRYING)


class ResendLimited(Conflict):
    """Too many emails of this credential in the last day."""


@dataclass(frozen=True)
class Notification:
    state: str
    attempts: int = 0
    last_error: str | None = None
    sent_at: datetime | None = None
    queued_at: datetime | None = None
    emails_today: int = 0

    @property
    def label(self) -> str:
        return LABELS[self.state]


def _state_of(row: OutboxMessage | None) -> str:
    if row is None:
        return NOT_SENT
    if row.status == outbox.SENT:
        return SENT
    if row.status == outbox.FAILED:
        return FAILED
    return QUEUED


def _latest(session: Session, credential_id: str) -> OutboxMessage | None:
    return session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.credential_id == credential_id,
               OutboxMessage.kind == outbox.KIND_CREDENTIAL)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(1)
    ).first()


def emails_since(session: Session, credential_id: str, *, since: datetime) -> int:
    return session.scalar(
        select(func.count(OutboxMessage.id))
        .where(OutboxMessage.credential_id == credential_id,
               OutboxMessage.kind == outbox.KIND_CREDENTIAL,
               OutboxMessage.created_at > since)) or 0


def notification_of(session: Session, credential_id: str, *, now: datetime) -> Notification:
    """The notification state of one credential, for its admin page."""
    row = _latest(session, credential_id)
    return Notification(
        state=_state_of(row),
        attempts=row.attempts if row is not None else 0,
        last_error=row.last_error if row is not None else None,
        sent_at=row.sent_at if row is not None else None,
        queued_at=row.created_at if row is not None else None,
        emails_today=emails_since(session, credential_id, since=now - RESEND_WINDOW),
    )


def states_of(session: Session, credential_ids: list[str]) -> dict[str, str]:
    """The notification state of each credential of a list page, in one query."""
    if not credential_ids:
        return {}
    newest = (select(OutboxMessage.credential_id, func.max(OutboxMessage.id).label("id"))
              .where(OutboxMessage.credential_id.in_(credential_ids),
                     OutboxMessage.kind == outbox.KIND_CREDENTIAL)
              .group_by(OutboxMessage.credential_id).subquery())
    rows = session.execute(select(OutboxMessage.credential_id, OutboxMessage.status)
                           .join(newest, OutboxMessage.id == newest.c.id)).all()
    found = {credential_id: status for credential_id, status in rows}
    states = {}
    for credential_id in credential_ids:
        status = found.get(credential_id)
        states[credential_id] = (NOT_SENT if status is None else SENT if status == outbox.SENT
                                 else FAILED if status == outbox.FAILED else QUEUED)
    return states


def resend(session: Session, credential_id: str, *, now: datetime) -> OutboxMessage:
    """Queue the credential's email again (the caller enqueues delivery of the row).

    Refused while an email of it is still queued, and after RESEND_LIMIT emails of it in the
    last RESEND_WINDOW; counted from the outbox rows under a lock on the credential's row, so
    the limit holds across workers.
    """
    with atomic(session):
        credential = session.scalars(select(IssuedCredential)
                                     .where(IssuedCredential.id == credential_id)
                                     .with_for_update()).one()
        latest = _latest(session, credential_id)
        if latest is not None and latest.status in _QUEUED:
            raise Conflict("an email of this credential is already queued")
        if emails_since(session, credential_id, since=now - RESEND_WINDOW) >= RESEND_LIMIT:
            raise ResendLimited(f"this credential was emailed {RESEND_LIMIT} times in the "
                                "last 24 hours; try again later")
        row = outbox.credential_mail(session, credential, now=now)
    return row
