"""Designed badges: a checked design becomes the achievement's SVG and the PNG rendered from
it, both stored as images (the designed default of an achievement without an image is in
:mod:`issuer.sharing.badge_image`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from issuer.badgedesign.design import BadgeDesign, DesignInvalid, parse_design
from issuer.badgedesign.raster import RenderUnavailable, render_png
from issuer.badgedesign.svg import render_svg
from issuer.errors import ValidationFailed
from issuer.models import Achievement, StoredImage
from issuer.services import images

__all__ = ["DesignedBadge", "check_design", "design_of", "store_design"]

FIELD_PREFIX = "design_"  # form fields are named design_<key>


@dataclass(frozen=True)
class DesignedBadge:
    design: BadgeDesign
    svg: StoredImage
    png: StoredImage


def check_design(values: Mapping[str, Any]) -> BadgeDesign:
    """The checked design; raises ValidationFailed naming the form fields (design_<key>)."""
    try:
        return parse_design(values)
    except DesignInvalid as error:
        raise ValidationFailed(
            {FIELD_PREFIX + key: message for key, message in error.errors.items()}
        ) from None


def store_design(session: Session, design: BadgeDesign, *, max_bytes: int,
                 now: datetime) -> DesignedBadge:
    """Draw ``design``, render its PNG and add both images to the session (the caller
    commits). The SVG goes through the same checks as an upload."""
    svg_text = render_svg(design)
    try:
        png_data = render_png(svg_text)
    except RenderUnavailable as error:  # said on the form, not as a 500
        raise ValidationFailed({"rendering": f"{error} Upload an image instead."}) from None
    svg = images.store_image(session, svg_text.encode("utf-8"), max_bytes=max_bytes, now=now)
    png = images.store_image(session, png_data, max_bytes=max_bytes, now=now)
    return DesignedBadge(design=design, svg=svg, png=png)


def design_of(achievement: Achievement | None) -> BadgeDesign | None:
    """The saved design of ``achievement``, if it was made in the designer."""
    if achievement is None or not achievement.design or achievement.design_svg is None:
        return None
    try:
        return parse_design(achievement.design)
    except DesignInvalid:  # a record from a later version with values we do not know
        return None
