"""ORM tables of expiry reminders (issue 14, item 4), on the shared declarative Base.

* ``ReminderSetting``: an achievement's "remind recipients N days before the credential's
  validUntil" (no row: off), with an optional renewal URL (else the achievement's page);
* ``CredentialReminder``: one row per credential reminded, written in the same transaction as
  its outbox email. Its primary key is the credential's id, so however many queue consumers on
  however many hosts scan at once, one credential is reminded once: the second insert fails
  and that consumer moves on (issuer.services.reminders).

The scan reads credentials by (achievement, validUntil): the index below is on
``issued_credentials``, declared here so issuer.models stays as it is.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from issuer.models import Achievement, Base, IssuedCredential, UTCDateTime

MAX_DAYS_BEFORE = 365
MAX_RENEWAL_URL = 2000


class ReminderSetting(Base):
    __tablename__ = "achievement_reminders"
    __table_args__ = (
        CheckConstraint(f"days_before >= 1 AND days_before <= {MAX_DAYS_BEFORE}",
                        name="ck_achievement_reminders_days_before"),
    )

    achievement_id: Mapped[str] = mapped_column(ForeignKey("achievements.id"),
                                                primary_key=True)
    days_before: Mapped[int] = mapped_column(Integer)
    renewal_url: Mapped[str | None] = mapped_column(String(MAX_RENEWAL_URL))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    achievement: Mapped[Achievement] = relationship()


class CredentialReminder(Base):
    __tablename__ = "credential_reminders"

    credential_id: Mapped[str] = mapped_column(ForeignKey("issued_credentials.id"),
                                               primary_key=True)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("community_outbox.id"))
    days_before: Mapped[int] = mapped_column(Integer)
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime)  # the date it reminded of
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    credential: Mapped[IssuedCredential] = relationship()


Index("ix_issued_credentials_achievement_valid_until",
      IssuedCredential.__table__.c.achievement_id, IssuedCredential.__table__.c.valid_until)
