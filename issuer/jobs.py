"""Background work on Huey: the queue named by ISSUER_QUEUE_URL and the issuer's tasks.

* Embedded (the default): ``sqlite:///<instance>/queue.sqlite3`` → SqliteHuey, one machine;
  ``issuer serve`` starts one consumer process next to gunicorn.
* Shared: ``redis://host:6379/0`` → RedisHuey; run ``issuer worker`` processes on any
  number of machines. ``?name=...`` on the URL names the queue (default ``issuer``).

Tasks take ids only. Each runs inside an app context of the app the queue was built for, with
its own database session: in a worker process that app is ``create_app()`` from the same
ISSUER_* settings as the web app. Later features add their tasks in ``_register``.

Periodic tasks (``REMINDER_SCHEDULE``: the expiry-reminder scan, hourly at minute 17) are
enqueued by every consumer started with ``periodic=True`` (``issuer worker``, which ``issuer
serve`` starts): with several workers on several hosts each enqueues its own run, which is
safe because the scan claims each reminder under a unique key (issuer.services.reminders).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey, crontab

from issuer import db

EXTENSION = "issuer.jobs"
DEFAULT_QUEUE_NAME = "issuer"
_lock = threading.Lock()
REMINDER_SCHEDULE = {"minute": "17"}  # crontab() arguments: hourly, at minute 17


@dataclass(frozen=True)
class Jobs:
    """The queue and the task handles of one app (``task(args)`` enqueues)."""

    huey: Huey
    issue_bulk_rows: Any
    community: Any = None  # issue 7: issuer.community.tasks.CommunityTasks
    webhooks: Any = None  # issue 15: issuer.webhooks.tasks.WebhookTasks
    obapi_purge: Any = None  # issue 15: issuer.obapi.tasks (periodic)
    send_expiry_reminders: Any = None  # issue 14: the periodic expiry-reminder scan


def make_huey(url: str) -> Huey:
    """A Huey instance for ``sqlite:///<file>`` or ``redis(s)://...[?name=queue]``."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    name = query.pop("name", DEFAULT_QUEUE_NAME)
    if parts.scheme == "sqlite":
        from pathlib import Path

        path = Path(url.removeprefix("sqlite:///").split("?", 1)[0])
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=str(path), results=False, timeout=15)
    if parts.scheme in ("redis", "rediss"):
        clean = urlunsplit(parts._replace(query=urlencode(query)))
        return RedisHuey(name, url=clean, results=False)
    raise ValueError(f"unsupported queue URL {url!r}")


def _register(huey: Huey, app: Flask) -> Jobs:
    @huey.on_startup()
    def _fresh_connections() -> None:
        """A forked worker process must not share its parent's database connections."""
        db.engine_of(app).dispose(close=False)

    @huey.task(name="issue_bulk_rows", retries=2, retry_delay=5)
    def issue_bulk_rows(job_id: str, first_line: int, last_line: int) -> int:
        """Issue one chunk of a bulk job's pending rows."""
        from issuer.clock import utc_now
        from issuer.services import bulk_worker
        from issuer.services.keystore import FileKeyStore

        with app.app_context():
            return bulk_worker.process_rows(
                db.get_session(), job_id, first_line, last_line,
                keystore=FileKeyStore(app.config["KEYS_DIR"]),
                base_url=app.config["BASE_URL"], clock=utc_now,
            )

    from issuer.community import tasks as community_tasks  # issue 7
    from issuer.obapi import tasks as obapi_tasks  # issue 15
    from issuer.webhooks import tasks as webhook_tasks  # issue 15

    community = community_tasks.register(huey, app)

    @huey.periodic_task(crontab(**REMINDER_SCHEDULE), name="reminders.scan")
    def send_expiry_reminders() -> int:
        """Claim the expiry reminders due now (bounded) and queue their emails."""
        return run_reminder_scan(app, community.deliver_mail)

    return Jobs(huey=huey, issue_bulk_rows=issue_bulk_rows, community=community,
                webhooks=webhook_tasks.register(huey, app,
                                                deliver_mail=community.deliver_mail),
                obapi_purge=obapi_tasks.register(huey, app),
                send_expiry_reminders=send_expiry_reminders)


def run_reminder_scan(app: Flask, deliver_mail, *, limit: int | None = None) -> int:
    """One run of the expiry-reminder scan: nothing without mail (ISSUER_SMTP_URL), so no
    reminder is used up unsent; else claim up to REMINDER_BATCH and enqueue each email."""
    from issuer.clock import utc_now
    from issuer.community.tasks import delivery_of
    from issuer.services import reminders

    if delivery_of(app) is None:
        return 0
    with app.app_context():
        claimed = reminders.scan(db.get_session(), now=utc_now(),
                                 limit=limit or app.config["REMINDER_BATCH"])
    for message_id in claimed:
        deliver_mail(message_id)
    return len(claimed)


def jobs_of(app: Flask | None = None) -> Jobs:
    """The app's queue and tasks, built on first use."""
    app = app or current_app._get_current_object()
    jobs = app.extensions.get(EXTENSION)
    if jobs is None:
        with _lock:
            jobs = app.extensions.get(EXTENSION)
            if jobs is None:
                jobs = _register(make_huey(app.config["QUEUE_URL"]), app)
                app.extensions[EXTENSION] = jobs
    return jobs


def make_consumer(app: Flask, *, workers: int = 1, worker_type: str = "process"):
    """The consumer ``issuer worker`` runs: it also runs the periodic scheduler (the expiry
    reminders). An idle worker polls an SQLite queue at least every second (Huey's default
    backs off to 10 s), so webhooks and emails leave within seconds; Redis queues block."""
    return jobs_of(app).huey.create_consumer(
        workers=max(1, workers), worker_type=worker_type, periodic=True, max_delay=1.0)


def enqueue_bulk_job(app: Flask, job_id: str, chunks: list[tuple[int, int]]) -> None:
    task = jobs_of(app).issue_bulk_rows
    for first_line, last_line in chunks:
        task(job_id, first_line, last_line)
