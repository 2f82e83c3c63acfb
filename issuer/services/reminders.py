"""Expiry reminders (issue 14, item 4): "remind recipients N days before the credential's
validUntil", per achievement, sent once per credential through the email outbox.

* :func:`check_setting` / :func:`save_setting`: the achievement form's two fields (days, 0 or
  empty = off, at most 365; an optional http(s) renewal URL, else the achievement's page);
* :func:`scan`: run by the periodic job (issuer.jobs): the active credentials of achievements
  with a setting, not archived, whose validUntil falls within the next N days and who were
  not reminded yet, at most ``limit`` per run. Each is claimed in its own transaction: a
  ``credential_reminders`` row (primary key: the credential) and its outbox email together,
  so several consumers on several hosts may scan at once and a credential is still reminded
  once (a second claim fails on the key and is skipped). The caller enqueues delivery of the
  returned outbox ids after the commit (``issuer community requeue`` re-queues what a queue
  outage lost, as for every outbox email).
* :func:`reminder_of`: what the admin's credential page shows.

Revoked or suspended credentials are skipped (and a reminder queued before a revocation is not
sent: the outbox checks again when it sends).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from issuer.community import outbox
from issuer.community.models import OutboxMessage
from issuer.errors import ValidationFailed
from issuer.models import Achievement, IssuedCredential
from issuer.reminder_models import (
    MAX_DAYS_BEFORE,
    MAX_RENEWAL_URL,
    CredentialReminder,
    ReminderSetting,
)
from issuer.services.profiles import is_http_url
from issuer.services.tx import atomic

DEFAULT_BATCH = 200  # reminders claimed per run of the periodic job


@dataclass(frozen=True)
class Setting:
    days_before: int  # 0: off
    renewal_url: str | None = None


def check_setting(days: int | str | None, renewal_url: str | None) -> Setting:
    """The form's values as a setting, or ValidationFailed naming ``remind_days`` /
    ``renewal_url``."""
    errors: dict[str, str] = {}
    text = "" if days is None else str(days).strip()
    value = 0
    if text:
        try:
            value = int(text)
        except ValueError:
            value = -1
        if not 0 <= value <= MAX_DAYS_BEFORE:
            errors["remind_days"] = (f"Give a number of days from 1 to {MAX_DAYS_BEFORE}, "
                                     "or 0 for no reminder.")
    url = (renewal_url or "").strip() or None
    if url is not None and (len(url) > MAX_RENEWAL_URL or not is_http_url(url)):
        errors["renewal_url"] = "Give an http(s) URL, or leave it empty."
    if errors:
        raise ValidationFailed(errors)
    return Setting(days_before=value, renewal_url=url)


def setting_of(session: Session, achievement: Achievement | None) -> Setting:
    row = session.get(ReminderSetting, achievement.id) if achievement is not None else None
    return Setting(0) if row is None else Setting(row.days_before, row.renewal_url)


def save_setting(session: Session, achievement: Achievement, setting: Setting, *,
                 now: datetime) -> None:
    """Store (or remove, for 0 days) the setting of ``achievement`` (the caller commits)."""
    row = session.get(ReminderSetting, achievement.id) if achievement.id else None
    if setting.days_before == 0:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        row = ReminderSetting(achievement=achievement)
        session.add(row)
    row.days_before, row.renewal_url, row.updated_at = (setting.days_before,
                                                        setting.renewal_url, now)


def due(session: Session, *, now: datetime, limit: int) -> list[tuple[str, int]]:
    """(credential id, days) of up to ``limit`` credentials to remind now, soonest expiry
    first within each achievement. One indexed query per achievement with a setting, so the
    window (now, now + N days] is computed here, the same on SQLite and PostgreSQL."""
    settings = session.execute(
        select(ReminderSetting.achievement_id, ReminderSetting.days_before)
        .join(Achievement, Achievement.id == ReminderSetting.achievement_id)
        .where(Achievement.archived_at.is_(None))
        .order_by(ReminderSetting.achievement_id)).all()
    found: list[tuple[str, int]] = []
    for achievement_id, days in settings:
        if len(found) >= limit:
            break
        ids = session.scalars(
            select(IssuedCredential.id)
            .outerjoin(CredentialReminder,
                       CredentialReminder.credential_id == IssuedCredential.id)
            .where(IssuedCredential.achievement_id == achievement_id,
                   IssuedCredential.valid_until > now,
                   IssuedCredential.valid_until <= now + timedelta(days=days),
                   IssuedCredential.status_state == "active",
                   CredentialReminder.credential_id.is_(None))
            .order_by(IssuedCredential.valid_until, IssuedCredential.id)
            .limit(limit - len(found))).all()
        found.extend((credential_id, days) for credential_id in ids)
    return found


def claim(session: Session, credential_id: str, days: int, *, now: datetime) -> int | None:
    """Claim one reminder: its row and its outbox email in one transaction; the outbox id,
    or None when another consumer claimed it first (or it is no longer due)."""
    try:
        with atomic(session):
            credential = session.get(IssuedCredential, credential_id)
            if credential is None or credential.status_state != "active" \
                    or credential.valid_until is None or credential.valid_until <= now:
                return None
            message = outbox.expiry_reminder_mail(session, credential, now=now)
            session.flush()
            session.add(CredentialReminder(credential_id=credential_id, outbox_id=message.id,
                                           days_before=days,
                                           valid_until=credential.valid_until,
                                           created_at=now))
            session.flush()
    except IntegrityError:  # reminded by another consumer meanwhile
        return None
    return message.id


def scan(session: Session, *, now: datetime, limit: int = DEFAULT_BATCH) -> list[int]:
    """Claim the reminders due now (at most ``limit``); the outbox ids to deliver."""
    claimed = []
    for credential_id, days in due(session, now=now, limit=limit):
        message_id = claim(session, credential_id, days, now=now)
        if message_id is not None:
            claimed.append(message_id)
    return claimed


@dataclass(frozen=True)
class ReminderState:
    created_at: datetime
    days_before: int
    status: str  # the outbox's: pending … sent, failed
    sent_at: datetime | None
    last_error: str | None


def reminder_of(session: Session, credential_id: str) -> ReminderState | None:
    """The reminder of one credential, for its admin page (None: none was sent)."""
    row = session.get(CredentialReminder, credential_id)
    if row is None:
        return None
    message = session.get(OutboxMessage, row.outbox_id) if row.outbox_id else None
    return ReminderState(
        created_at=row.created_at, days_before=row.days_before,
        status=message.status if message is not None else "unknown",
        sent_at=message.sent_at if message is not None else None,
        last_error=message.last_error if message is not None else None,
    )
