"""Bulk issuance end to end with a REAL job queue and REAL consumer processes (`issuer
worker`): the admin pages on the embedded SQLite queue (including a worker killed mid-way and
the job resumed), and the CLI on a Redis queue."""

from __future__ import annotations

import csv
import io
import os
import secrets
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from issuer import db
from issuer.clock import utc_now
from issuer.models import BulkRow, IdempotencyKey, IssuedCredential
from issuer.services import bulk
from issuer.verification.verifier import verify_credential
from tests.helpers import REPO
from tests.service_fixtures import csrf_token, make_achievement

WORKER = [sys.executable, "-c", "from issuer.cli import main; main()", "worker"]
CLI = [sys.executable, "-c", "from issuer.cli import main; main()"]


@pytest.fixture
def app_config(app_config, tmp_path):
    """The app's queue: an SQLite file of this test's own (the embedded default's kind)."""
    return {**app_config, "QUEUE_URL": f"sqlite:///{tmp_path / 'queue.sqlite3'}"}


def environment(app, **overrides) -> dict[str, str]:
    env = {**os.environ,
           "ISSUER_DATABASE_URL": app.config["DATABASE_URL"],
           "ISSUER_KEYS_DIR": app.config["KEYS_DIR"],
           "ISSUER_INSTANCE_PATH": app.instance_path,
           "ISSUER_BASE_URL": app.config["BASE_URL"],
           "ISSUER_SECRET_KEY": app.config["SECRET_KEY"],
           "ISSUER_QUEUE_URL": app.config["QUEUE_URL"]}
    env.update(overrides)
    return env


def start_worker(env, log_path, *args: str) -> subprocess.Popen:
    log = open(log_path, "ab")  # noqa: SIM115 - closed with the process below
    process = subprocess.Popen([*WORKER, *args], cwd=REPO, env=env, stdout=log, stderr=log,
                               start_new_session=True)
    process.log = log
    return process


def stop(process: subprocess.Popen, sig=signal.SIGINT) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
    process.log.close()


def counts(app, job_id):
    with app.app_context():
        session = db.get_session()
        return bulk.progress(session, bulk.get_job(session, job_id)).to_json()


def wait_until(predicate, seconds=120, what="condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def people_csv(rows: int, domain: str = "example.org") -> bytes:
    lines = ["email,name,valid_until"]
    lines += [f"person{i}@{domain},Person {i},2099-12-31" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def upload(client, achievement_id: str, data: bytes, filename="people.csv"):
    token = csrf_token(client, "/admin/bulk/")
    return client.post("/admin/bulk/", data={
        "csrf_token": token, "achievement": achievement_id,
        "file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def test_admin_preview_shows_row_errors_and_cannot_start(app, admin_client):
    achievement = make_achievement(app)
    response = upload(admin_client, achievement,
                      b"email,name,valid_until\nok@example.org,OK,\nnope,Bad,\n"
                      b"late@example.org,Late,1999-01-01\nok@example.org,OK,\n")
    assert response.status_code == 302
    page = admin_client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert 'id="preview-errors"' in html and "start-issuing" not in html
    for needle in ("<td>3</td><td>nope</td><td>email: Enter a valid email address.</td>",
                   "<td>4</td>", "The expiry date must be in the future",
                   "duplicate of row 2"):
        assert needle in html, needle
    job_id = response.headers["Location"].rsplit("/", 1)[-1]
    start = admin_client.post(f"/admin/bulk/{job_id}/start",
                              data={"csrf_token": csrf_token(admin_client,
                                                             f"/admin/bulk/{job_id}")})
    assert start.status_code == 400
    with app.app_context():
        assert db.get_session().scalar(select(func.count()).select_from(IssuedCredential)) == 0


def test_upload_needs_the_csrf_token(app, admin_client):
    achievement = make_achievement(app)
    response = admin_client.post("/admin/bulk/", data={
        "achievement": achievement, "file": (io.BytesIO(b"email\na@example.org\n"), "a.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    with app.app_context():
        assert db.get_session().scalar(select(func.count()).select_from(BulkRow)) == 0


def test_admin_bulk_job_survives_a_killed_worker_and_resumes(app, admin_client, tmp_path):
    # Enough rows that the worker is still busy when it is killed: batches of 50 are signed
    # and committed at a few hundred rows a second (issuer/services/bulk_worker.py).
    ROWS = 1000  # noqa: N806
    achievement = make_achievement(app)
    response = upload(admin_client, achievement, people_csv(ROWS))
    job_url = response.headers["Location"]
    job_id = job_url.rsplit("/", 1)[-1]
    preview = admin_client.get(job_url)
    assert f"All rows are valid: {ROWS} to issue" in preview.get_data(as_text=True)
    assert "script-src 'self'" in preview.headers["Content-Security-Policy"]
    started = admin_client.post(f"/admin/bulk/{job_id}/start",
                                data={"csrf_token": csrf_token(admin_client, job_url)})
    assert started.status_code == 302
    assert counts(app, job_id)["status"] == "queued"  # nothing runs without a worker

    env = environment(app)
    worker = start_worker(env, tmp_path / "worker1.log", "--workers", "2")
    try:
        wait_until(lambda: counts(app, job_id)["issued"] >= 10, what="first rows issued")
    finally:
        stop(worker, signal.SIGKILL)  # a crash: no graceful shutdown
    crashed = counts(app, job_id)
    assert crashed["pending"] > 0, "the worker finished before it was killed; raise the rows"
    with app.app_context():
        session = db.get_session()
        issued_rows = session.scalar(select(func.count()).select_from(BulkRow).where(
            BulkRow.job_id == job_id, BulkRow.status == bulk.ISSUED))
        # Every credential belongs to an issued row with its key; nothing half-written.
        assert session.scalar(select(func.count()).select_from(IssuedCredential)) == issued_rows
        assert session.scalar(select(func.count()).select_from(IdempotencyKey)) == issued_rows
        assert session.scalar(select(func.count()).select_from(BulkRow).where(
            BulkRow.job_id == job_id, BulkRow.status == bulk.PENDING,
            BulkRow.credential_id.is_not(None))) == 0

    page = admin_client.get(job_url).get_data(as_text=True)
    assert 'id="resume"' in page and 'data-progress-url="/admin/bulk/' in page
    resumed = admin_client.post(f"/admin/bulk/{job_id}/start",
                                data={"csrf_token": csrf_token(admin_client, job_url)})
    assert resumed.status_code == 302
    worker = start_worker(env, tmp_path / "worker2.log", "--workers", "2")
    try:
        final = wait_until(lambda: (c := counts(app, job_id))["status"] == "done" and c,
                           what="the job to finish")
    finally:
        stop(worker)
    assert final["issued"] == ROWS and final["pending"] == final["failed"] == 0
    progress = admin_client.get(f"/admin/bulk/{job_id}/progress").get_json()
    assert progress == final and progress["percent"] == 100
    with app.app_context():
        assert db.get_session().scalar(select(func.count()).select_from(IssuedCredential)) == ROWS

    results = admin_client.get(f"/admin/bulk/{job_id}/results.csv")
    assert results.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(results.get_data(as_text=True))))
    assert len(rows) == ROWS and {row["status"] for row in rows} == {"issued"}
    assert rows[0]["row"] == "2" and rows[0]["email"] == "person0@example.org"
    url = rows[0]["credential_url"]
    document = admin_client.get(url.removeprefix(app.config["BASE_URL"]),
                                headers={"Accept": "application/json"}).get_json()
    did_document = admin_client.get("/.well-known/did.json").get_json(force=True)
    assert verify_credential(document, now=utc_now(), recipient_email="person0@example.org",
                             resolve_controller={did_document["id"]: did_document}.get).verified

    # The same file again: every row is recognised as issued; nothing is issued twice.
    again = upload(admin_client, achievement, people_csv(ROWS))
    html = admin_client.get(again.headers["Location"]).get_data(as_text=True)
    assert "0 to issue" in html and f"{ROWS} issued by an earlier upload (skipped)" in html


def test_cli_bulk_on_a_redis_queue(app, profile, tmp_path):
    import redis

    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379")
    queue = f"issuer-test-{secrets.token_hex(4)}"
    achievement = make_achievement(app)
    env = environment(app, ISSUER_QUEUE_URL=f"redis://127.0.0.1:6379/0?name={queue}")
    people = tmp_path / "people.csv"
    people.write_bytes(people_csv(40, domain="redis.example.org"))
    results = tmp_path / "results.csv"
    worker = start_worker(env, tmp_path / "worker.log", "--workers", "2", "--worker-type",
                          "thread")
    try:
        run = subprocess.run([*CLI, "bulk", str(people), "--achievement", achievement,
                              "--issuer", "main", "-o", str(results)],
                             cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    finally:
        stop(worker)
        for key in client.scan_iter(f"huey.*{queue}*"):
            client.delete(key)
    assert run.returncode == 0, run.stderr
    job_id = run.stdout.strip()
    assert counts(app, job_id)["issued"] == 40
    assert "40 row(s) to issue" in run.stderr and "Issuing" in run.stderr
    assert "40 issued, 0 skipped, 0 failed" in run.stderr
    rows = list(csv.DictReader(io.StringIO(results.read_text())))
    assert [row["status"] for row in rows] == ["issued"] * 40
    assert all(row["credential_url"].startswith(app.config["BASE_URL"] + "/credentials/")
               for row in rows)
    # Re-running the file issues nothing; a bad file is refused with its row numbers.
    again = subprocess.run([*CLI, "bulk", str(people), "--achievement", achievement,
                            "--dry-run"], cwd=REPO, env=env, capture_output=True, text=True,
                           timeout=120)
    assert again.returncode == 0 and "0 row(s) to issue, 40 issued before" in again.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("email,valid_until\nx@example.org,tomorrow\nnot-an-email,\n")
    refused = subprocess.run([*CLI, "bulk", str(bad), "--achievement", achievement],
                             cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1 and refused.stdout == ""
    assert "row 2: valid_until" in refused.stderr and "row 3: email" in refused.stderr


def test_stale_chunks_left_in_the_queue_change_no_outcome(app, profile, tmp_path):
    """A resume while the first run's chunks are still queued puts each chunk in the queue
    twice; two worker processes then run both copies of a chunk at the same time. The counts
    when the job is done are final (the CLI prints them then), and every row ends issued,
    once: a stale copy used to turn rows this job issued into "skipped" after the fact."""
    from issuer import jobs

    achievement = make_achievement(app)
    with app.app_context():
        session = db.get_session()
        checked = bulk.preview(session, achievement_id=achievement, data=people_csv(60),
                               now=utc_now())
        job = bulk.create_job(session, checked, filename="people.csv", now=utc_now())
        session.commit()
        job_id = job.id
        chunks = [(2, 31), (32, 61)]  # two chunks of 30 rows
        bulk.start_job(session, job, now=utc_now())
        session.commit()
    jobs.enqueue_bulk_job(app, job_id, [chunk for chunk in chunks for _copy in (1, 2)])
    huey = jobs.jobs_of(app).huey
    assert huey.pending_count() == 4

    worker = start_worker(environment(app), tmp_path / "worker.log", "--workers", "2")
    try:
        at_done = wait_until(lambda: (c := counts(app, job_id))["status"] == "done" and c,
                             what="the job to finish")
        wait_until(lambda: huey.pending_count() == 0, what="the queue to drain")
    finally:
        stop(worker)  # SIGINT: the running tasks (a stale copy, say) finish first
    final = counts(app, job_id)
    assert final == at_done, (at_done, final)
    assert (final["issued"], final["skipped"], final["failed"], final["pending"]) == (60, 0, 0, 0)
    with app.app_context():
        session = db.get_session()
        assert session.scalar(select(func.count()).select_from(IssuedCredential)) == 60
        assert session.scalar(select(func.count()).select_from(IdempotencyKey)) == 60
        found = bulk.get_job(session, job_id)
        rows = list(csv.DictReader(io.StringIO(bulk.results_csv(
            session, found, base_url=app.config["BASE_URL"]))))
    assert [row["status"] for row in rows] == ["issued"] * 60
    assert len({row["credential_url"] for row in rows}) == 60
