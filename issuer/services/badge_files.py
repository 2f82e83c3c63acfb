"""Baked badge files of issued credentials: the stored credential text, byte for byte, baked
into the badge image (Open Badges 3.0 § Baked Badges).

The image is the one the credential names (an image stored here), else the achievement's
current image, in the format asked for:

* SVG: an SVG image as it is; a designed badge's own SVG; else the PNG badge wrapped in an SVG
  (embedded as a data: URI), so the SVG download shows the real badge too.
* PNG: a PNG image as it is (a designed badge's image is the PNG rendered from its SVG).
* Otherwise (no image, or an uploaded SVG wanted as PNG) the achievement's designed default
  (:mod:`issuer.sharing.badge_image`). Uploaded SVGs are never rasterised.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from issuer.models import Achievement, IssuedCredential, StoredImage
from issuer.openbadges import baking
from issuer.services import images
from issuer.sharing.badge_image import badge_png, badge_svg, png_in_svg

__all__ = ["BadgeFile", "Format", "Plan", "achievement_badge", "badge_image", "baked",
           "bake_plan", "plan_for_achievement", "plan_for_credential", "render"]

Format = Literal["png", "svg"]
CONTENT_TYPES = {"png": images.PNG, "svg": images.SVG}
IMAGE_URL = re.compile(r"/images/([0-9a-f]{32})\.(png|svg)$")


@dataclass(frozen=True)
class BadgeFile:
    data: bytes
    content_type: str
    generated: bool  # True: a plain generated badge, not an uploaded image


@dataclass(frozen=True)
class Plan:
    """How a badge file is made, decided from ids and content types alone (no image bytes
    read): ``stored`` serves the stored image ``image_id`` as it is; ``wrap`` wraps that PNG
    in an SVG; ``default`` draws the designed default from ``name``. Every input is in the
    plan, so equal plans make equal files (issuer.services.render_cache keys on it)."""

    how: Literal["stored", "wrap", "default"]
    fmt: Format
    name: str
    image_id: str | None = None

    @property
    def generated(self) -> bool:
        return self.how == "default"

    def parts(self) -> tuple[str, ...]:
        return (self.how, self.fmt, self.name, self.image_id or "")


def _named_image_id(row: IssuedCredential, base_url: str) -> str | None:
    """The id of the uploaded image the credential's achievement names, if it is ours."""
    try:
        document = json.loads(row.document)
        image = document["credentialSubject"]["achievement"]["image"]
        url = image["id"] if isinstance(image, dict) else image
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(url, str) or not url.startswith(base_url + "/images/"):
        return None
    match = IMAGE_URL.search(url)
    return match.group(1) if match else None


def _content_types(session: Session | None, *image_ids: str | None) -> dict[str, str]:
    """Content type by image id, in one query that reads no image bytes."""
    wanted = sorted({image_id for image_id in image_ids if image_id})
    if not wanted or session is None:
        return {}
    return dict(session.execute(select(StoredImage.id, StoredImage.content_type)
                                .where(StoredImage.id.in_(wanted))).all())


def _plan(achievement: Achievement, named: str | None, types: dict[str, str],
          fmt: Format) -> Plan:
    image = achievement.image_id if achievement.image_id in types else None
    named = named if named in types else None
    current = named or image
    if current is not None and types[current] == CONTENT_TYPES[fmt]:
        return Plan("stored", fmt, achievement.name, current)
    if fmt == "svg" and current is not None:
        if current == image and achievement.design_svg_id is not None:
            return Plan("stored", fmt, achievement.name, achievement.design_svg_id)
        return Plan("wrap", fmt, achievement.name, current)
    if fmt == "png" and named is not None and image is not None and types[image] == images.PNG:
        return Plan("stored", fmt, achievement.name, image)
    return Plan("default", fmt, achievement.name)


def plan_for_credential(session: Session, row: IssuedCredential, *, base_url: str,
                        fmt: Format) -> Plan:
    """How the badge image of ``row`` is made: the credential's (or else the achievement's)
    image in ``fmt``, a designed SVG, a PNG wrapped in SVG, or the designed default."""
    named = _named_image_id(row, base_url)
    achievement = row.achievement
    return _plan(achievement, named, _content_types(session, named, achievement.image_id), fmt)


def plan_for_achievement(achievement: Achievement, *, fmt: Format) -> Plan:
    """How the achievement's current badge image in ``fmt`` is made."""
    return _plan(achievement, None,
                 _content_types(object_session(achievement), achievement.image_id), fmt)


def render(session: Session | None, plan: Plan) -> BadgeFile:
    """The file ``plan`` describes (reads the one stored image it needs, if any)."""
    if plan.how == "default":
        return _default(plan.name, plan.fmt)
    found = session.get(StoredImage, plan.image_id) if session is not None else None
    if found is None:  # deleted since the plan was made
        return _default(plan.name, plan.fmt)
    if plan.how == "stored":
        return BadgeFile(found.data, found.content_type, generated=False)
    svg = png_in_svg(found.data, title=plan.name)
    return BadgeFile(svg.encode("utf-8"), images.SVG, generated=False)


def badge_image(session: Session, row: IssuedCredential, *, base_url: str,
                fmt: Format) -> BadgeFile:
    """The badge image of ``row`` in ``fmt`` (:func:`plan_for_credential`)."""
    return render(session, plan_for_credential(session, row, base_url=base_url, fmt=fmt))


def achievement_badge(achievement: Achievement, *, fmt: Format) -> BadgeFile:
    """The achievement's current badge image in ``fmt`` (the designed default without one)."""
    return render(object_session(achievement), plan_for_achievement(achievement, fmt=fmt))


def _default(name: str, fmt: Format) -> BadgeFile:
    if fmt == "png":
        return BadgeFile(badge_png(name), images.PNG, generated=True)
    return BadgeFile(badge_svg(name).encode("utf-8"), images.SVG, generated=True)


def bake_plan(session: Session, row: IssuedCredential, plan: Plan) -> BadgeFile:
    """The image of ``plan`` with the stored credential text baked in, byte for byte. An
    uploaded image that cannot carry it (e.g. an SVG already bound to the Open Badges 2.0
    namespace) is replaced by a generated one."""
    image = render(session, plan)
    try:
        return BadgeFile(baking.bake(image.data, row.document), image.content_type,
                         image.generated)
    except baking.BakingError:
        if image.generated:
            raise
    image = _default(plan.name, plan.fmt)
    return BadgeFile(baking.bake(image.data, row.document), image.content_type, True)


def baked(session: Session, row: IssuedCredential, *, base_url: str, fmt: Format) -> BadgeFile:
    """The badge image of ``row`` with the stored credential text baked in (:func:`bake_plan`)."""
    return bake_plan(session, row, plan_for_credential(session, row, base_url=base_url,
                                                       fmt=fmt))
