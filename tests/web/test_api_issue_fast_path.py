"""The API issuing path's database work: a handful of statements per credential (counted on
the real database), and per-process caches that another app instance (another worker or
host on the same database) never serves stale: a revoked token is refused at once, a
rotated key is used at once."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import event

from issuer import create_app, db
from issuer.clock import utc_now
from issuer.services import apiauth, profiles
from issuer.services.keystore import FileKeyStore
from issuer.services.tx import atomic
from tests.api_helpers import bearer, make_token
from tests.service_fixtures import make_achievement


@pytest.fixture
def achievement(app, profile) -> str:
    return make_achievement(app)


def _issue(client, token, achievement, number, **headers):
    return client.post("/api/v1/credentials", headers=bearer(token, **headers), json={
        "achievement": achievement,
        "recipient": {"email": f"learner{number}@example.org", "name": f"Learner {number}"}})


class _Statements:
    def __init__(self, engine):
        self.engine, self.seen = engine, []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self.seen

    def __exit__(self, *_exc):
        event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, _conn, _cursor, statement, _parameters, _context, _executemany):
        self.seen.append(" ".join(statement.split()[:4]))


def test_an_api_issue_takes_a_handful_of_sql_statements(app, client, achievement):
    token = make_token(app)
    assert _issue(client, token, achievement, 0).status_code == 201  # caches, index blocks
    engine = db.engine_of(app)
    with _Statements(engine) as seen:
        response = _issue(client, token, achievement, 1)
    assert response.status_code == 201
    # ours: the shared cache generation, the recipient upsert, the credential and its status
    # entries (one executemany); no status list, token, profile, key or achievement lookup
    ours = ["SELECT cache_generations", "INSERT INTO recipients", "INSERT INTO issued_credentials",
            "INSERT INTO status_entries"]
    # nor from the community and webhook hooks (before_flush on every new credential): whether
    # the achievement is in a meta-badge rule and whether any endpoint wants the event are
    # cached under the same generation, and no webhook payload is built for nobody
    hooks: list[str] = []
    assert _tables(seen) == ours, seen
    with _Statements(engine) as seen:
        response = _issue(client, token, achievement, 2, **{"Idempotency-Key": "k-2"})
    assert response.status_code == 201
    assert _tables(seen) == ["SELECT cache_generations", "SELECT idempotency_keys",
                             *ours[1:2], *hooks, ours[2], "INSERT INTO idempotency_keys",
                             ours[3]], seen


def _tables(statements: list[str]) -> list[str]:
    """"SELECT <table>" / "INSERT INTO <table>" of each statement."""
    found = []
    for statement in statements:
        words = statement.split()
        if words[0].upper() == "INSERT":
            found.append(f"INSERT INTO {words[2]}")
        else:
            found.append(f"{words[0].upper()} {words[1].split('.')[0]}")
    return found


def test_another_app_instance_refuses_a_revoked_token_at_once(app, app_config, achievement):
    other = create_app(app_config)  # another worker (or host) on the same database
    try:
        token = make_token(app)
        first, second = app.test_client(), other.test_client()
        assert _issue(second, token, achievement, 1).status_code == 201  # cached there now
        assert _issue(first, token, achievement, 2).status_code == 201
        with app.app_context():
            session = db.get_session()
            with atomic(session):
                token_id = apiauth.list_api_tokens(session)[0].id
                apiauth.revoke_api_token(session, token_id, now=utc_now())
        refused = _issue(second, token, achievement, 3)
        assert refused.status_code == 401, refused.get_json()
        assert "revoked" in refused.get_json()["detail"]
    finally:
        db.engine_of(other).dispose()


def test_another_app_instance_signs_with_a_rotated_key_at_once(app, app_config, achievement):
    other = create_app(app_config)
    try:
        token = make_token(app)
        second = other.test_client()
        before = _issue(second, token, achievement, 1).get_json()["credential"]
        with app.app_context():
            session = db.get_session()
            with atomic(session):
                profile = profiles.default_profile(session)
                new_key = profiles.rotate_key(session, profile,
                                              keystore=FileKeyStore(app.config["KEYS_DIR"]),
                                              base_url=app.config["BASE_URL"], now=utc_now())
                rotated = new_key.public_key_multibase
        after = _issue(second, token, achievement, 2).get_json()["credential"]
        method = after["proof"][-1]["verificationMethod"]
        assert method.endswith("#" + rotated)
        assert before["proof"][-1]["verificationMethod"] != method
        assert json.dumps(after).count(rotated) == 1  # the proof names the new key only
    finally:
        db.engine_of(other).dispose()


def test_hooks_see_a_new_webhook_endpoint_at_once(app, client, achievement):
    """The webhook hook's cached "nobody listens" ends with the change that makes it wrong: an
    endpoint registered in another transaction gets the very next issue's event."""
    from sqlalchemy import func, select

    from issuer.clock import utc_now
    from issuer.models import IssuerProfile
    from issuer.services.tx import atomic
    from issuer.webhooks import endpoints
    from issuer.webhooks.models import WebhookEvent

    token = make_token(app)
    assert _issue(client, token, achievement, 0).status_code == 201  # "nobody listens" cached
    with app.app_context():
        session = db.get_session()
        with atomic(session):
            endpoints.register(
                session, profile=session.scalars(select(IssuerProfile)).first(),
                url="https://hooks.example.org/in", events=["credential.issued"],
                owner_email="owner@example.org", description=None,
                secret_key=app.config["SECRET_KEY"], allow_private=False, now=utc_now())
    assert _issue(client, token, achievement, 1).status_code == 201
    with app.app_context():
        assert db.get_session().scalar(select(func.count()).select_from(WebhookEvent)) == 1
