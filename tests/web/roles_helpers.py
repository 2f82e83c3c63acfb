"""Helpers of the role tests (issue 14, item 6): admins with a role on a profile, signed in."""

from __future__ import annotations

from issuer import db
from issuer.clock import utc_now
from issuer.services import admins, profiles, users
from issuer.services.tx import atomic
from tests.service_fixtures import sign_in

PASSWORD = "a long enough password"


def make_role_admin(app, email: str, roles: dict[str, str]) -> int:
    """An invited-style admin (owns nothing by default) with ``roles`` {slug: role}."""
    with app.app_context():
        session = db.get_session()
        with atomic(session):
            user = users.create_admin(session, email=email, password=PASSWORD, now=utc_now(),
                                      owns_every_profile=False)
            session.flush()
            for slug, role in roles.items():
                admins.set_role(session, profile_id=profiles.profile_by_slug(session, slug).id,
                                user_id=user.id, role=role, now=utc_now())
        return user.id


def client_as(app, email: str, roles: dict[str, str]):
    make_role_admin(app, email, roles)
    client = app.test_client()
    response = sign_in(client, email=email, password=PASSWORD)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def role_of(app, email: str, slug: str = "main") -> str | None:
    with app.app_context():
        session = db.get_session()
        user = users.admin_by_email(session, email)
        return admins.role_on(session, user.id, profiles.profile_by_slug(session, slug).id)
