"""Admin sessions are server-side: a copied cookie dies with sign-out, *sign out everywhere*
ends every browser's session, a password change ends the others, and sessions expire when
idle or old. Through the Flask test client on the real database, the clock frozen."""

from __future__ import annotations

from sqlalchemy import func, select

from issuer import db
from issuer.models import AdminSession
from tests.service_fixtures import ADMIN_EMAIL, ADMIN_PASSWORD, csrf_token, sign_in

NEW_PASSWORD = "a completely new passphrase"


def _signed_in(app):
    client = app.test_client()
    assert sign_in(client).status_code == 302
    return client


def _copy_cookie(app, source):
    """Another browser holding a copy of ``source``'s session cookie (as a thief would)."""
    thief = app.test_client()
    thief.set_cookie("session", source.get_cookie("session").value)
    return thief


def _session_rows(app) -> int:
    with app.app_context():
        return db.get_session().scalar(select(func.count()).select_from(AdminSession))


def test_a_copied_cookie_stops_working_after_sign_out(app, admin, profile):
    browser = _signed_in(app)
    thief = _copy_cookie(app, browser)
    assert thief.get("/admin/").status_code == 200  # a copy works while the session lives
    response = browser.post("/admin/logout", data={"csrf_token": csrf_token(browser, "/admin/")})
    assert response.status_code == 302
    refused = thief.get("/admin/")
    assert refused.status_code == 302
    assert refused.headers["Location"].startswith("/admin/login?next=")
    assert thief.get("/admin/account/").status_code == 302
    assert _session_rows(app) == 0


def test_the_cookie_holds_a_random_token_and_the_database_only_its_hash(app, admin, profile):
    import hashlib

    from flask.sessions import SecureCookieSessionInterface

    browser = _signed_in(app)
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    token = serializer.loads(browser.get_cookie("session").value)["_user_id"]
    with app.app_context():
        row = db.get_session().scalar(select(AdminSession))
    assert len(token) >= 43 and row.token_hash == hashlib.sha256(token.encode()).hexdigest()


def test_sign_out_everywhere_ends_the_other_browsers_sessions(app, admin, profile):
    laptop, phone = _signed_in(app), _signed_in(app)
    page = laptop.get("/admin/account/")
    assert page.status_code == 200 and 'id="sign-out-everywhere"' in page.get_data(as_text=True)
    assert page.get_data(as_text=True).count("<tr><td>") == 2  # two sessions listed
    response = laptop.post("/admin/sign-out-everywhere",
                           data={"csrf_token": csrf_token(laptop, "/admin/account/")})
    assert response.status_code == 302
    assert phone.get("/admin/").status_code == 302
    assert laptop.get("/admin/").status_code == 302
    assert _session_rows(app) == 0


def test_sign_out_everywhere_needs_the_csrf_token(app, admin, profile):
    laptop, phone = _signed_in(app), _signed_in(app)
    assert laptop.post("/admin/sign-out-everywhere").status_code == 400
    assert phone.get("/admin/").status_code == 200


def test_a_password_change_ends_every_other_session(app, admin, profile):
    laptop, phone = _signed_in(app), _signed_in(app)
    response = laptop.post("/admin/account/password", data={
        "csrf_token": csrf_token(laptop, "/admin/account/"), "current_password": ADMIN_PASSWORD,
        "new_password": NEW_PASSWORD, "repeat_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert laptop.get("/admin/").status_code == 200  # this browser stays signed in
    assert phone.get("/admin/").status_code == 302
    fresh = app.test_client()
    assert sign_in(fresh).status_code == 401
    assert sign_in(fresh, password=NEW_PASSWORD).status_code == 302


def test_a_password_change_checks_the_current_password_through_the_throttle(app, admin, profile,
                                                                            clock):
    laptop = _signed_in(app)
    token = csrf_token(laptop, "/admin/account/")
    data = {"csrf_token": token, "current_password": "not my password",
            "new_password": NEW_PASSWORD, "repeat_password": NEW_PASSWORD}
    statuses = [laptop.post("/admin/account/password", data=data).status_code for _ in range(6)]
    assert statuses == [422] * 5 + [429]
    locked = laptop.post("/admin/account/password",
                         data={**data, "current_password": ADMIN_PASSWORD})
    assert locked.status_code == 429 and locked.headers["Retry-After"] == "1"
    assert "Too many failed sign-in attempts" in locked.get_data(as_text=True)
    assert sign_in(app.test_client()).status_code == 429  # the same account counter
    clock.advance(seconds=1)
    mismatch = laptop.post("/admin/account/password", data={
        **data, "current_password": ADMIN_PASSWORD, "repeat_password": "something else!"})
    assert mismatch.status_code == 422 and "differ" in mismatch.get_data(as_text=True)
    short = laptop.post("/admin/account/password", data={
        **data, "current_password": ADMIN_PASSWORD, "new_password": "short",
        "repeat_password": "short"})
    assert short.status_code == 422 and "at least 10 characters" in short.get_data(as_text=True)


def test_an_idle_session_ends(app, admin, profile, clock):
    browser = _signed_in(app)
    clock.advance(hours=11)
    assert browser.get("/admin/").status_code == 200  # used: the idle clock starts again
    clock.advance(hours=11, minutes=59)
    assert browser.get("/admin/").status_code == 200
    clock.advance(hours=12)  # ISSUER_SESSION_IDLE_SECONDS unused
    assert browser.get("/admin/").status_code == 302


def test_a_session_ends_at_its_absolute_lifetime(app, admin, profile, clock):
    browser = _signed_in(app)
    for _ in range(65):  # used every 11 hours for almost 30 days
        clock.advance(hours=11)
        assert browser.get("/admin/").status_code == 200
    clock.advance(hours=6)  # 30 days after sign-in
    assert browser.get("/admin/").status_code == 302
    assert sign_in(app.test_client(), email=ADMIN_EMAIL).status_code == 302  # and prunes it
    assert _session_rows(app) == 1
