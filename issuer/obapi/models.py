"""ORM tables of the OB 3.0 API (on the shared declarative Base of issuer.models).

Secrets are never stored: client secrets, authorization codes, access and refresh tokens are
kept as SHA-256 hashes of their random values (each carries at least 256 random bits, so a
fast hash is enough), found by that hash. These are separate from ``oauth_clients`` of
issuer.models, which are admin-made client-credentials clients of an issuer profile.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from issuer.community.models import Member
from issuer.models import Base, UTCDateTime


class ObApiClient(Base):
    """A client registered through RFC 7591 Dynamic Client Registration (OB 3.0 §6.2)."""

    __tablename__ = "obapi_clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    metadata_json: Mapped[dict] = mapped_column("metadata", JSON)  # the registered metadata
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:  # never show the hash
        return f"ObApiClient(id={self.id!r}, client_id={self.client_id!r})"


class ObApiAuthorizationCode(Base):
    """An authorization code a member granted on the consent page: single use, short-lived."""

    __tablename__ = "obapi_authorization_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[int] = mapped_column(
        ForeignKey("obapi_clients.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("community_members.id", ondelete="CASCADE"), index=True)
    redirect_uri: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(Text)
    code_challenge: Mapped[str] = mapped_column(String(128))
    code_challenge_method: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    client: Mapped[ObApiClient] = relationship()
    member: Mapped[Member] = relationship()


class ObApiToken(Base):
    """An access token and its refresh token (one row: refreshing revokes the row and makes a
    new one, so a refresh token works once)."""

    __tablename__ = "obapi_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    access_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    refresh_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    client_id: Mapped[int] = mapped_column(
        ForeignKey("obapi_clients.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("community_members.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    access_expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    refresh_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    client: Mapped[ObApiClient] = relationship()
    member: Mapped[Member] = relationship()


class HeldCredential(Base):
    """A credential issued elsewhere that a member keeps here (POST /ims/ob/v3p0/credentials):
    verified before it was stored, kept as received (never re-signed). ``document`` is the
    exact JSON text, or the compact JWS of a VC-JWT."""

    __tablename__ = "obapi_held_credentials"
    __table_args__ = (UniqueConstraint("member_id", "credential_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("community_members.id", ondelete="CASCADE"), index=True)
    credential_key: Mapped[str] = mapped_column(String(64))  # SHA-256 of issuer id + id
    compact_jws: Mapped[bool] = mapped_column(default=False)
    document: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(300))
    issuer_name: Mapped[str] = mapped_column(String(300))
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    member: Mapped[Member] = relationship()
