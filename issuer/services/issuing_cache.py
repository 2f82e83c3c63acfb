"""Per-process caches of what issuing looks up on every request (API tokens, the achievement
with its issuer profile and active key), invalidated across workers and hosts by a shared
generation counter (``cache_generations``, issuer.issuing_models).

- A request reads the counter once (:func:`generation`, one indexed SELECT, remembered in
  the session until it writes); a process's cache built under another value is dropped.
- Every flush that inserts, changes or deletes an issuer profile, signing key, achievement,
  OAuth client or API token (a token's ``last_used_at`` alone excepted, and new tokens,
  which no cache can hold yet), and every ORM-level UPDATE/DELETE statement on their tables,
  bumps the counter **in the same transaction** (a SQLAlchemy ``before_flush`` /
  ``do_orm_execute`` listener on every Session, in issuer.issuing_models, registered in
  every process that opens a database session). So a key rotation, profile edit or token
  revocation is seen by every worker on its next request: there is no TTL to wait for.
- Only positive results are cached (an unknown token or achievement is looked up again),
  entries hold plain values, never ORM instances, and a process that forked starts empty.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from issuer.issuing_models import (
    BUMPED,
    GENERATION,
    QUIET,
    SEEN_GENERATION,
    CacheGeneration,
    bump,
)

MAX_ENTRIES = 10_000  # per process; the cache starts over beyond this
__all__ = ["GENERATION", "QUIET", "bump", "cached", "forget_generation", "generation"]
T = TypeVar("T")


def generation(session: Session) -> int:
    """The shared generation, read once per session (until the session bumps it)."""
    value = session.info.get(SEEN_GENERATION)
    if value is None:
        value = session.scalar(select(CacheGeneration.value)
                               .where(CacheGeneration.name == GENERATION)) or 0
        session.info[SEEN_GENERATION] = value
    return value


def forget_generation(session: Session) -> None:
    """Read the generation again on next use (a long-running session, e.g. a bulk batch)."""
    session.info.pop(SEEN_GENERATION, None)


class _Cache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.generation: int | None = None
        self.entries: dict[tuple, Any] = {}


_caches: weakref.WeakKeyDictionary[Engine, _Cache] = weakref.WeakKeyDictionary()
_caches_pid = os.getpid()
_caches_lock = threading.Lock()


def _cache(engine: Engine) -> _Cache:
    global _caches, _caches_pid
    with _caches_lock:
        if _caches_pid != os.getpid():
            _caches, _caches_pid = weakref.WeakKeyDictionary(), os.getpid()
        found = _caches.get(engine)
        if found is None:
            found = _caches[engine] = _Cache()
        return found


def cached(session: Session, key: tuple, load: Callable[[], T]) -> T:
    """``load()``'s value for ``key``, from this process's cache when it was built under the
    current generation. ``load`` must return plain values (no ORM instances)."""
    if session.info.get(BUMPED):  # this transaction changed cached data: it may roll back
        return load()
    current = generation(session)  # read before loading: what is loaded is at least as new
    cache = _cache(session.get_bind())
    with cache.lock:
        if cache.generation is not None and current < cache.generation:
            stale = True  # a request that began before a change another thread saw: no cache
        else:
            stale = False
            if cache.generation != current:
                cache.entries.clear()
                cache.generation = current
            if key in cache.entries:
                return cache.entries[key]
    value = load()
    if stale:
        return value
    with cache.lock:
        if cache.generation == current:
            if len(cache.entries) >= MAX_ENTRIES:
                cache.entries.clear()
            cache.entries[key] = value
    return value
