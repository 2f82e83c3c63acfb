"""ORM tables only: issuer profiles, their signing keys, achievements, recipients, issued
credentials, uploaded images and admin users. No JSON-LD is built here.

Private keys are not in the database: ``SigningKey`` holds the public half and which key is
the profile's active one; the secret stays in the key directory (FileKeyStore).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class StoredImage(Base):
    """An uploaded badge or profile image (PNG or sanitised SVG), served at /images/<id>."""

    __tablename__ = "images"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IssuerProfile(Base):
    """An issuer. Its DID is did:web under ISSUER_BASE_URL unless ``did`` holds a did:key."""

    __tablename__ = "issuer_profiles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(254))
    description: Mapped[str | None] = mapped_column(Text)
    image_id: Mapped[str | None] = mapped_column(ForeignKey("images.id"))
    did: Mapped[str | None] = mapped_column(String(200))  # set only for did:key issuers
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    image: Mapped[StoredImage | None] = relationship()
    keys: Mapped[list[SigningKey]] = relationship(
        back_populates="profile", order_by="SigningKey.created_at, SigningKey.id"
    )

    __table_args__ = (
        Index(
            "uq_issuer_profiles_default",
            "is_default",
            unique=True,
            sqlite_where=is_default == true(),
            postgresql_where=is_default == true(),
        ),
    )


class SigningKey(Base):
    """The public half of a profile's Ed25519 key; at most one active key per profile."""

    __tablename__ = "signing_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("issuer_profiles.id"), index=True)
    public_key_multibase: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    profile: Mapped[IssuerProfile] = relationship(back_populates="keys")

    __table_args__ = (
        Index(
            "uq_signing_keys_active_per_profile",
            "profile_id",
            unique=True,
            sqlite_where=active == true(),
            postgresql_where=active == true(),
        ),
    )


class Achievement(Base):
    __tablename__ = "achievements"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUID, part of its URL
    profile_id: Mapped[int] = mapped_column(ForeignKey("issuer_profiles.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    criteria_narrative: Mapped[str] = mapped_column(Text)  # Markdown
    achievement_type: Mapped[str | None] = mapped_column(String(64))
    image_id: Mapped[str | None] = mapped_column(ForeignKey("images.id"))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    alignments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    profile: Mapped[IssuerProfile] = relationship()
    image: Mapped[StoredImage | None] = relationship()


class Recipient(Base):
    """Someone credentials were issued to, by normalised email address."""

    __tablename__ = "recipients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    did: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IssuedCredential(Base):
    """A signed credential. ``document`` is the exact JSON text issued; it is served
    byte for byte and never re-serialised."""

    __tablename__ = "issued_credentials"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUID, part of its URL
    profile_id: Mapped[int] = mapped_column(ForeignKey("issuer_profiles.id"), index=True)
    achievement_id: Mapped[str] = mapped_column(ForeignKey("achievements.id"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipients.id"), index=True)
    recipient_name: Mapped[str | None] = mapped_column(String(200))
    document: Mapped[str] = mapped_column(Text)
    verification_method: Mapped[str] = mapped_column(String(600))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("admin_users.id"))

    profile: Mapped[IssuerProfile] = relationship()
    achievement: Mapped[Achievement] = relationship()
    recipient: Mapped[Recipient] = relationship()


class AdminUser(Base):
    """Someone who may sign in to /admin. Only an argon2 hash of the password is stored.

    ``session_token`` is what the session cookie names; changing the password replaces it,
    which signs the user out everywhere.
    """

    __tablename__ = "admin_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    session_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:  # never show the hash
        return f"AdminUser(id={self.id!r}, email={self.email!r})"
