"""ORM tables only: issuer profiles, their signing keys, achievements, recipients, issued
credentials, uploaded images and admin users. No JSON-LD is built here.

Private keys are not in the database: ``SigningKey`` holds the public half and which key is
the profile's active one; the secret stays in the key directory (FileKeyStore).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
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
    # Credentials issued from now on also get a suspension status entry (credentialStatus
    # becomes an array, which the 1EdTech OB 3.0 schema does not accept); off by default.
    offers_suspension: Mapped[bool] = mapped_column(Boolean, default=False)
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
    # A badge made in the designer: its design record (issuer.badgedesign) and the SVG drawn
    # from it; ``image`` is then the PNG rendered from that SVG. None for uploaded images.
    design: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    design_svg_id: Mapped[str | None] = mapped_column(ForeignKey("images.id"))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    alignments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Visible only to its holder: off public member pages; credential pages and JSON 404
    # for anyone but the signed-in holder or their claim link (issuer/web/public/visibility.py).
    private: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Archived: issues nothing new by any path (issuance.check_request); what was issued keeps
    # verifying and its pages work. None when in use (migration 0020).
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    profile: Mapped[IssuerProfile] = relationship()
    image: Mapped[StoredImage | None] = relationship(foreign_keys=[image_id])
    design_svg: Mapped[StoredImage | None] = relationship(foreign_keys=[design_svg_id])


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
    # How it was issued (issuer.services.issuance.ISSUING_PATHS); None: not recorded (before
    # migration 0012, when the path could not be told).
    issued_via: Mapped[str | None] = mapped_column(String(16), index=True)
    # "active", "suspended" or "revoked": the status lists' bits, kept with them in the same
    # transaction (issuer.services.status) so lists and dashboards can filter and count in SQL.
    status_state: Mapped[str] = mapped_column(String(16), default="active",
                                              server_default="active", index=True)

    profile: Mapped[IssuerProfile] = relationship()
    achievement: Mapped[Achievement] = relationship()
    recipient: Mapped[Recipient] = relationship()


class AdminUser(Base):
    """Someone who may sign in to /admin. Only an argon2 hash of the password is stored.

    Their sessions are rows of ``admin_sessions``: signing out deletes one, *sign out
    everywhere* and a password change delete all (the others).
    """

    __tablename__ = "admin_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:  # never show the hash
        return f"AdminUser(id={self.id!r}, email={self.email!r})"


# --- sign-in: server-side sessions and shared throttle counters ------------------------------


class SessionColumns:
    """What every server-side session row holds (admins here, members in community.models).

    The signed cookie carries a random token; the row keeps only its SHA-256, so a copy of
    the database opens no session. Deleting the row ends the session on every worker.
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class AdminSession(SessionColumns, Base):
    """One signed-in admin browser."""

    __tablename__ = "admin_sessions"

    owner_id: Mapped[int] = mapped_column(
        "admin_user_id", ForeignKey("admin_users.id", ondelete="CASCADE"), index=True
    )

    owner: Mapped[AdminUser] = relationship()


class SignInThrottle(Base):
    """A failure counter of one sign-in key (an account or a client address, hashed), shared
    by every worker and host. ``expires_at``: when it is forgotten (and may be pruned)."""

    __tablename__ = "sign_in_throttles"
    __table_args__ = (UniqueConstraint("scope", "key_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(32))
    key_hash: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


# --- API access, VC-API signed credentials, idempotency and bulk issuance (issue 6) ----------


class OAuthClient(Base):
    """An OAuth 2.0 client (client-credentials grant) of one issuer profile.

    Only the SHA-256 of its random secret is stored; ``scopes`` are the most it may ask for.
    """

    __tablename__ = "oauth_clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    profile_id: Mapped[int] = mapped_column(ForeignKey("issuer_profiles.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("admin_users.id"))

    profile: Mapped[IssuerProfile] = relationship()

    def __repr__(self) -> str:  # never show the hash
        return f"OAuthClient(id={self.id!r}, client_id={self.client_id!r})"


class ApiToken(Base):
    """A bearer token of one issuer profile: an API token an admin made (``kind`` "api"), or
    a short-lived access token from POST /oauth/token (``kind`` "oauth", with ``client_id``).

    The token's public id part (``lookup``) finds the row; only the SHA-256 of the whole token
    is stored and compared in constant time.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    lookup: Mapped[str] = mapped_column(String(32), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    profile_id: Mapped[int] = mapped_column(ForeignKey("issuer_profiles.id"), index=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("oauth_clients.id"), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("admin_users.id"))

    profile: Mapped[IssuerProfile] = relationship()
    client: Mapped[OAuthClient | None] = relationship()

    def __repr__(self) -> str:  # never show the hash
        return f"ApiToken(id={self.id!r}, kind={self.kind!r}, lookup={self.lookup!r})"


class SignedCredential(Base):
    """A credential someone else shaped and we signed (POST /credentials/issue).

    ``document`` is the exact JSON text returned. ``hosted`` is true when the credential's id
    is our ``/credentials/<id>`` URL, which then serves it.
    """

    __tablename__ = "signed_credentials"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUID
    credential_id: Mapped[str] = mapped_column(String(1000), unique=True)  # the document's id
    hosted: Mapped[bool] = mapped_column(Boolean, default=False)
    profile_id: Mapped[int] = mapped_column(ForeignKey("issuer_profiles.id"), index=True)
    document: Mapped[str] = mapped_column(Text)
    verification_method: Mapped[str] = mapped_column(String(600))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    issued_via: Mapped[str | None] = mapped_column(String(40))  # "token:<id>" / "client:<id>"

    profile: Mapped[IssuerProfile] = relationship()


class IdempotencyKey(Base):
    """One issuance that must never happen twice: an API ``Idempotency-Key`` per caller
    (scope ``token:<id>`` / ``client:<id>``), or a bulk row (scope ``bulk``, key = row hash).

    Written in the same transaction as the credential; the unique (scope, key) pair makes
    concurrent repeats on any worker collide instead of issuing twice.
    """

    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    credential_id: Mapped[str] = mapped_column(ForeignKey("issued_credentials.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    credential: Mapped[IssuedCredential] = relationship()

    __table_args__ = (UniqueConstraint("scope", "key"),)


class BulkJob(Base):
    """An uploaded CSV of recipients for one achievement, issued row by row in the background.

    ``status``: "invalid" (the preview found errors; it cannot start), "ready" (checked, not
    started), "queued", "running", "done".
    """

    __tablename__ = "bulk_jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUID
    achievement_id: Mapped[str] = mapped_column(ForeignKey("achievements.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))
    total_rows: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("admin_users.id"))

    achievement: Mapped[Achievement] = relationship()


class BulkRow(Base):
    """One CSV row of a bulk job. ``line`` is its line number in the file (the header is 1).

    ``status``: "pending", "issued", "skipped" (an earlier run issued it: ``credential_id`` is
    that credential), "invalid" (the preview's ``error``) or "failed" (issuing it failed).
    """

    __tablename__ = "bulk_rows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("bulk_jobs.id"))
    line: Mapped[int] = mapped_column(Integer)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str | None] = mapped_column(String(200))
    did: Mapped[str | None] = mapped_column(String(500))
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    evidence_url: Mapped[str | None] = mapped_column(String(500))
    evidence_narrative: Mapped[str | None] = mapped_column(Text)
    row_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    credential_id: Mapped[str | None] = mapped_column(ForeignKey("issued_credentials.id"))

    credential: Mapped[IssuedCredential | None] = relationship()

    __table_args__ = (
        UniqueConstraint("job_id", "line"),
        Index("ix_bulk_rows_job_id_status", "job_id", "status"),
    )


# --- Status lists: revocation and suspension (issue 5) ----------------------------------------

from sqlalchemy import CheckConstraint  # noqa: E402  (kept with the section that uses it)


class StatusList(Base):
    """One W3C Bitstring Status List of an issuer profile, for one purpose (revocation or
    suspension), served at /status/<id>.

    ``allocated`` counts the indexes handed out so far; the n-th credential gets
    ``permutation.index_at(permutation_key, n, size)`` (random-looking, unique). At most one
    list per profile and purpose is ``is_current`` (new credentials go there); when it fills,
    it is retired and a new one is made. ``bits`` is the raw bitstring; ``document`` the signed
    list credential exactly as served, re-signed whenever a bit changes.
    """

    __tablename__ = "status_lists"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUID, part of its URL
    profile_id: Mapped[int] = mapped_column(ForeignKey("issuer_profiles.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    size: Mapped[int] = mapped_column(Integer)  # indexes this list hands out
    allocated: Mapped[int] = mapped_column(Integer, default=0)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    permutation_key: Mapped[bytes] = mapped_column(LargeBinary)
    bits: Mapped[bytes] = mapped_column(LargeBinary)
    document: Mapped[str] = mapped_column(Text)
    document_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    profile: Mapped[IssuerProfile] = relationship()

    __table_args__ = (
        Index(
            "uq_status_lists_current_per_profile_purpose",
            "profile_id",
            "purpose",
            unique=True,
            sqlite_where=is_current == true(),
            postgresql_where=is_current == true(),
        ),
        CheckConstraint("purpose IN ('revocation', 'suspension')", name="purpose"),
        CheckConstraint("allocated >= 0 AND allocated <= size", name="allocated_within_size"),
    )

    def __repr__(self) -> str:  # never show the permutation key
        return (f"StatusList(id={self.id!r}, purpose={self.purpose!r}, "
                f"allocated={self.allocated!r}/{self.size!r})")


# Status entries and events belong to exactly one credential: one of our Open Badges
# (``credential_id``) or a VC-API-signed credential (``signed_credential_id``).
_ONE_CREDENTIAL = ("(credential_id IS NULL AND signed_credential_id IS NOT NULL) OR "
                   "(credential_id IS NOT NULL AND signed_credential_id IS NULL)")


class StatusEntry(Base):
    """An index of a status list given to a credential; (list, index) is never given twice."""

    __tablename__ = "status_entries"

    list_id: Mapped[str] = mapped_column(ForeignKey("status_lists.id"), primary_key=True)
    list_index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    purpose: Mapped[str] = mapped_column(String(16))
    credential_id: Mapped[str | None] = mapped_column(ForeignKey("issued_credentials.id"))
    signed_credential_id: Mapped[str | None] = mapped_column(
        ForeignKey("signed_credentials.id"))

    status_list: Mapped[StatusList] = relationship()
    credential: Mapped[IssuedCredential | None] = relationship()
    signed_credential: Mapped[SignedCredential | None] = relationship()

    __table_args__ = (
        UniqueConstraint("credential_id", "purpose"),
        UniqueConstraint("signed_credential_id", "purpose"),
        CheckConstraint(_ONE_CREDENTIAL, name="one_credential"),
    )


class StatusEvent(Base):
    """A revocation, suspension or reinstatement: what, why, who (an admin, "cli" or an API
    token/client), when."""

    __tablename__ = "status_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    credential_id: Mapped[str | None] = mapped_column(ForeignKey("issued_credentials.id"),
                                                      index=True)
    signed_credential_id: Mapped[str | None] = mapped_column(
        ForeignKey("signed_credentials.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # revoke | suspend | reinstate
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(254))  # the admin's email, or "cli"
    admin_user_id: Mapped[int | None] = mapped_column(ForeignKey("admin_users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint("action IN ('revoke', 'suspend', 'reinstate')", name="action"),
        CheckConstraint(_ONE_CREDENTIAL, name="one_credential"),
    )


# --- Dashboard: what happens to a credential after it is issued (issue 14) -------------------


class CredentialActivity(Base):
    """How often something happened to one credential on one UTC day: its public page was
    viewed, its JSON downloaded, a share link followed, its claim link opened.

    One row per (credential, day, kind), bumped by one INSERT … ON CONFLICT DO UPDATE
    (issuer.services.activity), so counting costs one statement and a page never waits for
    a scan. Nothing about the visitor is kept.
    """

    __tablename__ = "credential_activity"

    credential_id: Mapped[str] = mapped_column(
        ForeignKey("issued_credentials.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)  # activity.KINDS
    count: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (CheckConstraint("count >= 0", name="count_not_negative"),)
