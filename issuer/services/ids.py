"""Our row ids are canonical UUID strings; look rows up by one safely."""

from __future__ import annotations

import uuid
from typing import TypeVar

from sqlalchemy.orm import Session

from issuer.errors import NotFound

Row = TypeVar("Row")


def is_uuid(value: object) -> bool:
    """Is ``value`` a UUID in the canonical lower-case form our ids are stored in?"""
    try:
        return str(uuid.UUID(value)) == value  # type: ignore[arg-type]
    except (ValueError, TypeError, AttributeError):
        return False


def get_or_not_found(session: Session, model: type[Row], row_id: object, what: str) -> Row:
    """The ``model`` row with id ``row_id``; NotFound ("no <what> '<id>'") for anything else,
    including values that are not ids at all (never a database error)."""
    row = session.get(model, row_id) if is_uuid(row_id) else None
    if row is None:
        raise NotFound(f"no {what} {row_id!r}")
    return row
