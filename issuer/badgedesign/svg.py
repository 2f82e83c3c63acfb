"""Draw a :class:`~issuer.badgedesign.design.BadgeDesign` as SVG (512 × 512 user units).

Only checked values reach the markup: colours matched #rrggbb, the shape and icon come from
allowlists, and the two texts are XML-escaped. No scripts, no external references, no
<image>: the result passes :func:`issuer.services.images.check_image` like any upload.
"""

from __future__ import annotations

import math
import textwrap
from xml.sax.saxutils import escape

from issuer.badgedesign.design import INITIALS, BadgeDesign, initials
from issuer.badgedesign.icons import icon_markup

__all__ = ["SIZE", "contrast_text", "render_svg", "shape_path"]

SIZE = 512
CX, CY, RADIUS = 256, 246, 212
FONT = "DejaVu Sans, Verdana, Arial, Helvetica, sans-serif"
TEXT_WIDTH = 300  # the widest a line of the name may be, in user units
CHAR_WIDTH = 0.62  # average advance of a bold sans glyph, in em (an estimate: no font metrics)
LINE_HEIGHT = 1.12  # em
GAP = 20  # between the icon and the name


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _polygon(points: list[tuple[float, float]]) -> str:
    return "M" + " L".join(f"{_n(x)} {_n(y)}" for x, y in points) + " Z"


def _ring(cx: float, cy: float, r: float, count: int, inner: float,
          offset: float = -math.pi / 2) -> list[tuple[float, float]]:
    points = []
    for index in range(count * 2 if inner else count):
        radius = r if index % 2 == 0 or not inner else r * inner
        angle = offset + index * math.pi / (count if inner else count / 2)
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def shape_path(shape: str, cx: float, cy: float, r: float) -> str:
    """The outline of ``shape`` centred on (cx, cy) within radius ``r``, as path data."""
    if shape == "circle":
        return (f"M{_n(cx - r)} {_n(cy)} A{_n(r)} {_n(r)} 0 1 0 {_n(cx + r)} {_n(cy)} "
                f"A{_n(r)} {_n(r)} 0 1 0 {_n(cx - r)} {_n(cy)} Z")
    if shape == "hexagon":
        return _polygon(_ring(cx, cy, r, 6, 0))
    if shape == "rounded-square":
        half, corner = r * 0.86, r * 0.24
        left, top, right, bottom = cx - half, cy - half, cx + half, cy + half
        return (f"M{_n(left + corner)} {_n(top)} H{_n(right - corner)} "
                f"Q{_n(right)} {_n(top)} {_n(right)} {_n(top + corner)} V{_n(bottom - corner)} "
                f"Q{_n(right)} {_n(bottom)} {_n(right - corner)} {_n(bottom)} H{_n(left + corner)} "
                f"Q{_n(left)} {_n(bottom)} {_n(left)} {_n(bottom - corner)} V{_n(top + corner)} "
                f"Q{_n(left)} {_n(top)} {_n(left + corner)} {_n(top)} Z")
    if shape == "shield":
        w = r * 0.86
        return (f"M{_n(cx)} {_n(cy - r)} L{_n(cx + w)} {_n(cy - r * 0.74)} "
                f"L{_n(cx + w)} {_n(cy + r * 0.02)} "
                f"C{_n(cx + w)} {_n(cy + r * 0.58)} {_n(cx + r * 0.42)} {_n(cy + r * 0.86)} "
                f"{_n(cx)} {_n(cy + r)} "
                f"C{_n(cx - r * 0.42)} {_n(cy + r * 0.86)} {_n(cx - w)} {_n(cy + r * 0.58)} "
                f"{_n(cx - w)} {_n(cy + r * 0.02)} L{_n(cx - w)} {_n(cy - r * 0.74)} Z")
    if shape == "star":  # a sixteen-pointed seal
        return _polygon(_ring(cx, cy, r, 16, 0.87))
    if shape == "rosette":  # a scalloped edge
        count, inner = 18, r * 0.92
        anchors = _ring(cx, cy, inner, count, 0)
        parts = [f"M{_n(anchors[0][0])} {_n(anchors[0][1])}"]
        for index in range(count):
            angle = -math.pi / 2 + (index + 0.5) * 2 * math.pi / count
            control = (cx + r * 1.1 * math.cos(angle), cy + r * 1.1 * math.sin(angle))
            end = anchors[(index + 1) % count]
            parts.append(f"Q{_n(control[0])} {_n(control[1])} {_n(end[0])} {_n(end[1])}")
        return " ".join(parts) + " Z"
    raise ValueError(f"unknown shape {shape!r}")


def _luminance(colour: str) -> float:
    channels = []
    for index in (1, 3, 5):
        value = int(colour[index:index + 2], 16) / 255
        channels.append(value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_text(background: str) -> str:
    """White or near-black, whichever contrasts more with ``background`` (WCAG)."""
    lum = _luminance(background)
    return "#ffffff" if (1.05 / (lum + 0.05)) >= ((lum + 0.05) / (0.0622 + 0.05)) else "#111827"


def _shade(colour: str, amount: float) -> str:
    """``colour`` mixed with black by ``amount`` (0..1)."""
    values = [round(int(colour[i:i + 2], 16) * (1 - amount)) for i in (1, 3, 5)]
    return "#" + "".join(f"{value:02x}" for value in values)


def _title_lines(title: str, *, max_height: float) -> tuple[list[str], float]:
    """The name wrapped into at most three lines, at the largest font size that fits; words
    are split only when one is too long to fit at a readable size."""
    best: tuple[list[str], float] = ([title], 0.0)
    for break_words in (False, True):
        for width in range(8, 61):
            lines = textwrap.wrap(title, width, break_long_words=break_words)
            if len(lines) > 3:
                continue
            longest = max(len(line) for line in lines)
            size = min(46.0, TEXT_WIDTH / (CHAR_WIDTH * longest),
                       max_height / (len(lines) * LINE_HEIGHT))
            if size > best[1] + 0.01:
                best = (lines, size)
        if best[1] >= 22:
            break
    return best


def _ribbon(design: BadgeDesign, y: float) -> str:
    band, tail = design.accent, _shade(design.accent, 0.28)
    height, left, right = 58, 40, 472
    top, bottom = y, y + height
    drop = 14
    mid = top + drop + height / 2
    tails = (  # behind the band, lower, with a V notch in each outer end
        _polygon([(left + 30, top + drop), (left - 28, top + drop), (left - 12, mid),
                  (left - 28, bottom + drop), (left + 30, bottom + drop)])
        + " " +
        _polygon([(right - 30, top + drop), (right + 28, top + drop), (right + 12, mid),
                  (right + 28, bottom + drop), (right - 30, bottom + drop)])
    )
    folds = (_polygon([(left, bottom), (left + 30, bottom), (left + 30, bottom + drop)]) + " "
             + _polygon([(right, bottom), (right - 30, bottom), (right - 30, bottom + drop)]))
    text = escape(design.ribbon.upper())
    size = min(26.0, (right - left - 48) / (0.7 * max(len(text), 1)))
    return (
        f'<path d="{tails}" fill="{tail}"/>'
        f'<path d="{folds}" fill="{_shade(design.accent, 0.5)}"/>'
        f'<rect x="{left}" y="{_n(top)}" width="{right - left}" height="{height}" rx="4" '
        f'fill="{band}"/>'
        f'<text x="{CX}" y="{_n(top + height / 2 + size * 0.36)}" text-anchor="middle" '
        f'font-family="{FONT}" font-size="{_n(size)}" font-weight="700" letter-spacing="2" '
        f'fill="{contrast_text(band)}">{text}</text>'
    )


def render_svg(design: BadgeDesign) -> str:
    """The badge as a standalone SVG document (UTF-8 text)."""
    outer = shape_path(design.shape, CX, CY, RADIUS)
    inner = shape_path(design.shape, CX, CY, RADIUS * 0.89)
    line = shape_path(design.shape, CX, CY, RADIUS * 0.82)
    shadow = shape_path(design.shape, CX, CY + 8, RADIUS)
    ribbon = bool(design.ribbon)
    # The icon and the name form one block, centred in the part of the shape above the ribbon.
    centre = 224 if ribbon else CY
    icon_size = 112 if ribbon else 136
    lines, size = _title_lines(design.title, max_height=96 if ribbon else 118)
    title_height = (len(lines) - 1) * size * LINE_HEIGHT + size * 0.94
    top = centre - (icon_size + GAP + title_height) / 2
    icon_y = top + icon_size / 2
    first_baseline = top + icon_size + GAP + size * 0.74
    if design.icon == INITIALS:
        letters = escape(initials(design.title))
        letter_size = icon_size * (1.0 if len(letters) < 2 else 0.9)
        art = (f'<text x="{CX}" y="{_n(icon_y + letter_size * 0.36)}" text-anchor="middle" '
               f'font-family="{FONT}" font-size="{_n(letter_size)}" font-weight="700" '
               f'fill="{design.foreground}">{letters}</text>')
    else:
        scale = icon_size / 24
        art = (f'<g transform="translate({_n(CX - 12 * scale)} {_n(icon_y - 12 * scale)}) '
               f'scale({_n(scale)})" fill="none" stroke="{design.foreground}" stroke-width="1.75" '
               f'stroke-linecap="round" stroke-linejoin="round" color="{design.foreground}">'
               f"{icon_markup(design.icon)}</g>")
    tspans = "".join(
        f'<tspan x="{CX}" y="{_n(first_baseline + index * size * LINE_HEIGHT)}">'
        f"{escape(text)}</tspan>"
        for index, text in enumerate(lines)
    )
    label = escape(design.title + (f" — {design.ribbon}" if design.ribbon else ""))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" '
        f'viewBox="0 0 {SIZE} {SIZE}" role="img">'
        f"<title>{label}</title>"
        '<defs><linearGradient id="shine" x1="0" y1="0" x2="0" y2="1">'
        '<stop offset="0" stop-color="#ffffff" stop-opacity="0.22"/>'
        '<stop offset="0.55" stop-color="#ffffff" stop-opacity="0"/>'
        "</linearGradient></defs>"
        f'<path d="{shadow}" fill="#000000" fill-opacity="0.16"/>'
        f'<path d="{outer}" fill="{design.accent}" stroke="{design.accent}" stroke-width="10" '
        'stroke-linejoin="round"/>'
        f'<path d="{inner}" fill="{design.background}" stroke="{_shade(design.accent, 0.3)}" '
        'stroke-width="3" stroke-linejoin="round"/>'
        f'<path d="{inner}" fill="url(#shine)"/>'
        f'<path d="{line}" fill="none" stroke="{design.foreground}" stroke-opacity="0.35" '
        'stroke-width="2.5" stroke-dasharray="2 7" stroke-linecap="round" '
        'stroke-linejoin="round"/>'
        f"{art}"
        f'<text text-anchor="middle" font-family="{FONT}" font-size="{_n(size)}" '
        f'font-weight="700" fill="{design.foreground}">{tspans}</text>'
        f"{_ribbon(design, 372) if ribbon else ''}"
        "</svg>\n"
    )
