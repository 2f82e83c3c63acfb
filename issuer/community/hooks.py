"""Per-app wiring that makes every issued credential, by any path (admin form, CLI, API,
bulk, rules), announce itself: a transactional outbox on the app's sessionmaker.

- ``before_flush``: for each new IssuedCredential, add an outbox row (when mail is
  configured) in the same transaction, so the email is queued exactly when the credential is
  saved, never for one rolled back; the same for the tx_code of each new OpenID4VCI offer
  that has one (always: without mail the row fails visibly for the admins);
- ``after_commit``: enqueue delivery of those rows, and a meta-badge re-check when the
  recipient is a member and the achievement is part of a meta badge;
- ``after_rollback``: forget them.

SAVEPOINTs are respected: only the outermost commit enqueues, and rows a rolled-back
SAVEPOINT took back are skipped. A failed enqueue (queue down) is logged, not raised: the
credential is saved, and ``issuer community requeue`` sends what was left pending.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from issuer import db
from issuer.community import outbox
from issuer.community.models import AwardRuleComponent, MemberEmail, OutboxMessage
from issuer.exchange_models import Exchange
from issuer.models import IssuedCredential
from issuer.oid4vci_models import Oid4vciGrant
from issuer.services import issuing_cache

log = logging.getLogger(__name__)
INFO_KEY = "issuer.community.pending"
_INSTALLED = "issuer.community.hooks"


@dataclass
class _Pending:
    messages: list[OutboxMessage] = field(default_factory=list)
    credentials: list[IssuedCredential] = field(default_factory=list)


def init_app(app: Flask) -> None:
    factory = db.session_factory(app)
    if app.extensions.get(_INSTALLED):
        return
    app.extensions[_INSTALLED] = True
    mail_on = bool(app.config.get("SMTP_URL"))

    def before_flush(session: Session, _context, _instances) -> None:
        new_rows = [obj for obj in session.new if isinstance(obj, IssuedCredential)]
        tx_codes = [obj for obj in session.new
                    if isinstance(obj, Oid4vciGrant) and obj.tx_code_required]
        if not new_rows and not tx_codes:
            return
        pending = session.info.setdefault(INFO_KEY, _Pending())
        for grant in tx_codes:  # an OpenID4VCI offer's tx_code goes to the recipient
            with session.no_autoflush:
                exchange = session.get(Exchange, grant.exchange_id)
            pending.messages.append(outbox.tx_code_mail(session, exchange, now=grant.created_at))
        for row in new_rows:
            if mail_on:
                pending.messages.append(outbox.credential_mail(session, row, now=row.issued_at))
            if _completes_meta(session, row):
                pending.credentials.append(row)

    def after_commit(session: Session) -> None:
        if session.in_nested_transaction():
            return  # a SAVEPOINT released: nothing is committed yet
        pending = session.info.pop(INFO_KEY, None)
        if pending is None:
            return
        # Rows a rolled-back SAVEPOINT took back are no longer persistent: skip them.
        messages = [item.id for item in pending.messages if inspect(item).persistent]
        credentials = [item.id for item in pending.credentials if inspect(item).persistent]
        try:
            from issuer.jobs import jobs_of

            tasks = jobs_of(app).community
            for message_id in messages:
                tasks.deliver_mail(message_id)
            for credential_id in credentials:
                tasks.credential_issued(credential_id)
        except Exception:  # the queue is down: `issuer community requeue` sends it later
            log.exception("could not enqueue community jobs after a commit")

    def after_rollback(session: Session) -> None:
        if not session.in_nested_transaction():  # the whole transaction is gone
            session.info.pop(INFO_KEY, None)

    event.listen(factory, "before_flush", before_flush)
    event.listen(factory, "after_commit", after_commit)
    event.listen(factory, "after_rollback", after_rollback)


def _completes_meta(session: Session, row: IssuedCredential) -> bool:
    """Whether the credential may complete a meta badge of a member (cheap checks first)."""
    recipient_id = row.recipient_id if row.recipient_id is not None else (
        row.recipient.id if row.recipient is not None else None)
    achievement_id = row.achievement_id or (row.achievement.id if row.achievement else None)
    if recipient_id is None or achievement_id is None:
        return False  # a brand-new recipient is no member yet
    with session.no_autoflush:
        in_a_rule = issuing_cache.cached(  # AwardRuleComponent changes bump the generation
            session, ("meta-rule-component", achievement_id),
            lambda: session.scalar(select(AwardRuleComponent.rule_id)
                                   .where(AwardRuleComponent.achievement_id == achievement_id)
                                   .limit(1)) is not None)
        if not in_a_rule:
            return False
        return session.scalar(select(MemberEmail.id).where(
            MemberEmail.recipient_id == recipient_id)) is not None
