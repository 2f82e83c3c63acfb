"""Status indexes handed out in blocks (issuer.services.status_blocks) by real processes:
concurrent worker processes on PostgreSQL never hand out the same index, lists roll over
when their capacity including gaps is spent, and a worker that dies leaves a counted gap
that is never reused."""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from issuer import db
from issuer.clock import utc_now
from issuer.issuing_models import StatusIndexBlock
from issuer.models import StatusList
from issuer.services import status
from issuer.services.keystore import FileKeyStore
from issuer.services.profiles import default_profile
from tests.service_fixtures import BASE_URL, make_profile

PROCESSES = 4
PER_PROCESS = 60
BLOCK = 16
LIST_SIZE = 100  # small lists: the processes fill several and roll over concurrently


def _take(url: str, keys_dir: str, profile_id: int, count: int, block_size: int,
          list_size: int) -> list[tuple[str, int]]:
    """``count`` indexes from this process's blocks, each in its own committed session."""
    engine = db.make_engine(url)
    taken = []
    try:
        for _ in range(count):
            with Session(engine) as session, session.begin():
                taken.extend((item.list_id, item.index) for item in status.reserve(
                    session, profile_id, keystore=FileKeyStore(keys_dir), base_url=BASE_URL,
                    now=utc_now(), list_size=list_size, purposes=("revocation",),
                    block_size=block_size))
    finally:
        engine.dispose()
    return taken


def _worker(url, keys_dir, profile_id, count, block_size, list_size, results, crash):
    taken = _take(url, keys_dir, profile_id, count, block_size, list_size)
    if crash:
        os._exit(3)  # dies holding the rest of its block: no cleanup, no goodbye
    results.put(taken)


def _run(app, profile_id, *, processes, count, block_size, list_size, crash=False):
    context = multiprocessing.get_context("fork")  # also forks the parent's blocks: dropped
    results = context.Queue()
    workers = [context.Process(target=_worker, args=(
        app.config["DATABASE_URL"], app.config["KEYS_DIR"], profile_id, count, block_size,
        list_size, results, crash)) for _ in range(processes)]
    for worker in workers:
        worker.start()
    taken = [] if crash else [item for _ in workers for item in results.get(timeout=120)]
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == (3 if crash else 0)
    return taken


def _profile_id(session) -> int:
    return default_profile(session).id


def test_worker_processes_on_postgresql_never_hand_out_an_index_twice(app, session,
                                                                      database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("concurrent worker processes need PostgreSQL (CI runs both databases)")
    make_profile(app)
    profile_id = _profile_id(session)
    session.commit()
    # The parent holds a block too: the forked children must not hand out its rest.
    parent = _take(app.config["DATABASE_URL"], app.config["KEYS_DIR"], profile_id, 1, BLOCK,
                   LIST_SIZE)
    taken = parent + _run(app, profile_id, processes=PROCESSES, count=PER_PROCESS,
                          block_size=BLOCK, list_size=LIST_SIZE)
    taken += _take(app.config["DATABASE_URL"], app.config["KEYS_DIR"], profile_id, 1, BLOCK,
                   LIST_SIZE)  # the parent's own block, after the children
    counts = Counter(taken)
    assert len(taken) == PROCESSES * PER_PROCESS + 2
    assert max(counts.values()) == 1  # no (list, index) handed out twice
    lists = session.scalars(select(StatusList).order_by(StatusList.created_at)).all()
    assert len(lists) >= (PROCESSES * PER_PROCESS) // LIST_SIZE + 1  # rolled over
    assert sum(1 for listed in lists if listed.is_current) == 1
    for listed in lists:
        blocks = session.scalars(select(StatusIndexBlock).where(
            StatusIndexBlock.list_id == listed.id).order_by(StatusIndexBlock.first)).all()
        spans = [(block.first, block.first + block.count) for block in blocks]
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))  # disjoint
        assert sum(block.count for block in blocks) == listed.allocated
        assert all(block.holder.rsplit(":", 1)[1].isdigit() and block.reserved_at is not None
                   for block in blocks)  # who (host:pid) and when
        if not listed.is_current:
            assert listed.allocated == listed.size  # retired only when spent, gaps included
        used = {index for list_id, index in taken if list_id == listed.id}
        assert used <= set(range(listed.size))
    holders = {holder for holder in session.scalars(select(StatusIndexBlock.holder))}
    assert len(holders) == PROCESSES + 1  # every process reserved blocks of its own


def test_a_worker_that_dies_leaves_a_counted_gap_never_reused(app, session):
    make_profile(app)
    profile_id = _profile_id(session)
    session.commit()
    _run(app, profile_id, processes=1, count=3, block_size=BLOCK, list_size=status.LIST_SIZE,
         crash=True)
    session.expire_all()
    listed = session.scalar(select(StatusList))
    assert listed.allocated == BLOCK  # the dead worker's block stays reserved
    after = _take(app.config["DATABASE_URL"], app.config["KEYS_DIR"], profile_id, 2, BLOCK,
                  status.LIST_SIZE)
    from issuer.statuslist import permutation

    expected = [permutation.index_at(listed.permutation_key, position, listed.size)
                for position in (BLOCK, BLOCK + 1)]  # after the dead block: never reused
    assert [index for _, index in after] == expected
    session.expire_all()
    figures, = status.list_figures(session, profile_id)
    # the dead worker handed out 3 indexes (not stored by anyone here): with nothing stored,
    # all reserved positions but none used: 2 blocks, 2 * BLOCK reserved, all unused
    assert (figures.blocks, figures.reserved, figures.used, figures.unused) == (
        2, 2 * BLOCK, 0, 2 * BLOCK)
    assert session.scalar(select(func.count()).select_from(StatusIndexBlock)) == 2
