"""Status list allocation and status changes under concurrency, against real PostgreSQL:
many workers (threads, each with its own session and connection) issue and revoke at once."""

from __future__ import annotations

import json
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from issuer import db
from issuer.clock import utc_now
from issuer.issuing_models import StatusIndexBlock
from issuer.models import IssuedCredential, StatusEntry, StatusList
from issuer.services import issuance, status
from issuer.services.keystore import FileKeyStore
from issuer.statuslist import bitstring
from tests.service_fixtures import BASE_URL, make_achievement, make_profile

WORKERS = 10
PER_WORKER = 6


@pytest.fixture
def postgres(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("concurrent allocation needs PostgreSQL row locks: set "
                    "ISSUER_TEST_DATABASE_URL=postgresql+psycopg://… (CI runs both databases)")


def _run_workers(job, count: int = WORKERS) -> list:
    barrier = threading.Barrier(count)

    def start(worker: int):
        barrier.wait()
        return job(worker)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return [future.result() for future in [pool.submit(start, n) for n in range(count)]]


def _issue_many(app, achievement_id: str, list_size: int):
    def job(worker: int) -> list[str]:
        issued = []
        with app.app_context():
            session = db.get_session()
            for n in range(PER_WORKER):
                row = issuance.issue(
                    session,
                    issuance.IssueRequest(achievement_id=achievement_id,
                                          email=f"w{worker}-{n}@example.org"),
                    keystore=FileKeyStore(app.config["KEYS_DIR"]), base_url=BASE_URL,
                    now=utc_now(), status_list_size=list_size,
                )
                issued.append(row.id)
        return issued

    return [credential for batch in _run_workers(job) for credential in batch]


@pytest.mark.parametrize("list_size", [status.LIST_SIZE, status.MIN_LIST_SIZE],
                         ids=["production-size", "filling-lists"])
def test_concurrent_issuing_never_gives_an_index_twice(app, session, postgres, list_size):
    make_profile(app, offers_suspension=True)  # both lists, both purposes
    achievement_id = make_achievement(app)
    issued = _issue_many(app, achievement_id, list_size)
    total = WORKERS * PER_WORKER
    assert len(set(issued)) == total
    assert session.scalar(select(func.count()).select_from(IssuedCredential)) == total

    used: Counter = Counter()
    for row in session.scalars(select(IssuedCredential)):
        for entry in json.loads(row.document)["credentialStatus"]:
            used[(entry["statusListCredential"], entry["statusListIndex"])] += 1
    assert len(used) == 2 * total and set(used.values()) == {1}  # no index used twice
    assert session.scalar(select(func.count()).select_from(StatusEntry)) == 2 * total

    lists = session.scalars(select(StatusList)).all()
    for listed in lists:
        entries = session.scalar(select(func.count()).select_from(StatusEntry)
                                 .where(StatusEntry.list_id == listed.id))
        reserved = session.scalar(select(func.sum(StatusIndexBlock.count))
                                  .where(StatusIndexBlock.list_id == listed.id))
        assert listed.allocated == reserved  # the counter moves by recorded blocks only
        assert entries <= reserved  # one process: its blocks' rest is unused, not lost
        if list_size == status.MIN_LIST_SIZE:
            assert entries == listed.allocated or listed.is_current
        assert listed.is_current or listed.allocated == listed.size  # only full lists retire
    for purpose in status.PURPOSES:
        assert sum(1 for item in lists if item.purpose == purpose and item.is_current) == 1
    if list_size == status.MIN_LIST_SIZE:
        per_purpose = -(-total // list_size)
        assert len(lists) == 2 * per_purpose  # filled in order, no list left half-used


def test_concurrent_revocations_on_one_list_lose_no_bit(app, session, postgres):
    make_profile(app, offers_suspension=True)  # both lists, both purposes
    achievement_id = make_achievement(app)
    keystore = FileKeyStore(app.config["KEYS_DIR"])
    rows = [issuance.issue(session, issuance.IssueRequest(achievement_id=achievement_id,
                                                          email=f"r{n}@example.org"),
                           keystore=keystore, base_url=BASE_URL, now=utc_now())
            for n in range(WORKERS)]
    ids = [row.id for row in rows]

    def job(worker: int) -> str:
        with app.app_context():
            worker_session = db.get_session()
            row = issuance.get_credential(worker_session, ids[worker])
            change = status.revoke if worker % 2 == 0 else status.suspend
            return change(worker_session, row, reason=f"worker {worker}", actor=status.CLI,
                          keystore=keystore, base_url=BASE_URL, now=utc_now()).state

    states = _run_workers(job)
    assert states == ["revoked" if n % 2 == 0 else "suspended" for n in range(WORKERS)]
    session.expire_all()
    for purpose, expected in (("revocation", ids[0::2]), ("suspension", ids[1::2])):
        listed = session.scalar(select(StatusList).where(StatusList.purpose == purpose))
        published = json.loads(listed.document)["credentialSubject"]["encodedList"]
        bits = bitstring.decode_list(published)
        set_indexes = {index for index in range(len(bits) * 8) if bitstring.get_bit(bits, index)}
        wanted = set(session.scalars(select(StatusEntry.list_index).where(
            StatusEntry.purpose == purpose, StatusEntry.credential_id.in_(expected))))
        assert set_indexes == wanted and len(wanted) == WORKERS // 2
    for row_id, state in zip(ids, states, strict=True):
        row = session.get(IssuedCredential, row_id)
        assert status.credential_state(session, row).state == state
