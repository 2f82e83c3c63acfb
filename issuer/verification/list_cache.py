"""Status list credentials verified once per content, not once per check (issue 13).

Every status check verifies the list credential it reads (its contexts, schema and proof: two
canonicalizations), and the same list serves thousands of credentials. A list's verification
depends on its content, on what its issuer's controller documents say (the key) and on the
time (its validity period); so the cache is keyed by the SHA-256 of the list's JSON, remembers
what each controller lookup answered, and on a hit asks them again: when any answers
differently the list is verified afresh. The validity check is always made again for ``now``.
Process-local and bounded (least recently used first out): content-addressed, so always right.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from issuer import jsontext
from issuer.dataintegrity.document_loader import DEFAULT_LOADER
from issuer.verification import checks
from issuer.verification.results import CheckResult, Status, VerificationResult, first_line
from issuer.verification.verifier import DEFAULT_CLOCK_SKEW, verify_credential

MAX_ENTRIES = 256


@dataclass(frozen=True)
class _Entry:
    result: VerificationResult
    # (controller id, what the resolver answered for it), in the order asked
    lookups: tuple[tuple[str, str], ...]


class ListVerificationCache:
    """Verification results of status list credentials by content (bounded, thread-safe)."""

    def __init__(self, max_entries: int = MAX_ENTRIES):
        self.max_entries = max_entries
        self._entries: OrderedDict[bytes, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def verify(self, document: Any, *, now: datetime,
               resolve_controller: checks.ControllerResolver | None) -> VerificationResult:
        """:func:`verify_credential` of a status list credential (no status checker), from the
        cache when the same content was verified with the same controller answers."""
        key = content_key(document)
        if key is None:  # not serialisable as JSON (a lone surrogate): verified every time
            return verify_credential(document, now=now, resolve_controller=resolve_controller)
        key += b"+resolver" if resolve_controller is not None else b"-resolver"
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
        if entry is not None and all(answer(resolve_controller, cid) == said
                                     for cid, said in entry.lookups):  # said is never None
            self.hits += 1
            return _revalidated(entry.result, document, now)
        self.misses += 1
        asked: dict[str, str | None] = {}

        def recording(controller_id: str) -> dict[str, Any] | None:
            try:
                found = resolve_controller(controller_id) if resolve_controller else None
            except Exception as exc:
                asked.setdefault(controller_id, _said_error(exc))
                raise
            asked.setdefault(controller_id, _said(found))
            return found

        result = verify_credential(document, now=now,
                                   resolve_controller=recording if resolve_controller else None)
        validity = _validity(result)
        if (validity is not None and validity.status in (Status.PASSED, Status.FAILED)
                and None not in asked.values()):
            # only a result whose validity check was made (not cut short by a limit), on
            # answers that can be compared next time, is kept
            with self._lock:
                self._entries[key] = _Entry(result, tuple(asked.items()))
                self._entries.move_to_end(key)
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        return result

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def content_key(document: Any) -> bytes | None:
    """SHA-256 of the document's JSON (keys sorted); None when it is not JSON data."""
    try:
        return hashlib.sha256(jsontext.dumps_bytes(document, sort_keys=True)).digest()
    except (TypeError, ValueError):
        return None


def _said(found: Any) -> str | None:
    """What a resolver answered, as remembered; None for an answer that cannot be hashed
    (a result resting on it is not kept)."""
    if found is None:
        return "none"
    key = content_key(found)
    return "doc:" + key.hex() if key is not None else None


def _said_error(exc: BaseException) -> str:
    return f"error:{exc.__class__.__name__}:{first_line(exc)}"


def answer(resolve_controller: checks.ControllerResolver | None,
           controller_id: str) -> str | None:
    """What the resolver answers for ``controller_id`` now, as the cache remembers it."""
    if resolve_controller is None:
        return "none"
    try:
        return _said(resolve_controller(controller_id))
    except Exception as exc:
        return _said_error(exc)


def _validity(result: VerificationResult):
    for check in result.checks:
        if check.id == checks.VALIDITY[0]:
            return check
    return None


def _revalidated(result: VerificationResult, document: Any, now: datetime) -> VerificationResult:
    """The cached result with its validity check made again for ``now``."""
    ctx = checks.VerifyContext(now=now, loader=DEFAULT_LOADER, resolve_controller=None,
                               recipient_email=None, clock_skew=DEFAULT_CLOCK_SKEW,
                               status_checker=None)
    try:
        fresh = checks.check_validity(document, ctx)
    except Exception as exc:  # as the verifier reports a check that broke
        cid, title = checks.VALIDITY
        fresh = CheckResult(cid, title, Status.FAILED,
                                   f"internal error while checking: {exc.__class__.__name__}")
    return replace(result, checks=tuple(fresh if check.id == fresh.id else check
                                        for check in result.checks))


LISTS = ListVerificationCache()


def verify_list(document: Any, *, now: datetime,
                resolve_controller: checks.ControllerResolver | None) -> VerificationResult:
    """Verify a status list credential through the process's cache (:data:`LISTS`)."""
    return LISTS.verify(document, now=now, resolve_controller=resolve_controller)
