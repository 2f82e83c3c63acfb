"""Render a badge SVG we generated to PNG with CairoSVG (libcairo; text through fontconfig).

Only our own SVG is rendered here (:mod:`issuer.badgedesign.svg`), never an upload: CairoSVG
is told not to load anything outside the document. CairoSVG is imported on first use, so a
server without the Cairo library still starts (and says what is missing when it renders).
"""

from __future__ import annotations

__all__ = ["RenderUnavailable", "render_png"]


class RenderUnavailable(RuntimeError):
    """The Cairo library is not installed (Debian: apt-get install libcairo2)."""


def render_png(svg: str, *, size: int = 512) -> bytes:
    """``svg`` as a ``size`` × ``size`` PNG with a transparent background."""
    try:
        import cairosvg
    except OSError as error:  # cairocffi could not load libcairo
        raise RenderUnavailable(
            "Rendering badges to PNG needs the Cairo library (Debian: libcairo2)."
        ) from error
    return cairosvg.svg2png(bytestring=svg.encode("utf-8"), output_width=size,
                            output_height=size, unsafe=False)
