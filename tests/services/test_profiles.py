"""Issuer profiles: first key, DID, rotation, did:key issuers, checked fields."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from issuer.errors import Conflict, InvalidRequest, ValidationFailed
from issuer.models import SigningKey
from issuer.services import profiles
from issuer.services.keystore import FileKeyStore
from tests.helpers import NOW

BASE = "http://localhost:5000"


def _create(session, keystore, slug="main", did_method="web", **fields):
    profile = profiles.create_profile(
        session, slug=slug, fields=profiles.ProfileFields(name="Example University", **fields),
        keystore=keystore, base_url=BASE, now=NOW, did_method=did_method,
    )
    session.commit()
    return profile


@pytest.fixture
def keystore(app):
    return FileKeyStore(app.config["KEYS_DIR"])


def test_first_profile_is_the_default_did_web_with_an_active_key(session, keystore):
    profile = _create(session, keystore)
    assert profile.is_default
    did = profiles.profile_did(profile, BASE)
    assert did == "did:web:localhost%3A5000"
    [key] = profile.keys
    assert key.active
    stored = keystore.resolve(key.public_key_multibase)  # the secret half is in the key dir
    assert stored.controller == did
    assert profiles.active_key(profile, keystore) == stored


def test_second_profile_gets_its_own_path_did(session, keystore):
    _create(session, keystore)
    other = _create(session, keystore, slug="chemistry")
    assert not other.is_default
    assert profiles.profile_did(other, BASE) == "did:web:localhost%3A5000:issuers:chemistry"


def test_rotation_keeps_old_keys_published_and_one_active(session, keystore):
    profile = _create(session, keystore)
    old = profile.keys[0].public_key_multibase
    new = profiles.rotate_key(session, profile, keystore=keystore, base_url=BASE, now=NOW)
    session.commit()
    rows = session.scalars(select(SigningKey).where(SigningKey.profile_id == profile.id)).all()
    assert {row.public_key_multibase: row.active for row in rows} == {
        old: False, new.public_key_multibase: True}
    document = profiles.did_document(profile, BASE)
    assert document["assertionMethod"] == [
        f"did:web:localhost%3A5000#{old}",
        f"did:web:localhost%3A5000#{new.public_key_multibase}",
    ]
    assert profiles.active_key(profile, keystore).public_key_multibase == new.public_key_multibase


def test_did_key_issuer_is_its_key_and_cannot_rotate(session, keystore):
    profile = _create(session, keystore, did_method="key")
    [key] = profile.keys
    assert profile.did == f"did:key:{key.public_key_multibase}"
    assert profiles.profile_did(profile, BASE) == profile.did
    assert profiles.to_open_badges(profile, BASE).id == profile.did
    with pytest.raises(InvalidRequest):
        profiles.rotate_key(session, profile, keystore=keystore, base_url=BASE, now=NOW)


def test_hosted_profile_carries_profile_and_keys(session, keystore):
    profile = _create(session, keystore, url="https://example.edu", email="badges@example.edu")
    document = profiles.hosted_profile_document(profile, BASE)
    assert document["id"] == "did:web:localhost%3A5000"
    assert document["type"] == ["Profile"]
    assert document["url"] == "https://example.edu"
    assert document["email"] == "badges@example.edu"
    assert document["assertionMethod"] == [document["verificationMethod"][0]["id"]]


@pytest.mark.parametrize(("fields", "slug", "bad"), [
    ({"name": ""}, "main", "name"),
    ({"name": "X", "url": "javascript:alert(1)"}, "main", "url"),
    ({"name": "X", "email": "nope"}, "main", "email"),
    ({"name": "X"}, "Not A Slug", "slug"),
])
def test_bad_fields_are_named_and_nothing_is_created(session, keystore, fields, slug, bad):
    with pytest.raises(ValidationFailed) as info:
        profiles.create_profile(session, slug=slug, fields=profiles.ProfileFields(**fields),
                                keystore=keystore, base_url=BASE, now=NOW)
    assert bad in info.value.errors
    assert keystore.list() == []
    assert profiles.default_profile(session, required=False) is None


def test_duplicate_slug_is_a_conflict(session, keystore):
    _create(session, keystore)
    with pytest.raises(Conflict):
        _create(session, keystore)
