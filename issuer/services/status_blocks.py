"""Status list indexes handed out in blocks: each worker process reserves a run of a list's
counter positions in one short transaction and hands them out from memory (the allocation
rules are in issuer.services.status_allocation's docstring).

- A block (``status_index_blocks``: which list, which positions, which host:pid, when) is
  reserved with a compare-and-set on the list's counter, so concurrent reservations on any
  host never overlap, and the counter only moves forward: no position is handed out twice,
  across crashes and restarts too. A process that forked (gunicorn, multiprocessing) drops
  the blocks it inherited; threads share the process's blocks under a lock.
- Positions a block never hands out (the worker stopped or crashed, an issue failed) are
  **gaps**: never used, counted as ``reserved - used`` in :func:`list_figures`. The counter
  counts them, so a list rolls over when its capacity including gaps is spent.
- On PostgreSQL a block is reserved in a transaction of its own (the list row is locked only
  for the counter update). On SQLite (one writer at a time, one machine) it is reserved in
  the caller's transaction and joins the process's pool when that commits (a rollback drops
  it, as it undoes the counter update).
"""

from __future__ import annotations

import os
import socket
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

from issuer.errors import Conflict
from issuer.issuing_models import StatusIndexBlock
from issuer.models import IssuerProfile, StatusEntry, StatusList
from issuer.services import urls
from issuer.services.keystore import FileKeyStore
from issuer.services.status_allocation import (
    ALLOCATION_ATTEMPTS,
    LIST_SIZE,
    PURPOSES,
    Allocation,
    allocate,
    check_arguments,
    open_list,
    write_lock,
)
from issuer.statuslist import permutation

BLOCK_SIZE = 128  # counter positions a worker reserves at a time


def reserve(
    session: Session,
    profile: IssuerProfile | int,
    *,
    keystore: FileKeyStore,
    base_url: str,
    now: datetime,
    list_size: int = LIST_SIZE,
    purposes: Iterable[str] = PURPOSES,
    block_size: int = BLOCK_SIZE,
) -> list[Allocation]:
    """One fresh index in each of the profile's current lists (``purposes``, in PURPOSES
    order), from this process's blocks (module docstring); ``profile`` may be its id. Then
    call :func:`record` (or :func:`record_signed`) in the transaction that stores the
    credential. An index reserved for a credential that is then not stored stays a gap."""
    check_arguments(list_size, purposes)
    profile_id = profile if isinstance(profile, int) else profile.id
    return [_take(session, profile_id, purpose, keystore=keystore, base_url=base_url, now=now,
                  list_size=list_size, block_size=block_size)
            for purpose in PURPOSES if purpose in set(purposes)]


@dataclass
class _Block:
    list_id: str
    list_size: int
    key: bytes
    next: int
    stop: int

    def take(self, purpose: str, base_url: str) -> Allocation:
        position = self.next
        self.next += 1
        return Allocation(self.list_id, purpose,
                          permutation.index_at(self.key, position, self.list_size),
                          urls.status_list_url(base_url, self.list_id))

    @property
    def left(self) -> int:
        return self.stop - self.next


class _Pool:
    """The blocks one process holds for one database (engine)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.blocks: dict[tuple[int, str], _Block] = {}


_pools: weakref.WeakKeyDictionary[Engine, _Pool] = weakref.WeakKeyDictionary()
_pools_pid = os.getpid()
_pools_lock = threading.Lock()
_PENDING = "issuer.status_blocks.pending"
_LISTENING = "issuer.status_blocks.listening"


def _pool(engine: Engine) -> _Pool:
    global _pools, _pools_pid
    with _pools_lock:
        if _pools_pid != os.getpid():  # forked: the parent's blocks are the parent's
            _pools, _pools_pid = weakref.WeakKeyDictionary(), os.getpid()
        pool = _pools.get(engine)
        if pool is None:
            pool = _pools[engine] = _Pool()
        return pool


def drop_blocks() -> None:
    """Forget every block this process holds (their unused positions become gaps)."""
    with _pools_lock:
        _pools.clear()


def _take(session: Session, profile_id: int, purpose: str, *, keystore, base_url, now,
          list_size, block_size) -> Allocation:
    engine = session.get_bind()
    pool = _pool(engine)
    slot = (profile_id, purpose)
    if engine.dialect.name == "postgresql":
        with pool.lock:  # one reservation at a time per process and database
            block = pool.blocks.get(slot)
            if block is None or not block.left:
                with Session(bind=engine, expire_on_commit=False) as own, own.begin():
                    block = _reserve_block(own, profile_id, purpose, keystore=keystore,
                                           base_url=base_url, now=now, list_size=list_size,
                                           block_size=block_size)
                pool.blocks[slot] = block
            return block.take(purpose, base_url)
    with pool.lock:
        block = pool.blocks.get(slot)
        if block is not None and block.left:
            return block.take(purpose, base_url)
    if session.in_nested_transaction():  # a block must not roll back with a savepoint alone
        return allocate(session, session.get(IssuerProfile, profile_id), keystore=keystore,
                        base_url=base_url, now=now, list_size=list_size, purposes=[purpose])[0]
    session.flush()  # the caller's pending rows: their errors are not for our SAVEPOINTs
    write_lock(session)  # before reading what we are about to change (BEGIN IMMEDIATE)
    if not session.info.get(_LISTENING):
        session.info[_LISTENING] = True
        event.listen(session, "after_commit", _promote)
        event.listen(session, "after_rollback", _forget)
    pending = session.info.setdefault(_PENDING, {})
    block = pending.get(slot)
    if block is None or not block.left:
        block = pending[slot] = _reserve_block(
            session, profile_id, purpose, keystore=keystore, base_url=base_url, now=now,
            list_size=list_size, block_size=block_size)
    return block.take(purpose, base_url)


def _promote(session: Session) -> None:
    """After the commit that reserved them (SQLite): the blocks join the process's pool."""
    if session.in_nested_transaction():
        return  # a SAVEPOINT released: the blocks commit with the outer transaction
    pending = session.info.pop(_PENDING, {})
    pool = _pool(session.get_bind())
    with pool.lock:
        for slot, block in pending.items():
            held = pool.blocks.get(slot)
            if block.left and (held is None or held.left < block.left):
                pool.blocks[slot] = block  # the other block's rest becomes a gap


def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)  # rolled back with the counter update


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def _reserve_block(session: Session, profile_id: int, purpose: str, *, keystore, base_url,
                   now, list_size, block_size) -> _Block:
    """Up to ``block_size`` positions of the profile's current list, recorded as a block
    (the session's transaction; compare-and-set on the counter, so concurrent reservations
    on any host never overlap)."""
    table = StatusList.__table__

    def profile_row(own: Session) -> IssuerProfile:
        return own.get(IssuerProfile, profile_id)

    for _attempt in range(ALLOCATION_ATTEMPTS):
        current = session.execute(
            select(table.c.id, table.c.allocated, table.c.size, table.c.permutation_key)
            .where(table.c.profile_id == profile_id, table.c.purpose == purpose,
                   table.c.is_current.is_(True))
        ).one_or_none()
        if current is None:
            open_list(session, profile_row(session), purpose, retire=None, keystore=keystore,
                       base_url=base_url, now=now, list_size=list_size)
            continue
        list_id, allocated, size, key = current
        if allocated >= size:
            open_list(session, profile_row(session), purpose, retire=list_id,
                       keystore=keystore, base_url=base_url, now=now, list_size=list_size)
            continue
        count = min(block_size, size - allocated)
        moved = session.execute(
            table.update().where(table.c.id == list_id, table.c.allocated == allocated)
            .values(allocated=allocated + count)
        ).rowcount
        if not moved:
            continue  # another worker took positions meanwhile: read the counter again
        session.execute(StatusIndexBlock.__table__.insert().values(
            list_id=list_id, first=allocated, count=count, holder=_holder(), reserved_at=now))
        return _Block(list_id, size, key, allocated, allocated + count)
    raise Conflict("could not reserve status list indexes; try again")


# --- figures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListFigures:
    """How a list's positions are spent. ``reserved`` (the counter) = ``used`` (credentials
    with an index in it) + ``unused``: gaps (blocks of workers that stopped, issues that
    failed) and whatever running workers still hold. ``free`` is never reserved yet."""

    list_id: str
    profile_id: int
    purpose: str
    is_current: bool
    size: int
    reserved: int
    used: int
    blocks: int

    @property
    def unused(self) -> int:
        return self.reserved - self.used

    @property
    def free(self) -> int:
        return self.size - self.reserved


def list_figures(session: Session, profile_id: int | None = None) -> list[ListFigures]:
    """Every status list's figures (of one profile, or all), oldest first."""
    used = (select(StatusEntry.list_id, func.count().label("used"))
            .group_by(StatusEntry.list_id).subquery())
    blocks = (select(StatusIndexBlock.list_id, func.count().label("blocks"))
              .group_by(StatusIndexBlock.list_id).subquery())
    query = (select(StatusList.id, StatusList.profile_id, StatusList.purpose,
                    StatusList.is_current, StatusList.size, StatusList.allocated,
                    func.coalesce(used.c.used, 0), func.coalesce(blocks.c.blocks, 0))
             .outerjoin(used, used.c.list_id == StatusList.id)
             .outerjoin(blocks, blocks.c.list_id == StatusList.id)
             .order_by(StatusList.created_at, StatusList.id))
    if profile_id is not None:
        query = query.where(StatusList.profile_id == profile_id)
    return [ListFigures(*row) for row in session.execute(query).all()]
