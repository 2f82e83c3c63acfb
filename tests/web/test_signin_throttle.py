"""Admin sign-in throttling through the Flask test client, on the real database: per account
(whether or not it exists) and per client address, 429 with Retry-After on the sign-in form,
no password checked while locked out, counters shared by app instances, and the log lines.
The app's clock is frozen (the ``clock`` fixture) and moved by hand."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from issuer import create_app, db
from issuer.models import AdminUser, SignInThrottle
from issuer.services import throttle
from tests.service_fixtures import ADMIN_EMAIL, ADMIN_PASSWORD, csrf_token, sign_in

WRONG = "not the password at all"


def _statuses(client, count, *, email=ADMIN_EMAIL, password=WRONG):
    return [sign_in(client, email=email, password=password).status_code for _ in range(count)]


def client_at(app, address: str):
    """A browser at another client address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _last_login(app):
    with app.app_context():
        return db.get_session().scalar(select(AdminUser.last_login_at))


def test_the_30th_wrong_password_in_a_row_is_refused_with_429(app, client, admin, profile,
                                                              clock):
    responses = [sign_in(client, password=WRONG) for _ in range(30)]
    statuses = [r.status_code for r in responses]
    assert statuses[:5] == [401] * 5  # then a lock-out: nothing more is even checked
    assert statuses[5:] == [429] * 25 and statuses[29] == 429
    refused = responses[29]
    assert refused.headers["Retry-After"] == "1"
    page = refused.get_data(as_text=True)
    assert refused.mimetype == "text/html" and 'id="sign-in"' in page  # the form comes back
    assert "Too many failed sign-in attempts. Wait 1 second, then try again." in page
    assert WRONG not in page


def test_the_right_password_waits_for_the_lockout_to_end(app, client, admin, profile, clock):
    assert _statuses(client, 5) == [401] * 5  # locked for 1 s
    for seconds in (2, 4, 8):  # each failure after a lock-out doubles it
        clock.advance(seconds=seconds // 2)
        assert _statuses(client, 1) == [401]
    clock.advance(seconds=7)
    locked = sign_in(client)  # the right password, 1 s before the 8 s lock-out ends
    assert locked.status_code == 429 and locked.headers["Retry-After"] == "1"
    assert _last_login(app) is None  # the password was not checked at all
    assert client.get("/admin/").status_code == 302
    clock.advance(seconds=1)
    assert sign_in(client).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_successful_sign_in_resets_the_account_counter(app, client, admin, profile, clock):
    assert _statuses(client, 4) == [401] * 4
    assert sign_in(client).status_code == 302
    client.post("/admin/logout", data={"csrf_token": csrf_token(client, "/admin/")})
    assert _statuses(client, 5) == [401] * 5  # counted from zero again
    assert _statuses(client, 1) == [429]


def test_unknown_accounts_are_throttled_like_real_ones(app, client, admin, profile, clock):
    real = _statuses(client, 7)
    stranger = _statuses(client, 7, email="nobody@example.org")
    assert real == stranger == [401] * 5 + [429] * 2


def test_the_window_forgets_old_failures(app, client, admin, profile, clock):
    assert _statuses(client, 4) == [401] * 4
    clock.advance(minutes=15)  # ISSUER_SIGNIN_ACCOUNT_WINDOW after the last failure
    assert _statuses(client, 4) == [401] * 4  # no lock-out: the count started again
    assert sign_in(client).status_code == 302


def test_one_address_is_limited_across_accounts(app, admin, profile, clock):
    office = client_at(app, "198.51.100.7")
    statuses = [sign_in(office, email=f"user{n}@example.org", password=WRONG).status_code
                for n in range(21)]
    assert statuses == [401] * 20 + [429]  # ISSUER_SIGNIN_ADDRESS_FAILURES = 20
    assert sign_in(office).status_code == 429  # even the right password of a real account
    elsewhere = client_at(app, "203.0.113.50")
    assert sign_in(elsewhere).status_code == 302  # the account itself is not locked


def test_the_limits_are_settings(app_config, admin, profile, clock):
    app = create_app({**app_config, "SIGNIN_ACCOUNT_FAILURES": 2, "SIGNIN_MAX_LOCKOUT": 3})
    client = app.test_client()
    assert _statuses(client, 3) == [401, 401, 429]
    clock.advance(seconds=1)
    assert _statuses(client, 2) == [401, 429]  # 2 s lock-out
    clock.advance(seconds=2)
    assert _statuses(client, 2) == [401, 429]  # 4 s, capped at 3
    assert sign_in(client).headers["Retry-After"] == "3"
    db.engine_of(app).dispose()


@pytest.mark.parametrize("value", ["0", "-1", "many"])
def test_throttling_cannot_be_switched_off(app_config, value):
    from issuer.config import ConfigError

    with pytest.raises(ConfigError, match="ISSUER_SIGNIN_ACCOUNT_FAILURES"):
        create_app({**app_config, "SIGNIN_ACCOUNT_FAILURES": value})


def test_two_app_instances_share_the_counters(app, app_config, admin, profile, clock):
    """Two "workers" (app instances with their own engines and pools) on one database."""
    other = create_app(app_config)
    try:
        first, second = app.test_client(), other.test_client()
        assert _statuses(first, 3) + _statuses(second, 2) == [401] * 5
        assert _statuses(first, 1) == [429]  # the 5 failures were counted together
        assert _statuses(second, 1) == [429]
        clock.advance(seconds=1)
        assert sign_in(second).status_code == 302  # and the reset is shared too
        assert _statuses(first, 4) == [401] * 4
    finally:
        db.engine_of(other).dispose()


def test_throttle_decisions_are_logged_without_the_password(app, client, admin, profile, clock,
                                                            caplog):
    caplog.set_level(logging.WARNING)
    _statuses(client, 7)
    lines = [r.getMessage() for r in caplog.records if "sign-in throttled" in r.getMessage()]
    account_key = throttle.key_hash(app.config["SECRET_KEY"], ADMIN_EMAIL)
    assert len(lines) == 3  # the lock-out that started, then two refusals
    assert all(r.levelno == logging.WARNING for r in caplog.records
               if "sign-in throttled" in r.getMessage())
    assert "account locked out for 1 s after 5 failures" in lines[0]
    assert "refused by the account lock-out" in lines[1] and "retry after 1 s" in lines[1]
    for line in lines:
        assert "door=admin" in line and f"account_key={account_key}" in line
        assert "address=127.0.0.1" in line
    everything = caplog.text
    assert WRONG not in everything and ADMIN_PASSWORD not in everything
    assert ADMIN_EMAIL not in everything  # the account appears only hashed
    with app.app_context():
        keys = db.get_session().scalars(select(SignInThrottle.key_hash)).all()
        assert sorted(keys) == sorted([account_key, throttle.key_hash(
            app.config["SECRET_KEY"], "127.0.0.1")])
