"""Issuance: build → schema-validate → sign → persist, all or nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from issuer.clock import utc_now
from issuer.errors import KeyError_, ValidationFailed
from issuer.models import IssuedCredential, Recipient
from issuer.openbadges.credential import identity_hash
from issuer.services import issuance, profiles
from issuer.services.keystore import FileKeyStore
from issuer.verification.verifier import verify_credential
from tests.service_fixtures import BASE_URL, make_achievement, make_profile


@pytest.fixture
def achievement_id(app):
    make_profile(app)
    return make_achievement(app)


def _issue(app, session, achievement, **overrides):
    request = {"achievement_id": achievement, "email": "Alice@Example.org", "name": "Alice"}
    request.update(overrides)
    return issuance.issue(session, issuance.IssueRequest(**request),
                          keystore=FileKeyStore(app.config["KEYS_DIR"]), base_url=BASE_URL,
                          now=utc_now())


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_issued_credential_is_stored_as_signed_and_verifies(app, session, achievement_id):
    row = _issue(app, session, achievement_id, evidence_url="https://example.org/work",
                 evidence_narrative="Built a *thing*.", did="did:example:alice")
    document = json.loads(row.document)
    assert document["id"] == f"{BASE_URL}/credentials/{row.id}"
    assert document["issuer"]["id"] == "did:web:localhost%3A5000"
    subject = document["credentialSubject"]
    assert subject["id"] == "did:example:alice"
    assert subject["achievement"]["id"] == f"{BASE_URL}/achievements/{achievement_id}"
    identifier = subject["identifier"][0]
    assert identifier["identityHash"] == identity_hash("alice@example.org", identifier["salt"])
    assert document["evidence"] == [{"id": "https://example.org/work", "type": ["Evidence"],
                                     "narrative": "Built a *thing*."}]
    assert row.verification_method == document["proof"][0]["verificationMethod"]
    did_document = profiles.did_document(row.profile, BASE_URL)
    result = verify_credential(
        document, now=utc_now(), recipient_email="alice@example.org",
        resolve_controller={did_document["id"]: did_document}.get,
    )
    assert result.verified, result.to_dict()
    assert result.check("recipient").status.value == "passed"
    assert session.scalar(select(Recipient.email)) == "alice@example.org"


def test_document_text_is_never_reserialised(app, session, achievement_id):
    credential_id = _issue(app, session, achievement_id).id
    text = session.get(IssuedCredential, credential_id).document
    session.expire_all()
    assert session.get(IssuedCredential, credential_id).document == text
    assert text.endswith("}\n") and '\n  "@context"' in text


def test_expiry_is_signed_in(app, session, achievement_id):
    until = utc_now() + timedelta(days=30)
    row = _issue(app, session, achievement_id, valid_until=until)
    assert json.loads(row.document)["validUntil"] == until.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert row.valid_until == until


@pytest.mark.parametrize(("overrides", "field"), [
    ({"email": "not an email"}, "email"),
    ({"achievement_id": "00000000-0000-0000-0000-000000000000"}, "achievement"),
    ({"achievement_id": "../etc"}, "achievement"),
    ({"did": "alice"}, "did"),
    ({"evidence_url": "ftp://example.org/x"}, "evidence_url"),
    ({"valid_until": "PAST"}, "valid_until"),
])
def test_bad_requests_name_the_field_and_save_nothing(
    app, session, achievement_id, overrides, field
):
    if overrides.get("valid_until") == "PAST":
        overrides = {"valid_until": utc_now() - timedelta(days=1)}
    with pytest.raises(ValidationFailed) as info:
        _issue(app, session, achievement_id, **overrides)
    assert field in info.value.errors
    assert _count(session, IssuedCredential) == 0
    assert _count(session, Recipient) == 0


def test_a_signing_failure_saves_nothing(app, session, achievement_id):
    for path in FileKeyStore(app.config["KEYS_DIR"]).directory.glob("*.json"):
        path.unlink()
    with pytest.raises(KeyError_):
        _issue(app, session, achievement_id)
    assert _count(session, IssuedCredential) == 0
    assert _count(session, Recipient) == 0


def test_search_finds_by_email_name_and_achievement(app, session, achievement_id):
    from issuer.services.credential_query import CredentialFilter, list_credentials

    def search(text=None):
        page = list_credentials(session, CredentialFilter(text=text), now=utc_now())
        return [item.credential for item in page.items]

    _issue(app, session, achievement_id, email="alice@example.org", name="Alice Liddell")
    _issue(app, session, achievement_id, email="bob@example.org", name="Bob")
    assert len(search()) == 2
    assert [r.recipient.email for r in search("LIDDELL")] == ["alice@example.org"]
    assert [r.recipient_name for r in search("bob@")] == ["Bob"]
    assert len(search("python basics")) == 2
    assert search("100%_") == []


def test_an_issuer_rotated_to_a_p256_key_issues_ecdsa_rdfc_2019_credentials(app, session,
                                                                              achievement_id):
    keystore = FileKeyStore(app.config["KEYS_DIR"])
    before = _issue(app, session, achievement_id)
    profile = before.profile
    key = profiles.rotate_key(session, profile, keystore=keystore, base_url=BASE_URL,
                              now=utc_now(), algorithm="P-256")
    session.commit()
    assert key.public_key_multibase.startswith("zDn")
    after = _issue(app, session, achievement_id, email="bob@example.org")
    proof = json.loads(after.document)["proof"][0]
    assert proof["cryptosuite"] == "ecdsa-rdfc-2019"
    assert proof["verificationMethod"] == f"did:web:localhost%3A5000#{key.public_key_multibase}"
    did_document = profiles.did_document(profile, BASE_URL)  # publishes both keys
    for row in (before, after):
        result = verify_credential(json.loads(row.document), now=utc_now(),
                                   resolve_controller={did_document["id"]: did_document}.get)
        assert result.verified, result.to_dict()
