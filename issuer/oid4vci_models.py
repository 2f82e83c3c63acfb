"""ORM tables of OpenID4VCI 1.0 pre-authorized issuance (issue 12, item 3), on the shared
declarative Base of issuer.models.

An ``Oid4vciGrant`` belongs to one ``Exchange`` of protocol "oid4vci" and holds what the
offer, the token endpoint and the credential endpoint need, hashed (SHA-256): the offer
reference (the secret part of ``credential_offer_uri``), the pre-authorized code and the
access token; whether a transaction code is needed (it is an HMAC of the exchange id, never
stored). Each one-time step is one ``UPDATE … WHERE … IS NULL``
whose rowcount says whether this request won, so two workers never both redeem a code.

An ``Oid4vciNonce`` is one ``c_nonce`` from the nonce endpoint (hashed), used at most once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from issuer.exchange_models import Exchange
from issuer.models import Base, UTCDateTime


class Oid4vciGrant(Base):
    """The secrets of one OpenID4VCI offer (hashes only) and when each was used."""

    __tablename__ = "oid4vci_grants"

    exchange_id: Mapped[str] = mapped_column(ForeignKey("wallet_exchanges.id"), primary_key=True)
    offer_ref_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    tx_code_required: Mapped[bool] = mapped_column(Boolean, default=False)
    tx_code_failures: Mapped[int] = mapped_column(Integer, default=0)
    code_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    token_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    configuration_ids: Mapped[str] = mapped_column(String(200))  # space-separated
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    exchange: Mapped[Exchange] = relationship()

    def __repr__(self) -> str:  # never a hash
        return f"Oid4vciGrant(exchange_id={self.exchange_id!r})"


class Oid4vciNonce(Base):
    """A ``c_nonce`` handed out by the nonce endpoint (its SHA-256 only)."""

    __tablename__ = "oid4vci_nonces"

    nonce_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
