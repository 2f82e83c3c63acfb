"""Badge images made here rather than uploaded: the designed default of an achievement that
has no image (a disc in a colour chosen by its name, with its initials and name, drawn by
:mod:`issuer.badgedesign`), and an SVG wrapper that carries a PNG badge, so that a PNG-only
badge can be baked into an SVG and still show the real badge.

Deterministic: the same input gives the same bytes.
"""

from __future__ import annotations

import base64
import io
from xml.sax.saxutils import escape, quoteattr

from PIL import Image

from issuer.badgedesign.design import default_design
from issuer.badgedesign.raster import render_png
from issuer.badgedesign.svg import render_svg

__all__ = ["PNG_SIZE", "badge_png", "badge_svg", "png_in_svg"]

PNG_SIZE = 512


def badge_svg(name: str) -> str:
    """The designed default badge of an achievement named ``name``, as SVG."""
    return render_svg(default_design(name))


def badge_png(name: str) -> bytes:
    """The same badge as a PNG_SIZE × PNG_SIZE PNG with a transparent background."""
    return render_png(badge_svg(name), size=PNG_SIZE)


def png_in_svg(png: bytes, *, title: str) -> str:
    """An SVG showing ``png`` (a checked PNG) at its own size, embedded as a data: URI: no
    external reference, so it displays wherever the SVG goes, baked credential included."""
    with Image.open(io.BytesIO(png)) as image:
        width, height = image.size
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img">'
        f"<title>{escape(title)}</title>"
        f'<image href={quoteattr(uri)} x="0" y="0" width="{width}" height="{height}"/>'
        "</svg>\n"
    )
