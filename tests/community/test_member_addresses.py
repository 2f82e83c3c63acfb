"""A member's further email addresses through the Flask test client: adding one sends a
verification link through the outbox and the real SMTP server; following it puts that
address's badges on the member's one page; the tokens are hashed, single use and expire;
sending is rate-limited; an address held by another member is refused; removing an address
and changing the primary one."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import select, update

from issuer import db
from issuer.clock import utc_now
from issuer.community import addresses, members
from issuer.community.models import EmailVerificationToken, MemberEmail, OutboxMessage
from issuer.services.tx import atomic
from tests.community.conftest import drain
from tests.community.helpers import fragment_token, link, parts, sign_in_member
from tests.service_fixtures import csrf_token, issue_credential, make_achievement

ADA = "ada@example.org"
WORK = "ada@work.example.com"


def _member(app, email=ADA, name="Ada Lovelace") -> str:
    with app.app_context():
        return members.ensure_member(db.get_session(), members.Identity(email=email, name=name),
                                     now=utc_now()).slug


def _add(client, email):
    return client.post("/members/me/emails", data={
        "csrf_token": csrf_token(client, "/members/me/emails"), "email": email})


def _verification_link(app, smtp_server, to: str) -> str:
    drain(app)
    delivered = [item for item in smtp_server.delivered if item.rcpt_tos == [to]]
    assert delivered, f"nothing was sent to {to}"
    message = delivered[-1].message
    assert message["Subject"] == "Confirm your email address for Open Badges"
    text, html = parts(message)
    url = link(html, "verify-link")
    assert url.startswith("http://localhost:5000/members/me/emails/verify#") and url in text
    return url


def _confirm(client, token: str):
    return client.post("/members/me/emails/verify", data={
        "csrf_token": csrf_token(client, "/members/me/emails/verify"), "token": token})


def _age_outbox(app, minutes: int = 2) -> None:
    with app.app_context():
        session = db.get_session()
        with atomic(session):
            session.execute(update(OutboxMessage).values(
                created_at=utc_now() - timedelta(minutes=minutes)))


def test_a_verified_address_brings_its_badges_onto_the_one_page(app, client, smtp_server,
                                                                profile):
    slug = _member(app)
    home = issue_credential(app, make_achievement(app, name="Home Badge"), email=ADA)
    work = issue_credential(app, make_achievement(app, name="Work Badge"), email=WORK)
    sign_in_member(app, client, smtp_server)
    page = client.get(f"/members/{slug}").get_data(as_text=True)
    assert "Home Badge" in page and "Work Badge" not in page

    added = _add(client, WORK)
    assert added.status_code == 302
    listing = client.get("/members/me/emails").get_data(as_text=True)
    assert "waiting for confirmation" in listing and WORK in listing
    url = _verification_link(app, smtp_server, WORK)
    token = fragment_token(url)
    with app.app_context():  # only the token's hash is stored, valid for a day
        row = db.get_session().scalar(select(EmailVerificationToken))
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert row.expires_at - row.created_at == timedelta(hours=24) and row.used_at is None
    # Not verified yet: the work badge is not on the page.
    assert "Work Badge" not in client.get(f"/members/{slug}").get_data(as_text=True)
    landing = client.get("/members/me/emails/verify").get_data(as_text=True)
    assert 'id="link-form"' in landing and token not in landing

    other_device = app.test_client()  # the link works where the mail is read
    done = _confirm(other_device, token)
    assert done.status_code == 200 and 'id="address-confirmed"' in done.get_data(as_text=True)
    assert other_device.get("/members/me").status_code == 302  # and signs nobody in
    again = _confirm(app.test_client(), token)
    assert again.status_code == 400 and 'id="link-invalid"' in again.get_data(as_text=True)

    page = client.get(f"/members/{slug}").get_data(as_text=True)
    assert f'href="/credentials/{home}"' in page and f'href="/credentials/{work}"' in page
    assert WORK not in page and ADA not in page  # addresses are never shown publicly
    me = client.get("/members/me").get_data(as_text=True)
    assert "Work Badge" in me and f'id="public-{work}"' in me

    # Badges issued to the address later land on the page too.
    later = issue_credential(app, make_achievement(app, name="Later Badge"), email=WORK)
    assert f'href="/credentials/{later}"' in client.get(f"/members/{slug}").get_data(as_text=True)

    # Signing in with the new address reaches the same member, the link sent to it.
    _age_outbox(app)
    second = app.test_client()
    sign_in_member(app, second, smtp_server, email=WORK)
    assert slug in second.get("/members/me").get_data(as_text=True)


def test_primary_address_and_removing_one(app, client, smtp_server, profile):
    slug = _member(app)
    work_badge = issue_credential(app, make_achievement(app, name="Work Badge"), email=WORK)
    sign_in_member(app, client, smtp_server)
    _add(client, WORK)
    _confirm(client, fragment_token(_verification_link(app, smtp_server, WORK)))
    with app.app_context():
        session = db.get_session()
        rows = {row.email: row.id for row in session.scalars(select(MemberEmail))}
    token = csrf_token(client, "/members/me/emails")
    refused = client.post(f"/members/me/emails/{rows[ADA]}/remove", data={"csrf_token": token})
    assert refused.status_code == 302
    assert "primary address cannot be removed" in client.get("/members/me/emails").get_data(
        as_text=True)
    made = client.post(f"/members/me/emails/{rows[WORK]}/primary", data={"csrf_token": token})
    assert made.status_code == 302
    with app.app_context():
        member = members.member_by_slug(db.get_session(), slug)
        assert member.email == WORK
    removed = client.post(f"/members/me/emails/{rows[ADA]}/remove", data={"csrf_token": token})
    assert removed.status_code == 302
    listing = client.get("/members/me/emails").get_data(as_text=True)
    assert f"{ADA} was removed" in listing and f'data-email="{ADA}"' not in listing
    assert 'id="primary-badge"' in listing
    assert f'href="/credentials/{work_badge}"' in client.get(f"/members/{slug}").get_data(
        as_text=True)
    # Another member's address ids are not ours to touch; unknown ids are 404.
    assert client.post("/members/me/emails/999999/remove",
                       data={"csrf_token": token}).status_code == 404
    assert client.post(f"/members/me/emails/{rows[WORK]}/remove").status_code == 400  # no CSRF


def test_removing_an_address_takes_its_badges_off_the_page(app, client, smtp_server, profile):
    slug = _member(app)
    issue_credential(app, make_achievement(app, name="Work Badge"), email=WORK)
    sign_in_member(app, client, smtp_server)
    _add(client, WORK)
    _confirm(client, fragment_token(_verification_link(app, smtp_server, WORK)))
    assert "Work Badge" in client.get(f"/members/{slug}").get_data(as_text=True)
    with app.app_context():
        work_id = db.get_session().scalar(select(MemberEmail.id).where(MemberEmail.email == WORK))
    client.post(f"/members/me/emails/{work_id}/remove",
                data={"csrf_token": csrf_token(client, "/members/me/emails")})
    assert "Work Badge" not in client.get(f"/members/{slug}").get_data(as_text=True)


def test_verification_emails_are_rate_limited(app, client, smtp_server, profile):
    _member(app)
    sign_in_member(app, client, smtp_server)
    assert _add(client, WORK).status_code == 302
    again = _add(client, WORK)  # the same address within a minute
    assert again.status_code == 429 and 1 <= int(again.headers["Retry-After"]) <= 61
    assert 'id="throttled"' in again.get_data(as_text=True)
    with app.app_context():
        work_id = db.get_session().scalar(select(MemberEmail.id).where(MemberEmail.email == WORK))
    resend = client.post(f"/members/me/emails/{work_id}/resend",
                         data={"csrf_token": csrf_token(client, "/members/me/emails")})
    assert resend.status_code == 429
    drain(app)
    assert len(smtp_server.to(WORK)) == 1
    _age_outbox(app)
    assert client.post(f"/members/me/emails/{work_id}/resend", data={
        "csrf_token": csrf_token(client, "/members/me/emails")}).status_code == 302
    # At most PER_DAY per member, whichever addresses: the next one waits for the oldest.
    with app.app_context():
        session = db.get_session()
        member = members.member_by_email(session, ADA)
        with atomic(session):
            for number in range(addresses.PER_DAY):
                session.add(OutboxMessage(kind="verify_email", member_id=member.id,
                                          status="sent", attempts=1,
                                          created_at=utc_now() - timedelta(hours=1),
                                          updated_at=utc_now()))
    refused = _add(client, "third@example.org")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 22 * 3600


def test_an_address_another_member_holds_is_refused_when_verified(app, client, smtp_server,
                                                                  profile):
    _member(app)
    _member(app, email=WORK, name="Someone Else")
    sign_in_member(app, client, smtp_server)
    assert _add(client, WORK).status_code == 302  # the same answer: nothing is told yet
    taken = _confirm(client, fragment_token(_verification_link(app, smtp_server, WORK)))
    assert taken.status_code == 409 and 'id="address-taken"' in taken.get_data(as_text=True)
    with app.app_context():
        session = db.get_session()
        ada = members.member_by_email(session, ADA)
        assert members.member_by_email(session, WORK).display_name == "Someone Else"
        assert addresses.recipient_ids(session, ada) == [ada.recipient_id]


def test_bad_input_and_expired_links(app, client, smtp_server, profile):
    slug = _member(app)
    sign_in_member(app, client, smtp_server)
    bad = _add(client, "not an address")
    assert bad.status_code == 422 and "valid email" in bad.get_data(as_text=True)
    mine = _add(client, ADA)
    assert mine.status_code == 422 and "already on your page" in mine.get_data(as_text=True)
    assert client.post("/members/me/emails", data={"email": WORK}).status_code == 400
    with app.app_context():
        session = db.get_session()
        member = members.member_by_slug(session, slug)
        with atomic(session):
            row = addresses.add_address(session, member, WORK, now=utc_now())
            old = addresses.create_verification_token(session, row,
                                                      now=utc_now() - timedelta(hours=25))
    assert _confirm(app.test_client(), old).status_code == 400
    assert _confirm(app.test_client(), "x" * 43).status_code == 400
    assert app.test_client().get("/members/me/emails").headers["Location"] == "/members/sign-in"
    with app.app_context():  # neither made the address count
        session = db.get_session()
        member = members.member_by_slug(session, slug)
        assert addresses.recipient_ids(session, member) == [member.recipient_id]


def test_without_mail_addresses_cannot_be_added(app, profile):
    from issuer.web.public import members as member_views

    slug = _member(app)
    client = app.test_client()
    with app.app_context():
        session = db.get_session()
        member = members.member_by_slug(session, slug)
        with app.test_request_context():
            member_views.sign_in(member)
            from flask import session as cookie
            token = cookie[member_views.SESSION_KEY]
    with client.session_transaction() as cookie:
        cookie[member_views.SESSION_KEY] = token
    app.config["SMTP_URL"] = None
    refused = _add(client, WORK)
    assert refused.status_code == 422 and "cannot be confirmed" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.get_session().scalar(select(MemberEmail.id).where(
            MemberEmail.email == WORK)) is None


def test_any_recipient_claims_a_page_by_signing_in(app, client, smtp_server, profile):
    """No member yet, but a badge was sent to the address: the sign-in link sets up a page,
    hidden until its owner publishes it (asking for a link proves nothing)."""
    credential_id = issue_credential(app, make_achievement(app, name="Workshop"),
                                     email="grace@example.org", name="Grace Hopper")
    drain(app)
    sign_in_member(app, client, smtp_server, email="grace@example.org")
    me = client.get("/members/me").get_data(as_text=True)
    assert 'id="hidden-notice"' in me and f'id="public-{credential_id}"' in me
    with app.app_context():
        member = members.member_by_email(db.get_session(), "grace@example.org")
        slug, hidden = member.slug, member.page_hidden
    assert hidden and client.get(f"/members/{slug}").status_code == 404
    form = {"csrf_token": csrf_token(client, "/members/me"), "display_name": "Grace Hopper",
            "headline": "", "bio": "", "interests": "", "links": "", "did": ""}
    assert client.post("/members/me", data=form,
                       content_type="multipart/form-data").status_code == 302
    assert "Workshop" in client.get(f"/members/{slug}").get_data(as_text=True)
    # An address nothing was sent to gets no page (and the same answer).
    stranger = app.test_client()
    response = stranger.post("/members/sign-in", data={
        "csrf_token": csrf_token(stranger, "/members/sign-in"), "email": "nobody@example.org"})
    assert 'id="link-sent"' in response.get_data(as_text=True)
    with app.app_context():
        assert members.member_by_email(db.get_session(), "nobody@example.org") is None


def test_a_badge_sent_to_a_second_address_completes_a_meta_badge(app, client, smtp_server,
                                                                 profile):
    from tests.community.helpers import achievement_with_rule, award_names

    home = make_achievement(app, name="Home Project")
    work = make_achievement(app, name="Work Project")
    achievement_with_rule(app, "All-Rounder", "all_of", required=(home, work))
    _member(app)
    issue_credential(app, home, email=ADA)
    sign_in_member(app, client, smtp_server)
    _add(client, WORK)
    _confirm(client, fragment_token(_verification_link(app, smtp_server, WORK)))
    assert award_names(app, ADA) == []
    issue_credential(app, work, email=WORK)  # by any path, to the confirmed address
    drain(app)
    assert award_names(app, ADA) == ["All-Rounder"]  # awarded to the member (primary address)
