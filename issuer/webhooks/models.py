"""ORM tables of webhooks (on the shared declarative Base of issuer.models).

The signing secret of an endpoint is stored encrypted (``issuer.webhooks.vault``), never in
plaintext: HMAC needs the secret itself at send time, so a hash would not do. An event keeps
the exact JSON body it is sent with, so every attempt and redelivery sends the same bytes
under the same ``webhook-id``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from issuer.models import AdminUser, Base, IssuerProfile, UTCDateTime


class WebhookEndpoint(Base):
    """A URL of an issuer profile's own systems and the event types it wants."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUID, in admin URLs
    profile_id: Mapped[int] = mapped_column(ForeignKey("issuer_profiles.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(String(200))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    owner_email: Mapped[str] = mapped_column(String(254))  # told when it is disabled
    secret_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    previous_secret_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    secret_created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("admin_users.id"))

    profile: Mapped[IssuerProfile] = relationship()
    created_by: Mapped[AdminUser | None] = relationship()

    def __repr__(self) -> str:  # never the secret
        return f"WebhookEndpoint(id={self.id!r}, url={self.url!r})"


class WebhookEvent(Base):
    """Something that happened, as the JSON body sent (``{"type", "timestamp", "data"}``).

    ``id`` is the ``webhook-id`` header: the same on every attempt and redelivery, so a
    receiver can drop repeats. ``once_key`` (unique) keeps events that happen once per
    subject (a credential claimed) from being recorded twice.
    """

    __tablename__ = "webhook_events"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # "msg_" + 32 hex
    profile_id: Mapped[int | None] = mapped_column(ForeignKey("issuer_profiles.id"),
                                                   index=True)
    type: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    once_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class WebhookDelivery(Base):
    """One event to one endpoint. Status: ``pending`` → ``sending`` → ``delivered``; a failed
    attempt leaves ``retrying`` (``next_attempt_at`` says when) or ``failed`` (no more
    attempts). ``failures`` counts the failed attempts since the last (re)delivery began and
    picks the next delay; ``attempts`` counts them all."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("webhook_events.id"))
    endpoint_id: Mapped[str] = mapped_column(ForeignKey("webhook_endpoints.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[WebhookEvent] = relationship()
    endpoint: Mapped[WebhookEndpoint] = relationship()

    __table_args__ = (
        UniqueConstraint("event_id", "endpoint_id", name="uq_webhook_deliveries_event_endpoint"),
        Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),
    )


class WebhookAttempt(Base):
    """One POST of a delivery, for the delivery log: answer code, time taken, the start of
    the answer (at most SNIPPET characters) or why there was none."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_deliveries.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_snippet: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)
