"""Render a badge SVG we generated to PNG with CairoSVG (libcairo; text through fontconfig).

Only our own SVG is rendered here (:mod:`issuer.badgedesign.svg`); CairoSVG is told not to
load anything outside the document.
"""

from __future__ import annotations

import cairosvg

__all__ = ["render_png"]


def render_png(svg: str, *, size: int = 512) -> bytes:
    """``svg`` as a ``size`` × ``size`` PNG with a transparent background."""
    return cairosvg.svg2png(bytestring=svg.encode("utf-8"), output_width=size,
                            output_height=size, unsafe=False)
