"""Issue at most once per key: idempotency keys written with the credential they stand for.

The key row is added by ``issuance.issue(..., on_issued=record(...))``, inside the credential's
own transaction, and (scope, key) is unique in the database. So whichever worker commits
first wins; a concurrent repeat fails on the constraint, rolls back its credential and finds
the winner's row. A repeat with another request body is refused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from issuer.errors import InvalidRequest
from issuer.models import IdempotencyKey, IssuedCredential

MAX_KEY_LENGTH = 255
BULK_SCOPE = "bulk"


class KeyReused(InvalidRequest):
    """The same Idempotency-Key came with a different request."""

    title = "Idempotency key reused"
    status = 422


def check_key(value: str | None) -> str:
    """An Idempotency-Key header value: 1-255 visible ASCII characters."""
    value = (value or "").strip()
    if not value or len(value) > MAX_KEY_LENGTH or not all(33 <= ord(c) <= 126 for c in value):
        raise InvalidRequest(
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} visible ASCII characters, "
            "e.g. a UUID"
        )
    return value


def fingerprint(request: Any) -> str:
    """SHA-256 of the request's JSON in a canonical form (key order and spacing ignored)."""
    text = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def find(session: Session, *, scope: str, key: str) -> IdempotencyKey | None:
    return session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
    )


def replay(session: Session, *, scope: str, key: str, request_hash: str) -> IssuedCredential | None:
    """The credential a key already issued (None: the key is new); KeyReused when the first
    request was a different one."""
    found = find(session, scope=scope, key=key)
    if found is None:
        return None
    if found.request_hash != request_hash:
        raise KeyReused(
            "this Idempotency-Key was used for a different request; use a new key for a new "
            "credential"
        )
    return found.credential


def record(
    *, scope: str, key: str, request_hash: str, now: datetime
) -> Callable[[Session, IssuedCredential], None]:
    """An ``on_issued`` hook that saves the key with the credential."""

    def _add(session: Session, row: IssuedCredential) -> None:
        session.add(IdempotencyKey(scope=scope, key=key, request_hash=request_hash,
                                   credential_id=row.id, created_at=now))

    return _add
