"""Interop: our status lists, checked by Digital Bazaar's stack (@digitalbazaar/vc +
vc-bitstring-status-list through tests/interop/dbvc.mjs, "checkStatus": true) and by ours.

The round trip: issue → valid; suspend → not valid; reinstate → valid; revoke → not valid, with
the re-signed list handed to DB in the request's "documents" (its loader is offline and strict).
Outside CI the tests skip when node or the node modules are missing; in CI they fail instead.
"""

from __future__ import annotations

import json

import pytest

from issuer import db
from issuer.clock import utc_now
from issuer.models import IssuedCredential
from issuer.services import profiles, status
from issuer.services.fetch import FetchPolicy
from issuer.services.keystore import FileKeyStore
from issuer.services.verification import verify_document
from issuer.statuslist import bitstring
from issuer.verification.results import Status
from tests.helpers import VECTORS, load_json
from tests.service_fixtures import BASE_URL, issue_credential, make_achievement, offer_suspension

pytestmark = pytest.mark.interop

ISSUER_1EDTECH = "https://1edtech.edu/issuers/565049"
KEY_1EDTECH = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"


@pytest.fixture
def credential_id(app, profile) -> str:
    """A credential of a profile that offers suspension: both entries."""
    offer_suspension(app)
    return issue_credential(app, make_achievement(app))


def _published(app, credential_id) -> tuple[dict, dict]:
    """The credential and what a verifier would fetch for it: the issuer's did:web document
    and the two status list credentials as /status/<id> serves them right now."""
    with app.app_context():
        session = db.get_session()
        row = session.get(IssuedCredential, credential_id)
        document = json.loads(row.document)
        did_document = profiles.did_document(row.profile, BASE_URL)
        documents = {did_document["id"]: did_document}
        entries = document["credentialStatus"]
        for entry in entries if isinstance(entries, list) else [entries]:
            url = entry["statusListCredential"]
            documents[url] = status.local_status_list(session, url, BASE_URL)
        return document, documents


def _ours(app, document):
    with app.app_context():
        return verify_document(db.get_session(), document, base_url=BASE_URL, now=utc_now(),
                               policy=FetchPolicy(), network=False)


def _theirs(dbvc, document, documents):
    return dbvc({"op": "verify", "credential": document, "documents": documents,
                 "checkStatus": True})


def _change(app, credential_id, action, **options):
    with app.app_context():
        session = db.get_session()
        getattr(status, action)(session, session.get(IssuedCredential, credential_id),
                                actor=status.CLI, keystore=FileKeyStore(app.config["KEYS_DIR"]),
                                base_url=BASE_URL, now=utc_now(), **options)


def test_round_trip_on_both_stacks(app, dbvc, credential_id):
    document, documents = _published(app, credential_id)
    verdict = _theirs(dbvc, document, documents)
    assert verdict["verified"] is True, verdict["error"]
    assert [(e["statusPurpose"], e["status"]) for e in verdict["statusResult"]["entries"]] == [
        ("revocation", False), ("suspension", False)]
    assert _ours(app, document).verified

    _change(app, credential_id, "suspend", reason="Exam under review")
    document, documents = _published(app, credential_id)
    verdict = _theirs(dbvc, document, documents)
    assert verdict["verified"] is False
    assert 'status "suspension" is set' in verdict["error"]
    ours = _ours(app, document)
    assert not ours.verified
    assert ours.check("status").detail == "suspended by the issuer: Exam under review"

    _change(app, credential_id, "reinstate")
    document, documents = _published(app, credential_id)
    assert _theirs(dbvc, document, documents)["verified"] is True
    assert _ours(app, document).verified

    _change(app, credential_id, "revoke", reason="Awarded in error")
    document, documents = _published(app, credential_id)
    verdict = _theirs(dbvc, document, documents)
    assert verdict["verified"] is False
    assert 'status "revocation" is set' in verdict["error"]
    assert verdict["proofs"] and all(proof["verified"] for proof in verdict["proofs"])
    ours = _ours(app, document)
    assert ours.check("status").status is Status.FAILED
    assert ours.check("status").detail == "revoked by the issuer: Awarded in error"


def test_the_default_single_entry_round_trip_on_both_stacks(app, dbvc, profile):
    credential_id = issue_credential(app, make_achievement(app))  # suspension off
    document, documents = _published(app, credential_id)
    assert isinstance(document["credentialStatus"], dict)
    verdict = _theirs(dbvc, document, documents)
    assert verdict["verified"] is True, verdict["error"]
    assert [(e["statusPurpose"], e["status"]) for e in verdict["statusResult"]["entries"]] == [
        ("revocation", False)]
    _change(app, credential_id, "revoke", reason="Awarded in error")
    document, documents = _published(app, credential_id)
    verdict = _theirs(dbvc, document, documents)
    assert verdict["verified"] is False
    assert 'status "revocation" is set' in verdict["error"]
    assert _ours(app, document).check("status").detail == "revoked by the issuer: Awarded in error"


def test_the_list_credentials_verify_there(app, dbvc, credential_id):
    _change(app, credential_id, "revoke", reason="Awarded in error")  # a non-empty list too
    document, documents = _published(app, credential_id)
    did_id = document["issuer"]["id"]
    for entry in document["credentialStatus"]:
        listed = documents[entry["statusListCredential"]]
        verdict = dbvc({"op": "verify", "credential": listed,
                        "documents": {did_id: documents[did_id]}})
        assert verdict["verified"] is True, verdict["error"]
        assert [proof["cryptosuite"] for proof in verdict["proofs"]] == ["eddsa-rdfc-2022"]


def test_a_list_missing_from_the_documents_is_an_error_there(app, dbvc, credential_id):
    document, documents = _published(app, credential_id)
    del documents[document["credentialStatus"][1]["statusListCredential"]]
    verdict = _theirs(dbvc, document, documents)
    assert verdict["verified"] is False
    assert "Could not load" in verdict["error"]


def test_a_tampered_list_cannot_revoke_there(app, dbvc, credential_id):
    document, documents = _published(app, credential_id)
    entry = document["credentialStatus"][0]
    bits = bitstring.new_bitstring()
    bitstring.set_bit(bits, int(entry["statusListIndex"]), True)  # bits changed after signing
    tampered = dict(documents[entry["statusListCredential"]])
    tampered["credentialSubject"] = {**tampered["credentialSubject"],
                                     "encodedList": bitstring.encode_list(bits)}
    verdict = _theirs(dbvc, document, {**documents, entry["statusListCredential"]: tampered})
    assert verdict["verified"] is False
    assert '"BitstringStatusListCredential" not verified' in verdict["error"]
    assert "is set" not in verdict["error"]


def test_the_1edtech_revoked_fixture_fails_there_on_its_status(dbvc):
    credential = load_json(VECTORS / "status" / "credential-status-revoked.json")
    testlist = load_json(VECTORS / "status" / "testlist")
    controller = {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": ISSUER_1EDTECH,
        "verificationMethod": [{"id": f"{ISSUER_1EDTECH}#{KEY_1EDTECH}", "type": "Multikey",
                                "controller": ISSUER_1EDTECH, "publicKeyMultibase": KEY_1EDTECH}],
        "assertionMethod": [f"{ISSUER_1EDTECH}#{KEY_1EDTECH}"],
    }
    documents = {ISSUER_1EDTECH: controller,
                 credential["credentialStatus"]["statusListCredential"]: testlist}
    verdict = _theirs(dbvc, credential, documents)
    assert verdict["verified"] is False
    assert 'status "revocation" is set (index 23' in verdict["error"]
    assert all(proof["verified"] for proof in verdict["proofs"])
