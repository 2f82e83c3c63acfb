"""Expiry reminders (issue 14, item 4): the periodic scan claims each due credential once
(a unique row per credential, in the same transaction as its outbox email), skips revoked,
suspended, archived and not-yet-due ones, is bounded per run, and the email goes through the
real queue (SQLite Huey) to a real SMTP server (aiosmtpd), with the renewal link."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from issuer import db, jobs
from issuer.clock import utc_now
from issuer.community import outbox
from issuer.community.models import OutboxMessage
from issuer.models import Achievement, IssuedCredential
from issuer.reminder_models import CredentialReminder
from issuer.services import reminders, status
from issuer.services.keystore import FileKeyStore
from issuer.services.tx import atomic
from tests.community.conftest import drain
from tests.service_fixtures import issue_credential, make_achievement, offer_suspension

RENEW = "https://courses.example.org/python/renew"
pytestmark = pytest.mark.usefixtures("profile")


def _set(app, achievement_id, days, url=None):
    with app.app_context():
        session = db.get_session()
        with atomic(session):
            reminders.save_setting(session, session.get(Achievement, achievement_id),
                                   reminders.Setting(days, url), now=utc_now())


def _issue(app, achievement_id, email, *, days_left: float | None):
    valid_until = None if days_left is None else utc_now() + timedelta(days=days_left)
    credential_id = issue_credential(app, achievement_id, email=email, valid_until=valid_until)
    return credential_id


def _scan(app, limit=None) -> int:
    return jobs.run_reminder_scan(app, jobs.jobs_of(app).community.deliver_mail, limit=limit)


def _reminder_rows(app) -> int:
    with app.app_context():
        return db.get_session().scalar(select(func.count()).select_from(CredentialReminder))


def _reminders_to(smtp_server, address):
    return [item for item in smtp_server.to(address)
            if "expires soon" in item.message["Subject"]]


def test_due_credentials_are_reminded_once_through_smtp(app, admin_client, smtp_server):
    achievement = make_achievement(app, name="Python Basics")
    _set(app, achievement, 30, RENEW)
    due = _issue(app, achievement, "due@example.org", days_left=10)
    _issue(app, achievement, "later@example.org", days_left=60)
    _issue(app, achievement, "never@example.org", days_left=None)
    drain(app)  # the award emails
    assert _scan(app) == 1
    drain(app)
    [mail] = _reminders_to(smtp_server, "due@example.org")
    assert mail.message["Subject"] == "Your badge Python Basics expires soon"
    text = mail.message.get_body(("plain",)).get_content()
    assert RENEW in text and "in 10 days" in text
    assert f"/credentials/{due}" in text
    assert not _reminders_to(smtp_server, "later@example.org")
    assert not _reminders_to(smtp_server, "never@example.org")
    assert _scan(app) == 0 and _reminder_rows(app) == 1  # once per credential
    page = admin_client.get(f"/admin/credentials/{due}").get_data(as_text=True)
    assert 'id="expiry-reminder">Sent ' in page and "(30 days before)" in page


def test_the_achievement_page_is_the_default_renewal_link(app, smtp_server):
    achievement = make_achievement(app)
    _set(app, achievement, 7)
    _issue(app, achievement, "bob@example.org", days_left=3)
    assert _scan(app) == 1
    drain(app)
    [mail] = _reminders_to(smtp_server, "bob@example.org")
    html = mail.message.get_body(("html",)).get_content()
    assert f'href="{app.config["BASE_URL"]}/achievements/{achievement}"' in html


def test_revoked_suspended_archived_and_expired_are_skipped(app, smtp_server):
    offer_suspension(app)
    achievement, archived = make_achievement(app), make_achievement(app, name="Old one")
    _set(app, achievement, 30)
    _set(app, archived, 30)
    revoked = _issue(app, achievement, "revoked@example.org", days_left=5)
    suspended = _issue(app, achievement, "suspended@example.org", days_left=5)
    _issue(app, archived, "archived@example.org", days_left=5)
    with app.app_context():
        session = db.get_session()
        keystore, base_url = FileKeyStore(app.config["KEYS_DIR"]), app.config["BASE_URL"]
        actor = status.Actor("tests")
        with atomic(session):
            status.revoke(session, session.get(IssuedCredential, revoked), reason="error",
                          actor=actor, keystore=keystore, base_url=base_url, now=utc_now())
        with atomic(session):
            status.suspend(session, session.get(IssuedCredential, suspended), actor=actor,
                           keystore=keystore, base_url=base_url, now=utc_now())
        with atomic(session):
            session.get(Achievement, archived).archived_at = utc_now()
        assert reminders.due(session, now=utc_now(), limit=100) == []
        # An already expired credential is not reminded either.
        assert reminders.due(session, now=utc_now() + timedelta(days=6), limit=100) == []
    assert _scan(app) == 0 and _reminder_rows(app) == 0


def test_a_credential_revoked_after_its_claim_gets_no_email(app, smtp_server):
    achievement = make_achievement(app)
    _set(app, achievement, 30)
    credential = _issue(app, achievement, "late@example.org", days_left=5)
    drain(app)
    with app.app_context():
        session = db.get_session()
        [message_id] = reminders.scan(session, now=utc_now())
        with atomic(session):
            status.revoke(session, session.get(IssuedCredential, credential), reason="error",
                          actor=status.Actor("tests"), keystore=FileKeyStore(app.config["KEYS_DIR"]),
                          base_url=app.config["BASE_URL"], now=utc_now())
    jobs.jobs_of(app).community.deliver_mail(message_id)
    drain(app)
    assert not _reminders_to(smtp_server, "late@example.org")
    with app.app_context():
        row = db.get_session().get(OutboxMessage, message_id)
        assert row.status == outbox.FAILED and "revoked" in row.last_error


def test_a_second_consumer_that_lost_the_race_claims_nothing(app, app_config, smtp_server):
    """Two apps (two processes' worth of engines and sessions) on one database: both see
    the same due credentials; the one that claims second gets a key conflict on each and
    queues no email."""
    from issuer import create_app

    achievement = make_achievement(app)
    _set(app, achievement, 30)
    for number in range(3):
        _issue(app, achievement, f"p{number}@example.org", days_left=2 + number)
    other = create_app(app_config)
    now = utc_now()
    with other.app_context():
        late_session = db.get_session()
        seen = reminders.due(late_session, now=now, limit=10)
        late_session.rollback()
        assert len(seen) == 3
        with app.app_context():
            assert len(reminders.scan(db.get_session(), now=now)) == 3
        assert [reminders.claim(late_session, credential_id, days, now=now)
                for credential_id, days in seen] == [None, None, None]
    db.engine_of(other).dispose()
    assert _reminder_rows(app) == 3
    with app.app_context():
        assert db.get_session().scalar(select(func.count(OutboxMessage.id)).where(
            OutboxMessage.kind == outbox.KIND_EXPIRY_REMINDER)) == 3


def test_each_run_is_bounded(app, smtp_server):
    achievement = make_achievement(app)
    _set(app, achievement, 30)
    for number in range(3):
        _issue(app, achievement, f"b{number}@example.org", days_left=1 + number)
    assert _scan(app, limit=2) == 2
    assert _scan(app, limit=2) == 1
    assert _scan(app, limit=2) == 0
    drain(app)
    assert sum(len(_reminders_to(smtp_server, f"b{n}@example.org")) for n in range(3)) == 3


def test_the_scan_is_a_periodic_task_hourly_at_minute_17(app):
    huey = jobs.jobs_of(app).huey
    at_17 = [task.name for task in
             huey.read_periodic(datetime(2026, 12, 1, 9, 17, tzinfo=timezone.utc))]
    at_18 = [task.name for task in
             huey.read_periodic(datetime(2026, 12, 1, 9, 18, tzinfo=timezone.utc))]
    assert "reminders.scan" in at_17 and "reminders.scan" not in at_18
    assert jobs.REMINDER_SCHEDULE == {"minute": "17"}


def test_the_worker_consumer_runs_the_periodic_scheduler(app):
    consumer = jobs.make_consumer(app, workers=2, worker_type="thread")
    assert consumer.periodic is True and consumer.scheduler_interval == 1


def test_the_periodic_task_itself_runs_the_scan_on_the_queue(app, smtp_server):
    achievement = make_achievement(app)
    _set(app, achievement, 30)
    _issue(app, achievement, "queued@example.org", days_left=4)
    drain(app)
    jobs.jobs_of(app).send_expiry_reminders()  # as the consumer's scheduler enqueues it
    drain(app)  # the scan, then the email it queued
    assert len(_reminders_to(smtp_server, "queued@example.org")) == 1
