"""The admin's credential list in SQL: a credential's status as a column expression,
filters (text, issuer profile, achievement, status, issue dates, issuing path), sort and
pagination, and batches for the CSV export. Works the same on SQLite and PostgreSQL.

A credential's *status* is one of ``active``, ``suspended``, ``revoked`` or ``expired``:
revoked and suspended come from ``status_state`` (kept with the status list bits), expired
is an active credential whose ``validUntil`` has passed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import String, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session, contains_eager, joinedload

from issuer.models import Achievement, IssuedCredential, Recipient

ACTIVE, SUSPENDED, REVOKED, EXPIRED = "active", "suspended", "revoked", "expired"
STATUSES = (ACTIVE, SUSPENDED, REVOKED, EXPIRED)
NOT_RECORDED = "unknown"  # issued_via NULL: issued before the path was recorded
SORTS = ("issued", "recipient", "achievement", "expires", "status")
MAX_PAGE_SIZE = 100
PAGE_SIZES = (25, 50, 100)
EXPORT_BATCH = 500


def status_expression(now: datetime):
    """The status of each credential at ``now``, as an SQL CASE expression."""
    return case(
        (IssuedCredential.status_state == REVOKED, literal(REVOKED)),
        (IssuedCredential.status_state == SUSPENDED, literal(SUSPENDED)),
        (and_(IssuedCredential.valid_until.is_not(None), IssuedCredential.valid_until <= now),
         literal(EXPIRED)),
        else_=literal(ACTIVE),
    )


@dataclass(frozen=True)
class CredentialFilter:
    """What the list shows; every field optional. Dates are whole UTC days, both included."""

    text: str | None = None
    profile_id: int | None = None
    achievement_id: str | None = None
    status: str | None = None
    issued_from: date | None = None
    issued_to: date | None = None
    via: str | None = None  # a key of issuance.ISSUING_PATHS, or NOT_RECORDED
    visible_profiles: tuple[int, ...] | None = None  # the reader's profiles (None: all)


@dataclass(frozen=True)
class ListedCredential:
    credential: IssuedCredential
    status: str


@dataclass(frozen=True)
class CredentialPage:
    items: list[ListedCredential]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _conditions(filters: CredentialFilter, *, now: datetime) -> list:
    conditions = []
    text = (filters.text or "").strip()
    if text:
        pattern = _like(text)
        conditions.append(or_(
            Recipient.email.ilike(pattern, escape="\\"),
            IssuedCredential.recipient_name.ilike(pattern, escape="\\"),
            Achievement.name.ilike(pattern, escape="\\"),
            cast(IssuedCredential.id, String).ilike(pattern, escape="\\"),
        ))
    if filters.profile_id is not None:
        conditions.append(IssuedCredential.profile_id == filters.profile_id)
    if filters.visible_profiles is not None:
        conditions.append(IssuedCredential.profile_id.in_(filters.visible_profiles))
    if filters.achievement_id:
        conditions.append(IssuedCredential.achievement_id == filters.achievement_id)
    if filters.status:
        if filters.status not in STATUSES:
            raise ValueError(f"unknown status {filters.status!r}")
        conditions.append(status_expression(now) == filters.status)
    if filters.issued_from is not None:
        start = datetime.combine(filters.issued_from, time(0), tzinfo=timezone.utc)
        conditions.append(IssuedCredential.issued_at >= start)
    if filters.issued_to is not None:
        end = datetime.combine(filters.issued_to + timedelta(days=1), time(0),
                               tzinfo=timezone.utc)
        conditions.append(IssuedCredential.issued_at < end)
    if filters.via == NOT_RECORDED:
        conditions.append(IssuedCredential.issued_via.is_(None))
    elif filters.via:
        conditions.append(IssuedCredential.issued_via == filters.via)
    return conditions


def _base(filters: CredentialFilter, *, now: datetime):
    return (
        select(IssuedCredential, status_expression(now).label("status"))
        .join(IssuedCredential.recipient)
        .join(IssuedCredential.achievement)
        .options(contains_eager(IssuedCredential.recipient),
                 contains_eager(IssuedCredential.achievement),
                 joinedload(IssuedCredential.profile))
        .where(*_conditions(filters, now=now))
    )


def _order(sort: str, descending: bool, *, now: datetime) -> list:
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}")
    column = {
        "issued": IssuedCredential.issued_at,
        "recipient": func.lower(func.coalesce(IssuedCredential.recipient_name, Recipient.email)),
        "achievement": func.lower(Achievement.name),
        "expires": IssuedCredential.valid_until,
        "status": status_expression(now),
    }[sort]
    primary = column.desc() if descending else column.asc()
    if sort == "expires":  # no expiry sorts as the farthest future, on both databases
        never = IssuedCredential.valid_until.is_(None)
        primary = (never.desc() if descending else never.asc(), primary)
    else:
        primary = (primary,)
    return [*primary, IssuedCredential.issued_at.desc(), IssuedCredential.id]


def count_credentials(session: Session, filters: CredentialFilter, *, now: datetime) -> int:
    statement = (select(func.count()).select_from(IssuedCredential)
                 .join(IssuedCredential.recipient).join(IssuedCredential.achievement)
                 .where(*_conditions(filters, now=now)))
    return session.scalar(statement) or 0


def list_credentials(session: Session, filters: CredentialFilter, *, now: datetime,
                     sort: str = "issued", descending: bool = True, page: int = 1,
                     per_page: int = 50) -> CredentialPage:
    """One page of the filtered list (``per_page`` at most :data:`MAX_PAGE_SIZE`)."""
    if not 1 <= per_page <= MAX_PAGE_SIZE or page < 1:
        raise ValueError("page must be ≥ 1 and per_page within 1..MAX_PAGE_SIZE")
    total = count_credentials(session, filters, now=now)
    statement = (_base(filters, now=now).order_by(*_order(sort, descending, now=now))
                 .limit(per_page).offset((page - 1) * per_page))
    items = [ListedCredential(row, state) for row, state in session.execute(statement)]
    return CredentialPage(items, total, page, per_page)


def iter_credentials(session: Session, filters: CredentialFilter, *, now: datetime,
                     sort: str = "issued", descending: bool = True,
                     batch: int = EXPORT_BATCH) -> Iterator[ListedCredential]:
    """Every credential of the filtered list, in order, fetched ``batch`` rows at a time
    (the session is cleared between batches, so memory stays bounded). Only credentials
    issued by ``now``: one issued during the export cannot shift the batches."""
    statement = (_base(filters, now=now).where(IssuedCredential.issued_at <= now)
                 .order_by(*_order(sort, descending, now=now)))
    offset = 0
    while True:
        rows = session.execute(statement.limit(batch).offset(offset)).all()
        for row, state in rows:
            yield ListedCredential(row, state)
        if len(rows) < batch:
            return
        offset += batch
        session.expunge_all()
