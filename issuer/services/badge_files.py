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

from sqlalchemy.orm import Session

from issuer.models import Achievement, IssuedCredential, StoredImage
from issuer.openbadges import baking
from issuer.services import images
from issuer.sharing.badge_image import badge_png, badge_svg, png_in_svg

__all__ = ["BadgeFile", "Format", "achievement_badge", "badge_image", "baked"]

Format = Literal["png", "svg"]
CONTENT_TYPES = {"png": images.PNG, "svg": images.SVG}
IMAGE_URL = re.compile(r"/images/([0-9a-f]{32})\.(png|svg)$")


@dataclass(frozen=True)
class BadgeFile:
    data: bytes
    content_type: str
    generated: bool  # True: a plain generated badge, not an uploaded image


def _named_image(session: Session, row: IssuedCredential, base_url: str) -> StoredImage | None:
    """The uploaded image the credential's achievement names, if it is one of ours."""
    try:
        document = json.loads(row.document)
        image = document["credentialSubject"]["achievement"]["image"]
        url = image["id"] if isinstance(image, dict) else image
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(url, str) or not url.startswith(base_url + "/images/"):
        return None
    match = IMAGE_URL.search(url)
    return session.get(StoredImage, match.group(1)) if match else None


def badge_image(session: Session, row: IssuedCredential, *, base_url: str,
                fmt: Format) -> BadgeFile:
    """The badge image of ``row`` in ``fmt``: the credential's (or else the achievement's)
    image in that format, a designed SVG, a PNG wrapped in SVG, or the designed default."""
    return _badge_of(row.achievement, _named_image(session, row, base_url), fmt)


def achievement_badge(achievement: Achievement, *, fmt: Format) -> BadgeFile:
    """The achievement's current badge image in ``fmt`` (the designed default without one)."""
    return _badge_of(achievement, None, fmt)


def _badge_of(achievement: Achievement, named: StoredImage | None, fmt: Format) -> BadgeFile:
    current = named or achievement.image
    if current is not None and current.content_type == CONTENT_TYPES[fmt]:
        return BadgeFile(current.data, current.content_type, generated=False)
    if fmt == "svg" and current is not None:
        designed = achievement.design_svg if current is achievement.image else None
        if designed is not None:
            return BadgeFile(designed.data, images.SVG, generated=False)
        svg = png_in_svg(current.data, title=achievement.name)
        return BadgeFile(svg.encode("utf-8"), images.SVG, generated=False)
    if fmt == "png" and named is not None and achievement.image is not None \
            and achievement.image.content_type == images.PNG:
        return BadgeFile(achievement.image.data, images.PNG, generated=False)
    return _default(achievement.name, fmt)


def _default(name: str, fmt: Format) -> BadgeFile:
    if fmt == "png":
        return BadgeFile(badge_png(name), images.PNG, generated=True)
    return BadgeFile(badge_svg(name).encode("utf-8"), images.SVG, generated=True)


def baked(session: Session, row: IssuedCredential, *, base_url: str, fmt: Format) -> BadgeFile:
    """The badge image with the stored credential text baked in, byte for byte. An uploaded
    image that cannot carry it (e.g. an SVG already bound to the Open Badges 2.0 namespace)
    is replaced by a generated one."""
    image = badge_image(session, row, base_url=base_url, fmt=fmt)
    try:
        return BadgeFile(baking.bake(image.data, row.document), image.content_type,
                         image.generated)
    except baking.BakingError:
        if image.generated:
            raise
    image = _default(row.achievement.name, fmt)
    return BadgeFile(baking.bake(image.data, row.document), image.content_type, True)
