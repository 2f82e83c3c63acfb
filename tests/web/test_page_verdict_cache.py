"""The credential page's verdict, stored in page_verifications and reused until an input
changes (issue 13, item 4): the same HTML from the store as from a fresh verification; a
revocation, suspension, reinstatement, key change or validity boundary seen at once, also by
another app instance on the same database; incomplete verdicts never stored."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from issuer import db
from issuer.clock import utc_now
from issuer.models import IssuedCredential, IssuerProfile, SigningKey
from issuer.render_models import PageVerification
from issuer.services import page_verification, profiles, standalone_verification
from issuer.services.keystore import FileKeyStore
from issuer.services.tx import atomic
from issuer.verification.results import Status
from issuer.web.app import create_app
from tests.service_fixtures import (
    BASE_URL,
    change_status,
    issue_credential,
    make_achievement,
    offer_suspension,
)

BROWSER = {"Accept": "text/html"}


@pytest.fixture
def achievement_id(app, profile):
    return make_achievement(app, name="Cached Badge")


def _state(html: str) -> str:
    return re.search(r'id="verification-status"\s+data-state="([^"]+)"', html).group(1)


def _html(client, credential_id: str) -> str:
    response = client.get(f"/credentials/{credential_id}", headers=BROWSER)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"
    return response.get_data(as_text=True)


def _stored(app, credential_id: str) -> PageVerification | None:
    with app.app_context():
        return db.get_session().get(PageVerification, credential_id)


def _forget(app) -> None:
    with db.engine_of(app).begin() as connection:
        connection.execute(delete(PageVerification.__table__))


def test_the_stored_verdict_renders_the_same_page(app, client, achievement_id, clock):
    credential_id = issue_credential(app, achievement_id)
    fresh = _html(client, credential_id)
    stored = _stored(app, credential_id)
    assert stored is not None and _state(fresh) == "verified"
    clock.advance(seconds=30)
    again = _html(client, credential_id)
    # Served from the store: it was not computed again...
    assert _stored(app, credential_id).computed_at == stored.computed_at
    # ...and the page is byte for byte the one a fresh verification gives.
    assert again == fresh
    _forget(app)
    assert _html(client, credential_id) == fresh
    assert _stored(app, credential_id).computed_at > stored.computed_at


def test_stored_results_round_trip_exactly(app, achievement_id):
    credential_id = issue_credential(app, achievement_id)
    with app.test_request_context("/"):
        session = db.get_session()
        row = session.get(IssuedCredential, credential_id)
        result = page_verification.verify_page(
            session, row, json.loads(row.document), base_url=BASE_URL, now=utc_now(),
            policy=standalone_verification.fetch_policy(allow_private=False))
    assert page_verification.result_from_json(page_verification.result_to_json(result)) \
        == result
    assert result.verified


@pytest.mark.parametrize("offers", [False, True])
def test_a_status_change_through_another_instance_shows_at_once(app, app_config, client,
                                                                achievement_id, offers):
    """Two app instances (two workers or hosts) on one database: a revocation through one
    is on the other's next page view; nothing process-local keeps the old verdict."""
    if offers:
        offer_suspension(app)
    credential_id = issue_credential(app, achievement_id)
    other = create_app(app_config)
    try:
        assert _state(_html(client, credential_id)) == "verified"
        assert _stored(app, credential_id) is not None
        if offers:
            change_status(other, credential_id, "suspend")
            assert _state(_html(client, credential_id)) == "suspended"
            change_status(other, credential_id, "reinstate")
            assert _state(_html(client, credential_id)) == "verified"
        change_status(other, credential_id, "revoke")
        page = _html(client, credential_id)
        assert _state(page) == "revoked"
        assert "Issued in error" in page  # the reason recorded with the change
        assert _state(_html(client, credential_id)) == "revoked"  # and stored as such
        assert _state(_html(other.test_client(), credential_id)) == "revoked"
    finally:
        db.engine_of(other).dispose()


def test_a_key_rotation_is_verified_afresh(app, client, achievement_id, clock):
    credential_id = issue_credential(app, achievement_id)
    assert _state(_html(client, credential_id)) == "verified"
    before = _stored(app, credential_id)
    clock.advance(seconds=5)
    with app.app_context():
        session = db.get_session()
        with atomic(session):
            profiles.rotate_key(session, profiles.default_profile(session),
                                keystore=FileKeyStore(app.config["KEYS_DIR"]),
                                base_url=BASE_URL, now=utc_now())
    # The retired key stays in the DID document: still verified, but checked again.
    assert _state(_html(client, credential_id)) == "verified"
    after = _stored(app, credential_id)
    assert after.fingerprint != before.fingerprint
    assert after.computed_at > before.computed_at


def test_a_key_taken_out_of_the_did_document_fails_at_once(app, client, achievement_id):
    credential_id = issue_credential(app, achievement_id)
    assert _state(_html(client, credential_id)) == "verified"
    with app.app_context():
        session = db.get_session()
        with atomic(session):
            profile = profiles.default_profile(session)
            profiles.rotate_key(session, profile, keystore=FileKeyStore(app.config["KEYS_DIR"]),
                                base_url=BASE_URL, now=utc_now())
            session.execute(delete(SigningKey).where(SigningKey.profile_id == profile.id,
                                                     SigningKey.active.is_(False)))
    page = _html(client, credential_id)
    assert _state(page) == "not_verified"
    assert 'data-check="proof"' in page or 'data-check="issuer"' in page


def test_a_changed_issuer_did_is_verified_afresh(app, client, achievement_id, clock):
    """The issuer's did:web no longer resolves here: the page is what a fresh verification
    says (the issuer check could not be made), and that incomplete verdict is not stored."""
    credential_id = issue_credential(app, achievement_id)
    verified = _html(client, credential_id)
    before = _stored(app, credential_id)
    clock.advance(seconds=5)
    with app.app_context():
        session = db.get_session()
        with atomic(session):
            session.execute(update(IssuerProfile).values(
                did="did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"))
    changed = _html(client, credential_id)
    assert _stored(app, credential_id).computed_at == before.computed_at  # not overwritten
    _forget(app)
    assert _html(client, credential_id) == changed
    assert _stored(app, credential_id) is None  # issuer not checked: never stored
    assert changed == verified  # the proof still checks (its key is in the method id)


def test_expiry_is_seen_without_any_change_in_the_database(app, client, achievement_id, clock):
    credential_id = issue_credential(app, achievement_id,
                                     valid_until=utc_now() + timedelta(days=2))
    assert _state(_html(client, credential_id)) == "verified"
    stored = _stored(app, credential_id)
    assert stored.fresh_until is not None
    clock.advance(days=1)
    assert _state(_html(client, credential_id)) == "verified"
    assert _stored(app, credential_id).computed_at == stored.computed_at  # reused
    clock.advance(days=1, minutes=2)  # past validUntil, within the clock skew: still valid
    assert _state(_html(client, credential_id)) == "verified"
    clock.advance(minutes=20)
    assert _state(_html(client, credential_id)) == "expired"


def test_a_not_yet_valid_credential_becomes_valid_on_time(app, client, achievement_id, clock):
    credential_id = issue_credential(app, achievement_id)
    with app.app_context():
        session = db.get_session()
        row = session.get(IssuedCredential, credential_id)
        started = row.valid_from
    clock.now = started - timedelta(hours=1)
    assert _state(_html(client, credential_id)) == "not_yet_valid"
    # Its status list is not valid yet either, so that check could not be made: not stored.
    assert _stored(app, credential_id) is None
    clock.now = started + timedelta(seconds=1)
    assert _state(_html(client, credential_id)) == "verified"


def test_an_incomplete_verification_is_never_stored(app, achievement_id):
    """A status list of ours the credential names but the database does not have: the
    status check cannot be made, the page says not verified, and nothing is stored."""
    credential_id = issue_credential(app, achievement_id)
    with app.test_request_context("/"):
        session = db.get_session()
        row = session.get(IssuedCredential, credential_id)
        document = json.loads(row.document)
        document["credentialStatus"]["statusListCredential"] = \
            f"{BASE_URL}/status/00000000-0000-4000-8000-000000000000"
        result = page_verification.verify_page(
            session, row, document, base_url=BASE_URL, now=utc_now(),
            policy=standalone_verification.fetch_policy(allow_private=False))
        assert not result.verified
        assert result.check("status").status is Status.NOT_CHECKED
        assert session.scalar(select(PageVerification.credential_id)) is None
