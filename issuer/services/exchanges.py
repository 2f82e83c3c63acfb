"""Exchanges as data (issue 12, item 1): create, look up, audit and move exchanges through
their states with atomic, cross-worker-safe updates.

An exchange (issuer.exchange_models.Exchange) offers one award to one wallet by one protocol
("vcapi", "lcw", "oid4vci"). It is single use and expires ``EXCHANGE_LIFETIME_SECONDS`` after
creation (default 900, 15 minutes). Every state change is one
``UPDATE wallet_exchanges … WHERE id = :id AND state IN (…) AND expires_at > :now`` whose
rowcount says whether this request won; two workers racing on one exchange never both win,
on SQLite or PostgreSQL. Challenges are stored as SHA-256 hashes only.

Stable interface (the wallet blueprints and OpenID4VCI build on it):

- :func:`create` ``(session, award, *, protocol, actor, now, lifetime_seconds) -> Exchange``:
  commits; audited as "created".
- :func:`get` ``(session, exchange_id) -> Exchange`` (NotFound); :func:`of_credential`
  ``(session, award) -> list[Exchange]`` newest first.
- :func:`audit` ``(session, exchange_id, step, detail=None, *, now)``: one audit row in the
  caller's transaction; :func:`audit_refusal` the same in a transaction of its own (for a
  refused step whose own transaction rolled back).
- :func:`transition` ``(session, exchange_id, *, from_states, to_state, now, where=(),
  **values) -> bool``: the atomic state change in the caller's transaction (no commit).
- :func:`usable` ``(exchange, *, now)``: raises ExchangeRefused (410 expired, 409 used or
  cancelled) unless the exchange can still be served.
- :func:`start_request` ``(session, exchange_id, *, now) -> str``: a fresh challenge
  (``pending``/``requested`` → ``requested``, the hash stored); commits; returns the
  challenge in plaintext, which is never stored.
- :func:`complete` ``(session, exchange_id, *, challenge, holder_did, keystore, base_url,
  now) -> SignedCredential``: ``requested`` → ``completed`` for this challenge, and the
  holder-bound copy issued (issuer.services.holder_copies.issue_copy), in one transaction:
  both or neither. A replay, a wrong or missing challenge, an expired or cancelled exchange
  raise ExchangeRefused and issue nothing.
- :func:`hash_secret` ``(value) -> str``: the SHA-256 hex used for challenges (and codes).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from issuer.errors import IssuerError, NotFound
from issuer.exchange_models import (
    CANCELLED,
    COMPLETED,
    PENDING,
    PROTOCOLS,
    REQUESTED,
    Exchange,
    ExchangeEvent,
)
from issuer.models import IssuedCredential, SignedCredential
from issuer.services import holder_copies, ids
from issuer.services.keystore import FileKeyStore
from issuer.services.status import Actor
from issuer.services.tx import atomic
from issuer.webhooks import events as webhook_events

DEFAULT_LIFETIME_SECONDS = 15 * 60
MAX_DETAIL_LENGTH = 1000

PROBLEM = "urn:issuer:problem:exchange-"
EXPIRED_TYPE = PROBLEM + "expired"
USED_TYPE = PROBLEM + "used"
CANCELLED_TYPE = PROBLEM + "cancelled"
CHALLENGE_TYPE = PROBLEM + "challenge"
NOT_REQUESTED_TYPE = PROBLEM + "not-requested"


class ExchangeRefused(IssuerError):
    """A step of an exchange that cannot be taken; nothing was issued. ``problem_type`` says
    which rule refused it (one of the ``*_TYPE`` constants or a presentation problem)."""

    title = "Exchange step refused"

    def __init__(self, detail: str, *, status: int, problem_type: str, title: str | None = None):
        super().__init__(detail)
        self.status = status
        self.problem_type = problem_type
        if title:
            self.title = title


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def create(session: Session, award: IssuedCredential, *, protocol: str, actor: Actor,
           now: datetime, lifetime_seconds: int = DEFAULT_LIFETIME_SECONDS) -> Exchange:
    """A new ``pending`` exchange offering ``award`` by ``protocol`` (committed)."""
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol {protocol!r}")
    if lifetime_seconds <= 0:
        raise ValueError("an exchange must live a positive number of seconds")
    with atomic(session):
        exchange = Exchange(
            id=str(uuid.uuid4()), credential_id=award.id, protocol=protocol, state=PENDING,
            created_by=actor.label[:254], created_by_id=actor.admin_user_id, created_at=now,
            updated_at=now, expires_at=now + timedelta(seconds=lifetime_seconds))
        session.add(exchange)
        session.flush()
        audit(session, exchange.id, "created", f"{protocol} exchange by {actor.label}", now=now)
    return exchange


def get(session: Session, exchange_id: Any) -> Exchange:
    found = session.get(Exchange, exchange_id) if ids.is_uuid(exchange_id) else None
    if found is None:
        raise NotFound("no such exchange (the link may be mistyped)")
    return found


def of_credential(session: Session, award: IssuedCredential) -> list[Exchange]:
    return list(session.scalars(
        select(Exchange).where(Exchange.credential_id == award.id)
        .order_by(Exchange.created_at.desc(), Exchange.id)))


def events(session: Session, exchange_id: str) -> list[ExchangeEvent]:
    """The exchange's audit trail, oldest first."""
    return list(session.scalars(
        select(ExchangeEvent).where(ExchangeEvent.exchange_id == exchange_id)
        .order_by(ExchangeEvent.id)))


def audit(session: Session, exchange_id: str, step: str, detail: str | None = None, *,
          now: datetime) -> None:
    """One audit row, in the caller's transaction. ``detail`` never holds a secret."""
    session.add(ExchangeEvent(exchange_id=exchange_id, step=step[:32],
                              detail=(detail or None) and detail[:MAX_DETAIL_LENGTH],
                              created_at=now))


def audit_refusal(session: Session, exchange_id: str, error: IssuerError, *,
                  now: datetime) -> None:
    """Record a refused step (in a transaction of its own, committed)."""
    with atomic(session):
        audit(session, exchange_id, "refused", f"{error.problem_type}: {error}", now=now)


def transition(session: Session, exchange_id: str, *, from_states: Iterable[str], to_state: str,
               now: datetime, where: Iterable[Any] = (), **values: Any) -> bool:
    """Move the exchange to ``to_state`` if it is in one of ``from_states`` and not expired
    (plus the extra ``where`` clauses), setting ``values`` too; True when this call did it.
    One UPDATE in the caller's transaction: safe across workers."""
    table = Exchange.__table__
    result = session.execute(
        update(table)
        .where(table.c.id == exchange_id, table.c.state.in_(list(from_states)),
               table.c.expires_at > now, *where)
        .values(state=to_state, updated_at=now, **values)
    )
    session.expire_all()
    return result.rowcount == 1


def usable(exchange: Exchange, *, now: datetime) -> None:
    """ExchangeRefused unless the exchange can still be served."""
    if exchange.state == COMPLETED:
        raise ExchangeRefused("this exchange has been used; ask for a new one",
                              status=409, problem_type=USED_TYPE, title="Exchange already used")
    if exchange.state == CANCELLED:
        raise ExchangeRefused("this exchange was cancelled", status=410,
                              problem_type=CANCELLED_TYPE, title="Exchange cancelled")
    if exchange.expires_at <= now:
        raise ExchangeRefused("this exchange has expired; ask for a new one", status=410,
                              problem_type=EXPIRED_TYPE, title="Exchange expired")


def start_request(session: Session, exchange_id: str, *, now: datetime) -> str:
    """A fresh challenge for the exchange (committed; only its hash is stored). Asking again
    replaces the previous challenge."""
    with atomic(session):
        exchange = get(session, exchange_id)
        usable(exchange, now=now)
        challenge = secrets.token_urlsafe(24)
        if not transition(session, exchange_id, from_states=(PENDING, REQUESTED),
                          to_state=REQUESTED, now=now, challenge_hash=hash_secret(challenge)):
            usable(get(session, exchange_id), now=now)  # lost a race: say why
            raise ExchangeRefused("this exchange cannot be used now", status=409,
                                  problem_type=USED_TYPE)
        audit(session, exchange_id, "requested", "challenge issued", now=now)
    return challenge


def complete(session: Session, exchange_id: str, *, challenge: Any, holder_did: str,
             keystore: FileKeyStore, base_url: str, now: datetime) -> SignedCredential:
    """Use the exchange: ``requested`` → ``completed`` for this very challenge, and issue the
    holder-bound copy, in one transaction (see the module docstring). Refusals are audited."""
    try:
        with atomic(session):
            exchange = get(session, exchange_id)
            usable(exchange, now=now)
            if not isinstance(challenge, str) or not challenge:
                raise ExchangeRefused("the presentation has no challenge; sign it with the "
                                      "challenge this exchange handed out", status=400,
                                      problem_type=CHALLENGE_TYPE, title="Missing challenge")
            if exchange.state != REQUESTED or exchange.challenge_hash is None:
                raise ExchangeRefused("this exchange has not handed out a challenge yet; "
                                      "POST {} to it first", status=409,
                                      problem_type=NOT_REQUESTED_TYPE)
            table = Exchange.__table__
            won = transition(session, exchange_id, from_states=(REQUESTED,), to_state=COMPLETED,
                             now=now, where=(table.c.challenge_hash == hash_secret(challenge),),
                             holder_did=holder_did, completed_at=now)
            if not won:
                fresh = get(session, exchange_id)
                usable(fresh, now=now)
                raise ExchangeRefused("the presentation's challenge is not this exchange's "
                                      "current challenge", status=400,
                                      problem_type=CHALLENGE_TYPE, title="Wrong challenge")
            exchange = get(session, exchange_id)
            copy = holder_copies.issue_copy(session, exchange.credential, holder_did=holder_did,
                                            keystore=keystore, base_url=base_url, now=now,
                                            exchange=exchange)
            exchange.copy_id = copy.id
            audit(session, exchange_id, "completed",
                  f"copy {copy.credential_id} issued to {holder_did}", now=now)
            # The webhook event, in the same transaction (a rolled-back delivery announces
            # nothing); "wallet" is the protocol the wallet spoke.
            webhook_events.credential_delivered_to_wallet(
                session, exchange.credential, wallet=exchange.protocol, base_url=base_url,
                now=now)
    except IssuerError as error:
        if ids.is_uuid(exchange_id) and session.get(Exchange, exchange_id) is not None:
            audit_refusal(session, exchange_id, error, now=now)
        raise
    return copy
