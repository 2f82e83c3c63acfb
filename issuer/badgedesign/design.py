"""The design record of a badge and its checks: every value is validated before anything is
drawn (colours as #rrggbb, shape and icon from allowlists, bounded texts)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from issuer.badgedesign.icons import ICON_LABELS

__all__ = [
    "DESIGN_VERSION", "INITIALS", "MAX_RIBBON", "MAX_TITLE", "SHAPES", "BadgeDesign",
    "DesignInvalid", "default_design", "initials", "parse_design",
]

DESIGN_VERSION = 1
SHAPES: dict[str, str] = {
    "circle": "Circle",
    "shield": "Shield",
    "hexagon": "Hexagon",
    "rounded-square": "Rounded square",
    "rosette": "Rosette",
    "star": "Star",
}
INITIALS = "initials"  # the "icon" that shows the name's initials instead of a drawing
MAX_TITLE = 60
MAX_RIBBON = 24
COLOUR = re.compile(r"^#[0-9a-f]{6}$")

# (background, accent, foreground) sets used for designed defaults; white or dark text on
# each background passes WCAG AA for large text.
PALETTES = (
    ("#1d4ed8", "#fbbf24", "#ffffff"),
    ("#0f766e", "#99f6e4", "#ffffff"),
    ("#7c3aed", "#f0abfc", "#ffffff"),
    ("#b91c1c", "#fde68a", "#ffffff"),
    ("#0e7490", "#e0f2fe", "#ffffff"),
    ("#92400e", "#fcd34d", "#ffffff"),
    ("#334155", "#cbd5e1", "#ffffff"),
    ("#15803d", "#bbf7d0", "#ffffff"),
)


class DesignInvalid(ValueError):
    """A design record with bad values; ``errors`` maps each field to a readable message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class BadgeDesign:
    shape: str
    background: str  # #rrggbb
    accent: str  # #rrggbb: rim and ribbon
    foreground: str  # #rrggbb: icon and name
    icon: str  # a name in ICON_LABELS, or INITIALS
    title: str
    ribbon: str = ""

    def to_record(self) -> dict[str, Any]:
        """The JSON record stored with the achievement."""
        return {"version": DESIGN_VERSION, **asdict(self)}


def _text(value: Any) -> str:
    text = value if isinstance(value, str) else ""
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return " ".join(text.split())


def parse_design(values: Mapping[str, Any]) -> BadgeDesign:
    """A checked design from form values or a stored record; raises DesignInvalid."""
    errors: dict[str, str] = {}
    shape = values.get("shape")
    if not isinstance(shape, str) or shape not in SHAPES:
        errors["shape"] = "Choose one of the shapes."
    colours = {}
    for key, label in (("background", "background"), ("accent", "accent"),
                       ("foreground", "icon and text")):
        colour = values.get(key)
        colour = colour.strip().lower() if isinstance(colour, str) else ""
        if not COLOUR.match(colour):
            errors[key] = f"The {label} colour must be written as #rrggbb."
        colours[key] = colour
    icon = values.get("icon")
    if not isinstance(icon, str) or (icon != INITIALS and icon not in ICON_LABELS):
        errors["icon"] = "Choose one of the icons."
    title = _text(values.get("title"))
    if not title:
        errors["title"] = "Enter the text shown on the badge."
    elif len(title) > MAX_TITLE:
        errors["title"] = f"The badge text may have at most {MAX_TITLE} characters."
    ribbon = _text(values.get("ribbon"))
    if len(ribbon) > MAX_RIBBON:
        errors["ribbon"] = f"The ribbon text may have at most {MAX_RIBBON} characters."
    if errors:
        raise DesignInvalid(errors)
    return BadgeDesign(shape=shape, icon=icon, title=title, ribbon=ribbon, **colours)


def initials(name: str) -> str:
    """Up to two initials of ``name`` (letters or digits), upper-cased; "B" for none."""
    words = [word for word in re.split(r"[\W_]+", name or "") if word]
    letters = "".join(word[0] for word in words[:2]).upper()
    return letters or "B"


def default_design(name: str) -> BadgeDesign:
    """The designed default of an achievement without an image: a disc in a colour chosen by
    the name, with its initials and the name. Deterministic."""
    digest = hashlib.sha256((name or "").encode("utf-8")).digest()
    background, accent, foreground = PALETTES[digest[0] % len(PALETTES)]
    title = _text(name)[:MAX_TITLE].strip() or "Badge"
    return BadgeDesign(shape="circle", background=background, accent=accent,
                       foreground=foreground, icon=INITIALS, title=title)
