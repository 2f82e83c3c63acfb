"""Endorsements: issue and revoke (issuer.services.endorsements), attach received ones, embed
them in credentials issued afterwards, and what the verifier reports for each."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from issuer.clock import utc_now
from issuer.errors import ValidationFailed
from issuer.models import IssuedCredential
from issuer.openbadges.schema_validation import (
    ENDORSEMENT_CREDENTIAL,
    ENDORSEMENT_CREDENTIAL_STRICT,
    validate_credential,
)
from issuer.services import endorsements, profiles, received_endorsements, status, urls
from issuer.services.fetch import FetchPolicy
from issuer.services.keystore import FileKeyStore
from issuer.services.verification import verify_document
from issuer.verification.results import Verdict
from tests.endorsements.helpers import PARTNER_NAME, partner_endorsement, tampered
from tests.service_fixtures import BASE_URL, issue_credential, make_achievement, make_profile


@pytest.fixture
def setup(app):
    make_profile(app)
    make_profile(app, slug="guild", name="Guild of Testers")
    return make_achievement(app)


def _keys(app):
    return FileKeyStore(app.config["KEYS_DIR"])


def _verify(session, document):
    return verify_document(session, document, base_url=BASE_URL, now=utc_now(),
                           policy=FetchPolicy(), network=False)


def _issue(app, session, subject_id, *, slug="guild", **options):
    return endorsements.issue(
        session, profiles.profile_by_slug(session, slug), subject_id=subject_id,
        comment=options.pop("comment", "A well-run badge."), keystore=_keys(app),
        base_url=BASE_URL, now=utc_now(), actor=status.CLI, status_list_size=8, **options)


def test_an_issued_endorsement_matches_both_schemas_verifies_and_is_hosted(app, session, setup,
                                                                           client):
    achievement_url = urls.achievement_url(BASE_URL, setup)
    row = _issue(app, session, achievement_url)
    document = endorsements.document_of(row)
    assert document["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert document["credentialSubject"] == {
        "id": achievement_url, "type": ["EndorsementSubject"],
        "endorsementComment": "A well-run badge."}
    assert document["issuer"]["name"] == "Guild of Testers"
    assert document["credentialStatus"]["statusPurpose"] == "revocation"
    assert document["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    unsigned = {key: value for key, value in document.items() if key != "proof"}
    assert validate_credential(unsigned, ENDORSEMENT_CREDENTIAL) == []
    assert validate_credential(document, ENDORSEMENT_CREDENTIAL_STRICT) == []
    result = _verify(session, document)
    assert result.verdict is Verdict.VERIFIED, result.to_dict()
    assert row.subject_kind == "achievement" and row.subject_name == "Python Basics"
    served = client.get(document["id"].removeprefix(BASE_URL),
                        headers={"Accept": "application/ld+json"})
    assert served.status_code == 200 and json.loads(served.data) == document


def test_an_endorsement_of_someone_elses_profile_needs_its_kind(app, session, setup):
    with pytest.raises(ValidationFailed) as refused:
        _issue(app, session, "https://other.example/issuers/1")
    assert "subject_kind" in refused.value.errors
    row = _issue(app, session, "https://other.example/issuers/1", subject_kind="profile",
                 subject_name="Other Org")
    assert row.subject_kind == "profile"
    assert endorsements.document_of(row)["credentialSubject"]["id"] == \
        "https://other.example/issuers/1"
    with pytest.raises(ValidationFailed) as refused:
        _issue(app, session, "not an id", subject_kind="profile")
    assert "subject_id" in refused.value.errors


def test_revoking_an_endorsement_shows_in_verification_and_stops_embedding(app, session, setup):
    achievement_url = urls.achievement_url(BASE_URL, setup)
    row = _issue(app, session, achievement_url)
    first = session.get(IssuedCredential, issue_credential(app, setup))
    embedded = json.loads(first.document)["credentialSubject"]["achievement"]["endorsement"]
    assert [item["id"] for item in embedded] == [row.signed_credential.credential_id]
    state = endorsements.revoke(session, row, reason="Withdrawn", actor=status.CLI,
                                keystore=_keys(app), base_url=BASE_URL, now=utc_now())
    assert state.state == "revoked"
    assert endorsements.state_of(session, row).state == "revoked"
    result = _verify(session, endorsements.document_of(row))
    assert result.verdict is Verdict.NOT_VERIFIED
    assert result.check("status").failed
    # The credential issued before still carries it (never changed), and now reports it as
    # revoked, apart from its own verdict.
    outcome = _verify(session, json.loads(first.document))
    assert outcome.verdict is Verdict.VERIFIED
    [endorsement] = outcome.endorsements
    assert endorsement.where == "achievement" and endorsement.verdict is Verdict.NOT_VERIFIED
    assert endorsement.result.check("status").failed
    later = session.get(IssuedCredential, issue_credential(app, setup, email="bob@example.org"))
    assert "endorsement" not in json.loads(later.document)["credentialSubject"]["achievement"]


def test_received_endorsements_attach_only_when_they_verify(app, session, setup, tmp_path):
    achievement = endorsements.local_subject(
        session, urls.achievement_url(BASE_URL, setup), base_url=BASE_URL).achievement
    verify = lambda value: _verify(session, value)  # noqa: E731
    good = partner_endorsement(tmp_path / "partner", urls.achievement_url(BASE_URL, setup))
    with pytest.raises(ValidationFailed) as refused:
        received_endorsements.attach(session, json.dumps(tampered(good)), verify=verify, now=utc_now(),
                            actor=status.CLI, base_url=BASE_URL, achievement=achievement)
    assert "did not verify" in refused.value.errors["endorsement"]
    other = partner_endorsement(tmp_path / "partner", "https://elsewhere.example/a/1")
    with pytest.raises(ValidationFailed) as refused:
        received_endorsements.attach(session, json.dumps(other), verify=verify, now=utc_now(),
                            actor=status.CLI, base_url=BASE_URL, achievement=achievement)
    assert "not this achievement" in refused.value.errors["endorsement"]
    with pytest.raises(ValidationFailed):
        received_endorsements.attach(session, "{not json", verify=verify, now=utc_now(),
                            actor=status.CLI, base_url=BASE_URL, achievement=achievement)
    text = json.dumps(good, indent=3)
    row = received_endorsements.attach(session, text, verify=verify, now=utc_now(), actor=status.CLI,
                              base_url=BASE_URL, achievement=achievement)
    assert row.document == text and row.endorser_name == PARTNER_NAME
    assert row.verdict == "verified"
    with pytest.raises(ValidationFailed) as refused:
        received_endorsements.attach(session, text, verify=verify, now=utc_now(), actor=status.CLI,
                            base_url=BASE_URL, achievement=achievement)
    assert "already attached" in refused.value.errors["endorsement"]
    token = partner_endorsement(tmp_path / "partner", urls.achievement_url(BASE_URL, setup),
                                jwt=True)
    jwt_row = received_endorsements.attach(session, token + "\n", verify=verify, now=utc_now(),
                                  actor=status.CLI, base_url=BASE_URL, achievement=achievement)
    assert jwt_row.form == "jwt" and jwt_row.document == token
    issued = json.loads(session.get(IssuedCredential, issue_credential(app, setup)).document)
    embedded = issued["credentialSubject"]["achievement"]
    assert embedded["endorsement"] == [good]
    assert embedded["endorsementJwt"] == [token]
    outcome = _verify(session, issued)
    assert outcome.verdict is Verdict.VERIFIED, outcome.to_dict()
    assert [(item.form, item.verdict) for item in outcome.endorsements] == [
        ("ldp", Verdict.VERIFIED), ("jwt", Verdict.VERIFIED)]
    assert outcome.to_dict()["endorsements"][0]["endorser"]["name"] == PARTNER_NAME


def test_profile_endorsements_are_embedded_in_the_issuer(app, session, setup, tmp_path):
    profile = profiles.profile_by_slug(session, "main")
    did = profiles.profile_did(profile, BASE_URL)
    given = partner_endorsement(tmp_path / "partner", did)
    received_endorsements.attach(session, json.dumps(given), verify=lambda v: _verify(session, v),
                        now=utc_now(), actor=status.CLI, base_url=BASE_URL, profile=profile)
    issued = json.loads(session.get(IssuedCredential, issue_credential(app, setup)).document)
    assert issued["issuer"]["endorsement"] == [given]
    [result] = _verify(session, issued).endorsements
    assert result.where == "issuer" and result.verdict is Verdict.VERIFIED


def test_verifier_reports_tampered_expired_and_misplaced_endorsements(app, session, setup,
                                                                      tmp_path):
    issued = json.loads(session.get(IssuedCredential, issue_credential(app, setup)).document)
    achievement_url = urls.achievement_url(BASE_URL, setup)
    good = partner_endorsement(tmp_path / "p", achievement_url)
    expired = partner_endorsement(tmp_path / "p", achievement_url,
                                  valid_from=utc_now() - timedelta(days=30),
                                  valid_until=utc_now() - timedelta(days=1))
    misplaced = partner_endorsement(tmp_path / "p", "https://elsewhere.example/a/1")
    achievement = issued["credentialSubject"]["achievement"]
    achievement["endorsement"] = [good, tampered(good), expired, misplaced]
    # Not re-signed: only the endorsements' own results matter here.
    results = _verify(session, issued).endorsements
    assert [item.verdict for item in results] == [
        Verdict.VERIFIED, Verdict.NOT_VERIFIED, Verdict.NOT_VERIFIED, Verdict.NOT_VERIFIED]
    assert results[1].result.check("proof").failed
    assert results[2].result.check("validity").failed
    assert results[3].result.check("endorsed").failed
    assert results[0].path == "$.credentialSubject.achievement.endorsement[0]"
