"""Fixtures for the service and web tests: a migrated database, the app, clients, factories.

The database comes from ISSUER_TEST_DATABASE_URL:
- unset: a fresh SQLite file per test session;
- ``postgresql+psycopg://...``: a fresh schema per test session (dropped at the end).
Migrations run once per session (through Alembic, as ``issuer init`` does); every test
then starts from empty tables.
"""

from __future__ import annotations

import io
import os
import re
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import make_url

from issuer import create_app, db
from issuer.models import Base
from issuer.services import status

TEST_DATABASE_ENV = "ISSUER_TEST_DATABASE_URL"
BASE_URL = "http://localhost:5000"
ADMIN_EMAIL = "admin@example.org"
ADMIN_PASSWORD = "correct horse battery staple"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                     r'type="hidden" name="csrf_token" value="([^"]+)"|'
                     r'name="csrf_token" value="([^"]+)"')


def _postgres_schema_url(url: str, schema: str) -> str:
    return make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    configured = os.environ.get(TEST_DATABASE_ENV, "").strip()
    if not configured or configured.startswith("sqlite"):
        url = configured or "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
        db.migrate(url)
        yield url
        return
    if not configured.startswith("postgresql"):
        raise pytest.UsageError(f"{TEST_DATABASE_ENV} must be an sqlite or postgresql URL")
    import psycopg

    plain = make_url(configured).set(drivername="postgresql").render_as_string(hide_password=False)
    schema = f"test_{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        url = _postgres_schema_url(configured, schema)
        db.migrate(url)
        yield url
    finally:
        with psycopg.connect(plain, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def app_config(database_url, tmp_path) -> dict[str, Any]:
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "BASE_URL": BASE_URL,
        "KEYS_DIR": str(tmp_path / "keys"),
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret-" + secrets.token_hex(8),
    }


@pytest.fixture
def app(app_config):
    application = create_app(app_config)
    yield application
    empty_tables(application)


def empty_tables(application) -> None:
    """Delete every row the app wrote and close its connections (after a test, or a module
    of tests sharing one app)."""
    engine = db.engine_of(application)
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()
    status.drop_blocks()  # the lists their positions belonged to are gone


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def session(app):
    """A DB session inside an app context (the same one the services use)."""
    with app.app_context():
        yield db.get_session()


# -- factories ------------------------------------------------------------------------------


def make_profile(app, *, slug: str = "main", name: str = "Example University",
                 did_method: str = "web", **fields: Any):
    from issuer.clock import utc_now
    from issuer.services import profiles
    from issuer.services.keystore import FileKeyStore
    from issuer.services.tx import atomic

    with app.app_context():
        session = db.get_session()
        with atomic(session):
            profile = profiles.create_profile(
                session, slug=slug, fields=profiles.ProfileFields(name=name, **fields),
                keystore=FileKeyStore(app.config["KEYS_DIR"]), base_url=app.config["BASE_URL"],
                now=utc_now(), did_method=did_method,
            )
        return profile.slug


def offer_suspension(app, *, slug: str = "main", offers: bool = True) -> None:
    """Turn the profile's suspension setting on (or off): its credentials issued from now on
    get a suspension status entry too."""
    from issuer.clock import utc_now
    from issuer.services import profiles
    from issuer.services.tx import atomic

    with app.app_context():
        session = db.get_session()
        with atomic(session):
            profiles.set_suspension(profiles.profile_by_slug(session, slug), offers=offers,
                                    now=utc_now())


def make_achievement(app, *, issuer: str | None = None, **overrides: Any) -> str:
    from issuer.clock import utc_now
    from issuer.services import achievements, profiles
    from issuer.services.tx import atomic

    fields = {"name": "Python Basics", "description": "Writes small Python programs.",
              "criteria_narrative": "Complete **all** exercises.", "achievement_type": "Badge"}
    fields.update(overrides)
    with app.app_context():
        session = db.get_session()
        with atomic(session):
            profile = (profiles.profile_by_slug(session, issuer) if issuer
                       else profiles.default_profile(session))
            achievement = achievements.create_achievement(
                session, profile=profile, fields=achievements.AchievementFields(**fields),
                image=None, now=utc_now(),
            )
        return achievement.id


def issue_credential(app, achievement_id: str, *, email: str = "alice@example.org",
                     **overrides: Any) -> str:
    from issuer.clock import utc_now
    from issuer.services import issuance
    from issuer.services.keystore import FileKeyStore

    with app.app_context():
        row = issuance.issue(
            db.get_session(),
            issuance.IssueRequest(achievement_id=achievement_id, email=email, **overrides),
            keystore=FileKeyStore(app.config["KEYS_DIR"]), base_url=app.config["BASE_URL"],
            now=utc_now(),
        )
        return row.id


def make_admin(app, *, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> None:
    from issuer.clock import utc_now
    from issuer.services import users
    from issuer.services.tx import atomic

    with app.app_context():
        session = db.get_session()
        with atomic(session):
            users.create_admin(session, email=email, password=password, now=utc_now())


def csrf_token(client, path: str) -> str:
    """The CSRF token of the form at ``path`` (as a browser would read it)."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, f"no csrf_token on {path}"
    return next(group for group in match.groups() if group)


def sign_in(client, *, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD):
    token = csrf_token(client, "/admin/login")
    return client.post("/admin/login", data={"csrf_token": token, "email": email,
                                             "password": password})


def png_bytes(size: tuple[int, int] = (8, 8), color: str = "navy") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


SAFE_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
            b'<circle cx="5" cy="5" r="4" fill="gold"/></svg>')


@pytest.fixture
def profile(app) -> str:
    return make_profile(app)


@pytest.fixture
def admin(app) -> dict[str, str]:
    make_admin(app)
    return {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}


@pytest.fixture
def admin_client(client, admin, profile):
    """A client signed in as an admin, with a default issuer profile in place."""
    response = sign_in(client)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def change_status(app, credential_id: str, action: str, *, reason: str = "Issued in error"
                  ) -> None:
    """``action`` ("revoke", "suspend" or "reinstate") one of our credentials, as the CLI."""
    from issuer.clock import utc_now
    from issuer.models import IssuedCredential
    from issuer.services import status
    from issuer.services.keystore import FileKeyStore

    with app.app_context():
        session = db.get_session()
        row = session.get(IssuedCredential, credential_id)
        getattr(status, action)(session, row, reason=reason, actor=status.CLI,
                                keystore=FileKeyStore(app.config["KEYS_DIR"]),
                                base_url=app.config["BASE_URL"], now=utc_now())
