"""Bulk issuance in the background (issuer.jobs' ``issue_bulk_rows`` task): the pending rows
of one chunk of a job (issuer.services.bulk), issued in batches with one group commit per
batch, never twice.

Each batch's credentials are checked and signed first (status indexes from the worker's
index block, issuer.services.status_blocks), then written with their rows' outcomes and
their idempotency keys in one transaction. A row's state only moves forward (out of
"pending", once: :func:`settle_row`), and a row's key is unique: if anything in a batch
conflicts (another run settled a row or issued its key meanwhile, a recipient race), the
whole batch is rolled back and its rows are issued one at a time, each in its own
transaction, exactly as a single row always was. No row is lost or half-written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from issuer.errors import Conflict, IssuerError, ValidationFailed, field_messages
from issuer.models import BulkJob, BulkRow, IdempotencyKey
from issuer.services import idempotency, issuance, issuing_cache
from issuer.services.bulk import (
    FAILED,
    ISSUED,
    JOB_DONE,
    JOB_QUEUED,
    JOB_RUNNING,
    PENDING,
    SKIPPED,
    get_job,
)
from issuer.services.keystore import FileKeyStore
from issuer.services.tx import atomic

BATCH_ROWS = 50  # rows signed, then stored in one transaction (a group commit)


class RowSettled(IssuerError):
    """Another worker settled the row while this one was issuing it (its credential is
    rolled back: the row keeps the other worker's outcome)."""

    title = "Row settled meanwhile"
    status = 409


def process_rows(
    session: Session,
    job_id: str,
    first_line: int,
    last_line: int,
    *,
    keystore: FileKeyStore,
    base_url: str,
    clock: Callable[[], datetime],
) -> int:
    """Issue the pending rows of one chunk, each in its own transaction; returns how many
    were issued. Safe to run twice or concurrently (a stale chunk still in the queue after a
    resume, a retried task): a row moves only out of "pending", once, and its key is unique,
    so what one run settled no other run changes."""
    job = get_job(session, job_id)
    if job.status == JOB_QUEUED:
        session.execute(update(BulkJob).where(BulkJob.id == job_id, BulkJob.status == JOB_QUEUED)
                        .values(status=JOB_RUNNING))
        session.commit()
    achievement_id = job.achievement_id
    row_ids = list(session.scalars(
        select(BulkRow.id).where(BulkRow.job_id == job_id, BulkRow.status == PENDING,
                                 BulkRow.line.between(first_line, last_line))
        .order_by(BulkRow.line)
    ))
    issued = 0
    for start in range(0, len(row_ids), BATCH_ROWS):
        issued += _process_batch(session, row_ids[start:start + BATCH_ROWS], achievement_id,
                                 keystore=keystore, base_url=base_url, clock=clock)
    finish_if_done(session, job_id, now=clock())
    return issued


def _process_batch(session: Session, row_ids: list[int], achievement_id: str, *,
                   keystore: FileKeyStore, base_url: str, clock: Callable[[], datetime]) -> int:
    """Issue a batch of rows with one group commit: every pending row's credential is
    checked and signed first (indexes from the worker's status index block), then all of
    them, their rows' outcomes and their keys are written in one transaction. If anything
    in it conflicts (a row settled or a key issued meanwhile by another run, a recipient
    race), nothing of it is kept and the batch is issued row by row instead (their unused
    status indexes stay counted gaps)."""
    issuing_cache.forget_generation(session)  # a long task sees key rotations between batches
    rows = list(session.scalars(
        select(BulkRow).where(BulkRow.id.in_(row_ids), BulkRow.status == PENDING)
        .order_by(BulkRow.line).execution_options(populate_existing=True)))
    if not rows:
        return 0
    now = clock()
    prepared, failures = [], []
    for row in rows:
        try:
            prepared.append((row, issuance.prepare(session, _request(row, achievement_id),
                                                   keystore=keystore, base_url=base_url,
                                                   now=now)))
        except ValidationFailed as exc:
            failures.append((row.id, field_messages(exc.errors)))
        except IssuerError as exc:
            failures.append((row.id, str(exc)))
    keys = [(row.row_key, row.id) for row, _ in prepared]
    try:
        with atomic(session):
            credentials = {}
            for row, item in prepared:
                credentials[row.id] = issuance.store(session, item, now=now, via="bulk").id
            session.flush()
            for key, row_id in keys:
                if not settle_row(session, row_id, ISSUED, credential_id=credentials[row_id]):
                    raise RowSettled(f"row {row_id} was settled by another worker")
            session.add_all(IdempotencyKey(scope=idempotency.BULK_SCOPE, key=key,
                                           request_hash=key, credential_id=credentials[row_id],
                                           created_at=now) for key, row_id in keys)
            for row_id, message in failures:
                settle_row(session, row_id, FAILED, error=message[:2000])
    except (RowSettled, Conflict, IntegrityError):
        session.rollback()
        return sum(_process_row(session, row.id, achievement_id, keystore=keystore,
                                base_url=base_url, clock=clock) for row in rows)
    return len(prepared)


def _request(row: BulkRow, achievement_id: str) -> issuance.IssueRequest:
    return issuance.IssueRequest(
        achievement_id=achievement_id, email=row.email, name=row.name, did=row.did,
        valid_until=row.valid_until, evidence_url=row.evidence_url,
        evidence_narrative=row.evidence_narrative,
    )


def _process_row(session: Session, row_id: int, achievement_id: str, *,
                 keystore: FileKeyStore, base_url: str, clock: Callable[[], datetime]) -> int:
    """Issue one row if it is still pending (1 if this call issued it, else 0)."""
    row = session.get(BulkRow, row_id, populate_existing=True)  # as committed now
    if row is None or row.status != PENDING:
        return 0  # another run settled it since the chunk was listed
    now = clock()
    key_hook = idempotency.record(scope=idempotency.BULK_SCOPE, key=row.row_key,
                                  request_hash=row.row_key, now=now)

    def on_issued(inner: Session, credential) -> None:
        # Claim the row in the credential's own transaction, before its key is written:
        # on PostgreSQL this waits for a concurrent worker holding the row and then sees its
        # outcome; on SQLite the issuing transaction holds the write lock already.
        if not settle_row(inner, row_id, ISSUED, credential_id=credential.id):
            raise RowSettled(f"row {row.line} was settled by another worker")
        key_hook(inner, credential)

    try:
        issuance.issue(session, _request(row, achievement_id), keystore=keystore, base_url=base_url, now=now,
                       via="bulk", on_issued=on_issued)
        return 1
    except RowSettled:
        session.rollback()
    except (Conflict, IntegrityError):
        session.rollback()
        first = idempotency.find(session, scope=idempotency.BULK_SCOPE, key=row.row_key)
        with atomic(session):
            if first is not None:  # issued by an earlier upload, or meanwhile by another run
                settle_row(session, row_id, SKIPPED, credential_id=first.credential_id)
            else:
                settle_row(session, row_id, FAILED, error="another request saved this "
                        "recipient at the same moment; upload the row again to retry")
    except ValidationFailed as exc:
        _fail(session, row_id, field_messages(exc.errors))
    except IssuerError as exc:
        _fail(session, row_id, str(exc))
    return 0


def settle_row(session: Session, row_id: int, status: str, *,
               credential_id: str | None = None, error: str | None = None) -> bool:
    """Move a pending row to ``status`` (the caller's transaction). False when it is not
    pending any more: a row's outcome, once written, is never overwritten (an issued row
    never becomes skipped, failed or pending again)."""
    moved = session.execute(
        update(BulkRow).where(BulkRow.id == row_id, BulkRow.status == PENDING)
        .values(status=status, credential_id=credential_id, error=error)
    ).rowcount
    return moved == 1


def _fail(session: Session, row_id: int, message: str) -> None:
    session.rollback()
    with atomic(session):
        settle_row(session, row_id, FAILED, error=message[:2000])


def finish_if_done(session: Session, job_id: str, *, now: datetime) -> None:
    with atomic(session):
        pending = session.scalar(select(func.count()).select_from(BulkRow).where(
            BulkRow.job_id == job_id, BulkRow.status == PENDING))
        if not pending:
            session.execute(update(BulkJob).where(
                BulkJob.id == job_id, BulkJob.status.in_((JOB_QUEUED, JOB_RUNNING))
            ).values(status=JOB_DONE, finished_at=now))
