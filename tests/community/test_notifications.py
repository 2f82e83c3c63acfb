"""Whether the recipient was told (issue 14, the notification loop): the state on the
credential's admin page, derived from the outbox rows, and *Resend* through the real queue
and a real SMTP server (aiosmtpd), rate-limited by counting outbox rows."""

from __future__ import annotations

import html
from datetime import timedelta

from sqlalchemy import func, select

from issuer import db
from issuer.clock import utc_now
from issuer.community import notifications, outbox
from issuer.community.models import OutboxMessage
from issuer.models import IssuedCredential
from tests.community.conftest import drain
from tests.service_fixtures import csrf_token, issue_credential, make_achievement

ALICE = "alice@example.org"


def _page(client, credential_id) -> str:
    response = client.get(f"/admin/credentials/{credential_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _resend(client, credential_id):
    path = f"/admin/credentials/{credential_id}"
    return client.post(f"{path}/resend", data={"csrf_token": csrf_token(client, path)})


def _state(page: str) -> str:
    marker = 'id="credential-notification" data-state="'
    start = page.index(marker) + len(marker)
    return page[start:page.index('"', start)]


def _emails(app, credential_id) -> int:
    with app.app_context():
        return db.get_session().scalar(select(func.count(OutboxMessage.id)).where(
            OutboxMessage.credential_id == credential_id))


def test_queued_then_notified_then_resent(app, admin_client, smtp_server):
    credential_id = issue_credential(app, make_achievement(app), email=ALICE)
    page = _page(admin_client, credential_id)
    assert _state(page) == "queued" and 'id="resend-form"' not in page  # nothing to resend yet
    drain(app)
    assert [item.rcpt_tos for item in smtp_server.wait_for(1)] == [[ALICE]]
    page = _page(admin_client, credential_id)
    assert _state(page) == "sent" and "Notified" in page and 'id="resend-form"' in page

    response = _resend(admin_client, credential_id)
    assert response.status_code == 303
    assert f"The email to {ALICE} is queued again." in _page(admin_client, credential_id)
    assert _state(_page(admin_client, credential_id)) == "queued"
    again = _resend(admin_client, credential_id)  # refused while one is queued
    assert "already queued" in admin_client.get(again.headers["Location"]).get_data(as_text=True)
    drain(app)
    delivered = smtp_server.wait_for(2)
    assert [item.rcpt_tos for item in delivered] == [[ALICE], [ALICE]]
    assert delivered[1].message["Subject"] == delivered[0].message["Subject"]
    assert _state(_page(admin_client, credential_id)) == "sent"
    assert _emails(app, credential_id) == 2


def test_resend_is_limited_per_day_from_the_outbox_rows(app, admin_client, smtp_server):
    credential_id = issue_credential(app, make_achievement(app), email=ALICE)
    drain(app)
    for _ in range(notifications.RESEND_LIMIT - 1):
        assert _resend(admin_client, credential_id).status_code == 303
        drain(app)
    assert len(smtp_server.wait_for(notifications.RESEND_LIMIT)) == notifications.RESEND_LIMIT
    page = _page(admin_client, credential_id)
    assert 'id="resend-limited"' in page and 'id="resend-form"' not in page
    refused = _resend(admin_client, credential_id)  # a form from another tab, or a script
    assert "times in the last 24 hours" in admin_client.get(refused.headers["Location"]).get_data(
        as_text=True)
    assert _emails(app, credential_id) == notifications.RESEND_LIMIT  # nothing queued
    with app.app_context():  # a day later it is possible again (the rows are a day old)
        session = db.get_session()
        session.execute(OutboxMessage.__table__.update()
                        .where(OutboxMessage.credential_id == credential_id)
                        .values(created_at=utc_now() - timedelta(days=1, seconds=1)))
        session.commit()
    assert 'id="resend-form"' in _page(admin_client, credential_id)
    _resend(admin_client, credential_id)
    drain(app)
    assert len(smtp_server.wait_for(notifications.RESEND_LIMIT + 1)) == 4


def test_failed_shows_the_last_error_and_resend_delivers(app, admin_client, smtp_server):
    smtp_server.fail_code, smtp_server.fail_next = 550, 1  # refused: permanent
    credential_id = issue_credential(app, make_achievement(app), email=ALICE)
    drain(app)
    page = _page(admin_client, credential_id)
    assert _state(page) == "failed" and "550" in page and "refused" in page
    assert "s3cret" not in page  # the SMTP password never shows
    _resend(admin_client, credential_id)
    drain(app)
    assert [item.rcpt_tos for item in smtp_server.wait_for(1)] == [[ALICE]]
    assert _state(_page(admin_client, credential_id)) == "sent"


def test_resend_needs_the_csrf_token(app, admin_client, smtp_server):
    credential_id = issue_credential(app, make_achievement(app), email=ALICE)
    drain(app)
    response = admin_client.post(f"/admin/credentials/{credential_id}/resend", data={})
    assert response.status_code == 400
    assert _emails(app, credential_id) == 1


def test_list_states_in_one_query(app, profile, smtp_server):
    achievement = make_achievement(app)
    first = issue_credential(app, achievement, email=ALICE)
    second = issue_credential(app, achievement, email="bob@example.org")
    drain(app)
    with app.app_context():
        session = db.get_session()
        session.execute(OutboxMessage.__table__.update()
                        .where(OutboxMessage.credential_id == second)
                        .values(status=outbox.FAILED, last_error="boom"))
        session.commit()
        assert notifications.states_of(session, [first, second, "missing"]) == {
            first: "sent", second: "failed", "missing": "not_sent"}


def test_the_credential_list_shows_who_was_told(app, admin_client, smtp_server):
    achievement = make_achievement(app)
    told = issue_credential(app, achievement, email=ALICE)
    drain(app)
    waiting = issue_credential(app, achievement, email="bob@example.org")
    page = admin_client.get("/admin/credentials").get_data(as_text=True)
    assert page.count('data-notification="sent"') == 1
    assert page.count('data-notification="queued"') == 1
    assert ">Notified<" in page and ">Queued<" in page
    assert told != waiting


def test_no_smtp_warning_when_mail_is_configured(app, admin_client, client):
    for path in ("/admin/", "/admin/issue", "/admin/bulk/"):
        page = admin_client.get(path).get_data(as_text=True)
        assert "<h1>" in page and 'id="smtp-warning"' not in page, path
    assert "not available on this server" not in client.get("/members/sign-in").get_data(
        as_text=True)


def test_preview_renders_the_real_email_and_issues_nothing(app, admin_client, smtp_server):
    achievement = make_achievement(app, name="Data Wrangler")
    data = {"csrf_token": csrf_token(admin_client, "/admin/issue"), "achievement": achievement,
            "email": "Carol@Example.org", "name": "Carol <b>Shaw</b>", "preview": "1"}
    response = admin_client.post("/admin/issue", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="email-preview"' in page
    assert '<dd id="preview-subject">You have earned Data Wrangler</dd>' in page
    assert '<dd id="preview-to">carol@example.org</dd>' in page
    assert "Community Badges" in page  # ISSUER_MAIL_FROM
    assert 'sandbox=""' in page and "data:image/png;base64," in page  # the badge, inline
    assert "Carol &lt;b&gt;Shaw&lt;/b&gt;" in page and "<b>Shaw</b>" not in page
    assert "unsafe-inline" in response.headers["Content-Security-Policy"]
    assert "script-src 'none'" in response.headers["Content-Security-Policy"]
    with app.app_context():
        session = db.get_session()
        assert session.scalar(select(func.count(IssuedCredential.id))) == 0
        assert session.scalar(select(func.count(OutboxMessage.id))) == 0
    drain(app)
    assert smtp_server.delivered == []
    # The same data issues for real, and the email sent has the previewed subject and text.
    data.pop("preview")
    issued = admin_client.post("/admin/issue", data=data)
    assert issued.status_code == 302
    drain(app)
    sent = smtp_server.wait_for(1)[0].message
    assert sent["Subject"] == "You have earned Data Wrangler"
    first_line = sent.get_body(preferencelist=("plain",)).get_content().splitlines()[0]
    assert first_line == "Hello Carol <b>Shaw</b>," and html.escape(first_line, False) in page


def test_preview_checks_the_form_as_issuing_does(app, admin_client, smtp_server):
    response = admin_client.post("/admin/issue", data={
        "csrf_token": csrf_token(admin_client, "/admin/issue"), "achievement": "nope",
        "email": "not-an-address", "preview": "1"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose an existing achievement." in page and 'id="email-preview"' not in page
