"""The admin dashboard's figures, overall or for one issuer profile, each one SQL aggregate
(GROUP BY) that SQLite and PostgreSQL both run: credentials by status, what recipients did
with them (claim links opened, JSON downloads, share links followed, page views), issuance
over time, top achievements, issuing paths and recent activity.

"Added to a wallet" has no source yet: nothing delivers credentials to wallets, so the
dashboard shows ``wallet`` as None (not recorded) rather than a number it cannot know.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from issuer.models import (
    Achievement,
    CredentialActivity,
    IssuedCredential,
    IssuerProfile,
    Recipient,
    SignedCredential,
    StatusEvent,
)
from issuer.services import activity
from issuer.services.credential_query import NOT_RECORDED, STATUSES, status_expression

GRANULARITIES = {"month": 12, "day": 30}  # buckets shown: the last 12 months, or 30 days


@dataclass(frozen=True)
class Totals:
    issued: int
    by_status: dict[str, int]  # every key of credential_query.STATUSES
    claimed: int  # credentials whose claim link was opened at least once
    downloaded: int  # credentials whose JSON was downloaded at least once
    downloads: int
    shared: int  # share links followed (LinkedIn add + share)
    viewed: int  # public page views
    wallet: int | None = None  # no wallet delivery yet: not recorded


@dataclass(frozen=True)
class ProfileTotals:
    profile: IssuerProfile
    totals: Totals
    signed_vcapi: int


@dataclass(frozen=True)
class Bucket:
    start: date
    label: str  # "2026-11" or "2026-11-30"
    count: int


@dataclass(frozen=True)
class TopAchievement:
    achievement_id: str
    name: str
    issued: int


@dataclass(frozen=True)
class ActivityItem:
    at: datetime
    kind: str  # "issued" or a status action ("revoke", "suspend", "reinstate")
    credential_id: str
    achievement: str
    recipient: str
    actor: str | None
    detail: str | None = None


def _profile_filter(profile_id: int | None) -> list:
    return [] if profile_id is None else [IssuedCredential.profile_id == profile_id]


def totals_by_profile(session: Session, *, now: datetime) -> dict[int | None, Totals]:
    """Totals per issuer profile id, and overall under ``None``: two GROUP BY queries."""
    status = status_expression(now).label("status")
    counts: dict[int, dict[str, int]] = {}
    for profile_id, state, number in session.execute(
        select(IssuedCredential.profile_id, status, func.count())
        .group_by(IssuedCredential.profile_id, status)
    ):
        counts.setdefault(profile_id, dict.fromkeys(STATUSES, 0))[state] = number
    acts: dict[int, dict[str, tuple[int, int]]] = {}
    for profile_id, kind, total, credentials in session.execute(
        select(IssuedCredential.profile_id, CredentialActivity.kind,
               func.sum(CredentialActivity.count),
               func.count(distinct(CredentialActivity.credential_id)))
        .join(IssuedCredential, IssuedCredential.id == CredentialActivity.credential_id)
        .group_by(IssuedCredential.profile_id, CredentialActivity.kind)
    ):
        acts.setdefault(profile_id, {})[kind] = (int(total or 0), int(credentials))

    def totals(states: dict[str, int], kinds: dict[str, tuple[int, int]]) -> Totals:
        def get(kind: str) -> tuple[int, int]:
            return kinds.get(kind, (0, 0))
        return Totals(
            issued=sum(states.values()), by_status=states,
            claimed=get(activity.CLAIM)[1], downloaded=get(activity.DOWNLOAD)[1],
            downloads=get(activity.DOWNLOAD)[0],
            shared=sum(get(kind)[0] for kind in activity.SHARES),
            viewed=get(activity.VIEW)[0],
        )

    result: dict[int | None, Totals] = {}
    overall_states = dict.fromkeys(STATUSES, 0)
    overall_kinds: dict[str, tuple[int, int]] = {}
    for profile_id in set(counts) | set(acts):
        states = counts.get(profile_id, dict.fromkeys(STATUSES, 0))
        kinds = acts.get(profile_id, {})
        result[profile_id] = totals(states, kinds)
        for key, value in states.items():
            overall_states[key] += value
        for key, (total, credentials) in kinds.items():
            before = overall_kinds.get(key, (0, 0))
            overall_kinds[key] = (before[0] + total, before[1] + credentials)
    result[None] = totals(overall_states, overall_kinds)
    return result


def empty_totals() -> Totals:
    return Totals(0, dict.fromkeys(STATUSES, 0), 0, 0, 0, 0, 0)


def signed_by_profile(session: Session) -> dict[int, int]:
    """Credentials signed through the VC-API (POST /credentials/issue), per profile."""
    return dict(session.execute(
        select(SignedCredential.profile_id, func.count()).group_by(SignedCredential.profile_id)
    ).all())


def by_path(session: Session, *, profile_id: int | None = None) -> dict[str, int]:
    """Credentials per issuing path (``issued_via``; NULL counted as NOT_RECORDED), and the
    VC-API's signed credentials under ``vcapi``."""
    counts = {via or NOT_RECORDED: number for via, number in session.execute(
        select(IssuedCredential.issued_via, func.count())
        .where(*_profile_filter(profile_id)).group_by(IssuedCredential.issued_via)
    )}
    signed = select(func.count()).select_from(SignedCredential)
    if profile_id is not None:
        signed = signed.where(SignedCredential.profile_id == profile_id)
    vcapi = session.scalar(signed) or 0
    if vcapi:
        counts["vcapi"] = vcapi
    return counts


def _bucket_key(session: Session, granularity: str):
    """The issue day or month of each credential as text, in UTC."""
    column = IssuedCredential.issued_at
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column),
                            "YYYY-MM" if granularity == "month" else "YYYY-MM-DD")
    return func.strftime("%Y-%m" if granularity == "month" else "%Y-%m-%d", column)


def _bucket_starts(granularity: str, today: date) -> list[date]:
    count = GRANULARITIES[granularity]
    if granularity == "day":
        return [today - timedelta(days=count - 1 - n) for n in range(count)]
    starts = []
    year, month = today.year, today.month
    for _ in range(count):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def issuance_series(session: Session, *, now: datetime, granularity: str = "month",
                    profile_id: int | None = None) -> list[Bucket]:
    """Credentials issued per month (the last 12, this one included) or per day (the last
    30), zeros included, oldest first."""
    if granularity not in GRANULARITIES:
        raise ValueError(f"unknown granularity {granularity!r}")
    starts = _bucket_starts(granularity, now.astimezone(timezone.utc).date())
    since = datetime.combine(starts[0], time(0), tzinfo=timezone.utc)
    key = _bucket_key(session, granularity).label("bucket")
    counts = dict(session.execute(
        select(key, func.count())
        .where(IssuedCredential.issued_at >= since, *_profile_filter(profile_id))
        .group_by(key)
    ).all())
    buckets = []
    for start in starts:
        label = start.strftime("%Y-%m" if granularity == "month" else "%Y-%m-%d")
        buckets.append(Bucket(start, label, int(counts.get(label, 0))))
    return buckets


def top_achievements(session: Session, *, profile_id: int | None = None,
                     limit: int = 5) -> list[TopAchievement]:
    number = func.count(IssuedCredential.id).label("issued")
    rows = session.execute(
        select(Achievement.id, Achievement.name, number)
        .join(IssuedCredential, IssuedCredential.achievement_id == Achievement.id)
        .where(*_profile_filter(profile_id))
        .group_by(Achievement.id, Achievement.name)
        .order_by(number.desc(), Achievement.name, Achievement.id)
        .limit(limit)
    )
    return [TopAchievement(*row) for row in rows]


def daily_views(session: Session, *, now: datetime, days: int = 30,
                profile_id: int | None = None) -> int:
    """Page views of the last ``days`` days (today included)."""
    today = now.astimezone(timezone.utc).date()
    since = today - timedelta(days=days - 1)
    return int(session.scalar(
        select(func.coalesce(func.sum(CredentialActivity.count), 0))
        .join(IssuedCredential, IssuedCredential.id == CredentialActivity.credential_id)
        .where(CredentialActivity.kind == activity.VIEW,
               CredentialActivity.day >= since, CredentialActivity.day <= today,
               *_profile_filter(profile_id))
    ) or 0)


def recent_activity(session: Session, *, profile_id: int | None = None,
                    limit: int = 10) -> list[ActivityItem]:
    """The newest issues and status changes (the status_events audit trail), newest first:
    the ``limit`` newest of each, merged."""
    recipient = func.coalesce(IssuedCredential.recipient_name, Recipient.email)
    issued = session.execute(
        select(IssuedCredential.issued_at, IssuedCredential.id, Achievement.name, recipient,
               IssuedCredential.issued_via)
        .join(IssuedCredential.achievement).join(IssuedCredential.recipient)
        .where(*_profile_filter(profile_id))
        .order_by(IssuedCredential.issued_at.desc(), IssuedCredential.id).limit(limit)
    ).all()
    events = session.execute(
        select(StatusEvent.created_at, StatusEvent.action, IssuedCredential.id,
               Achievement.name, recipient, StatusEvent.actor, StatusEvent.reason)
        .join(IssuedCredential, IssuedCredential.id == StatusEvent.credential_id)
        .join(IssuedCredential.achievement).join(IssuedCredential.recipient)
        .where(*_profile_filter(profile_id))
        .order_by(StatusEvent.created_at.desc(), StatusEvent.id.desc()).limit(limit)
    ).all()
    items = [ActivityItem(at, "issued", cid, name, who, via) for at, cid, name, who, via
             in issued]
    items += [ActivityItem(at, action, cid, name, who, actor, reason)
              for at, action, cid, name, who, actor, reason in events]
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]


def activity_of(session: Session, credential_id: str) -> dict[str, int]:
    """One credential's counters, all days together: kind → count (absent kinds: 0)."""
    counts = dict.fromkeys(sorted(activity.KINDS), 0)
    counts.update({kind: int(total) for kind, total in session.execute(
        select(CredentialActivity.kind, func.sum(CredentialActivity.count))
        .where(CredentialActivity.credential_id == credential_id)
        .group_by(CredentialActivity.kind)
    )})
    return counts
