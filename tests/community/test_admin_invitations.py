"""Inviting admins (issue 14, item 6), end to end: an owner invites by email, the REAL queue
sends it through a REAL SMTP server (aiosmtpd), the invitee opens the link, sets a password,
is signed in with the invited role; the link then stops working. Expired, revoked, reused and
unknown links are refused alike; only the token's hash is stored; invitations are
rate-limited; a failed send leaves no working link behind."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from issuer import db
from issuer.admin_models import AdminInvitation, AuditEntry
from issuer.clock import utc_now
from issuer.community.models import OutboxMessage
from issuer.services import admins
from issuer.services.tx import atomic
from tests.community.conftest import drain
from tests.service_fixtures import BASE_URL, csrf_token, sign_in
from tests.web.roles_helpers import role_of

BOB = "bob@example.org"
PASSWORD = "bobs own password"
LINK_RE = re.compile(r"http://localhost:5000/admin/join/[A-Za-z0-9_-]+")


def _invite(client, email=BOB, role="issuer"):
    return client.post("/admin/admins/invite", data={
        "csrf_token": csrf_token(client, "/admin/admins/"), "email": email, "profile": "main",
        "role": role})


def _accept(client, path, password=PASSWORD, repeat=None):
    return client.post(path, data={"csrf_token": csrf_token(client, path), "password": password,
                                   "repeat_password": password if repeat is None else repeat})


def _link_in(delivered) -> str:
    text = delivered.message.get_body(("plain",)).get_content()
    html = delivered.message.get_body(("html",)).get_content()
    links = LINK_RE.findall(text)
    assert links and LINK_RE.findall(html) == links[:1]
    return links[0]


def test_invite_email_accept_sign_in(app, admin_client, smtp_server):
    response = _invite(admin_client)
    assert response.status_code == 303
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"An invitation to {BOB} is on its way" in page
    assert 'id="invitation-link"' not in page  # mailed, not shown
    drain(app)
    [mail] = smtp_server.wait_for(1)
    assert mail.rcpt_tos == [BOB]
    assert "issuer" in mail.message["Subject"] or "Example University" in mail.message["Subject"]
    link = _link_in(mail)
    path = link.removeprefix(BASE_URL)
    with app.app_context():
        session = db.get_session()
        stored = session.scalar(select(AdminInvitation))
        assert stored.token_hash == admins.token_hash(path.rsplit("/", 1)[1])
        assert path.rsplit("/", 1)[1] not in repr(session.scalars(select(OutboxMessage)).all())

    bob = app.test_client()
    form = bob.get(path)
    assert form.status_code == 200 and form.headers["Referrer-Policy"] == "no-referrer"
    assert "Join Example University" in form.get_data(as_text=True)
    assert _accept(bob, path, repeat="something else").status_code == 422
    done = _accept(bob, path)
    assert done.status_code == 303
    assert bob.get("/admin/issue").status_code == 200  # signed in, as an issuer
    assert bob.get("/admin/api-access/").status_code == 403
    assert role_of(app, BOB) == "issuer"
    # the password works from now on
    again = app.test_client()
    assert sign_in(again, email=BOB, password=PASSWORD).status_code == 302
    # the link was single use
    assert app.test_client().get(path).status_code == 404
    late = app.test_client()
    reused = late.post(path, data={"csrf_token": csrf_token(late, "/admin/login"),
                                   "password": "another password", "repeat_password":
                                   "another password"})
    assert reused.status_code == 404
    assert sign_in(app.test_client(), email=BOB, password="another password").status_code == 401
    with app.app_context():
        actions = [row.action for row in db.get_session().scalars(
            select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["admin.invite", "admin.join"]


def test_expired_revoked_and_replaced_links_are_refused(app, admin_client, smtp_server):
    for email in ("old@example.org", "gone@example.org", "twice@example.org"):
        assert _invite(admin_client, email=email).status_code == 303
    drain(app)
    smtp_server.wait_for(3)
    assert _invite(admin_client, email="twice@example.org").status_code == 303  # replaces
    drain(app)
    links = {}
    for mail in smtp_server.wait_for(4):
        links.setdefault(mail.rcpt_tos[0], []).append(_link_in(mail).removeprefix(BASE_URL))
    with app.app_context():
        session = db.get_session()
        with atomic(session):
            old = session.scalar(select(AdminInvitation)
                                 .where(AdminInvitation.email == "old@example.org"))
            old.expires_at = utc_now() - timedelta(seconds=1)
        gone = session.scalar(select(AdminInvitation)
                              .where(AdminInvitation.email == "gone@example.org"))
        gone_id = gone.id
    response = admin_client.post(f"/admin/admins/main/invitations/{gone_id}/revoke", data={
        "csrf_token": csrf_token(admin_client, "/admin/admins/")})
    assert response.status_code == 303
    for email in ("old@example.org", "gone@example.org"):
        late = app.test_client()
        assert late.get(links[email][0]).status_code == 404
        assert late.post(links[email][0], data={
            "csrf_token": csrf_token(late, "/admin/login"), "password": PASSWORD,
            "repeat_password": PASSWORD}).status_code == 404
    first, second = links["twice@example.org"]
    assert app.test_client().get(first).status_code == 404  # replaced by the second
    assert _accept(app.test_client(), second).status_code == 303
    for email in ("old@example.org", "gone@example.org"):
        assert role_of(app, "admin@example.org") == "owner"
        with app.app_context():
            from issuer.services import users

            assert users.admin_by_email(db.get_session(), email) is None


def test_a_failed_send_leaves_no_working_link(app, admin_client, smtp_server):
    smtp_server.fail_next, smtp_server.fail_code = 5, 550
    assert _invite(admin_client).status_code == 303
    drain(app)
    with app.app_context():
        row = db.get_session().scalar(select(OutboxMessage))
        assert row.kind == "admin_invitation" and row.status == "failed"
    assert smtp_server.delivered == []
    outbox_page = admin_client.get("/admin/community/outbox").get_data(as_text=True)
    assert "admin invitation" in outbox_page and BOB in outbox_page


def test_invitations_are_rate_limited(app, admin_client, smtp_server):
    for number in range(admins.INVITE_LIMIT):
        assert _invite(admin_client, email=f"p{number}@example.org").status_code == 303
    refused = _invite(admin_client, email="onemore@example.org")
    assert refused.status_code == 429
    assert "invitations in the last hour" in refused.get_data(as_text=True)


def test_existing_admin_accepts_with_their_password(app, admin_client, smtp_server):
    from tests.service_fixtures import make_profile
    from tests.web.roles_helpers import PASSWORD as OTHER_PASSWORD, make_role_admin

    make_profile(app, slug="other", name="Other Org")
    make_role_admin(app, "erin@example.org", {"other": "viewer"})
    assert _invite(admin_client, email="erin@example.org", role="viewer").status_code == 303
    drain(app)
    path = _link_in(smtp_server.wait_for(1)[0]).removeprefix(BASE_URL)
    erin = app.test_client()
    assert "already have an admin account" in erin.get(path).get_data(as_text=True)
    assert _accept(erin, path, password="not her password").status_code == 401
    assert _accept(erin, path, password=OTHER_PASSWORD).status_code == 303
    assert role_of(app, "erin@example.org") == "viewer"
    assert role_of(app, "erin@example.org", "other") == "viewer"
