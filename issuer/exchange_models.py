"""ORM tables of wallet delivery (issue 12): exchanges, their audit trail, and the holder-bound
copies of awards they hand out (on the shared declarative Base of issuer.models).

An ``Exchange`` is one offer of one award (an ``IssuedCredential``) to one wallet, by one
protocol ("vcapi", "lcw", "oid4vci"). Everything a step needs is in its row, so any worker on
any host serves any step. States (``EXCHANGE_STATES``):

- ``pending``: created, nothing asked yet;
- ``requested``: a challenge was handed out (its SHA-256 in ``challenge_hash``);
- ``completed``: a holder-bound copy was issued (``holder_did``, ``copy_id``); final;
- ``cancelled``: withdrawn by an admin; final.

Expiry is not a state: an exchange whose ``expires_at`` has passed is expired whatever its
state. Every state change is one ``UPDATE … WHERE id = … AND state = …`` whose rowcount says
whether this worker won (issuer.services.exchanges). Challenges, codes and tokens are stored
as SHA-256 hashes only, never in plaintext.

A ``HolderCopy`` links a copy (a ``SignedCredential`` row with its own id and status entries)
to the award it copies and the holder DID it is bound to; revoking or suspending the award
does the same to every copy (issuer.services.status).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from issuer.models import AdminUser, Base, IssuedCredential, SignedCredential, UTCDateTime

PROTOCOLS = ("vcapi", "lcw", "oid4vci")
PENDING, REQUESTED, COMPLETED, CANCELLED = "pending", "requested", "completed", "cancelled"
EXCHANGE_STATES = (PENDING, REQUESTED, COMPLETED, CANCELLED)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class Exchange(Base):
    """One offer of an award to a wallet (see the module docstring for the states)."""

    __tablename__ = "wallet_exchanges"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUID, part of its URL
    credential_id: Mapped[str] = mapped_column(ForeignKey("issued_credentials.id"), index=True)
    protocol: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    challenge_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    holder_did: Mapped[str | None] = mapped_column(String(500))
    copy_id: Mapped[str | None] = mapped_column(ForeignKey("signed_credentials.id"))
    created_by: Mapped[str] = mapped_column(String(254))  # admin email, "cli", "token:<id>"...
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("admin_users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    credential: Mapped[IssuedCredential] = relationship()
    copy: Mapped[SignedCredential | None] = relationship()
    creator: Mapped[AdminUser | None] = relationship()

    __table_args__ = (
        CheckConstraint(_in("protocol", PROTOCOLS), name="protocol"),
        CheckConstraint(_in("state", EXCHANGE_STATES), name="state"),
    )

    def __repr__(self) -> str:  # never the challenge hash
        return f"Exchange(id={self.id!r}, protocol={self.protocol!r}, state={self.state!r})"


class ExchangeEvent(Base):
    """One step of an exchange, for the audit: what happened (``step``), a short detail (never
    a secret), which worker's request saw it, when."""

    __tablename__ = "wallet_exchange_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exchange_id: Mapped[str] = mapped_column(ForeignKey("wallet_exchanges.id"))
    step: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_wallet_exchange_events_exchange_id_id", "exchange_id", "id"),)


class HolderCopy(Base):
    """A holder-bound copy of an award: the copy is a SignedCredential (own id, own status
    entries); this row links it to the award and names the holder DID."""

    __tablename__ = "holder_copies"

    signed_credential_id: Mapped[str] = mapped_column(ForeignKey("signed_credentials.id"),
                                                      primary_key=True)
    credential_id: Mapped[str] = mapped_column(ForeignKey("issued_credentials.id"), index=True)
    holder_did: Mapped[str] = mapped_column(String(500))
    exchange_id: Mapped[str | None] = mapped_column(ForeignKey("wallet_exchanges.id"))
    protocol: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    signed_credential: Mapped[SignedCredential] = relationship()
    credential: Mapped[IssuedCredential] = relationship()
