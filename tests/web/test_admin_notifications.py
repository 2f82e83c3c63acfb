"""Without ISSUER_SMTP_URL (issue 14): a credential's page says its recipient was not told,
offers no Resend, and a forged resend queues nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from issuer import db
from issuer.community.models import OutboxMessage
from tests.service_fixtures import csrf_token, issue_credential, make_achievement


def test_not_sent_without_smtp(app, admin_client):
    assert not app.config.get("SMTP_URL")
    credential_id = issue_credential(app, make_achievement(app))
    path = f"/admin/credentials/{credential_id}"
    page = admin_client.get(path).get_data(as_text=True)
    assert 'data-state="not_sent"' in page
    assert "email is not configured on this server (ISSUER_SMTP_URL)" in page
    assert 'id="resend-form"' not in page
    response = admin_client.post(f"{path}/resend", data={"csrf_token": csrf_token(admin_client,
                                                                                  path)})
    assert response.status_code == 303
    assert "nothing can be sent" in admin_client.get(path).get_data(as_text=True)
    with app.app_context():
        assert db.get_session().scalar(select(func.count(OutboxMessage.id))) == 0
    listing = admin_client.get("/admin/credentials").get_data(as_text=True)
    assert 'data-notification="not_sent"' in listing and ">Not sent<" in listing


def test_the_admin_warns_that_nobody_is_told_without_smtp(app, admin_client):
    for path in ("/admin/", "/admin/issue", "/admin/bulk/"):
        page = admin_client.get(path).get_data(as_text=True)
        assert 'id="smtp-warning"' in page, path
        assert "recipients will not be told" in page


def test_member_sign_in_promises_no_link_without_smtp(app, client, profile):
    issue_credential(app, make_achievement(app), email="alice@example.org")
    page = client.get("/members/sign-in").get_data(as_text=True)
    assert "Sign-in by email is not available on this server" in page
    answers = set()
    for email in ("alice@example.org", "nobody@example.org"):  # a recipient, and not
        response = client.post("/members/sign-in", data={
            "csrf_token": csrf_token(client, "/admin/login"), "email": email})  # no form shown
        text = response.get_data(as_text=True)
        assert 'id="link-sent"' not in text and "on its way" not in text
        assert "Sign-in by email is not available on this server" in text
        answers.add((response.status_code, text.replace(email, "")))
    assert len(answers) == 1  # the same answer: membership is not revealed
