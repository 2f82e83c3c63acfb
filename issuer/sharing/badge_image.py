"""A plain generated badge image (PNG with Pillow, or a small SVG) for achievements that have
no image in the format wanted: a coloured disc with the achievement's name on it.

Used to bake a credential into a PNG or SVG when the achievement's own image is missing or in
the other format (we do not rasterise or trace uploaded images). Deterministic: the same name
gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import textwrap
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont

__all__ = ["PNG_SIZE", "badge_png", "badge_svg"]

PNG_SIZE = 512
# Dark enough for white text (WCAG AA at these sizes).
PALETTE = ("#2357c6", "#1b7a5a", "#8a3ffc", "#b3261e", "#00607a", "#6b4f00", "#3d4a5c")
MAX_LINES = 4
LINE_WIDTH = 16  # characters


def _colour(name: str) -> str:
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return PALETTE[digest[0] % len(PALETTE)]


def _lines(name: str) -> list[str]:
    printable = "".join(ch if ch.isprintable() else " " for ch in (name or ""))
    text = " ".join(printable.split()) or "Badge"
    lines = textwrap.wrap(text, LINE_WIDTH, break_long_words=True) or ["Badge"]
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES]
        lines[-1] = lines[-1][:LINE_WIDTH - 1].rstrip() + "…"
    return lines


def badge_png(name: str) -> bytes:
    """A PNG_SIZE × PNG_SIZE PNG: a disc with ``name`` in white, on a transparent background."""
    size = PNG_SIZE
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    colour = _colour(name)
    draw.ellipse((8, 8, size - 8, size - 8), fill=colour, outline="#ffffff", width=10)
    draw.ellipse((40, 40, size - 40, size - 40), outline="#ffffff", width=3)
    lines = _lines(name)
    font = ImageFont.load_default(size=44)
    line_height = 54
    top = size // 2 - line_height * len(lines) // 2
    for index, line in enumerate(lines):
        draw.text((size // 2, top + index * line_height + line_height // 2), line,
                  fill="#ffffff", font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def badge_svg(name: str) -> str:
    """A small SVG badge with ``name`` (XML-escaped) as text; no scripts, no external refs."""
    lines = _lines(name)
    colour = _colour(name)
    line_height = 27
    first = 128 - line_height * (len(lines) - 1) / 2
    texts = "".join(
        f'<tspan x="128" y="{first + index * line_height:g}">{escape(line)}</tspan>'
        for index, line in enumerate(lines)
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">'
        f'<title>{escape(" ".join(lines))}</title>'
        f'<circle cx="128" cy="128" r="122" fill="{colour}" stroke="#fff" stroke-width="5"/>'
        '<circle cx="128" cy="128" r="108" fill="none" stroke="#fff" stroke-width="1.5"/>'
        '<text fill="#fff" font-family="system-ui, sans-serif" font-size="22" font-weight="700" '
        f'text-anchor="middle" dominant-baseline="middle">{texts}</text>'
        "</svg>\n"
    )
