"""Admin users: argon2 hashes only, sign-in checks, session tokens."""

from __future__ import annotations

import pytest

from issuer.errors import Conflict, ValidationFailed
from issuer.models import AdminUser
from issuer.services import users
from tests.helpers import NOW


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


def test_new_password_replaces_the_session_token(session):
    user = users.create_admin(session, email="admin@example.org", password="a long password",
                              now=NOW)
    session.commit()
    old_token = user.session_token
    users.set_password(user, "another long password")
    session.commit()
    assert users.user_by_session_token(session, old_token) is None
    assert users.user_by_session_token(session, user.session_token).id == user.id
