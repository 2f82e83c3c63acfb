"""Member pages through the Flask test client: what the public page shows (and hides),
password-less sign-in by an emailed link (read from the real SMTP server), editing one's
page, and claim links."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import timedelta

from sqlalchemy import func, select, update

from issuer import db
from issuer.clock import utc_now
from issuer.community import members
from issuer.community.models import HiddenCredential, Member, OutboxMessage, SignInToken
from issuer.models import IssuedCredential
from issuer.services import status
from issuer.services.keystore import FileKeyStore
from issuer.services.tx import atomic
from tests.community.conftest import drain
from tests.community.helpers import fragment_token, link, parts, sign_in_member
from tests.service_fixtures import (
    SAFE_SVG,
    csrf_token,
    issue_credential,
    make_achievement,
    png_bytes,
)

ADA = "ada@example.org"


def _member(app, email=ADA, name="Ada Lovelace") -> str:
    with app.app_context():
        return members.ensure_member(db.get_session(), members.Identity(email=email, name=name),
                                     now=utc_now()).slug


def _update(app, slug, **changes):
    with app.app_context():
        session = db.get_session()
        with atomic(session):
            member = members.member_by_slug(session, slug)
            for key, value in changes.items():
                setattr(member, key, value)


def test_public_page_shows_the_persona_and_public_badges_only(app, client, profile):
    slug = _member(app)
    _update(app, slug, headline="Analyst", bio="Loves **engines**.", interests=["maths"],
            links=[{"label": "Blog", "url": "https://ada.example.org"}])
    shown = issue_credential(app, make_achievement(app, name="First Post"), email=ADA)
    hidden = issue_credential(app, make_achievement(app, name="Secret Badge"), email=ADA)
    issue_credential(app, make_achievement(app, name="Bob's Badge"), email="bob@example.org")
    with app.app_context():
        session = db.get_session()
        with atomic(session):
            members.set_public_badges(session, members.member_by_slug(session, slug), {shown})
    response = client.get(f"/members/{slug}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Ada Lovelace</h1>" in html and "Analyst" in html
    assert "<strong>engines</strong>" in html and 'href="https://ada.example.org"' in html
    assert f'href="/credentials/{shown}"' in html and "First Post" in html
    assert hidden not in html and "Secret Badge" not in html
    assert "Bob" not in html
    assert ADA not in html  # the email is never shown publicly


def test_hidden_page_is_404_like_a_missing_one(app, client, profile):
    slug = _member(app)
    _update(app, slug, page_hidden=True)
    hidden = client.get(f"/members/{slug}")
    missing = client.get("/members/nobody-here")
    assert hidden.status_code == missing.status_code == 404
    assert "Ada" not in hidden.get_data(as_text=True)
    assert client.get("/members/NOT A SLUG").status_code == 404


def test_revoked_credentials_leave_the_page(app, client, profile):
    slug = _member(app)
    credential_id = issue_credential(app, make_achievement(app, name="MVP"), email=ADA)
    assert "MVP" in client.get(f"/members/{slug}").get_data(as_text=True)
    with app.app_context():
        session = db.get_session()
        status.revoke(session, session.get(IssuedCredential, credential_id), reason="term ended",
                      actor=status.CLI, keystore=FileKeyStore(app.config["KEYS_DIR"]),
                      base_url=app.config["BASE_URL"], now=utc_now())
    assert "MVP" not in client.get(f"/members/{slug}").get_data(as_text=True)


def test_reserved_names_get_other_slugs(app, profile):
    assert _member(app, "me@example.org", name="Me") == "member-me"
    first = _member(app, "a@example.org", name="Zoë Ünal")
    second = _member(app, "b@example.org", name="Zoe Unal")
    assert first == "zoe-unal" and re.fullmatch(r"zoe-unal-[0-9a-f]{6}", second)


def test_sign_in_by_emailed_link_once(app, client, smtp_server, profile):
    _member(app)
    assert client.get("/members/me").headers["Location"] == "/members/sign-in"
    secret = sign_in_member(app, client, smtp_server)
    page = client.get("/members/me")
    assert page.status_code == 200 and "Your member page" in page.get_data(as_text=True)
    with app.app_context():  # only the hash is stored, and the token is now used
        row = db.get_session().scalar(select(SignInToken))
        assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert row.used_at is not None and row.expires_at - row.created_at == timedelta(minutes=15)
    other = app.test_client()
    again = other.post("/members/sign-in/continue", data={
        "csrf_token": csrf_token(other, "/members/sign-in/continue"), "token": secret})
    assert again.status_code == 400 and 'id="link-invalid"' in again.get_data(as_text=True)
    assert other.get("/members/me").status_code == 302


def test_sign_in_answers_the_same_for_unknown_addresses_and_sends_nothing(app, client,
                                                                          smtp_server, profile):
    token = csrf_token(client, "/members/sign-in")
    response = client.post("/members/sign-in", data={"csrf_token": token,
                                                     "email": "stranger@example.org"})
    assert response.status_code == 200 and 'id="link-sent"' in response.get_data(as_text=True)
    bad = client.post("/members/sign-in", data={"csrf_token": token, "email": "nope"})
    assert bad.status_code == 422 and "valid email" in bad.get_data(as_text=True)
    assert drain(app) == 0 and smtp_server.delivered == []


def test_sign_in_links_are_rate_limited_per_member(app, client, smtp_server, profile):
    _member(app)
    token = csrf_token(client, "/members/sign-in")
    for _ in range(3):
        client.post("/members/sign-in", data={"csrf_token": token, "email": ADA})
    drain(app)
    assert len(smtp_server.delivered) == 1


def test_expired_and_forged_tokens_do_not_sign_in(app, client, profile):
    slug = _member(app)
    with app.app_context():
        session = db.get_session()
        with atomic(session):
            old = members.create_sign_in_token(session, members.member_by_slug(session, slug),
                                               now=utc_now() - timedelta(minutes=16))
        assert members.redeem_sign_in_token(session, old, now=utc_now()) is None
        assert members.redeem_sign_in_token(session, "x" * 43, now=utc_now()) is None
        assert members.redeem_sign_in_token(session, "", now=utc_now()) is None
    form = csrf_token(client, "/members/sign-in/continue")
    response = client.post("/members/sign-in/continue", data={"csrf_token": form, "token": old})
    assert response.status_code == 400
    no_csrf = client.post("/members/sign-in/continue", data={"token": old})
    assert no_csrf.status_code == 400


def test_edit_page_saves_checks_and_hides(app, client, smtp_server, profile):
    slug = _member(app)
    sign_in_member(app, client, smtp_server)
    form = {"csrf_token": csrf_token(client, "/members/me"), "display_name": "Ada L.",
            "headline": "Countess", "bio": "Poet of science", "interests": "maths, Maths, looms",
            "links": "Blog | https://ada.example.org\nhttps://example.org/notes", "did": ""}
    bad = client.post("/members/me", data={**form, "links": "Blog | javascript:alert(1)"},
                      content_type="multipart/form-data")
    assert bad.status_code == 422 and "is not a web address" in bad.get_data(as_text=True)
    evil = client.post("/members/me", data={
        **form, "avatar": (io.BytesIO(b'<svg xmlns="http://www.w3.org/2000/svg" '
                                      b'onload="alert(1)"/>'), "a.svg")},
        content_type="multipart/form-data")
    assert evil.status_code == 422
    assert re.search(r'<p class="error" id="avatar-error">Use a PNG, JPEG, WebP or GIF '
                     r'picture\.</p>', evil.get_data(as_text=True))
    bad_did = client.post("/members/me", data={**form, "did": "not a did"},
                          content_type="multipart/form-data")
    assert bad_did.status_code == 422
    with app.app_context():  # none of the refused saves changed anything
        member = members.member_by_slug(db.get_session(), slug)
        assert (member.display_name, member.avatar_id) == ("Ada Lovelace", None)
    ok = client.post("/members/me", data={**form, "avatar": (io.BytesIO(png_bytes()), "me.png")},
                     content_type="multipart/form-data")
    assert ok.status_code == 302
    page = client.get(f"/members/{slug}").get_data(as_text=True)
    assert "Ada L." in page and "Countess" in page and 'class="member-avatar"' in page
    assert page.count('class="tag"') == 2  # maths, looms
    assert 'href="https://example.org/notes"' in page
    svg = client.post("/members/me", data={**form, "avatar": (io.BytesIO(SAFE_SVG), "a.svg")},
                      content_type="multipart/form-data")
    assert svg.status_code == 422  # a picture is re-encoded: SVG cannot be
    hide = client.post("/members/me", data={**form, "page_hidden": "y"},
                       content_type="multipart/form-data")
    assert hide.status_code == 302
    assert client.get(f"/members/{slug}").status_code == 404
    assert 'id="page-hidden"' in client.get("/members/me").get_data(as_text=True)


def test_badge_choices_and_sign_out_everywhere(app, client, smtp_server, profile):
    slug = _member(app)
    keep = issue_credential(app, make_achievement(app, name="Keep"), email=ADA)
    hide = issue_credential(app, make_achievement(app, name="Hide"), email=ADA)
    other = issue_credential(app, make_achievement(app, name="Other"), email="bob@example.org")
    sign_in_member(app, client, smtp_server)
    response = client.post("/members/me/badges", data={
        "csrf_token": csrf_token(client, "/members/me"), "public": [keep, other]})
    assert response.status_code == 302
    with app.app_context():  # someone else's credential id cannot be touched
        rows = db.get_session().scalars(select(HiddenCredential.credential_id)).all()
        assert rows == [hide]
    page = client.get(f"/members/{slug}").get_data(as_text=True)
    assert "Keep" in page and "Hide" not in page
    with app.app_context():  # a minute later (one sign-in email per minute and member)
        session = db.get_session()
        with atomic(session):
            session.execute(update(OutboxMessage).values(
                created_at=utc_now() - timedelta(minutes=2)))
    second = app.test_client()
    sign_in_member(app, second, smtp_server)
    client.post("/members/sign-out", data={"csrf_token": csrf_token(client, "/members/me"),
                                           "everywhere": "1"})
    assert client.get("/members/me").status_code == 302
    assert second.get("/members/me").status_code == 302  # the other device is signed out too


def test_claim_link_shows_the_credential_and_sets_up_the_member_page(app, admin_client,
                                                                     smtp_server, profile):
    achievement_id = make_achievement(app, name="Workshop")
    credential_id = issue_credential(app, achievement_id, email="grace@example.org",
                                     name="Grace Hopper")
    drain(app)
    _, html = parts(smtp_server.wait_for(1)[0].message)
    token = fragment_token(link(html, "claim"))
    visitor = app.test_client()
    landing = visitor.get("/claim").get_data(as_text=True)
    assert 'id="link-form"' in landing and token not in landing
    form = csrf_token(visitor, "/claim")
    # One character of the signature changed (not the last: its low bits may be unused).
    tampered = token[:-10] + ("A" if token[-10] != "A" else "B") + token[-9:]
    forged = visitor.post("/claim", data={"csrf_token": form, "token": tampered})
    assert forged.status_code == 404 and 'id="claim-invalid"' in forged.get_data(as_text=True)
    assert visitor.get("/claim/credential").status_code == 404
    opened = visitor.post("/claim", data={"csrf_token": form, "token": token})
    assert opened.headers["Location"] == "/claim/credential"
    opened.close()  # as a WSGI server does once sent: the claim is counted for the dashboard
    with app.app_context():
        from issuer.models import CredentialActivity
        claims = db.get_session().scalars(select(CredentialActivity.count).where(
            CredentialActivity.credential_id == credential_id,
            CredentialActivity.kind == "claim")).all()
        assert claims == [1]  # the forged link was not counted
    page = visitor.get("/claim/credential").get_data(as_text=True)
    assert token not in page
    assert f'href="/credentials/{credential_id}/download"' in page
    assert "https://www.linkedin.com/profile/add?" in page and "Set up my member page" in page
    with app.app_context():
        assert db.get_session().scalar(select(func.count()).select_from(Member)) == 0
    setup = visitor.post("/claim/credential", data={
        "csrf_token": csrf_token(visitor, "/claim/credential")})
    assert setup.headers["Location"] == "/members/me"
    me = visitor.get("/members/me").get_data(as_text=True)
    assert "Grace Hopper" in me and "Workshop" in me
    assert visitor.get("/members/grace-hopper").status_code == 200
    # The page exists now: the claim page offers signing in instead.
    again = app.test_client()
    again.post("/claim", data={"csrf_token": csrf_token(again, "/claim"), "token": token})
    assert "Sign in to my member page" in again.get("/claim/credential").get_data(as_text=True)
