"""The event types, their payloads, and recording an event for the endpoints that want it.

An event is recorded in the session of the change it announces, so it is committed with it
or not at all (a transactional outbox): one ``WebhookEvent`` with the exact JSON body, and one
``pending`` ``WebhookDelivery`` per enabled endpoint of the issuer profile that subscribes to
the type. Nothing is recorded when no endpoint wants it.

Body: ``{"type": …, "timestamp": "<when it happened, UTC>", "data": {…}}`` (Standard
Webhooks' payload structure). Events of members go to the endpoints of every profile, since
members belong to the whole site.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from issuer.clock import format_datetime
from issuer.models import IssuedCredential, SignedCredential
from issuer.services import issuing_cache, urls
from issuer.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

CREDENTIAL_ISSUED = "credential.issued"
CREDENTIAL_REVOKED = "credential.revoked"
CREDENTIAL_SUSPENDED = "credential.suspended"
CREDENTIAL_REINSTATED = "credential.reinstated"
CREDENTIAL_CLAIMED = "credential.claimed"
CREDENTIAL_DELIVERED_TO_WALLET = "credential.delivered_to_wallet"
MEMBER_CREATED = "member.created"

EVENT_TYPES = {
    CREDENTIAL_ISSUED: "a credential was issued (by any path: admin, API, VC-API, bulk, rules, "
                       "CLI)",
    CREDENTIAL_REVOKED: "a credential was revoked",
    CREDENTIAL_SUSPENDED: "a credential was suspended",
    CREDENTIAL_REINSTATED: "a suspended credential was reinstated",
    CREDENTIAL_CLAIMED: "the recipient opened the credential's claim link (once per credential)",
    CREDENTIAL_DELIVERED_TO_WALLET: "a credential was delivered to a wallet (not yet emitted: "
                                    "no wallet delivery exists yet)",
    MEMBER_CREATED: "a community member page was set up",
}
STATUS_ACTIONS = {"revoke": CREDENTIAL_REVOKED, "suspend": CREDENTIAL_SUSPENDED,
                  "reinstate": CREDENTIAL_REINSTATED}
PENDING = "pending"
QUEUE_AFTER_COMMIT = "issuer.webhooks.pending"  # session.info key read by issuer.webhooks.hooks


def new_event_id() -> str:
    return "msg_" + uuid.uuid4().hex


def body_of(event_type: str, data: dict[str, Any], *, now: datetime) -> str:
    return json.dumps({"type": event_type, "timestamp": format_datetime(now), "data": data},
                      ensure_ascii=False, separators=(",", ":"))


def subscribed(session: Session, event_type: str, profile_id: int | None
               ) -> list[WebhookEndpoint]:
    """The enabled endpoints that want ``event_type`` (of ``profile_id``, or of every profile
    when it is None)."""
    statement = select(WebhookEndpoint).where(WebhookEndpoint.enabled.is_(True))
    if profile_id is not None:
        statement = statement.where(WebhookEndpoint.profile_id == profile_id)
    with session.no_autoflush:
        endpoints = session.scalars(statement.order_by(WebhookEndpoint.created_at)).all()
    return [endpoint for endpoint in endpoints if event_type in (endpoint.events or ())]


def wanted(session: Session, event_type: str, profile_id: int | None) -> bool:
    """Whether any enabled endpoint wants ``event_type`` of ``profile_id``: cached per process
    under the shared generation (endpoint changes bump it, issuer.issuing_models), so issuing
    without webhooks costs no query here."""
    return issuing_cache.cached(session, ("webhooks-wanted", event_type, profile_id),
                                lambda: bool(subscribed(session, event_type, profile_id)))


def record(session: Session, event_type: str, data: dict[str, Any], *, profile_id: int | None,
           now: datetime, once_key: str | None = None) -> list[WebhookDelivery]:
    """Add the event and its pending deliveries to ``session`` (the caller commits; the
    deliveries are queued after the commit, by issuer.webhooks.hooks)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    endpoints = subscribed(session, event_type, profile_id)
    if not endpoints:
        return []
    event = WebhookEvent(id=new_event_id(), profile_id=profile_id, type=event_type,
                         body=body_of(event_type, data, now=now), once_key=once_key,
                         created_at=now)
    session.add(event)
    deliveries = [WebhookDelivery(event=event, endpoint=endpoint, status=PENDING, attempts=0,
                                  failures=0, next_attempt_at=now, created_at=now,
                                  updated_at=now)
                  for endpoint in endpoints]
    session.add_all(deliveries)
    session.info.setdefault(QUEUE_AFTER_COMMIT, []).extend(deliveries)
    return deliveries


# -- payloads ---------------------------------------------------------------------------------


def credential_data(row: IssuedCredential | SignedCredential, *, base_url: str
                    ) -> dict[str, Any]:
    """What the credential events carry: ids and links, the achievement and the recipient
    (the issuer's own systems are told who earned what)."""
    if isinstance(row, SignedCredential):
        return {"credential": {"id": row.credential_id, "kind": "signed",
                               "issuer": {"slug": row.profile.slug, "name": row.profile.name},
                               "issuedAt": format_datetime(row.issued_at)}}
    url = urls.credential_url(base_url, row.id)
    return {"credential": {
        "id": url,
        "uuid": row.id,
        "kind": "openBadge",
        "url": url,
        "achievement": {"id": urls.achievement_url(base_url, row.achievement.id),
                        "name": row.achievement.name},
        "issuer": {"slug": row.profile.slug, "name": row.profile.name},
        "recipient": {"email": row.recipient.email, "name": row.recipient_name},
        "validFrom": format_datetime(row.valid_from),
        "validUntil": format_datetime(row.valid_until) if row.valid_until else None,
        "issuedAt": format_datetime(row.issued_at),
    }}


def credential_claimed(session: Session, row: IssuedCredential, *, base_url: str,
                       now: datetime) -> bool:
    """Record ``credential.claimed`` the first time the recipient opens the claim link;
    commits. False when it was recorded before (by this or a concurrent request)."""
    key = f"{CREDENTIAL_CLAIMED}:{row.id}"
    if session.scalar(select(WebhookEvent.id).where(WebhookEvent.once_key == key)):
        return False
    try:
        deliveries = record(session, CREDENTIAL_CLAIMED, credential_data(row, base_url=base_url),
                            profile_id=row.profile_id, now=now, once_key=key)
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return bool(deliveries)


def credential_delivered_to_wallet(session: Session, row: IssuedCredential, *, wallet: str,
                                   base_url: str, now: datetime) -> list[WebhookDelivery]:
    """A holder-bound copy reached a wallet (issuer.services.exchanges.complete calls it, in
    its transaction). ``wallet``: the protocol the wallet spoke (vcapi, lcw or oid4vci)."""
    data = credential_data(row, base_url=base_url)
    data["wallet"] = wallet[:200]
    return record(session, CREDENTIAL_DELIVERED_TO_WALLET, data, profile_id=row.profile_id,
                  now=now)


def member_data(member, *, base_url: str) -> dict[str, Any]:
    """What ``member.created`` carries (the page link only when the page is shown)."""
    from issuer.community.members import member_url

    return {"member": {
        "slug": member.slug,
        "displayName": member.display_name,
        "email": member.recipient.email,
        "externalId": member.external_id,
        "url": None if member.page_hidden else member_url(base_url, member.slug),
        "createdAt": format_datetime(member.created_at),
    }}
