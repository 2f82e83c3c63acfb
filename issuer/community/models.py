"""ORM tables of the community domain (on the shared declarative Base of issuer.models).

A ``Member`` *links to* an ``issuer.models.Recipient`` (one to one, by a unique foreign key)
rather than extending it: every credential names a Recipient, most recipients never become
members, and issuance stays unchanged. A member's email is their recipient's email, so all
credentials issued to that address, by any path, are the member's.

A member may add more email addresses (``MemberEmail``). Each verified address links to the
``Recipient`` of that address (unique: an address is verified by one member at most), and
the member's badges are the credentials issued to any of them. The member's own recipient is
the primary address (sign-in links for it, announcements); it has a verified row too.

Secrets are never stored: sign-in and address-verification tokens as SHA-256 hashes only;
outbox rows hold what to send (a credential, a member, an address), never a rendered message
with its links.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from issuer.admin_models import AdminInvitation  # issue 14: an admin's invitation email
from issuer.models import (
    Achievement,
    AdminUser,
    Base,
    IssuedCredential,
    IssuerProfile,
    Recipient,
    SessionColumns,
    StoredImage,
    UTCDateTime,
)
from issuer.webhooks.models import WebhookEndpoint


class Member(Base):
    """A community member: a public persona page at /members/<slug> (unless hidden)."""

    __tablename__ = "community_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)  # stable: never changes
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipients.id"), unique=True)
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    headline: Mapped[str | None] = mapped_column(String(200))
    bio: Mapped[str | None] = mapped_column(Text)  # Markdown
    interests: Mapped[list[str]] = mapped_column(JSON, default=list)
    links: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)  # {label, url}
    did: Mapped[str | None] = mapped_column(String(500))
    avatar_id: Mapped[str | None] = mapped_column(ForeignKey("images.id"))
    page_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    recipient: Mapped[Recipient] = relationship()
    avatar: Mapped[StoredImage | None] = relationship()

    @property
    def email(self) -> str:
        return self.recipient.email

    def __repr__(self) -> str:  # no email in reprs (they end up in logs)
        return f"Member(id={self.id!r}, slug={self.slug!r})"


class SignInToken(Base):
    """A one-time sign-in link: only the SHA-256 of its random token is kept."""

    __tablename__ = "community_sign_in_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("community_members.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    member: Mapped[Member] = relationship()


class MemberSession(SessionColumns, Base):
    """One signed-in member browser (the signed cookie carries its token; sign-out deletes
    the row, *on every device* deletes all of the member's)."""

    __tablename__ = "community_member_sessions"

    owner_id: Mapped[int] = mapped_column(
        "member_id", ForeignKey("community_members.id", ondelete="CASCADE"), index=True
    )

    owner: Mapped[Member] = relationship()


class MemberEmail(Base):
    """One of a member's email addresses: pending until verified by an emailed link, then
    linked to the address's Recipient (``recipient_id``, unique among all members)."""

    __tablename__ = "community_member_emails"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("community_members.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("recipients.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    member: Mapped[Member] = relationship()
    recipient: Mapped[Recipient | None] = relationship()

    __table_args__ = (
        UniqueConstraint("member_id", "email", name="uq_community_member_emails_member_email"),
    )

    @property
    def verified(self) -> bool:
        return self.verified_at is not None

    def __repr__(self) -> str:  # no address in reprs (they end up in logs)
        return f"MemberEmail(id={self.id!r}, member_id={self.member_id!r})"


class EmailVerificationToken(Base):
    """A one-time link that verifies a member's address: only its SHA-256 is kept."""

    __tablename__ = "community_email_verification_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address_id: Mapped[int] = mapped_column(
        ForeignKey("community_member_emails.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    address: Mapped[MemberEmail] = relationship()


class HiddenCredential(Base):
    """A credential its member chose not to show on their page (shown by default)."""

    __tablename__ = "community_hidden_credentials"

    member_id: Mapped[int] = mapped_column(ForeignKey("community_members.id"), primary_key=True)
    credential_id: Mapped[str] = mapped_column(
        ForeignKey("issued_credentials.id"), primary_key=True
    )


class AwardRule(Base):
    """When an achievement is awarded automatically (one rule per achievement).

    kind ``first``: the first ``action``; ``count``: ``threshold`` ``action`` events;
    ``all_of``: every component achievement earned (a meta badge). Action rules may be
    limited to events whose occurredAt is in [window_from, window_until).
    """

    __tablename__ = "community_award_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    achievement_id: Mapped[str] = mapped_column(ForeignKey("achievements.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    action: Mapped[str | None] = mapped_column(String(100), index=True)
    threshold: Mapped[int] = mapped_column(Integer, default=1)
    window_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    achievement: Mapped[Achievement] = relationship()
    components: Mapped[list[AwardRuleComponent]] = relationship(
        cascade="all, delete-orphan", order_by="AwardRuleComponent.achievement_id"
    )

    @property
    def component_ids(self) -> frozenset[str]:
        return frozenset(component.achievement_id for component in self.components)


class AwardRuleComponent(Base):
    """One achievement a meta-badge rule requires."""

    __tablename__ = "community_award_rule_components"

    rule_id: Mapped[int] = mapped_column(ForeignKey("community_award_rules.id"), primary_key=True)
    achievement_id: Mapped[str] = mapped_column(ForeignKey("achievements.id"), primary_key=True)

    achievement: Mapped[Achievement] = relationship()


class Event(Base):
    """An activity reported through POST /api/v1/events, kept with the answer we gave.

    ``(profile_id, event_id)`` is unique: a repeat of the same body gets the stored answer,
    a repeat with another body (``body_sha256`` differs) is a conflict.
    """

    __tablename__ = "community_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("issuer_profiles.id"))
    event_id: Mapped[str] = mapped_column(String(200))
    member_id: Mapped[int] = mapped_column(ForeignKey("community_members.id"))
    action: Mapped[str] = mapped_column(String(100))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    body_sha256: Mapped[str] = mapped_column(String(64))
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    profile: Mapped[IssuerProfile] = relationship()
    member: Mapped[Member] = relationship()

    __table_args__ = (
        UniqueConstraint("profile_id", "event_id", name="uq_community_events_profile_event"),
        Index("ix_community_events_member_action", "member_id", "action", "occurred_at"),
    )


class Award(Base):
    """An achievement awarded to a member, by a rule or by an admin: at most once per
    (member, achievement), enforced by a unique constraint, always with its credential."""

    __tablename__ = "community_awards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("community_members.id"))
    achievement_id: Mapped[str] = mapped_column(ForeignKey("achievements.id"), index=True)
    credential_id: Mapped[str] = mapped_column(ForeignKey("issued_credentials.id"), unique=True)
    source: Mapped[str] = mapped_column(String(16))  # "rule" or "admin"
    note: Mapped[str | None] = mapped_column(Text)
    trigger_event_id: Mapped[int | None] = mapped_column(ForeignKey("community_events.id"))
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    awarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("admin_users.id"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_note: Mapped[str | None] = mapped_column(Text)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("admin_users.id"))

    member: Mapped[Member] = relationship()
    achievement: Mapped[Achievement] = relationship()
    credential: Mapped[IssuedCredential] = relationship()
    awarded_by: Mapped[AdminUser | None] = relationship(foreign_keys=[awarded_by_id])

    __table_args__ = (
        UniqueConstraint("member_id", "achievement_id",
                         name="uq_community_awards_member_achievement"),
    )


class OutboxMessage(Base):
    """An email to send, sent by the job queue and retried; its state is for the admins.

    Holds only what to send (``kind`` and the credential or member); the message, with its
    links, is rendered when it is sent and never stored.
    """

    __tablename__ = "community_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # see issuer.community.outbox KIND_*
    credential_id: Mapped[str | None] = mapped_column(ForeignKey("issued_credentials.id"),
                                                      index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("community_members.id"))
    # The member's address it goes to (a sign-in link asked for at it; an address to verify).
    address_id: Mapped[int | None] = mapped_column(
        ForeignKey("community_member_emails.id", ondelete="SET NULL"))
    webhook_endpoint_id: Mapped[str | None] = mapped_column(ForeignKey("webhook_endpoints.id"))
    # an OpenID4VCI offer's tx_code (kind "oid4vci_tx_code"; issue 12), computed when sent
    exchange_id: Mapped[str | None] = mapped_column(ForeignKey("wallet_exchanges.id"))
    # an invitation to become an admin (issue 14, item 6; its link is made when sent)
    admin_invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("admin_invitations.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    credential: Mapped[IssuedCredential | None] = relationship()
    member: Mapped[Member | None] = relationship()
    webhook_endpoint: Mapped[WebhookEndpoint | None] = relationship()
    address: Mapped[MemberEmail | None] = relationship()
    admin_invitation: Mapped[AdminInvitation | None] = relationship()
