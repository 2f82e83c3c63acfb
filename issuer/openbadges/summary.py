"""What a person needs to see of a credential (any issuer's): badge image, name, issuer,
recipient name, dates. Read defensively from untrusted JSON; never the recipient's email or
its hash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from issuer.clock import parse_datetime

__all__ = ["BadgeSummary", "summarize"]

MAX_TEXT = 500
# Images we show: web URLs, and raster/SVG data URLs (an <img> never runs an SVG's scripts).
DATA_IMAGE = re.compile(r"^data:image/(?:png|jpeg|gif|webp|svg\+xml)[;,]", re.IGNORECASE)


@dataclass(frozen=True)
class BadgeSummary:
    name: str | None
    description: str | None
    image_url: str | None
    issuer_name: str | None
    issuer_id: str | None
    recipient_name: str | None
    valid_from: str | None
    valid_until: str | None
    awarded: str | None
    credential_id: str | None
    achievement_type: str | None


def _text(value: Any) -> str | None:
    if isinstance(value, dict):  # a language map / value object: take any plain string
        value = value.get("@value") or next((v for v in value.values() if isinstance(v, str)), None)
    if not isinstance(value, str) or not value.strip():
        return None
    value = " ".join(value.split())
    return value if len(value) <= MAX_TEXT else value[:MAX_TEXT - 1] + "…"


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _image(value: Any) -> str | None:
    value = _first(value)
    url = value.get("id") if isinstance(value, dict) else value
    if not isinstance(url, str):
        return None
    url = url.strip()
    if url.lower().startswith(("https://", "http://")) and len(url) <= 2048 and " " not in url:
        return url
    if DATA_IMAGE.match(url) and len(url) <= 1024 * 1024:
        return url
    return None


def _date(value: Any) -> str | None:
    """An ISO date-time shown as ``2024-01-31 12:00 UTC`` (or as given when unparseable)."""
    text = _text(value)
    if text is None:
        return None
    try:
        return parse_datetime(text).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    except (ValueError, TypeError, OverflowError):
        return text


def summarize(document: Any) -> BadgeSummary:
    """The displayable facts of ``document`` (a parsed credential); missing ones are None."""
    credential = document if isinstance(document, dict) else {}
    subject = _first(credential.get("credentialSubject"))
    subject = subject if isinstance(subject, dict) else {}
    achievement = subject.get("achievement")
    achievement = _first(achievement) if isinstance(achievement, (dict, list)) else {}
    achievement = achievement if isinstance(achievement, dict) else {}
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    issuer_name = _text(issuer.get("name")) if isinstance(issuer, dict) else None
    kind = achievement.get("achievementType")
    return BadgeSummary(
        name=_text(achievement.get("name")) or _text(credential.get("name")),
        description=_text(achievement.get("description")) or _text(credential.get("description")),
        image_url=_image(achievement.get("image")) or _image(credential.get("image")),
        issuer_name=issuer_name,
        issuer_id=_text(issuer_id),
        recipient_name=_text(subject.get("name")),
        valid_from=_date(credential.get("validFrom") or credential.get("issuanceDate")),
        valid_until=_date(credential.get("validUntil") or credential.get("expirationDate")),
        awarded=_date(credential.get("awardedDate")),
        credential_id=_text(credential.get("id")),
        achievement_type=_text(kind),
    )
