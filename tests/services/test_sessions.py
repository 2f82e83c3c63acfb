"""Server-side sessions (issuer/services/sessions.py) on the real database: only a hash of
the token is stored, sessions end when deleted, when idle and when too old, and ended ones are
pruned."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import func, select

from issuer.models import AdminSession
from issuer.services import users
from issuer.services.sessions import SessionPolicy, SessionStore
from tests.helpers import NOW

POLICY = SessionPolicy(lifetime_seconds=24 * 3600, idle_seconds=3600, touch_seconds=60)
STORE = SessionStore(AdminSession)


def _admin(session, email="admin@example.org"):
    user = users.create_admin(session, email=email, password="a long password", now=NOW)
    session.flush()
    return user


def _start(session, user, at=NOW):
    token = STORE.start(session, owner_id=user.id, now=at, policy=POLICY)
    session.commit()
    return token


def _resume(session, token, at):
    row = STORE.resume(session, token, now=at, policy=POLICY)
    session.commit()
    return row


def test_only_the_tokens_hash_is_stored(session):
    token = _start(session, _admin(session))
    row = session.scalar(select(AdminSession))
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in row.token_hash and len(token) >= 43


def test_a_session_ends_when_its_row_is_deleted(session):
    user = _admin(session)
    token, other = _start(session, user), _start(session, user)
    STORE.end(session, token)
    session.commit()
    assert _resume(session, token, NOW) is None
    assert _resume(session, other, NOW).owner_id == user.id


def test_unknown_and_malformed_tokens_open_nothing(session):
    _start(session, _admin(session))
    for token in ("", "x" * 43, "x" * 5000, None, 42, ["a"]):
        assert _resume(session, token, NOW) is None


def test_idle_sessions_end_and_use_keeps_them_alive(session):
    token = _start(session, _admin(session))
    for minutes in (50, 100, 150):  # used every 50 minutes: stays alive
        assert _resume(session, token, NOW + timedelta(minutes=minutes)) is not None
    assert session.scalar(select(AdminSession.last_seen_at)) == NOW + timedelta(minutes=150)
    assert _resume(session, token, NOW + timedelta(minutes=211)) is None  # an hour unused


def test_last_seen_is_written_at_most_once_a_minute(session):
    token = _start(session, _admin(session))
    _resume(session, token, NOW + timedelta(seconds=30))
    assert session.scalar(select(AdminSession.last_seen_at)) == NOW
    _resume(session, token, NOW + timedelta(seconds=61))
    assert session.scalar(select(AdminSession.last_seen_at)) == NOW + timedelta(seconds=61)


def test_sessions_end_at_their_absolute_lifetime_even_when_used(session):
    token = _start(session, _admin(session))
    at = NOW
    while at < NOW + timedelta(hours=23):
        at += timedelta(minutes=50)
        assert _resume(session, token, at) is not None
    assert _resume(session, token, NOW + timedelta(hours=24)) is None


def test_end_all_keeps_only_the_named_session(session):
    user, other_user = _admin(session), _admin(session, "other@example.org")
    tokens = [_start(session, user) for _ in range(3)]
    theirs = _start(session, other_user)
    assert STORE.end_all(session, owner_id=user.id, keep_token=tokens[0]) == 2
    session.commit()
    assert [_resume(session, t, NOW) is not None for t in tokens] == [True, False, False]
    assert _resume(session, theirs, NOW) is not None
    assert STORE.end_all(session, owner_id=user.id) == 1


def test_ended_sessions_are_pruned_when_someone_signs_in(session):
    user = _admin(session)
    _start(session, user)
    _start(session, user, at=NOW + timedelta(minutes=30))
    _start(session, user, at=NOW + timedelta(minutes=61))  # prunes the first (idle 61 min)
    assert session.scalar(select(func.count()).select_from(AdminSession)) == 2
    live = STORE.active(session, owner_id=user.id, now=NOW + timedelta(minutes=95),
                        policy=POLICY)
    assert len(live) == 1  # the one from minute 30 is idle too by now
