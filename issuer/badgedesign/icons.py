"""The allowlisted icons of the badge designer: the vendored Lucide subset in ``icons/``.

Each icon is a 24×24 stroke drawing. Only its shape elements and their geometry attributes are
kept, so whatever is in a file, the markup we emit is ours.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from xml.sax.saxutils import quoteattr

import defusedxml.ElementTree as SafeElementTree

__all__ = ["ICON_LABELS", "icon_markup", "icon_names"]

SVG_NS = "{http://www.w3.org/2000/svg}"
SHAPE_ELEMENTS = frozenset({"path", "circle", "rect", "line", "polyline", "polygon", "ellipse"})
GEOMETRY = ("d", "cx", "cy", "r", "rx", "ry", "x", "y", "width", "height", "x1", "y1", "x2",
            "y2", "points")

# name → label shown in the picker (and used as its accessible name)
ICON_LABELS: dict[str, str] = {
    "award": "Award", "medal": "Medal", "trophy": "Trophy", "star": "Star", "crown": "Crown",
    "gem": "Gem", "badge-check": "Badge check", "circle-check": "Check", "shield-check": "Shield",
    "thumbs-up": "Thumbs up", "graduation-cap": "Graduation cap", "book-open": "Open book",
    "book": "Book", "brain": "Brain", "lightbulb": "Light bulb", "languages": "Languages",
    "calculator": "Calculator", "atom": "Atom", "flask-conical": "Flask",
    "microscope": "Microscope", "code": "Code", "terminal": "Terminal", "cpu": "Chip",
    "rocket": "Rocket", "zap": "Lightning", "sparkles": "Sparkles", "flame": "Flame",
    "target": "Target", "flag": "Flag", "mountain": "Mountain", "compass": "Compass",
    "globe": "Globe", "leaf": "Leaf", "sprout": "Sprout", "recycle": "Recycle",
    "heart": "Heart", "heart-handshake": "Care", "handshake": "Handshake", "users": "Team",
    "user-check": "Member", "smile": "Smile", "message-circle": "Message", "mic": "Microphone",
    "music": "Music", "camera": "Camera", "palette": "Palette", "pen-tool": "Pen",
    "puzzle": "Puzzle", "wrench": "Wrench", "hammer": "Hammer", "briefcase": "Briefcase",
    "clock": "Clock", "calendar-check": "Calendar", "key": "Key", "dumbbell": "Fitness",
    "bike": "Bike",
}


def icon_names() -> tuple[str, ...]:
    return tuple(ICON_LABELS)


@cache
def icon_markup(name: str) -> str:
    """The icon's shape elements as SVG markup (24×24 user units, no styling); KeyError for a
    name outside the allowlist."""
    if name not in ICON_LABELS:
        raise KeyError(name)
    data = resources.files(__package__).joinpath("icons", f"{name}.svg").read_bytes()
    root = SafeElementTree.fromstring(data, forbid_dtd=True)
    parts = []
    for element in root.iter():
        tag = element.tag.removeprefix(SVG_NS)
        if tag not in SHAPE_ELEMENTS:
            continue
        attributes = "".join(
            f" {key}={quoteattr(element.attrib[key])}" for key in GEOMETRY if key in element.attrib
        )
        if element.attrib.get("fill") == "currentColor":
            attributes += ' fill="currentColor"'
        parts.append(f"<{tag}{attributes}/>")
    return "".join(parts)
