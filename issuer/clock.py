"""The one place that reads the wall clock, plus date helpers for XML Schema dateTime."""

from __future__ import annotations

from datetime import datetime, timezone


def utc_now() -> datetime:
    """Now, in UTC, to the second (credentials carry whole seconds)."""
    return datetime.now(timezone.utc).replace(microsecond=0)


def format_datetime(value: datetime) -> str:
    """`2026-01-02T03:04:05Z`: the DateTimeZ form OB 3.0 requires."""
    if value.tzinfo is None:
        raise ValueError("datetime must carry a time zone")
    return value.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datetime(value: str) -> datetime:
    """Parse an XML Schema dateTime that carries a zone (`Z` or `+hh:mm`).

    Raises ValueError for anything else, including a dateTime without a zone.
    """
    if not isinstance(value, str):
        raise ValueError("not a string")
    text = value.strip()
    if text != value or "T" not in text:
        raise ValueError(f"not an XML Schema dateTime: {value!r}")
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        raise ValueError(f"dateTime without a time zone: {value!r}")
    return parsed
