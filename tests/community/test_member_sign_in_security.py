"""Member sessions are server-side (a copied cookie dies with sign-out) and sign-in link
requests are throttled per email and per client address, answering members and strangers
alike. Through the Flask test client, the real SMTP server and queue, the clock frozen."""

from __future__ import annotations

import logging

from sqlalchemy import func, select

from issuer import db
from issuer.clock import utc_now
from issuer.community import members
from issuer.community.models import MemberSession
from tests.community.conftest import drain
from tests.community.helpers import sign_in_member
from tests.service_fixtures import csrf_token

ADA = "ada@example.org"


def _member(app, email=ADA):
    with app.app_context():
        members.ensure_member(db.get_session(), members.Identity(email=email, name="Ada"),
                              now=utc_now())


def _ask(client, email):
    token = csrf_token(client, "/members/sign-in")
    return client.post("/members/sign-in", data={"csrf_token": token, "email": email})


def _at(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_a_copied_member_cookie_stops_working_after_sign_out(app, client, smtp_server, profile):
    _member(app)
    sign_in_member(app, client, smtp_server)
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    assert thief.get("/members/me").status_code == 200
    client.post("/members/sign-out", data={"csrf_token": csrf_token(client, "/members/me")})
    assert client.get("/members/me").status_code == 302
    refused = thief.get("/members/me")
    assert refused.status_code == 302 and refused.headers["Location"] == "/members/sign-in"
    with app.app_context():
        assert db.get_session().scalar(select(func.count()).select_from(MemberSession)) == 0


def test_plain_sign_out_leaves_the_members_other_devices_signed_in(app, client, smtp_server,
                                                                   profile, clock):
    _member(app)
    sign_in_member(app, client, smtp_server)
    clock.advance(minutes=2)  # one sign-in email per minute and member
    phone = app.test_client()
    sign_in_member(app, phone, smtp_server)
    client.post("/members/sign-out", data={"csrf_token": csrf_token(client, "/members/me")})
    assert phone.get("/members/me").status_code == 200


def test_member_sessions_end_after_their_lifetime(app, client, smtp_server, profile, clock):
    _member(app)
    sign_in_member(app, client, smtp_server)
    clock.advance(days=29, hours=23)
    assert client.get("/members/me").status_code == 200
    clock.advance(hours=1)  # ISSUER_SESSION_LIFETIME_SECONDS after sign-in
    assert client.get("/members/me").status_code == 302


def test_link_requests_are_throttled_per_email_members_and_strangers_alike(
        app, client, smtp_server, profile, clock, caplog):
    caplog.set_level(logging.WARNING)
    _member(app)
    answers = {}
    for email in (ADA, "stranger@example.org"):
        responses = [_ask(client, email) for _ in range(6)]
        answers[email] = [(r.status_code, 'id="link-sent"' in r.get_data(as_text=True))
                          for r in responses]
        refused = responses[-1]
        assert refused.headers["Retry-After"] == "1"
        assert 'id="throttled"' in refused.get_data(as_text=True)
        assert 'id="send-link"' in refused.get_data(as_text=True)  # the form comes back
    assert answers[ADA] == answers["stranger@example.org"] == [(200, True)] * 5 + [(429, False)]
    drain(app)
    assert [d.rcpt_tos for d in smtp_server.delivered] == [[ADA]]  # one email a minute anyway
    lines = [r.getMessage() for r in caplog.records if "sign-in throttled" in r.getMessage()]
    assert lines and all("door=member" in line for line in lines)
    assert ADA not in caplog.text and "stranger@" not in caplog.text


def test_link_requests_are_throttled_per_address(app, smtp_server, profile, clock):
    office = _at(app, "198.51.100.7")
    statuses = [_ask(office, f"user{n}@example.org").status_code for n in range(21)]
    assert statuses == [200] * 20 + [429]
    assert _ask(office, "not an email").status_code == 429
    assert _ask(_at(app, "203.0.113.50"), "user0@example.org").status_code == 200
    clock.advance(seconds=1)
    assert _ask(office, "late@example.org").status_code == 200
