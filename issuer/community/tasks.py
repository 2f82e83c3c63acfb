"""The community's background tasks on the job queue (Huey; registered by issuer.jobs).

- ``process_event(pk)``: evaluate the rules a stored event can satisfy, award, mark it done;
- ``credential_issued(id)``: after any credential to a member, re-check meta badges;
- ``deliver_mail(id)``: send one outbox email, retried with a delay (MAIL_RETRIES times,
  MAIL_RETRY_DELAY seconds apart); the last failure leaves the message ``failed``;
- ``backfill(achievement_id)``: apply rules over past events (from the admin app).

Jobs lost to a queue outage are queued again by ``issuer community requeue``.

Every task takes ids only and opens its own app context and database session.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask
from huey import Huey

from issuer import db


@dataclass(frozen=True)
class CommunityTasks:
    process_event: Any
    credential_issued: Any
    deliver_mail: Any
    backfill: Any


def issuing_of(app: Flask):
    from issuer.community.awards import Issuing
    from issuer.services.keystore import FileKeyStore

    return Issuing(keystore=FileKeyStore(app.config["KEYS_DIR"]), base_url=app.config["BASE_URL"])


def delivery_of(app: Flask):
    """The mail settings of ``app`` (None when ISSUER_SMTP_URL is not set)."""
    from issuer.community.email import MailSettings, check_mail_from, parse_smtp_url
    from issuer.community.outbox import Delivery

    if not app.config.get("SMTP_URL"):
        return None
    return Delivery(
        mail=MailSettings(smtp=parse_smtp_url(app.config["SMTP_URL"]),
                          mail_from=check_mail_from(app.config.get("MAIL_FROM"))),
        base_url=app.config["BASE_URL"],
        secret_key=app.config["SECRET_KEY"],
        linkedin_organization_id=app.config.get("LINKEDIN_ORGANIZATION_ID"),
    )


def register(huey: Huey, app: Flask) -> CommunityTasks:
    from issuer.clock import utc_now

    @huey.task(name="community.process_event", retries=3, retry_delay=10)
    def process_event(event_pk: int) -> int:
        from issuer.community import services

        with app.app_context():
            return len(services.process_event(db.get_session(), event_pk,
                                              issuing=issuing_of(app), now=utc_now()))

    @huey.task(name="community.credential_issued", retries=3, retry_delay=10)
    def credential_issued(credential_id: str) -> int:
        from issuer.community import services

        with app.app_context():
            return len(services.credential_issued(db.get_session(), credential_id,
                                                  issuing=issuing_of(app), now=utc_now()))

    @huey.task(name="community.deliver_mail", retries=app.config["MAIL_RETRIES"],
               retry_delay=app.config["MAIL_RETRY_DELAY"], context=True)
    def deliver_mail(message_id: int, task=None) -> str:
        from issuer.community import outbox

        delivery = delivery_of(app)
        last_attempt = task is None or not task.retries
        with app.app_context():
            session = db.get_session()
            if delivery is None:
                return outbox.fail_unconfigured(session, message_id, now=utc_now())
            return outbox.deliver(session, message_id, delivery=delivery, now=utc_now(),
                                  last_attempt=last_attempt)

    @huey.task(name="community.backfill")
    def backfill(achievement_id: str | None = None) -> int:
        from issuer.community import services

        with app.app_context():
            return services.backfill(db.get_session(), issuing=issuing_of(app), now=utc_now(),
                                     achievement_id=achievement_id)

    return CommunityTasks(process_event=process_event, credential_issued=credential_issued,
                          deliver_mail=deliver_mail, backfill=backfill)
