"""The audit log (issue 14, item 6): who did what, when, on which issuer profile.

``record`` adds the entry to the caller's session, before or after the action, inside the
same ``atomic`` block: it is committed with the action or rolled back with it. ``stage``
does the same for code that commits by itself: the entry is added by the session's next
commit (the action's) and dropped by a rollback (the action failed); the admin app stages
one for each audited form post before its view runs (issuer/web/admin/audit_trail.py). ``details``
holds ids, names and reasons, never a secret (tokens, passwords, keys): ``record`` refuses
keys that name one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from issuer.admin_models import AuditEntry
from issuer.models import AdminUser

# action → what the log page says
ACTIONS = {
    "credential.issue": "Issued a credential",
    "credential.revoke": "Revoked a credential",
    "credential.suspend": "Suspended a credential",
    "credential.reinstate": "Reinstated a credential",
    "credential.resend": "Resent a credential's email",
    "bulk.upload": "Uploaded a bulk issuing file",
    "bulk.start": "Started a bulk issuing job",
    "award.create": "Awarded a community badge",
    "award.end": "Ended a community award",
    "profile.create": "Created an issuer profile",
    "profile.update": "Edited an issuer profile",
    "key.rotate": "Rotated the signing key",
    "achievement.create": "Created an achievement",
    "achievement.update": "Edited an achievement",
    "achievement.archive": "Archived an achievement",
    "achievement.restore": "Restored an achievement",
    "api_token.create": "Created an API token",
    "api_token.revoke": "Revoked an API token",
    "oauth_client.create": "Created an OAuth client",
    "oauth_client.revoke": "Revoked an OAuth client",
    "rule.save": "Saved an award rule",
    "rule.delete": "Removed an award rule",
    "rule.backfill": "Applied a rule to past events",
    "endorsement.give": "Gave an endorsement",
    "endorsement.revoke": "Revoked an endorsement",
    "endorsement.attach": "Attached a received endorsement",
    "endorsement.detach": "Detached a received endorsement",
    "webhook.create": "Added a webhook endpoint",
    "webhook.update": "Edited a webhook endpoint",
    "webhook.rotate": "Rotated a webhook secret",
    "webhook.disable": "Disabled a webhook endpoint",
    "webhook.enable": "Enabled a webhook endpoint",
    "webhook.redeliver": "Redelivered a webhook event",
    "admin.invite": "Invited an admin",
    "admin.invite_revoke": "Revoked an invitation",
    "admin.join": "Accepted an invitation",
    "admin.role": "Changed an admin's role",
    "admin.remove": "Removed an admin",
}
SECRET_WORDS = ("secret", "password", "token", "key_material", "private")
MAX_SUBJECT = 200
PAGE_SIZE = 50


def record(session: Session, *, actor: AdminUser | None, action: str, now: datetime,
           profile_id: int | None = None, subject: str | None = None,
           details: dict[str, Any] | None = None, actor_email: str | None = None) -> AuditEntry:
    """Add an entry (the caller's transaction commits it with the action)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    details = {key: value for key, value in (details or {}).items() if value is not None}
    for key in details:
        if any(word in key.lower() for word in SECRET_WORDS):
            raise ValueError(f"audit details must not hold secrets ({key!r})")
    entry = AuditEntry(at=now, actor_id=actor.id if actor is not None else None,
                       actor_email=actor_email or (actor.email if actor is not None else "cli"),
                       profile_id=profile_id, action=action,
                       subject=(subject or None) and str(subject)[:MAX_SUBJECT],
                       details=details)
    session.add(entry)
    return entry


@dataclass(frozen=True)
class AuditFilter:
    profile_ids: tuple[int, ...]  # the profiles the reader may see (their owners)
    profile_id: int | None = None
    actor: str | None = None  # email, exact
    action: str | None = None
    page: int = 1
    per_page: int = PAGE_SIZE


def _where(query: AuditFilter):
    clauses = [AuditEntry.profile_id.in_(query.profile_ids)]
    if query.profile_id is not None:
        clauses.append(AuditEntry.profile_id == query.profile_id)
    if query.actor:
        clauses.append(AuditEntry.actor_email == query.actor.strip().lower())
    if query.action:
        clauses.append(AuditEntry.action == query.action)
    return clauses


def entries(session: Session, query: AuditFilter) -> tuple[list[AuditEntry], int]:
    """One page of entries (newest first) and how many match in all."""
    where = _where(query)
    total = session.scalar(select(func.count()).select_from(AuditEntry).where(*where)) or 0
    rows = session.scalars(select(AuditEntry).where(*where)
                           .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                           .limit(query.per_page).offset((query.page - 1) * query.per_page))
    return list(rows), total


def actors(session: Session, profile_ids: tuple[int, ...]) -> list[str]:
    """The emails that appear in these profiles' entries (for the filter)."""
    return list(session.scalars(select(AuditEntry.actor_email).distinct()
                                .where(AuditEntry.profile_id.in_(profile_ids))
                                .order_by(AuditEntry.actor_email)))


# -- entries staged before an action and written by its commit -------------------------------

_STAGED = "audit_staged"


def stage(session: Session, **entry: Any) -> None:
    """Have the session's next commit write this entry (``record``'s arguments): the entry
    goes into the action's own transaction. A rollback first drops it: the action failed."""
    session.connection()  # a transaction is open: its rollback (the action's) drops this
    session.info.setdefault(_STAGED, []).append(entry)


def _write_staged(session: Session) -> None:
    for entry in session.info.pop(_STAGED, ()):
        record(session, **entry)


def _drop_staged(session: Session, _previous_transaction=None) -> None:
    session.info.pop(_STAGED, None)


def install() -> None:
    """Listen on every session's commit and rollback (once per process; idempotent)."""
    from sqlalchemy import event

    if not event.contains(Session, "before_commit", _write_staged):
        event.listen(Session, "before_commit", _write_staged)
        event.listen(Session, "after_soft_rollback", _drop_staged)  # every rollback()


def discard(session: Session) -> None:
    """Forget what was staged and not committed (at the end of a request)."""
    _drop_staged(session)
