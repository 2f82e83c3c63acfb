"""Delivering webhook events: one attempt at a time, from the job queue, on any worker.

An attempt first takes the delivery (a state transition ``pending``/``retrying`` → ``sending``
in one UPDATE, so two workers never send it at once), then POSTs the event's stored body
through the SSRF-safe fetcher (issuer.services.fetch: public addresses only unless
ISSUER_WEBHOOK_ALLOW_PRIVATE; bounded times and answer size) with the Standard Webhooks
headers, and records the attempt. A 2xx answer delivers it; anything else (another status, a
refused address, a timeout) is a failure, retried on issuer.webhooks.schedule. An endpoint
failing without a break for schedule.DISABLE_AFTER is disabled, its waiting deliveries are
given up, and its owner is emailed through the community outbox.

No transaction is open while the request is in flight.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from issuer.errors import Conflict, NotFound
from issuer.services import fetch
from issuer.services.tx import atomic
from issuer.webhooks import endpoints, schedule, signing, vault
from issuer.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

PENDING, SENDING, DELIVERED, RETRYING, FAILED = (
    "pending", "sending", "delivered", "retrying", "failed")
STATUSES = (PENDING, SENDING, DELIVERED, RETRYING, FAILED)
STALE_SENDING = timedelta(minutes=5)  # far longer than an attempt can take (deadline 15 s)
MAX_ANSWER_BYTES = 4096  # of the receiver's answer, read at most
SNIPPET = 1000  # characters of it kept in the log
MAX_ERROR = 500
USER_AGENT = "issuer-webhooks/0.1 (Standard Webhooks)"


@dataclass(frozen=True)
class Settings:
    """What an attempt needs from the app's settings."""

    secret_key: str = field(repr=False)
    base_url: str
    allow_private: bool = False
    mail_on: bool = False

    def policy(self) -> fetch.FetchPolicy:
        return fetch.FetchPolicy(allow_private=self.allow_private, max_bytes=MAX_ANSWER_BYTES,
                                 max_redirects=0, connect_timeout=5.0, read_timeout=10.0,
                                 deadline=15.0, user_agent=USER_AGENT)


@dataclass(frozen=True)
class Outcome:
    """How an attempt ended: the delivery's status, when to try again (the task schedules
    itself), and the email to enqueue when the endpoint was disabled."""

    status: str
    retry_at: datetime | None = None
    notify_message_id: int | None = None


def claim(session: Session, delivery_id: int, *, now: datetime) -> bool:
    """Take the delivery for one attempt (one worker only): due pending/retrying → sending,
    or a delivery stuck in sending whose worker died (after STALE_SENDING)."""
    with atomic(session):
        result = session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id,
                   or_(and_(WebhookDelivery.status.in_((PENDING, RETRYING)),
                            WebhookDelivery.next_attempt_at <= now),
                       and_(WebhookDelivery.status == SENDING,
                            WebhookDelivery.claimed_at < now - STALE_SENDING)))
            .values(status=SENDING, attempts=WebhookDelivery.attempts + 1, claimed_at=now,
                    updated_at=now)
            .execution_options(synchronize_session=False))
    return result.rowcount == 1


def deliver(session: Session, delivery_id: int, *, settings: Settings, now: datetime,
            rng: random.Random | None = None) -> Outcome:
    """Make one attempt at a delivery, if it is due and no other worker has it."""
    if not claim(session, delivery_id, now=now):
        row = session.get(WebhookDelivery, delivery_id, populate_existing=True)
        if row is None:
            return Outcome("missing")
        if row.status in (PENDING, RETRYING) and row.next_attempt_at > now:
            return Outcome(row.status, retry_at=row.next_attempt_at)  # woken early
        return Outcome(row.status)
    row = session.get(WebhookDelivery, delivery_id, populate_existing=True)
    endpoint = row.endpoint
    if not endpoint.enabled:
        with atomic(session):
            row.status, row.updated_at = FAILED, now
            row.last_error = "the endpoint is disabled"
        return Outcome(FAILED)
    url, msg_id, body = endpoint.url, row.event.id, row.event.body.encode("utf-8")
    error: str | None = None
    try:
        secrets = endpoints.signing_secrets(endpoint, secret_key=settings.secret_key, now=now)
    except vault.SecretUnreadable as exc:
        secrets, error = None, str(exc)
    session.commit()  # no transaction stays open while the request is in flight
    started = time.monotonic()
    code = snippet = None
    if secrets is not None:
        headers = signing.headers(secrets, msg_id, int(now.timestamp()), body)
        headers["Content-Type"] = "application/json"
        try:
            answer = fetch.post(url, body, headers=headers, policy=settings.policy())
        except fetch.FetchError as exc:
            error = str(exc)
        else:
            code, error = answer.status, None
            snippet = answer.body.decode("utf-8", "replace")[:SNIPPET] or None
            if not 200 <= code < 300:
                error = f"the receiver answered HTTP {code}"
    duration_ms = round((time.monotonic() - started) * 1000)
    return _record(session, delivery_id, endpoint.id, now=now, code=code, snippet=snippet,
                   error=error, duration_ms=duration_ms, settings=settings, rng=rng)


def _record(session: Session, delivery_id: int, endpoint_id: str, *, now: datetime,
            code: int | None, snippet: str | None, error: str | None, duration_ms: int,
            settings: Settings, rng: random.Random | None) -> Outcome:
    succeeded = error is None
    with atomic(session):
        session.add(WebhookAttempt(delivery_id=delivery_id, started_at=now,
                                   duration_ms=duration_ms, status_code=code,
                                   response_snippet=snippet, succeeded=succeeded,
                                   error=error[:MAX_ERROR] if error else None))
        row = session.get(WebhookDelivery, delivery_id, populate_existing=True)
        row.last_status_code, row.updated_at = code, now
        row.last_error = error[:MAX_ERROR] if error else None
        if succeeded:
            row.status, row.delivered_at, row.next_attempt_at = DELIVERED, now, None
            session.execute(update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id)
                            .values(failing_since=None, consecutive_failures=0)
                            .execution_options(synchronize_session=False))
            return Outcome(DELIVERED)
        row.failures += 1
        delay = schedule.next_delay(row.failures, rng=rng)
        if delay is None:
            row.status, row.next_attempt_at = FAILED, None
        else:
            row.status, row.next_attempt_at = RETRYING, now + delay
        session.execute(update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id)
                        .values(failing_since=func.coalesce(WebhookEndpoint.failing_since, now),
                                consecutive_failures=WebhookEndpoint.consecutive_failures + 1)
                        .execution_options(synchronize_session=False))
        endpoint = session.get(WebhookEndpoint, endpoint_id, populate_existing=True)
        message_id = None
        if endpoint.enabled and endpoint.failing_since <= now - schedule.DISABLE_AFTER:
            message_id = _disable(session, endpoint, now=now, settings=settings)
            if row.status == RETRYING:
                row.status, row.next_attempt_at = FAILED, None
        retry_at = row.next_attempt_at
        status = row.status
    return Outcome(status, retry_at=retry_at, notify_message_id=message_id)


def _disable(session: Session, endpoint: WebhookEndpoint, *, now: datetime,
             settings: Settings) -> int | None:
    """Disable a persistently failing endpoint (once, even with several workers), give up
    its waiting deliveries, and queue the owner's email; the message id, if one was queued."""
    taken = session.execute(
        update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint.id,
                                      WebhookEndpoint.enabled.is_(True))
        .values(enabled=False, disabled_at=now, updated_at=now,
                disabled_reason=(f"every delivery failed since "
                                 f"{endpoint.failing_since:%Y-%m-%d %H:%M} UTC "
                                 f"({endpoint.consecutive_failures} attempts in a row)"))
        .execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        return None
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id,
               WebhookDelivery.status.in_((PENDING, RETRYING)))
        .values(status=FAILED, next_attempt_at=None, updated_at=now,
                last_error="not sent: the endpoint was disabled after persistent failure")
        .execution_options(synchronize_session=False))
    session.refresh(endpoint)
    if not settings.mail_on:
        return None
    from issuer.community import outbox

    message = outbox.webhook_disabled_mail(session, endpoint, now=now)
    session.flush()
    return message.id


def redeliver(session: Session, delivery_id: int, *, now: datetime) -> WebhookDelivery:
    """Send a delivery again with the same webhook-id and body, on a fresh schedule (an
    admin's *Redeliver*); the caller enqueues it after the commit."""
    row = session.get(WebhookDelivery, delivery_id) if isinstance(delivery_id, int) else None
    if row is None:
        raise NotFound("no such webhook delivery")
    if not row.endpoint.enabled:
        raise Conflict("Enable the endpoint before redelivering to it.")
    if row.status in (PENDING, SENDING):
        raise Conflict("This delivery is on its way already.")
    with atomic(session):
        row.status, row.failures, row.next_attempt_at = PENDING, 0, now
        row.last_error, row.updated_at = None, now
    return row


def waiting(session: Session, *, now: datetime) -> list[int]:
    """Deliveries due and not taken (or taken by a worker that died), for re-queueing after
    a queue outage."""
    return list(session.scalars(select(WebhookDelivery.id).where(or_(
        and_(WebhookDelivery.status.in_((PENDING, RETRYING)),
             WebhookDelivery.next_attempt_at <= now),
        and_(WebhookDelivery.status == SENDING,
             WebhookDelivery.claimed_at < now - STALE_SENDING),
    )).order_by(WebhookDelivery.id)))


def deliveries_of(session: Session, endpoint: WebhookEndpoint, *, limit: int = 50,
                  offset: int = 0) -> list[WebhookDelivery]:
    return list(session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
        .limit(limit).offset(offset)))


def attempts_of(session: Session, delivery: WebhookDelivery) -> list[WebhookAttempt]:
    return list(session.scalars(
        select(WebhookAttempt).where(WebhookAttempt.delivery_id == delivery.id)
        .order_by(WebhookAttempt.started_at.desc(), WebhookAttempt.id.desc())))


def get_delivery(session: Session, delivery_id: int) -> WebhookDelivery:
    row = session.get(WebhookDelivery, delivery_id)
    if row is None:
        raise NotFound("no such webhook delivery")
    return row
