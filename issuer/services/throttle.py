"""Sign-in throttling: failure counters per account and per client address, kept in the
database so that every worker on every host counts the same failures.

Why the database and not Redis: throttling must hold when no Redis is configured (the
general rate limits are off without one, and fail open when Redis is down; a sign-in
throttle may do neither), the database is already shared by every worker and host (SQLite on
one machine, PostgreSQL for many) and is what sign-in needs anyway, so an outage of it
fails closed. The cost is small: a throttle writes only on a *failure*, and checking is
one indexed read, which a locked-out attacker pays instead of an argon2 hash.

The rule, the same for every counter (its :class:`Limit` sets the numbers): a counter allows
``failures`` failures; the failure that reaches it locks the key out for 1 s, and each further
failure doubles the lock-out, up to ``max_lockout_seconds``. Attempts during a lock-out are
refused without being checked or counted. A counter is forgotten ``window_seconds`` after
its last failure or the end of its last lock-out, whichever is later (the row may then be
pruned); a successful sign-in forgets the *account* counter (never the address's, or one
valid account would let an address reset its own counter between guesses at others).
Keys are HMAC-SHA-256 digests (keyed with the app's secret): the table holds no email
address, client id or IP address in clear, and a counter exists for any name tried, so
throttling tells nobody which accounts exist.

Concurrent failures on one key serialize on its row (one ``INSERT … ON CONFLICT DO UPDATE``
per counter, in key order, so two writers never deadlock); a few attempts racing through the
check at the same instant are bounded by the number of workers.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, delete, null, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from issuer.models import SignInThrottle

__all__ = ["Counter", "Limit", "Lockout", "key_hash", "prune", "record_failure", "refusal",
           "reset"]

PRUNE_BATCH = 500  # expired rows deleted per recorded failure (bounded work per request)
_MAX_DOUBLINGS = 40


@dataclass(frozen=True)
class Limit:
    failures: int  # failures allowed before the first lock-out
    window_seconds: int  # a counter is forgotten this long after its last failure/lock-out
    max_lockout_seconds: int

    def lockout_seconds(self, failures: int) -> int:
        """How long the ``failures``-th failure locks the key out (0: not at all)."""
        if failures < self.failures:
            return 0
        return min(2 ** min(failures - self.failures, _MAX_DOUBLINGS), self.max_lockout_seconds)


@dataclass(frozen=True)
class Counter:
    """One key's counter: ``scope`` names what is counted (``admin-account``,
    ``admin-address``…), ``key_hash`` whose (see :func:`key_hash`)."""

    scope: str
    key_hash: str
    limit: Limit


@dataclass(frozen=True)
class Lockout:
    counter: Counter
    seconds: int  # from now
    failures: int = 0


def key_hash(secret: str | bytes, value: str) -> str:
    """The counter key of ``value`` (an email address, client id or IP address)."""
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    message = b"issuer sign-in throttle\x00" + value.encode("utf-8", "surrogatepass")
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def _ceil_seconds(delta: timedelta) -> int:
    whole = int(delta.total_seconds())
    return whole + (1 if delta.total_seconds() > whole else 0)


def refusal(session: Session, counters: list[Counter], *, now: datetime) -> Lockout | None:
    """The lock-out that refuses an attempt now (the longest, when several do), or None."""
    if not counters:
        return None
    by_key = {(c.scope, c.key_hash): c for c in counters}
    rows = session.execute(
        select(SignInThrottle.scope, SignInThrottle.key_hash, SignInThrottle.locked_until,
               SignInThrottle.failures)
        .where(or_(*(and_(SignInThrottle.scope == scope, SignInThrottle.key_hash == key)
                     for scope, key in by_key)))
        .where(SignInThrottle.locked_until > now)
    ).all()
    if not rows:
        return None
    scope, key, until, failures = max(rows, key=lambda row: row.locked_until)
    return Lockout(by_key[(scope, key)], max(_ceil_seconds(until - now), 1), failures)


def _upsert(session: Session):
    dialect = session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(SignInThrottle)


def record_failure(session: Session, counters: list[Counter], *, now: datetime) -> list[Lockout]:
    """Count one failure on every counter; returns the lock-outs this failure started.
    Prunes forgotten counters on the way. The caller commits."""
    started = []
    table = SignInThrottle
    for counter in sorted(counters, key=lambda c: (c.scope, c.key_hash)):
        window = timedelta(seconds=counter.limit.window_seconds)
        forgotten = table.expires_at <= now
        statement = _upsert(session).values(
            scope=counter.scope, key_hash=counter.key_hash, failures=1, last_failure_at=now,
            locked_until=None, expires_at=now + window,
        )
        statement = statement.on_conflict_do_update(
            index_elements=[table.scope, table.key_hash],
            set_={
                "failures": case((forgotten, 1), else_=table.failures + 1),
                "last_failure_at": now,
                "locked_until": case((forgotten, null()), else_=table.locked_until),
            },
        ).returning(table.failures, table.locked_until)
        failures, locked_until = session.execute(statement).one()
        seconds = counter.limit.lockout_seconds(failures)
        if seconds:
            locked_until = max(locked_until or now, now + timedelta(seconds=seconds))
            started.append(Lockout(counter, seconds, failures))
        quiet_from = max(locked_until or now, now)
        session.execute(
            update(table)
            .where(table.scope == counter.scope, table.key_hash == counter.key_hash)
            .values(locked_until=locked_until, expires_at=quiet_from + window)
            .execution_options(synchronize_session=False)
        )
    prune(session, now=now)
    return started


def reset(session: Session, counter: Counter) -> None:
    """Forget ``counter`` (after a successful sign-in). The caller commits."""
    session.execute(
        delete(SignInThrottle)
        .where(SignInThrottle.scope == counter.scope, SignInThrottle.key_hash == counter.key_hash)
        .execution_options(synchronize_session=False)
    )


def prune(session: Session, *, now: datetime, batch: int = PRUNE_BATCH) -> int:
    """Delete up to ``batch`` forgotten counters. Rows another transaction holds are skipped
    (PostgreSQL ``SKIP LOCKED``), so pruning never waits for, or deadlocks with, a sign-in."""
    stale = (select(SignInThrottle.id).where(SignInThrottle.expires_at <= now)
             .limit(batch).with_for_update(skip_locked=True))
    result = session.execute(
        delete(SignInThrottle).where(SignInThrottle.id.in_(stale))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
