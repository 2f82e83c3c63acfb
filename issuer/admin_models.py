"""Tables of several admins with roles (issue 14, item 6): who may do what on which issuer
profile, the invitations that bring new admins in, and the audit log of who did what.

- ``admin_roles``: one row per (admin, profile): ``owner``, ``issuer`` or ``viewer``
  (issuer/services/admins.py says what each may do);
- ``admin_invitations``: an emailed, single-use link; only the SHA-256 of its token is kept;
- ``audit_log``: one row per admin action, written in the action's own transaction. The
  actor's email is copied into the row, so the history survives the admin's removal.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from issuer.models import AdminUser, Base, IssuerProfile, UTCDateTime


class AdminRole(Base):
    """What one admin may do on one issuer profile."""

    __tablename__ = "admin_roles"

    admin_user_id: Mapped[int] = mapped_column(
        ForeignKey("admin_users.id", ondelete="CASCADE"), primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("issuer_profiles.id", ondelete="CASCADE"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[AdminUser] = relationship()
    profile: Mapped[IssuerProfile] = relationship()


class AdminInvitation(Base):
    """An invitation to become an admin of a profile with a role, by an emailed link.

    Single use (``accepted_at``), expiring (``expires_at``) and revocable (``revoked_at``).
    """

    __tablename__ = "admin_invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("issuer_profiles.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("admin_users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    profile: Mapped[IssuerProfile] = relationship()
    invited_by: Mapped[AdminUser | None] = relationship()


class AuditEntry(Base):
    """Who did what, when, on which profile. ``details`` never holds a secret."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("admin_users.id", ondelete="SET NULL"))
    actor_email: Mapped[str] = mapped_column(String(254))
    profile_id: Mapped[int | None] = mapped_column(
        ForeignKey("issuer_profiles.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(48))
    subject: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    profile: Mapped[IssuerProfile | None] = relationship()

    __table_args__ = (
        Index("ix_audit_log_profile_at", "profile_id", "at"),
        Index("ix_audit_log_actor_at", "actor_id", "at"),
        Index("ix_audit_log_action_at", "action", "at"),
    )
