"""Bulk issuance row logic (issuer.services.bulk), called directly with a real database and
real keys: the preview's per-row errors, one transaction per row, never issuing twice."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import func, select

from issuer import db
from issuer.clock import utc_now
from issuer.models import BulkRow, IdempotencyKey, IssuedCredential
from issuer.services import bulk, bulk_worker
from issuer.services.keystore import FileKeyStore
from issuer.services.tx import atomic
from tests.service_fixtures import make_achievement

GOOD = (b"email,name,valid_until,evidence_url\r\n"
        b"ada@example.org,Ada Lovelace,2099-12-31,https://example.org/ada\r\n"
        b"grace@example.org,Grace Hopper,,\r\n")


@pytest.fixture
def achievement(app, profile) -> str:
    return make_achievement(app)


def run_job(app, session, job) -> int:
    with atomic(session):
        chunks = bulk.start_job(session, job, now=utc_now())
    return sum(bulk_worker.process_rows(session, job.id, first, last,
                                        keystore=FileKeyStore(app.config["KEYS_DIR"]),
                                        base_url=app.config["BASE_URL"], clock=utc_now)
               for first, last in chunks)


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_preview_names_each_bad_row(session, achievement):
    data = ("email,name,valid_until\n"
            "ada@example.org,Ada,2099-01-01\n"
            "not-an-email,Bob,\n"
            "carol@example.org,Carol,31/12/2099\n"
            "\n"
            "ada@example.org,Ada,2099-01-01\n"
            "dan@example.org,Dan,2001-01-01\n").encode()
    checked = bulk.preview(session, achievement_id=achievement, data=data, now=utc_now())
    assert not checked.ok
    by_line = {row.line: row for row in checked.rows}
    assert by_line[2].status == bulk.PENDING and by_line[2].errors == ()
    assert by_line[3].errors == ("email: Enter a valid email address.",)
    assert "valid_until: use a date such as 2027-06-30" in by_line[4].errors[0]
    assert 5 not in by_line  # blank line skipped, numbering kept
    assert by_line[6].errors == ("duplicate of row 2: the same recipient and values; "
                                 "remove one.",)
    assert by_line[7].errors == ("valid_until: The expiry date must be in the future.",)
    assert count(session, BulkRow) == 0  # a preview writes nothing


@pytest.mark.parametrize("data, message", [
    (b"", "The file is empty"),
    (b"name\nAda\n", "The header has no \u201cemail\u201d column."),
    (b"email,colour\na@example.org,blue\n", "Unknown column \u201ccolour\u201d"),
    (b"email\n", "The file has a header but no rows."),
    (b"\xff\xfeemail", "The file is not UTF-8 text."),
    (b"email\na@example.org,extra\n", "Row 2: 2 values for 1 columns"),
])
def test_preview_file_errors(session, achievement, data, message):
    checked = bulk.preview(session, achievement_id=achievement, data=data, now=utc_now())
    assert not checked.ok
    assert any(error.startswith(message) for error in checked.file_errors), checked.file_errors


def test_unknown_achievement_is_reported(session, profile):
    checked = bulk.preview(session, achievement_id="3f1c2c55-0000-4000-8000-000000000000",
                           data=GOOD, now=utc_now())
    assert checked.achievement is None and "Unknown achievement" in checked.file_errors[0]


def test_rows_are_issued_and_a_rerun_skips_them(app, session, achievement):
    checked = bulk.preview(session, achievement_id=achievement, data=GOOD, now=utc_now())
    assert checked.ok and checked.count(bulk.PENDING) == 2
    with atomic(session):
        job = bulk.create_job(session, checked, filename="people.csv", now=utc_now())
    assert run_job(app, session, job) == 2
    assert bulk.progress(session, job).to_json()["issued"] == 2
    assert session.get(type(job), job.id).status == bulk.JOB_DONE
    assert count(session, IssuedCredential) == 2 and count(session, IdempotencyKey) == 2
    assert set(session.scalars(select(IssuedCredential.issued_via))) == {"bulk"}

    again = bulk.preview(session, achievement_id=achievement, data=GOOD, now=utc_now())
    assert again.ok and again.count(bulk.SKIPPED) == 2 and again.count(bulk.PENDING) == 0
    with atomic(session):
        second = bulk.create_job(session, again, filename="people.csv", now=utc_now())
    assert run_job(app, session, second) == 0
    assert count(session, IssuedCredential) == 2  # nothing issued twice

    results = list(csv.DictReader(io.StringIO(bulk.results_csv(
        session, second, base_url=app.config["BASE_URL"]))))
    assert [r["status"] for r in results] == ["skipped", "skipped"]
    first_urls = {r["credential_url"] for r in csv.DictReader(io.StringIO(bulk.results_csv(
        session, job, base_url=app.config["BASE_URL"])))}
    assert {r["credential_url"] for r in results} == first_urls


def _job(session, achievement, data=GOOD):
    checked = bulk.preview(session, achievement_id=achievement, data=data, now=utc_now())
    with atomic(session):
        job = bulk.create_job(session, checked, filename="x.csv", now=utc_now())
        chunks = bulk.start_job(session, job, now=utc_now())
    return job, chunks


def _rows(session, job) -> dict[int, tuple[str, str | None]]:
    session.rollback()
    return {line: (status, credential_id) for line, status, credential_id in session.execute(
        select(BulkRow.line, BulkRow.status, BulkRow.credential_id)
        .where(BulkRow.job_id == job.id))}


def _worker_first(app, job_id: str, first: int, last: int):
    """A clock for worker B that lets worker A (its own session: another connection) run
    the same chunk to the end at B's first reading, i.e. after B listed the chunk's rows and
    found its first row pending, and before B issues it."""
    keystore = FileKeyStore(app.config["KEYS_DIR"])
    ran: list[int] = []

    def clock():
        if not ran:
            with db.session_factory(app)() as other:
                ran.append(bulk_worker.process_rows(other, job_id, first, last, keystore=keystore,
                                                    base_url=app.config["BASE_URL"], clock=utc_now))
        return utc_now()

    return clock, ran


def test_a_stale_chunk_never_undoes_what_another_worker_issued(app, session, achievement):
    """After a resume the queue may hold the old chunk and its new copy: both list the same
    pending rows. Whatever the other copy issued meanwhile stays issued, with its credential
    (a stale chunk used to mark such rows "skipped": 1,948 issued by the CLI's count, 1,909
    in the database), and nothing is issued twice."""
    data = b"email\n" + b"".join(b"p%d@example.org\n" % i for i in range(4))
    job, [(first, last)] = _job(session, achievement, data)
    clock, ran = _worker_first(app, job.id, first, last)
    keystore = FileKeyStore(app.config["KEYS_DIR"])
    stale = bulk_worker.process_rows(session, job.id, first, last, keystore=keystore,
                                     base_url=app.config["BASE_URL"], clock=clock)
    assert ran == [4] and stale == 0
    rows = _rows(session, job)
    assert {status for status, _ in rows.values()} == {bulk.ISSUED}
    keys = dict(session.execute(select(IdempotencyKey.key, IdempotencyKey.credential_id)).all())
    row_keys = dict(session.execute(select(BulkRow.line, BulkRow.row_key)
                                    .where(BulkRow.job_id == job.id)).all())
    assert {line: keys[row_keys[line]] for line in rows} == {
        line: credential for line, (_, credential) in rows.items()}
    assert count(session, IssuedCredential) == 4
    progress = bulk.progress(session, bulk.get_job(session, job.id)).to_json()
    assert (progress["issued"], progress["skipped"], progress["pending"]) == (4, 0, 0)
    assert progress["status"] == bulk.JOB_DONE

    # Replaying the chunk once more (a retried task) changes nothing either.
    assert bulk_worker.process_rows(session, job.id, first, last, keystore=keystore,
                                    base_url=app.config["BASE_URL"], clock=utc_now) == 0
    assert _rows(session, job) == rows


def test_a_row_another_upload_issues_meanwhile_is_skipped(app, session, achievement):
    """The same file uploaded twice and run at once: each row is issued by one job and shown
    as skipped (issued by the other upload) in the other, with that credential."""
    first_job, [(first, last)] = _job(session, achievement)
    second_job, [(second_first, second_last)] = _job(session, achievement)
    clock, ran = _worker_first(app, first_job.id, first, last)
    keystore = FileKeyStore(app.config["KEYS_DIR"])
    assert bulk_worker.process_rows(session, second_job.id, second_first, second_last,
                                    keystore=keystore, base_url=app.config["BASE_URL"],
                                    clock=clock) == 0
    assert ran == [2]
    issued, skipped = _rows(session, first_job), _rows(session, second_job)
    assert {status for status, _ in issued.values()} == {bulk.ISSUED}
    assert skipped == {line: (bulk.SKIPPED, credential)
                       for line, (_, credential) in issued.items()}
    assert count(session, IssuedCredential) == 2


def test_a_settled_row_is_never_moved_again(app, session, achievement):
    """Issued, skipped, failed: an outcome, once written, stays (the only way out of a
    state is out of "pending")."""
    job, [(first, last)] = _job(session, achievement)
    run = {"keystore": FileKeyStore(app.config["KEYS_DIR"]),
           "base_url": app.config["BASE_URL"], "clock": utc_now}
    assert bulk_worker.process_rows(session, job.id, first, last, **run) == 2
    before = _rows(session, job)
    with atomic(session):  # a stale worker's outcomes arrive late
        for line in before:
            row_id = session.scalar(select(BulkRow.id).where(BulkRow.job_id == job.id,
                                                             BulkRow.line == line))
            assert not bulk_worker.settle_row(session, row_id, bulk.SKIPPED)
            assert not bulk_worker.settle_row(session, row_id, bulk.FAILED, error="late")
            assert not bulk_worker.settle_row(session, row_id, bulk.PENDING)
    assert _rows(session, job) == before


def test_a_failing_row_is_reported_and_the_others_go_on(app, session, achievement):
    checked = bulk.preview(session, achievement_id=achievement, data=GOOD, now=utc_now())
    with atomic(session):
        job = bulk.create_job(session, checked, filename="x.csv", now=utc_now())
        # A row that became invalid after the preview (its expiry passed meanwhile).
        row = session.scalar(select(BulkRow).where(BulkRow.job_id == job.id, BulkRow.line == 2))
        row.valid_until = utc_now().replace(year=2000)
    assert run_job(app, session, job) == 1
    session.refresh(row)
    assert row.status == bulk.FAILED and "valid_until" in row.error and row.credential_id is None
    assert count(session, IssuedCredential) == 1


def test_results_csv_defuses_formulas(app, session, achievement):
    data = b"email,name\nada@example.org,=HYPERLINK(\"http://evil\")\n"
    checked = bulk.preview(session, achievement_id=achievement, data=data, now=utc_now())
    with atomic(session):
        job = bulk.create_job(session, checked, filename="x.csv", now=utc_now())
    run_job(app, session, job)
    text = bulk.results_csv(session, job, base_url=app.config["BASE_URL"])
    assert "'=HYPERLINK" in text


def test_an_invalid_job_cannot_start(session, achievement):
    checked = bulk.preview(session, achievement_id=achievement,
                           data=b"email\nnot-an-email\n", now=utc_now())
    with atomic(session):
        job = bulk.create_job(session, checked, filename="x.csv", now=utc_now())
    assert job.status == bulk.JOB_INVALID
    from issuer.errors import InvalidRequest

    with pytest.raises(InvalidRequest):
        bulk.start_job(session, job, now=utc_now())
    assert db is not None


def test_a_chunk_is_issued_in_batches_with_one_commit_each(app, session, achievement):
    """Group commits: a chunk of 60 rows (one bad) is issued in two batches, each one
    transaction (plus the job's own state changes), every row issued or failed once, with
    distinct status indexes from the worker's block."""
    from sqlalchemy import event

    data = b"email,valid_until\n" + b"".join(b"g%d@example.org,2099-12-31\n" % i
                                             for i in range(60))
    job, [(first, last)] = _job(session, achievement, data)
    with atomic(session):  # a row that became invalid after the preview (its date passed)
        session.execute(BulkRow.__table__.update().where(
            BulkRow.job_id == job.id, BulkRow.line == 7).values(valid_until=utc_now()))
    engine = db.engine_of(app)
    commits = []

    def committed(connection) -> None:
        commits.append(connection)

    event.listen(engine, "commit", committed)
    try:
        issued = bulk_worker.process_rows(session, job.id, first, last,
                                          keystore=FileKeyStore(app.config["KEYS_DIR"]),
                                          base_url=app.config["BASE_URL"], clock=utc_now)
    finally:
        event.remove(engine, "commit", committed)
    assert issued == 59
    batches = -(-60 // bulk_worker.BATCH_ROWS)
    # running, the batches, done (on PostgreSQL one more: the status index block's own)
    assert len(commits) <= 1 + batches + 1 + 2
    rows = _rows(session, job)
    assert sum(1 for status, _ in rows.values() if status == bulk.ISSUED) == 59
    assert rows[7][0] == bulk.FAILED
    entries = [json.loads(document)["credentialStatus"] for document in
               session.execute(select(IssuedCredential.document)).scalars()]
    indexes = {(entry if isinstance(entry, dict) else entry[0])["statusListIndex"]
               for entry in entries}
    assert len(entries) == 59 and len(indexes) == 59
    assert count(session, IdempotencyKey) == 59
