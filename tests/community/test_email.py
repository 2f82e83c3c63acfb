"""Email through a REAL local SMTP server (aiosmtpd, with a password): the announcement of
every issued credential (any path), its text and HTML parts and links, retries of transient
failures, failures visible to admins, and secrets kept out of errors, pages and logs."""

from __future__ import annotations

import json
import logging
import socket
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from issuer import create_app, db
from issuer.clock import utc_now
from issuer.community import claims
from issuer.community import email as mail
from issuer.community.models import OutboxMessage
from issuer.config import ConfigError
from issuer.models import IssuedCredential
from issuer.openbadges import baking
from tests.api_helpers import bearer, make_token
from tests.community.conftest import MAIL_FROM, SMTP_PASSWORD, SMTP_USER, drain
from tests.community.helpers import link, parts
from tests.service_fixtures import csrf_token, issue_credential, make_achievement

GRACE = "grace.hopper@example.org"


def _outbox(app) -> list[tuple[str, int, str | None]]:
    with app.app_context():
        return [(row.status, row.attempts, row.last_error) for row in db.get_session().scalars(
            select(OutboxMessage).order_by(OutboxMessage.id))]


def _issue_through_admin_form(app, client, achievement_id: str) -> str:
    response = client.post("/admin/issue", data={
        "csrf_token": csrf_token(client, "/admin/issue"), "achievement": achievement_id,
        "email": GRACE, "name": "Grace Hopper"})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[-1]


def test_an_issued_credential_is_announced_with_its_badge_and_links(app, admin_client,
                                                                    smtp_server):
    achievement_id = make_achievement(app, name="Compiler Pioneer",
                                      description="Wrote the first compiler.")
    credential_id = _issue_through_admin_form(app, admin_client, achievement_id)
    assert _outbox(app) == [("pending", 0, None)]  # queued with the credential, not yet sent
    assert smtp_server.delivered == []
    drain(app)
    [delivered] = smtp_server.wait_for(1)
    message = delivered.message
    assert delivered.rcpt_tos == [GRACE] and message["To"] == GRACE
    assert message["From"] == MAIL_FROM and delivered.mail_from == "badges@example.org"
    assert message["Subject"] == "You have earned Compiler Pioneer"
    assert smtp_server.logins == [SMTP_USER]  # it authenticated with the URL's user

    text, html = parts(message)
    page = f"http://localhost:5000/credentials/{credential_id}"
    for body in (text, html):
        assert "Hello Grace Hopper," in body and "Wrote the first compiler." in body
    assert link(html, "badge-page") == page and page in text
    linkedin = link(html, "linkedin-add")
    assert linkedin in text
    query = parse_qs(urlsplit(linkedin).query)
    assert linkedin.startswith("https://www.linkedin.com/profile/add?")
    assert query["name"] == ["Compiler Pioneer"] and query["certUrl"] == [page]
    assert query["certId"] == [credential_id] and query["startTask"] == ["CERTIFICATION_NAME"]
    claim = link(html, "claim")
    assert claim in text and claim.startswith("http://localhost:5000/claim#")
    with app.app_context():
        row = db.get_session().get(IssuedCredential, credential_id)
        decoded = claims.read_token(app.config["SECRET_KEY"], claim.split("#", 1)[1])
        assert decoded == claims.Claim(credential_id, row.recipient_id)
        document = row.document

    # The badge image is inline (cid:), a PNG with the signed credential baked in.
    [image] = [part for part in message.walk() if part.get_content_type() == "image/png"]
    assert f'src="cid:{image["Content-ID"][1:-1]}"' in html
    assert baking.extract_png(image.get_content()) == document

    # The address is in the envelope and the To header, nowhere else.
    for body in (text, html, linkedin, claim, json.dumps(dict(message.items()))
                 .replace(f'"To": "{GRACE}"', "")):
        assert GRACE not in body and "grace.hopper" not in body
    assert _outbox(app) == [("sent", 1, None)]
    drain(app)  # delivering again does nothing: the message is sent
    assert len(smtp_server.delivered) == 1


def test_the_api_path_announces_too(app, client, smtp_server, profile):
    achievement_id = make_achievement(app, name="API Badge")
    response = client.post("/api/v1/credentials", json={
        "achievement": achievement_id, "recipient": {"email": GRACE}},
        headers=bearer(make_token(app, scopes=("issue",))))
    assert response.status_code == 201
    drain(app)
    [delivered] = smtp_server.wait_for(1)
    text, _ = parts(delivered.message)
    assert text.splitlines()[0] == "Hello," and response.get_json()["links"]["page"] in text


def test_a_rolled_back_credential_queues_no_email(app, smtp_server, profile):
    """The outbox row is written in the credential's transaction: flushed, then rolled back
    with it, it leaves nothing to send."""
    from issuer.services import issuance
    from issuer.services.keystore import FileKeyStore

    achievement_id = make_achievement(app, name="Badge")

    def fail_after_flush(session, row):
        session.flush()  # the credential and its outbox row reach the database...
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
        raise RuntimeError("...and a later step fails")

    with app.app_context(), pytest.raises(RuntimeError):
        issuance.issue(db.get_session(),
                       issuance.IssueRequest(achievement_id=achievement_id, email=GRACE),
                       keystore=FileKeyStore(app.config["KEYS_DIR"]),
                       base_url=app.config["BASE_URL"], now=utc_now(),
                       on_issued=fail_after_flush)
    assert _outbox(app) == [] and drain(app) == 0 and smtp_server.delivered == []


def test_transient_failures_are_retried(app, smtp_server, profile):
    smtp_server.fail_next = 2  # "451 try again later" twice, then accepted
    issue_credential(app, make_achievement(app, name="Badge"), email=GRACE)
    drain(app)
    assert len(smtp_server.wait_for(1)) == 1
    assert _outbox(app) == [("sent", 3, None)]


def test_failures_are_visible_to_admins_who_can_retry(app, admin_client, smtp_server):
    smtp_server.fail_next, smtp_server.fail_code = 1, 550  # permanent: no automatic retry
    issue_credential(app, make_achievement(app, name="Badge"), email=GRACE)
    drain(app)
    [(status, attempts, error)] = _outbox(app)
    assert (status, attempts) == ("failed", 1) and "550" in error
    page = admin_client.get("/admin/community/outbox?status=failed").get_data(as_text=True)
    assert "550" in page and 'class="status-failed"' in page and GRACE in page
    with app.app_context():
        message_id = db.get_session().scalar(select(OutboxMessage.id))
    response = admin_client.post(f"/admin/community/outbox/{message_id}/retry", data={
        "csrf_token": csrf_token(admin_client, "/admin/community/outbox")})
    assert response.status_code == 302
    drain(app)
    assert len(smtp_server.wait_for(1)) == 1
    assert _outbox(app) == [("sent", 2, None)]
    overview = admin_client.get("/admin/community/").get_data(as_text=True)
    assert "sent: 1" in overview


def test_retries_run_out_and_the_message_fails(app, smtp_server, profile):
    smtp_server.fail_next = 10  # MAIL_RETRIES is 2: three attempts in all
    issue_credential(app, make_achievement(app, name="Badge"), email=GRACE)
    drain(app)
    [(status, attempts, error)] = _outbox(app)
    assert (status, attempts) == ("failed", 3) and "451" in error
    assert smtp_server.delivered == []


def test_a_wrong_smtp_password_is_reported_without_it(app, admin_client, smtp_server, caplog):
    wrong = "Wrong-Pa55word-123"
    app.config["SMTP_URL"] = f"smtp://{SMTP_USER}:{wrong}@127.0.0.1:{smtp_server.port}"
    caplog.set_level(logging.DEBUG)
    issue_credential(app, make_achievement(app, name="Badge"), email=GRACE)
    drain(app)
    [(status, attempts, error)] = _outbox(app)
    assert (status, attempts) == ("failed", 1) and error == "authentication failed (535)"
    page = admin_client.get("/admin/community/outbox").get_data(as_text=True)
    for secret in (wrong, SMTP_PASSWORD):
        assert secret not in page and secret not in caplog.text and secret not in error
    with app.app_context():  # nor anywhere in the outbox table
        rows = db.get_session().execute(select(OutboxMessage.__table__)).all()
        assert wrong not in repr(rows)


def test_an_unreachable_server_is_retried_then_reported(app, smtp_server, profile):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{closed_port}?timeout=2"
    issue_credential(app, make_achievement(app, name="Badge"), email=GRACE)
    drain(app)
    [(status, attempts, error)] = _outbox(app)
    assert (status, attempts) == ("failed", 3)
    assert error.startswith(f"cannot reach 127.0.0.1:{closed_port}: ConnectionRefusedError")


def test_without_smtp_nothing_is_queued(app_config, smtp_server, profile):
    quiet = create_app({**app_config, "SMTP_URL": None})
    try:
        issue_credential(quiet, make_achievement(quiet, name="Badge"), email=GRACE)
        with quiet.app_context():
            session = db.get_session()
            assert session.scalar(select(func.count()).select_from(IssuedCredential)) == 1
            assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    finally:
        db.engine_of(quiet).dispose()


@pytest.mark.parametrize("url, expected", [
    ("smtp://mail.example.org", "SmtpSettings(smtp://mail.example.org:25)"),
    ("smtp://u%40x:p%2Fw@mail.example.org:587?starttls=1",
     "SmtpSettings(smtp://u@x:***@mail.example.org:587?starttls=1)"),
    ("smtps://u:pw@mail.example.org", "SmtpSettings(smtps://u:***@mail.example.org:465)"),
])
def test_smtp_urls(url, expected):
    settings = mail.parse_smtp_url(url)
    assert repr(settings) == expected
    if "%2F" in url:
        assert (settings.username, settings.password, settings.starttls) == ("u@x", "p/w", True)


@pytest.mark.parametrize("url, phrase", [
    ("http://u:topsecret@host", "must start with smtp://"),
    ("smtp://u:topsecret@host:99999", "valid port"),
    ("smtp://u:topsecret@host?tls=1", "unknown option tls"),
    ("smtps://u:topsecret@host?starttls=1", "already uses TLS"),
    ("smtp://u:topsecret@host?timeout=soon", "timeout"),
    ("smtp://:topsecret@host", "no user name"),
    ("smtp:///", "host name"),
])
def test_bad_smtp_urls_stop_the_app_without_showing_the_password(app_config, url, phrase):
    with pytest.raises(ConfigError) as raised:
        create_app({**app_config, "SMTP_URL": url})
    assert phrase in str(raised.value) and "topsecret" not in str(raised.value)


def test_mail_from_is_required_and_checked(app_config):
    with pytest.raises(ConfigError, match="ISSUER_MAIL_FROM"):
        create_app({**app_config, "MAIL_FROM": None})
    with pytest.raises(ConfigError, match="ISSUER_MAIL_FROM"):
        create_app({**app_config, "MAIL_FROM": "Badges <not an address>"})
    with pytest.raises(ConfigError, match="ISSUER_MAIL_FROM"):
        create_app({**app_config, "MAIL_FROM": "a@example.org\r\nBcc: x@example.org"})


def test_savepoints_neither_send_early_nor_send_what_they_rolled_back(app, smtp_server,
                                                                      profile):
    import uuid

    from issuer.services import issuance
    from issuer.services.keystore import FileKeyStore
    from tests.community.conftest import pending_tasks

    achievement_id = make_achievement(app, name="Badge")

    def savepoint_after_flush(session, row):
        session.flush()
        with session.begin_nested():  # released before the real commit
            pass
        assert pending_tasks(app) == []  # nothing is queued before the outer commit

    with app.app_context():
        issued = issuance.issue(
            db.get_session(), issuance.IssueRequest(achievement_id=achievement_id, email=GRACE),
            keystore=FileKeyStore(app.config["KEYS_DIR"]), base_url=app.config["BASE_URL"],
            now=utc_now(), on_issued=savepoint_after_flush)
    assert pending_tasks(app) == ["community.deliver_mail"]

    with app.app_context():  # a credential row added in a SAVEPOINT that is rolled back
        session = db.get_session()
        row = session.get(IssuedCredential, issued.id)
        savepoint = session.begin_nested()
        session.add(IssuedCredential(
            id=str(uuid.uuid4()), profile_id=row.profile_id, achievement_id=row.achievement_id,
            recipient_id=row.recipient_id, document=row.document,
            verification_method=row.verification_method, valid_from=row.valid_from,
            issued_at=row.issued_at))
        session.flush()
        savepoint.rollback()
        session.commit()
    assert pending_tasks(app) == ["community.deliver_mail"]
    assert len(_outbox(app)) == 1
    drain(app)
    assert len(smtp_server.wait_for(1)) == 1


def test_requeue_command_sends_what_a_lost_queue_dropped(app, client, smtp_server, profile,
                                                         tmp_path):
    import click
    from click.testing import CliRunner

    from issuer.cli import main
    from issuer.jobs import jobs_of
    from tests.community.helpers import event, events_token, post

    from datetime import timedelta

    from sqlalchemy import update

    from issuer.services.tx import atomic

    badge = make_achievement(app, name="Badge")
    for _ in range(3):
        issue_credential(app, badge, email=GRACE)
    post(client, events_token(app), event("lost-1"))
    jobs_of(app).huey.flush()  # the queue lost its jobs (a Redis without persistence)
    assert drain(app) == 0 and smtp_server.delivered == []
    with app.app_context():  # a worker died sending #2 long ago; one is sending #3 right now
        session = db.get_session()
        with atomic(session):
            ids = session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)).all()
            session.execute(update(OutboxMessage).where(OutboxMessage.id == ids[1]).values(
                status="sending", attempts=1, updated_at=utc_now() - timedelta(minutes=11)))
            session.execute(update(OutboxMessage).where(OutboxMessage.id == ids[2]).values(
                status="sending", attempts=1, updated_at=utc_now()))
    env = {"ISSUER_DATABASE_URL": app.config["DATABASE_URL"],
           "ISSUER_KEYS_DIR": app.config["KEYS_DIR"],
           "ISSUER_INSTANCE_PATH": str(tmp_path / "cli"), "ISSUER_BASE_URL": app.config["BASE_URL"],
           "ISSUER_QUEUE_URL": app.config["QUEUE_URL"], "ISSUER_SMTP_URL": app.config["SMTP_URL"],
           "ISSUER_MAIL_FROM": MAIL_FROM}
    result = CliRunner().invoke(click.Group("issuer", commands=dict(main.commands)),
                                ["community", "requeue"], env=env, catch_exceptions=False)
    assert result.exit_code == 0 and result.stdout == "3\n"  # the event and two emails
    drain(app)
    assert len(smtp_server.wait_for(2)) == 2
    assert _outbox(app) == [("sent", 1, None), ("sent", 2, None), ("sending", 1, None)]
