"""Per-app wiring that turns changes into webhook events, by any path (admin, CLI, API, bulk,
rules): listeners on the app's sessionmaker, like issuer.community.hooks.

- ``before_flush``: a new IssuedCredential (or SignedCredential, VC-API) →
  ``credential.issued``; a new StatusEvent →
  ``credential.revoked`` / ``suspended`` / ``reinstated``; a new Member → ``member.created``.
  The events and their deliveries are added to the same flush, so they commit with the change
  or not at all;
- ``after_commit``: enqueue the new deliveries (of these events, and of any other
  ``events.record`` call in the transaction: claims, wallets) on the job queue (a failed enqueue is logged;
  ``issuer webhooks requeue`` sends what was left pending);
- ``after_rollback``: forget them.
"""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from issuer import db
from issuer.community.models import Member
from issuer.models import (
    Achievement,
    IssuedCredential,
    IssuerProfile,
    Recipient,
    SignedCredential,
    StatusEvent,
)
from issuer.webhooks import events

log = logging.getLogger(__name__)
_INSTALLED = "issuer.webhooks.hooks"


def init_app(app: Flask) -> None:
    factory = db.session_factory(app)
    if app.extensions.get(_INSTALLED):
        return
    app.extensions[_INSTALLED] = True

    def before_flush(session: Session, _context, _instances) -> None:
        new = list(session.new)
        if not any(isinstance(obj, (IssuedCredential, SignedCredential, StatusEvent, Member))
                   for obj in new):
            return
        base_url = app.config["BASE_URL"]
        with session.no_autoflush:
            for obj in new:
                if isinstance(obj, IssuedCredential):
                    profile_id = obj.profile_id if obj.profile_id is not None else obj.profile.id
                    if not events.wanted(session, events.CREDENTIAL_ISSUED, profile_id):
                        continue  # nobody listens: no payload to build, no query
                    _complete(session, obj)
                    events.record(session, events.CREDENTIAL_ISSUED,
                                  events.credential_data(obj, base_url=base_url),
                                  profile_id=obj.profile.id, now=obj.issued_at)
                elif isinstance(obj, SignedCredential):  # signed through the VC-API
                    if obj.profile is None:
                        obj.profile = session.get(IssuerProfile, obj.profile_id)
                    events.record(session, events.CREDENTIAL_ISSUED,
                                  events.credential_data(obj, base_url=base_url),
                                  profile_id=obj.profile.id, now=obj.issued_at)
                elif isinstance(obj, StatusEvent):
                    _status_event(session, obj, base_url)
                elif isinstance(obj, Member):
                    if obj.recipient is None:
                        obj.recipient = session.get(Recipient, obj.recipient_id)
                    events.record(session, events.MEMBER_CREATED,
                                  events.member_data(obj, base_url=base_url),
                                  profile_id=None, now=obj.created_at)

    def after_commit(session: Session) -> None:
        if session.in_nested_transaction():
            return
        pending = session.info.pop(events.QUEUE_AFTER_COMMIT, None)
        if not pending:
            return
        ids = [item.id for item in pending if inspect(item).persistent]
        try:
            from issuer.jobs import jobs_of

            task = jobs_of(app).webhooks.deliver
            for delivery_id in ids:
                task(delivery_id)
        except Exception:  # the queue is down: `issuer webhooks requeue` sends them later
            log.exception("could not enqueue webhook deliveries after a commit")

    def after_rollback(session: Session) -> None:
        if not session.in_nested_transaction():
            session.info.pop(events.QUEUE_AFTER_COMMIT, None)

    event.listen(factory, "before_flush", before_flush)
    event.listen(factory, "after_commit", after_commit)
    event.listen(factory, "after_rollback", after_rollback)


def _complete(session: Session, row: IssuedCredential) -> None:
    """Fill the relationships a new credential was given only by id."""
    if row.profile is None:
        row.profile = session.get(IssuerProfile, row.profile_id)
    if row.achievement is None:
        row.achievement = session.get(Achievement, row.achievement_id)
    if row.recipient is None:
        row.recipient = session.get(Recipient, row.recipient_id)


def _status_event(session: Session, row: StatusEvent, base_url: str) -> None:
    if row.credential_id is not None:
        credential = session.get(IssuedCredential, row.credential_id)
    else:
        credential = session.get(SignedCredential, row.signed_credential_id)
    if credential is None:
        return
    data = events.credential_data(credential, base_url=base_url)
    data["reason"] = row.reason
    events.record(session, events.STATUS_ACTIONS[row.action], data,
                         profile_id=credential.profile_id, now=row.created_at)
