"""Admin users: argon2 hashes only, sign-in checks, server-side sessions."""

from __future__ import annotations

import pytest

from issuer.errors import Conflict, ValidationFailed
from issuer.models import AdminUser
from issuer.services import users
from issuer.services.sessions import SessionPolicy
from tests.helpers import NOW

POLICY = SessionPolicy(lifetime_seconds=3600, idle_seconds=600)


def test_only_an_argon2_hash_is_stored(session):
    user = users.create_admin(session, email=" Admin@Example.org ", password="a long password",
                              now=NOW)
    session.commit()
    stored = session.get(AdminUser, user.id)
    assert stored.email == "admin@example.org"
    assert stored.password_hash.startswith("$argon2id$")
    assert "a long password" not in stored.password_hash
    assert "password_hash" not in repr(stored) and stored.password_hash not in repr(stored)


def test_authenticate_accepts_the_right_password_only(session):
    users.create_admin(session, email="admin@example.org", password="a long password", now=NOW)
    session.commit()
    assert users.authenticate(session, email="ADMIN@example.org", password="a long password",
                              now=NOW).last_login_at == NOW
    assert users.authenticate(session, email="admin@example.org", password="wrong password",
                              now=NOW) is None
    assert users.authenticate(session, email="nobody@example.org", password="a long password",
                              now=NOW) is None


@pytest.mark.parametrize(("email", "password", "field"), [
    ("not-an-email", "a long password", "email"),
    ("admin@example.org", "short", "password"),
])
def test_bad_admin_input_is_named(session, email, password, field):
    with pytest.raises(ValidationFailed) as info:
        users.create_admin(session, email=email, password=password, now=NOW)
    assert field in info.value.errors


def test_duplicate_admin_is_a_conflict(session):
    users.create_admin(session, email="admin@example.org", password="a long password", now=NOW)
    session.commit()
    with pytest.raises(Conflict):
        users.create_admin(session, email="Admin@example.org", password="a long password", now=NOW)


def test_a_password_change_ends_every_other_session(session):
    user = users.create_admin(session, email="admin@example.org", password="a long password",
                              now=NOW)
    session.flush()
    kept, other = (users.SESSIONS.start(session, owner_id=user.id, now=NOW, policy=POLICY) for _ in "ab")
    session.commit()
    users.set_password(session, user, "another long password", keep_session=kept)
    session.commit()
    assert users.SESSIONS.owner(session, other, now=NOW, policy=POLICY) is None
    assert users.SESSIONS.owner(session, kept, now=NOW, policy=POLICY).id == user.id
    assert users.password_matches(user, "another long password")
    assert not users.password_matches(user, "a long password")
