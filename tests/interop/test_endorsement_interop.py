"""Interop of endorsements (issue 15, item 1): an EndorsementCredential we issue verifies in
Digital Bazaar's stack (signature, issuer, and its revocation entry, before and after revoking)
and in DCC's verifier-core against a live server of ours; a badge carrying embedded
endorsements (JSON and, through our local context, endorsementJwt) verifies there too."""

from __future__ import annotations

import json

import pytest

from issuer import db
from issuer.clock import utc_now
from issuer.models import IssuedCredential
from issuer.services import endorsements, profiles, received_endorsements, status, urls
from issuer.services.fetch import FetchPolicy
from issuer.services.keystore import FileKeyStore
from issuer.services.verification import verify_document
from tests.endorsements.helpers import partner_endorsement
from tests.service_fixtures import issue_credential, make_achievement, make_profile
from tests.web.test_browser import live_server  # noqa: F401  (the app on a loopback port)

pytestmark = pytest.mark.interop


def _issue(app, session, subject_id):
    return endorsements.issue(
        session, profiles.profile_by_slug(session, "guild"), subject_id=subject_id,
        comment="Fair and well assessed.", keystore=FileKeyStore(app.config["KEYS_DIR"]),
        base_url=app.config["BASE_URL"], now=utc_now(), actor=status.CLI)


def _documents(app, session, document) -> dict:
    base_url = app.config["BASE_URL"]
    profile = profiles.profile_by_slug(session, "guild")
    list_url = document["credentialStatus"]["statusListCredential"]
    return {profiles.profile_did(profile, base_url): profiles.did_document(profile, base_url),
            list_url: status.local_status_list(session, list_url, base_url)}


@pytest.fixture
def setup(app):
    make_profile(app)
    make_profile(app, slug="guild", name="Guild of Testers")
    return make_achievement(app)


def test_our_endorsement_and_its_revocation_verify_in_digital_bazaars_stack(app, dbvc, setup):
    with app.app_context():
        session = db.get_session()
        row = _issue(app, session, urls.achievement_url(app.config["BASE_URL"], setup))
        document = endorsements.document_of(row)
        verdict = dbvc({"op": "verify", "credential": document, "checkStatus": True,
                        "documents": _documents(app, session, document)})
        assert verdict["verified"] is True, verdict["error"]
        assert all(proof["verified"] for proof in verdict["proofs"])
        endorsements.revoke(session, row, reason="Withdrawn", actor=status.CLI,
                            keystore=FileKeyStore(app.config["KEYS_DIR"]),
                            base_url=app.config["BASE_URL"], now=utc_now())
        verdict = dbvc({"op": "verify", "credential": document, "checkStatus": True,
                        "documents": _documents(app, session, document)})
        assert verdict["verified"] is False
        assert 'status "revocation" is set' in verdict["error"]
        assert all(proof["verified"] for proof in verdict["proofs"])


def test_a_badge_with_embedded_endorsements_verifies_there(app, dbvc, setup, tmp_path):
    base_url = app.config["BASE_URL"]
    achievement_url = urls.achievement_url(base_url, setup)
    with app.app_context():
        session = db.get_session()
        achievement = endorsements.local_subject(session, achievement_url,
                                                 base_url=base_url).achievement
        for jwt in (False, True):
            given = partner_endorsement(tmp_path / "partner", achievement_url, jwt=jwt)
            received_endorsements.attach(
                session, given if jwt else json.dumps(given), now=utc_now(), actor=status.CLI,
                base_url=base_url, achievement=achievement,
                verify=lambda value: verify_document(session, value, base_url=base_url,
                                                     now=utc_now(), policy=FetchPolicy(),
                                                     network=False))
        document = json.loads(session.get(IssuedCredential,
                                          issue_credential(app, setup)).document)
        assert document["@context"][-1] == {"endorsementJwt": {
            "@id": "https://purl.imsglobal.org/spec/vc/ob/vocab.html#endorsementJwt",
            "@container": "@set"}}
        main = profiles.profile_by_slug(session, "main")
        did = profiles.profile_did(main, base_url)
        verdict = dbvc({"op": "verify", "credential": document,
                        "documents": {did: profiles.did_document(main, base_url)}})
        assert verdict["verified"] is True, verdict["error"]
        # The embedded endorsement itself verifies there too (a did:key partner).
        inner = document["credentialSubject"]["achievement"]["endorsement"][0]
        assert dbvc({"op": "verify", "credential": inner})["verified"] is True


def test_our_endorsement_verifies_in_verifier_core(app, live_server, vcore, setup):
    with app.app_context():
        session = db.get_session()
        row = _issue(app, session, urls.achievement_url(live_server, setup))
        document = endorsements.document_of(row)
    answer = vcore({"credentials": [document], "server": live_server})
    assert answer["refused"] == []
    [result] = answer["results"]
    assert "errors" not in result, result
    steps = {step["id"]: step.get("valid") for step in result.get("log", [])}
    assert steps["valid_signature"] is True, result
    assert steps["revocation_status"] is True, result
    assert steps["expiration"] is True, result
    [schema] = [entry for entry in result["additionalInformation"]
                if entry["id"] == "schema_check"][0]["results"]
    assert schema["schema"].endswith("/ob_v3p0_endorsementcredential_schema.json")
    assert schema["result"] == {"valid": True}
