"""ORM tables of the public pages' stored work (issue 13, item 4), on the shared declarative
Base of issuer.models.

``PageVerification`` is the last verification verdict of one credential's public page and
the fingerprint of everything it was computed from (the credential's bytes, the bytes of
each of our status-list credentials it names, the issuer profiles and keys that resolve its
verification method, the verifier's version): a page view reads the fingerprint's inputs
and this row, and verifies again only when they differ (issuer.services.page_verification).

``RenderedFile`` is a badge image, baked badge or QR code rendered once and shared by every
worker: ``key`` is the SHA-256 of what it was rendered from, so a changed input (a new
image, a renamed achievement) names a new row and the old one is never served again; the
previous renders of the same ``subject`` are deleted when a new one is stored
(issuer.services.render_cache).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from issuer.models import Base, UTCDateTime


class PageVerification(Base):
    """The cached verdict of a credential page (a VerificationResult as JSON)."""

    __tablename__ = "page_verifications"

    credential_id: Mapped[str] = mapped_column(
        ForeignKey("issued_credentials.id", ondelete="CASCADE"), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    result: Mapped[str] = mapped_column(Text)
    # The verdict holds for views from fresh_from (inclusive) until fresh_until (exclusive):
    # no validity boundary of the credential lies in between. None: unbounded on that side.
    fresh_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fresh_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RenderedFile(Base):
    """One rendered image, addressed by the SHA-256 of its inputs."""

    __tablename__ = "rendered_files"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject: Mapped[str] = mapped_column(String(120), index=True)
    content_type: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))  # of data: the strong ETag
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
