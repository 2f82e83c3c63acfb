"""Badge images, baked badges and QR codes rendered once and shared by every worker and host
(issue 13, item 4): rows of ``rendered_files`` (issuer.render_models.RenderedFile).

A render is addressed by the SHA-256 of everything it is made from (its *key*): the
achievement's name and image ids (issuer.services.badge_files.Plan), the credential's exact
text for a baked badge, the URL for a QR code, and :data:`RENDER_VERSION`. A changed input
(a new image or design, a renamed achievement) is a new key, so a stale render is never
served; the previous renders of the same *subject* (one slot: this credential's baked PNG,
that achievement's badge SVG…) are deleted when the new one is stored. A view that finds
its key reads one row; one that does not renders, serves, and stores the file in its own
short transaction (a failed store is logged, never the page's error).

Stored images served as they are (an uploaded PNG asked for as PNG) are not copied here.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from issuer.models import Achievement, IssuedCredential
from issuer.render_models import RenderedFile
from issuer.services import badge_files, images
from issuer.sharing import qr

__all__ = ["RENDER_VERSION", "Rendered", "achievement_badge", "badge_image", "baked",
           "fetch_or_render", "qr_code"]

log = logging.getLogger(__name__)

# Bump when a renderer draws differently (badge_image, baking, qr): every key changes.
RENDER_VERSION = "1"


@dataclass(frozen=True)
class Rendered:
    data: bytes
    content_type: str
    sha256: str  # of data: the strong ETag


def key_of(subject: str, *parts: str) -> str:
    text = "\x1f".join(("render", RENDER_VERSION, subject, *parts))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fetch_or_render(session: Session, *, subject: str, key: str,
                    render: Callable[[], tuple[bytes, str]], now: datetime) -> Rendered:
    """The stored render ``key``, or ``render()``'s (data, content type), stored."""
    found = session.execute(
        select(RenderedFile.data, RenderedFile.content_type, RenderedFile.sha256)
        .where(RenderedFile.key == key)).one_or_none()
    if found is not None:
        return Rendered(*found)
    data, content_type = render()
    made = Rendered(data, content_type, hashlib.sha256(data).hexdigest())
    _store(session, subject=subject, key=key, made=made, now=now)
    return made


def _store(session: Session, *, subject: str, key: str, made: Rendered, now: datetime) -> None:
    engine = session.get_bind()
    module = postgresql if engine.dialect.name == "postgresql" else sqlite
    table = RenderedFile.__table__
    try:
        with engine.begin() as connection:
            connection.execute(delete(table).where(table.c.subject == subject,
                                                   table.c.key != key))
            connection.execute(
                module.insert(table).values(key=key, subject=subject,
                                            content_type=made.content_type, data=made.data,
                                            sha256=made.sha256, created_at=now)
                .on_conflict_do_nothing(index_elements=[table.c.key]))
    except SQLAlchemyError as error:  # a lost render is re-made by the next view
        log.warning("could not store render %s: %s", subject, error.__class__.__name__)


def _badge(session: Session, subject: str, plan: badge_files.Plan, *,
           now: datetime) -> Rendered:
    if plan.how == "stored":  # already stored: served as it is, never copied
        found = badge_files.render(session, plan)
        return Rendered(found.data, found.content_type,
                        hashlib.sha256(found.data).hexdigest())

    def draw() -> tuple[bytes, str]:
        made = badge_files.render(session, plan)
        return made.data, made.content_type

    return fetch_or_render(session, subject=subject, key=key_of(subject, *plan.parts()),
                           render=draw, now=now)


def achievement_badge(session: Session, achievement: Achievement, *, fmt: badge_files.Format,
                      now: datetime) -> Rendered:
    """The achievement's current badge image (badge_files.achievement_badge), stored."""
    return _badge(session, f"badge:{achievement.id}:{fmt}",
                  badge_files.plan_for_achievement(achievement, fmt=fmt), now=now)


def badge_image(session: Session, row: IssuedCredential, *, base_url: str,
                fmt: badge_files.Format, now: datetime) -> Rendered:
    """The badge image of a credential (badge_files.badge_image), stored."""
    plan = badge_files.plan_for_credential(session, row, base_url=base_url, fmt=fmt)
    return _badge(session, f"badge:{row.achievement_id}:{fmt}:{plan.image_id or '-'}", plan,
                  now=now)


def baked(session: Session, row: IssuedCredential, *, base_url: str, fmt: badge_files.Format,
          now: datetime) -> Rendered:
    """The baked badge of a credential (badge_files.baked), stored. The bake holds the
    credential's text only (nothing about its status), so revoking it changes nothing here."""
    plan = badge_files.plan_for_credential(session, row, base_url=base_url, fmt=fmt)
    subject = f"baked:{row.id}:{fmt}"
    document_hash = hashlib.sha256(row.document.encode("utf-8")).hexdigest()

    def bake() -> tuple[bytes, str]:
        made = badge_files.bake_plan(session, row, plan)
        return made.data, made.content_type

    return fetch_or_render(session, subject=subject,
                           key=key_of(subject, document_hash, *plan.parts()), render=bake,
                           now=now)


def qr_code(session: Session, credential_id: str, url: str, *, fmt: badge_files.Format,
            now: datetime) -> Rendered:
    """The QR code of ``url`` (a credential's page) as PNG or SVG, stored."""
    subject = f"qr:{credential_id}:{fmt}"

    def draw() -> tuple[bytes, str]:
        if fmt == "png":
            return qr.qr_png(url), images.PNG
        return qr.qr_svg(url).encode("utf-8"), images.SVG

    return fetch_or_render(session, subject=subject, key=key_of(subject, url), render=draw,
                           now=now)
