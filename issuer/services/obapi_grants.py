"""What members allowed OB 3.0 API clients to do, and the clean-up of spent OAuth rows.

A member's *grant* to an app is the set of its live token rows for that client (access or
refresh token not yet expired, not revoked). The member's "apps you allowed" page lists them
(:func:`grants_of`) and takes access back (:func:`revoke_grant`): every token row of that
client for the member is revoked, and its unused authorization codes are deleted, in one
transaction, so no worker can use them afterwards.

:func:`purge` deletes what can never be used again: expired authorization codes, and token
rows whose every token expired or that were revoked, once ``keep`` has passed (kept a while
so that a refresh token used twice is still recognised as revoked rather than unknown).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from authlib.oauth2.rfc6749 import scope_to_list
from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.orm import Session

from issuer.community.models import Member
from issuer.obapi.models import ObApiAuthorizationCode, ObApiClient, ObApiToken
from issuer.services.obapi_oauth import SCOPE_SUMMARIES

KEEP_SPENT = timedelta(days=7)


@dataclass(frozen=True)
class Grant:
    """One app a member allowed: who it is, what it may do, since when."""

    client_id: str
    name: str
    client_uri: str | None
    scopes: tuple[str, ...]  # readable summaries, in SCOPE_SUMMARIES order
    first_granted: datetime
    last_renewed: datetime


def _live(now: datetime):
    return and_(ObApiToken.revoked_at.is_(None),
                or_(ObApiToken.access_expires_at > now, ObApiToken.refresh_expires_at > now))


def grants_of(session: Session, member: Member, *, now: datetime) -> list[Grant]:
    """The apps with live access to ``member``'s data, most recently renewed first."""
    rows = session.execute(
        select(ObApiToken, ObApiClient)
        .join(ObApiClient, ObApiClient.id == ObApiToken.client_id)
        .where(ObApiToken.member_id == member.id, _live(now))
        .order_by(ObApiToken.issued_at)).all()
    found: dict[int, dict] = {}
    for token, client in rows:
        entry = found.setdefault(client.id, {"client": client, "scopes": set(),
                                             "first": token.issued_at, "last": token.issued_at})
        entry["scopes"].update(scope_to_list(token.scope) or [])
        entry["last"] = max(entry["last"], token.issued_at)
    grants = []
    for entry in found.values():
        client, metadata = entry["client"], entry["client"].metadata_json or {}
        uri = metadata.get("client_uri")
        grants.append(Grant(
            client_id=client.client_id,
            name=str(metadata.get("client_name") or client.client_id)[:200],
            client_uri=uri if isinstance(uri, str) and uri.startswith("https://") else None,
            scopes=tuple(summary for scope, summary in SCOPE_SUMMARIES.items()
                         if scope in entry["scopes"]),
            first_granted=entry["first"], last_renewed=entry["last"]))
    return sorted(grants, key=lambda grant: grant.last_renewed, reverse=True)


def revoke_grant(session: Session, member: Member, client_id: str, *, now: datetime) -> int:
    """Take back everything ``member`` allowed the client: its tokens are revoked and its
    unused codes deleted. The number of token rows revoked (0: nothing was live)."""
    client = session.scalar(select(ObApiClient).where(ObApiClient.client_id == client_id))
    if client is None:
        return 0
    revoked = session.execute(
        update(ObApiToken)
        .where(ObApiToken.member_id == member.id, ObApiToken.client_id == client.id,
               ObApiToken.revoked_at.is_(None))
        .values(revoked_at=now)).rowcount
    session.execute(delete(ObApiAuthorizationCode).where(
        ObApiAuthorizationCode.member_id == member.id,
        ObApiAuthorizationCode.client_id == client.id))
    return revoked


@dataclass(frozen=True)
class Purged:
    codes: int
    tokens: int


def purge(session: Session, *, now: datetime, keep: timedelta = KEEP_SPENT) -> Purged:
    """Delete expired codes, and token rows revoked or wholly expired before ``now - keep``."""
    codes = session.execute(delete(ObApiAuthorizationCode)
                            .where(ObApiAuthorizationCode.expires_at <= now)).rowcount
    cutoff = now - keep
    spent = or_(
        ObApiToken.revoked_at <= cutoff,
        and_(ObApiToken.access_expires_at <= cutoff,
             or_(ObApiToken.refresh_expires_at.is_(None), ObApiToken.refresh_expires_at <= cutoff)))
    tokens = session.execute(delete(ObApiToken).where(spent)).rowcount
    return Purged(codes=codes, tokens=tokens)
