"""The email outbox: which emails to send, their delivery state, and the delivery job.

Rows are written in the same transaction as what they announce (a credential: see
``issuer.community.hooks``), then delivered by the job queue, which retries transient
failures with a delay. Status: ``pending`` → ``sending`` → ``sent``; a failed attempt leaves
``retrying`` (another attempt is scheduled) or ``failed`` (no more attempts; an admin can
retry it). ``attempts`` and ``last_error`` are shown to admins.

Messages are rendered when they are sent and never stored: a sign-in token is created right
before its email is sent (only its hash is kept), and a claim link is signed on the fly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from issuer.community import addresses, claims, members
from issuer.community.email import (
    CredentialMail,
    admin_invitation_message,
    MailError,
    MailSettings,
    ReminderMail,
    credential_message,
    expiry_reminder_message,
    send,
    sign_in_message,
    tx_code_message,
    webhook_disabled_message,
    verify_address_message,
)
from issuer.community.models import (
    EmailVerificationToken,
    Member,
    MemberEmail,
    OutboxMessage,
    SignInToken,
)
from issuer.errors import Conflict, NotFound
from issuer.admin_models import AdminInvitation
from issuer.exchange_models import Exchange
from issuer.models import Achievement, IssuedCredential
from issuer.reminder_models import ReminderSetting
from issuer.services import admins, badge_files, oid4vci, urls
from issuer.services.tx import atomic
from issuer.sharing import linkedin
from issuer.webhooks.models import WebhookEndpoint

KIND_CREDENTIAL = "credential_issued"
KIND_SIGN_IN = "sign_in_link"
KIND_TX_CODE = "oid4vci_tx_code"
KIND_WEBHOOK_DISABLED = "webhook_disabled"  # issue 15: to the endpoint's owner
KIND_VERIFY_ADDRESS = "verify_email"
KIND_EXPIRY_REMINDER = "expiry_reminder"  # issue 14: issuer.services.reminders
KIND_ADMIN_INVITATION = "admin_invitation"  # issue 14: an admin's invitation link
PENDING, SENDING, SENT, RETRYING, FAILED = "pending", "sending", "sent", "retrying", "failed"
STATUSES = (PENDING, SENDING, SENT, RETRYING, FAILED)
MAX_ERROR = 500
STALE_SENDING = timedelta(minutes=10)  # longer than any send (SMTP timeouts are ≤ 300 s)


@dataclass(frozen=True)
class Delivery:
    """What the delivery job needs from the app's settings."""

    mail: MailSettings
    base_url: str
    secret_key: str = ""
    site_name: str = "Open Badges"
    linkedin_organization_id: str | None = None

    def __repr__(self) -> str:  # no secret key in logs
        return f"Delivery(mail={self.mail!r}, base_url={self.base_url!r})"


def credential_mail(session: Session, credential: IssuedCredential, *, now: datetime
                    ) -> OutboxMessage:
    """Queue the announcement of ``credential`` (the caller commits)."""
    row = OutboxMessage(kind=KIND_CREDENTIAL, credential=credential, status=PENDING, attempts=0,
                        created_at=now, updated_at=now)
    session.add(row)
    return row


def sign_in_mail(session: Session, member: Member, *, now: datetime,
                 address: MemberEmail | None = None) -> OutboxMessage:
    """Queue a sign-in link for ``member``, to ``address`` (one of theirs) or the primary
    one (the caller commits)."""
    row = OutboxMessage(kind=KIND_SIGN_IN, member=member, address=address, status=PENDING,
                        attempts=0, created_at=now, updated_at=now)
    session.add(row)
    return row


def verify_address_mail(session: Session, address: MemberEmail, *, now: datetime
                        ) -> OutboxMessage:
    """Queue the verification link of a member's new address (the caller commits)."""
    row = OutboxMessage(kind=KIND_VERIFY_ADDRESS, member_id=address.member_id, address=address,
                        status=PENDING, attempts=0, created_at=now, updated_at=now)
    session.add(row)
    return row


def tx_code_mail(session: Session, exchange: Exchange, *, now: datetime) -> OutboxMessage:
    """Queue the tx_code of an OpenID4VCI offer to the award's recipient (the caller
    commits). The code is computed when the email is sent, never stored."""
    row = OutboxMessage(kind=KIND_TX_CODE, credential_id=exchange.credential_id,
                        exchange_id=exchange.id, status=PENDING, attempts=0, created_at=now,
                        updated_at=now)
    session.add(row)
    return row


def webhook_disabled_mail(session: Session, endpoint: WebhookEndpoint, *, now: datetime
                          ) -> OutboxMessage:
    """Queue the "your webhook endpoint was disabled" email to its owner (the caller
    commits)."""
    row = OutboxMessage(kind=KIND_WEBHOOK_DISABLED, webhook_endpoint=endpoint, status=PENDING,
                        attempts=0, created_at=now, updated_at=now)
    session.add(row)
    return row


def expiry_reminder_mail(session: Session, credential: IssuedCredential, *, now: datetime
                         ) -> OutboxMessage:
    """Queue the "expires soon" reminder of ``credential`` (the caller commits)."""
    row = OutboxMessage(kind=KIND_EXPIRY_REMINDER, credential=credential, status=PENDING,
                        attempts=0, created_at=now, updated_at=now)
    session.add(row)
    return row


def admin_invitation_mail(session: Session, invitation: AdminInvitation, *, now: datetime
                          ) -> OutboxMessage:
    """Queue an admin invitation (the caller commits). Its link gets a fresh token when it
    is sent; only the token's hash is kept."""
    row = OutboxMessage(kind=KIND_ADMIN_INVITATION, admin_invitation_id=invitation.id,
                        status=PENDING, attempts=0, created_at=now, updated_at=now)
    session.add(row)
    return row


def recipient_address(row: OutboxMessage) -> str:
    if row.kind == KIND_ADMIN_INVITATION:
        invitation = row.admin_invitation
        return invitation.email if invitation is not None else "(invitation removed)"
    if row.kind in (KIND_CREDENTIAL, KIND_TX_CODE, KIND_EXPIRY_REMINDER):
        return row.credential.recipient.email
    if row.kind == KIND_WEBHOOK_DISABLED:
        return row.webhook_endpoint.owner_email
    if row.address is not None:
        return row.address.email
    return row.member.email


def list_messages(session: Session, *, status: str | None = None, limit: int = 100,
                  offset: int = 0) -> list[OutboxMessage]:
    statement = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(),
                                               OutboxMessage.id.desc())
    if status:
        statement = statement.where(OutboxMessage.status == status)
    return list(session.scalars(statement.limit(limit).offset(offset)))


def counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(OutboxMessage.status, func.count(OutboxMessage.id))
                           .group_by(OutboxMessage.status)).all()
    return {status: count for status, count in rows}


def waiting(session: Session, *, now: datetime) -> list[int]:
    """Messages not yet sent and not given up on, for re-queueing after an outage: pending,
    retrying, and those a worker took but never finished (it died while sending)."""
    statement = select(OutboxMessage.id).where(or_(
        OutboxMessage.status.in_((PENDING, RETRYING)),
        and_(OutboxMessage.status == SENDING, OutboxMessage.updated_at < now - STALE_SENDING),
    ))
    return list(session.scalars(statement.order_by(OutboxMessage.id)))


def retry(session: Session, message_id: int, *, now: datetime) -> OutboxMessage:
    """Put a failed message back in the queue (an admin's "retry"); the caller enqueues it."""
    row = session.get(OutboxMessage, message_id)
    if row is None:
        raise NotFound(f"no outbox message {message_id}")
    if row.status != FAILED:
        raise Conflict("only failed messages can be retried")
    with atomic(session):
        row.status, row.updated_at = PENDING, now
    return row


def fail_unconfigured(session: Session, message_id: int, *, now: datetime) -> str:
    """Without ISSUER_SMTP_URL nothing can be sent: say so on the message."""
    with atomic(session):
        session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id,
                                                    OutboxMessage.status != SENT)
                        .values(status=FAILED, updated_at=now,
                                last_error="mail is not configured (ISSUER_SMTP_URL)")
                        .execution_options(synchronize_session=False))
    return FAILED


def _claim(session: Session, message_id: int, *, now: datetime) -> bool:
    """Take the message for this attempt (one worker only): pending/retrying → sending (or
    a message stuck in sending because its worker died, after STALE_SENDING)."""
    with atomic(session):
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id,
                   or_(OutboxMessage.status.in_((PENDING, RETRYING)),
                       and_(OutboxMessage.status == SENDING,
                            OutboxMessage.updated_at < now - STALE_SENDING)))
            .values(status=SENDING, attempts=OutboxMessage.attempts + 1, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    return result.rowcount == 1


def deliver(session: Session, message_id: int, *, delivery: Delivery, now: datetime,
            last_attempt: bool) -> str:
    """Send one outbox message; returns its new status.

    Raises MailError after recording a transient failure when more attempts remain, so the
    job queue schedules the next one. A permanent failure, or the last attempt, ends in
    ``failed``.
    """
    if not _claim(session, message_id, now=now):
        row = session.get(OutboxMessage, message_id)
        return row.status if row is not None else "missing"
    row = session.get(OutboxMessage, message_id)
    if row.kind == KIND_VERIFY_ADDRESS and (row.address is None or row.address.verified):
        with atomic(session):  # nothing left to verify: no link is sent
            row.status, row.updated_at = FAILED, now
            row.last_error = "the address was removed or verified before this email was sent"
        return FAILED
    token_hash = verify_hash = None
    try:
        to = recipient_address(row)
        if row.kind == KIND_CREDENTIAL:
            message = credential_message(_credential_mail(session, row.credential, delivery),
                                         mail_from=delivery.mail.mail_from, to=to, now=now)
        elif row.kind == KIND_TX_CODE:
            message = _tx_code_message(session, row, delivery, to=to, now=now)
        elif row.kind == KIND_EXPIRY_REMINDER:
            message = _reminder_message(session, row, delivery, to=to, now=now)
        elif row.kind == KIND_ADMIN_INVITATION:
            message = _invitation_message(session, row, delivery, to=to, now=now)
        elif row.kind == KIND_WEBHOOK_DISABLED:
            endpoint = row.webhook_endpoint
            message = webhook_disabled_message(
                url=endpoint.url, profile_name=endpoint.profile.name,
                reason=endpoint.disabled_reason or "", site_name=delivery.site_name,
                page_url=f"{delivery.base_url}/admin/webhooks/{endpoint.id}",
                mail_from=delivery.mail.mail_from, to=to, now=now)
        elif row.kind == KIND_VERIFY_ADDRESS:
            with atomic(session):  # the token must exist before its link is sent
                token = addresses.create_verification_token(session, row.address, now=now)
            verify_hash = addresses.token_hash(token)
            message = verify_address_message(
                display_name=row.member.display_name,
                link=members.verify_address_url(delivery.base_url, token),
                hours=int(addresses.VERIFY_TTL.total_seconds() // 3600),
                site_name=delivery.site_name, mail_from=delivery.mail.mail_from, to=to, now=now)
            del token
        else:
            with atomic(session):  # the token must exist before its link is sent
                token = members.create_sign_in_token(session, row.member, now=now)
            token_hash = members.hash_token(token)
            message = sign_in_message(
                display_name=row.member.display_name,
                link=members.sign_in_url(delivery.base_url, token),
                minutes=int(members.SIGN_IN_TTL.total_seconds() // 60),
                site_name=delivery.site_name, mail_from=delivery.mail.mail_from, to=to, now=now)
            del token
        send(message, delivery.mail.smtp)
    except MailError as exc:
        final = exc.permanent or last_attempt
        _record_failure(session, message_id, _redact(str(exc), delivery), final=final,
                        now=now, token_hash=token_hash, verify_hash=verify_hash)
        if final:
            return FAILED
        raise
    except Exception as exc:  # a bug or a vanished row: recorded for the admins, then retried
        _record_failure(session, message_id, _redact(f"{type(exc).__name__}: {exc}", delivery),
                        final=last_attempt, now=now, token_hash=token_hash,
                        verify_hash=verify_hash)
        raise
    with atomic(session):
        session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                        .values(status=SENT, sent_at=now, updated_at=now, last_error=None)
                        .execution_options(synchronize_session=False))
    return SENT


def _tx_code_message(session: Session, row: OutboxMessage, delivery: Delivery, *, to: str,
                     now: datetime):
    exchange = session.get(Exchange, row.exchange_id)
    if exchange is None or exchange.expires_at <= now:
        raise MailError("the offer has expired; its code is not sent", permanent=True)
    minutes = max(1, int((exchange.expires_at - now).total_seconds() // 60))
    return tx_code_message(
        code=oid4vci.tx_code_of(delivery.secret_key, exchange.id),
        badge_name=row.credential.achievement.name, minutes=minutes,
        site_name=delivery.site_name, mail_from=delivery.mail.mail_from, to=to, now=now)


def _reminder_message(session: Session, row: OutboxMessage, delivery: Delivery, *, to: str,
                      now: datetime):
    credential = row.credential
    if credential.status_state != "active" or credential.valid_until is None \
            or credential.valid_until <= now:
        raise MailError("the credential was revoked, suspended or has expired; no reminder is "
                        "sent", permanent=True)
    setting = session.get(ReminderSetting, credential.achievement_id)
    renewal = (setting.renewal_url if setting is not None else None) or \
        urls.achievement_url(delivery.base_url, credential.achievement_id)
    return expiry_reminder_message(ReminderMail(
        recipient_name=credential.recipient_name,
        achievement_name=credential.achievement.name,
        issuer_name=credential.profile.name,
        valid_until=credential.valid_until,
        days_left=max(1, -(-int((credential.valid_until - now).total_seconds()) // 86400)),
        renewal_url=renewal,
        credential_url=urls.credential_url(delivery.base_url, credential.id),
    ), mail_from=delivery.mail.mail_from, to=to, now=now)


def _invitation_message(session: Session, row: OutboxMessage, delivery: Delivery, *, to: str,
                        now: datetime):
    try:
        with atomic(session):  # the token must exist before its link is sent
            invitation, token = admins.fresh_token(session, row.admin_invitation_id or 0,
                                                   now=now)
    except Conflict as exc:
        raise MailError(str(exc), permanent=True) from None
    inviter = invitation.invited_by.email if invitation.invited_by is not None else "An owner"
    message = admin_invitation_message(
        inviter=inviter, profile_name=invitation.profile.name,
        role=admins.LABELS[invitation.role].lower(), role_text=admins.DESCRIPTIONS[invitation.role],
        link=admins.invitation_url(delivery.base_url, token),
        days=admins.INVITE_TTL.days, site_name=delivery.site_name,
        mail_from=delivery.mail.mail_from, to=to, now=now)
    del token
    return message


def _redact(text: str, delivery: Delivery) -> str:
    """An error text for the admins' page: never the SMTP password."""
    password = delivery.mail.smtp.password
    if password:
        text = text.replace(password, "***")
    return text[:MAX_ERROR]


def _record_failure(session: Session, message_id: int, error: str, *, final: bool,
                    now: datetime, token_hash: str | None,
                    verify_hash: str | None = None) -> None:
    session.rollback()
    with atomic(session):
        if token_hash is not None:  # its link was never delivered
            session.execute(delete(SignInToken).where(SignInToken.token_hash == token_hash))
        if verify_hash is not None:
            session.execute(delete(EmailVerificationToken)
                            .where(EmailVerificationToken.token_hash == verify_hash))
        session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                        .values(status=FAILED if final else RETRYING, updated_at=now,
                                last_error=error[:MAX_ERROR])
                        .execution_options(synchronize_session=False))


def _credential_mail(session: Session, row: IssuedCredential, delivery: Delivery
                     ) -> CredentialMail:
    base_url = delivery.base_url
    page_url = urls.credential_url(base_url, row.id)
    issuer_name = row.profile.name
    image = badge_files.baked(session, row, base_url=base_url, fmt="png")
    token = claims.make_token(delivery.secret_key, credential_id=row.id,
                              recipient_id=row.recipient_id)
    return CredentialMail(
        recipient_name=row.recipient_name,
        achievement_name=row.achievement.name,
        achievement_description=row.achievement.description,
        issuer_name=issuer_name,
        credential_url=page_url,
        download_url=page_url + "/download",
        linkedin_url=linkedin.add_to_profile_url(
            name=row.achievement.name, organization_name=issuer_name,
            organization_id=delivery.linkedin_organization_id, issued=row.valid_from,
            expires=row.valid_until, cert_url=page_url, cert_id=row.id),
        claim_url=claims.claim_url(base_url, token),
        image_png=image.data,
    )


PREVIEW_ID = "00000000-0000-0000-0000-000000000000"  # the real id is made when it is issued


def preview_credential_message(achievement: Achievement, *, to: str, recipient_name: str | None,
                               valid_until: datetime | None, mail_from: str, base_url: str,
                               linkedin_organization_id: str | None, now: datetime
                               ) -> EmailMessage:
    """The email ``credential_message`` would send for this achievement and recipient, with
    the same templates and image, before anything is issued: its links carry a placeholder
    id (and no claim token), since the credential does not exist yet."""
    page_url = urls.credential_url(base_url, PREVIEW_ID)
    issuer_name = achievement.profile.name
    mail = CredentialMail(
        recipient_name=recipient_name or None,
        achievement_name=achievement.name,
        achievement_description=achievement.description,
        issuer_name=issuer_name,
        credential_url=page_url,
        download_url=page_url + "/download",
        linkedin_url=linkedin.add_to_profile_url(
            name=achievement.name, organization_name=issuer_name,
            organization_id=linkedin_organization_id, issued=now, expires=valid_until,
            cert_url=page_url, cert_id=PREVIEW_ID),
        claim_url=claims.claim_url(base_url, "preview"),
        image_png=badge_files.achievement_badge(achievement, fmt="png").data,
    )
    return credential_message(mail, mail_from=mail_from, to=to, now=now)
