"""ORM tables of endorsements (issue 15, item 1), on the shared declarative Base.

- ``IssuedEndorsement``: an ``EndorsementCredential`` one of our issuer profiles signed,
  endorsing an achievement or a profile (ours or anyone's, by its id). The signed credential
  itself is a ``SignedCredential`` row (hosted at ``/credentials/<uuid>``, with its own
  revocation status entry), so the status machinery of issuer.services.status revokes it like
  any credential we signed; this row says what it endorses.
- ``ReceivedEndorsement``: an endorsement credential (JSON or compact JWS) someone issued for
  one of our achievements or profiles, stored exactly as received after it verified. While
  attached it is embedded in credentials issued afterwards (``endorsement`` /
  ``endorsementJwt``); ``detached_at`` set: no longer embedded (already-issued credentials
  never change). The outcome of the last verification is kept for the pages.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from issuer.models import (
    Achievement,
    AdminUser,
    Base,
    IssuerProfile,
    SignedCredential,
    UTCDateTime,
)

SUBJECT_KINDS = ("achievement", "profile")
FORMS = ("json", "jwt")


class IssuedEndorsement(Base):
    __tablename__ = "endorsements_issued"
    __table_args__ = (
        CheckConstraint("subject_kind IN ('achievement', 'profile')",
                        name="ck_endorsements_issued_kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    signed_credential_id: Mapped[str] = mapped_column(
        ForeignKey("signed_credentials.id"), unique=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("issuer_profiles.id"), index=True)
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(1000), index=True)  # the endorsed id
    subject_name: Mapped[str | None] = mapped_column(String(200))
    comment: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(254))  # admin email, "cli", "token:<id>"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    signed_credential: Mapped[SignedCredential] = relationship()
    profile: Mapped[IssuerProfile] = relationship()


class ReceivedEndorsement(Base):
    __tablename__ = "endorsements_received"
    __table_args__ = (
        CheckConstraint("form IN ('json', 'jwt')", name="ck_endorsements_received_form"),
        CheckConstraint("(achievement_id IS NULL) <> (profile_id IS NULL)",
                        name="ck_endorsements_received_target"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    achievement_id: Mapped[str | None] = mapped_column(ForeignKey("achievements.id"), index=True)
    profile_id: Mapped[int | None] = mapped_column(ForeignKey("issuer_profiles.id"), index=True)
    form: Mapped[str] = mapped_column(String(8))
    document: Mapped[str] = mapped_column(Text)  # exactly as received
    credential_id: Mapped[str | None] = mapped_column(String(1000))
    endorser_id: Mapped[str] = mapped_column(String(1000))
    endorser_name: Mapped[str | None] = mapped_column(String(200))
    endorser_url: Mapped[str | None] = mapped_column(String(1000))
    comment: Mapped[str | None] = mapped_column(Text)
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verdict: Mapped[str] = mapped_column(String(16))  # at the last verification
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attached_by: Mapped[str] = mapped_column(String(254))
    attached_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    detached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attached_by_id: Mapped[int | None] = mapped_column(ForeignKey("admin_users.id"))

    achievement: Mapped[Achievement | None] = relationship()
    profile: Mapped[IssuerProfile | None] = relationship()
    attached_by_user: Mapped[AdminUser | None] = relationship()
