"""Server-side sign-in sessions, for admins and members alike.

The signed session cookie carries only a random token (256 bits); its SHA-256 names a row
(``issuer.models.AdminSession``, ``issuer.community.models.MemberSession``). Every request
looks the row up, so deleting it ends the session on every worker and host at once: a copied
cookie stops working when its owner signs out. Sessions end after ``lifetime_seconds`` from
sign-in, and (when ``idle_seconds`` is set) after that long unused; ``last_seen_at`` is
written at most once per ``touch_seconds`` so browsing does not write on every request.
Nothing is kept in process memory.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from issuer.models import SessionColumns

__all__ = ["SessionPolicy", "SessionStore", "is_current"]

Row = TypeVar("Row", bound=SessionColumns)
MAX_TOKEN_LENGTH = 100


@dataclass(frozen=True)
class SessionPolicy:
    lifetime_seconds: int
    idle_seconds: int | None = None
    touch_seconds: int = 60


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _expired(row: SessionColumns, now: datetime, policy: SessionPolicy) -> bool:
    if now - row.created_at >= timedelta(seconds=policy.lifetime_seconds):
        return True
    return (policy.idle_seconds is not None
            and now - row.last_seen_at >= timedelta(seconds=policy.idle_seconds))


def is_current(row: SessionColumns, token: object) -> bool:
    """Whether ``row`` is the session ``token`` names (to mark "this browser")."""
    return isinstance(token, str) and bool(token) and row.token_hash == _hash(token)


@dataclass(frozen=True)
class SessionStore(Generic[Row]):
    """The sessions of one kind of account, kept in ``model``'s table (its ``owner_id``
    names the account, its ``owner`` loads it). Every method leaves the commit to the caller."""

    model: type[Row]

    def start(self, session: Session, *, owner_id: int, now: datetime,
              policy: SessionPolicy) -> str:
        """A new session of ``owner_id``; returns the token for the cookie. Ended sessions
        of everyone are pruned on the way."""
        self.prune(session, now=now, policy=policy)
        token = secrets.token_urlsafe(32)
        session.add(self.model(owner_id=owner_id, token_hash=_hash(token), created_at=now,
                               last_seen_at=now))
        session.flush()
        return token

    def resume(self, session: Session, token: object, *, now: datetime,
               policy: SessionPolicy) -> Row | None:
        """The live session ``token`` names, or None (unknown, ended or expired). Updates
        ``last_seen_at`` now and then."""
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        model = self.model
        row = session.scalar(select(model).where(model.token_hash == _hash(token)))
        if row is None or _expired(row, now, policy):
            return None
        if now - row.last_seen_at >= timedelta(seconds=policy.touch_seconds):
            row.last_seen_at = now
        return row

    def owner(self, session: Session, token: object, *, now: datetime,
              policy: SessionPolicy) -> Any:
        """The account whose live session ``token`` names, or None."""
        row = self.resume(session, token, now=now, policy=policy)
        return row.owner if row is not None else None

    def end(self, session: Session, token: object) -> None:
        """Sign-out: the session ``token`` names no longer exists."""
        if isinstance(token, str) and token:
            session.execute(delete(self.model).where(self.model.token_hash == _hash(token)))

    def end_all(self, session: Session, *, owner_id: int, keep_token: str | None = None) -> int:
        """Sign out everywhere (but the session of ``keep_token``); how many ended."""
        statement = delete(self.model).where(self.model.owner_id == owner_id)
        if keep_token:
            statement = statement.where(self.model.token_hash != _hash(keep_token))
        return session.execute(statement).rowcount or 0

    def active(self, session: Session, *, owner_id: int, now: datetime,
               policy: SessionPolicy) -> list[Row]:
        """The owner's live sessions, newest first."""
        model = self.model
        rows = session.scalars(select(model).where(model.owner_id == owner_id)
                               .order_by(model.created_at.desc(), model.id.desc()))
        return [row for row in rows if not _expired(row, now, policy)]

    def prune(self, session: Session, *, now: datetime, policy: SessionPolicy) -> int:
        """Delete every ended session (no table grows without bound)."""
        model = self.model
        ended = [model.created_at <= now - timedelta(seconds=policy.lifetime_seconds)]
        if policy.idle_seconds is not None:
            ended.append(model.last_seen_at <= now - timedelta(seconds=policy.idle_seconds))
        return session.execute(delete(model).where(or_(*ended))).rowcount or 0
