"""Interop: what we sign verifies in Digital Bazaar's stack, and what it signs verifies here.

Runs tests/interop/dbvc.mjs (pinned @digitalbazaar/vc + eddsa-rdfc-2022-cryptosuite, installed
by `npm ci --prefix tests/interop`, which .ci/run does). Outside CI the tests skip when node or
the node modules are missing; in CI (CI=true) they fail instead.
"""

from __future__ import annotations

import copy
from datetime import datetime, timezone

import nacl.signing
import pytest

from issuer.dataintegrity import multikey, proofs
from issuer.errors import UndefinedTermError
from issuer.openbadges.credential import (
    Achievement, Alignment, Evidence, Image, Profile, Recipient, Result, build_credential,
)
from issuer.verification.verifier import verify_credential
from tests.helpers import NOW, W3C, load_json

pytestmark = pytest.mark.interop

CREATED = datetime(2026, 5, 1, 12, 0, 0, tzinfo=timezone.utc)
NOW_TEXT = NOW.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def key():
    return nacl.signing.SigningKey(b"\x2a" * 32)


def key_material(key):
    public = multikey.encode_public_key(bytes(key.verify_key))
    return public, multikey.encode_secret_key(bytes(key))


def realistic(issuer_id: str, *, name: str = "Research Contributor") -> dict:
    return build_credential(
        credential_id="urn:uuid:3f1c2a8e-6a51-4b0e-9a6b-3c0d2b7f9e10",
        issuer=Profile(id=issuer_id, name="Open Research Community", url="https://example.org",
                       image=Image("https://example.org/logo.png", caption="Logo")),
        achievement=Achievement(
            id="https://example.org/achievements/contributor",
            name=name, description="Took part in three research sessions.",
            criteria_narrative="Attend **three** research sessions.\n\n* one\n* two",
            achievement_type="Badge",
            image=Image("https://example.org/achievements/contributor.png"),
            tags=["research", "community"],
            alignments=[Alignment("Collaboration", "https://example.org/skills/collab")],
        ),
        recipient=Recipient(did="did:example:ebfeb1f712ebc6f1c276e12ec21",
                            email="ann@example.org", name="Ann Example", salt="s4lt"),
        valid_from=datetime(2026, 1, 1, tzinfo=timezone.utc),
        evidence=[Evidence(id="https://example.org/sessions/1", narrative="Session notes")],
        results=[Result(value="3")],
    )


def did_key_signed(key, document=None):
    public, _ = key_material(key)
    did = multikey.did_key(public)
    document = document or realistic(did)
    return proofs.add_proof(document, signing_key=key,
                            verification_method=multikey.did_key_verification_method(public),
                            created=CREATED)


def test_our_did_key_credential_verifies_there(dbvc, key):
    response = dbvc({"op": "verify", "credential": did_key_signed(key), "now": NOW_TEXT})
    assert response["verified"] is True, response["error"]
    assert all(proof["verified"] for proof in response["proofs"])


def test_our_did_web_credential_verifies_there_with_the_published_document(dbvc, key):
    public, _ = key_material(key)
    issuer_id = "did:web:badges.example.org"
    signed = proofs.add_proof(realistic(issuer_id), signing_key=key,
                              verification_method=f"{issuer_id}#{public}", created=CREATED)
    document = multikey.controller_document(issuer_id, [public])
    response = dbvc({"op": "verify", "credential": signed, "now": NOW_TEXT,
                     "documents": {issuer_id: document}})
    assert response["verified"] is True, response["error"]


def test_their_signature_is_ours_byte_for_byte_and_verifies_here(dbvc, key):
    public, secret = key_material(key)
    did = multikey.did_key(public)
    unsigned = realistic(did)
    response = dbvc({"op": "sign", "credential": unsigned, "publicKeyMultibase": public,
                     "secretKeyMultibase": secret, "controller": did,
                     "verificationMethod": multikey.did_key_verification_method(public),
                     "date": "2026-05-01T12:00:00Z"})
    assert response["error"] is None
    theirs = response["signed"]
    ours = did_key_signed(key, unsigned)
    their_proof = theirs["proof"] if isinstance(theirs["proof"], dict) else theirs["proof"][0]
    assert their_proof["proofValue"] == ours["proof"][0]["proofValue"]
    result = verify_credential(theirs, now=NOW)
    assert result.verified, result.to_dict()


CONTROL_NAMES = [
    "bell\u0007 backspace\b formfeed\f",
    "vertical\u000b tab\t escape\u001b delete\u007f",
    "nul\u0000 unit-separator\u001f and quotes \" \\ backslash",
]


@pytest.mark.parametrize("name", CONTROL_NAMES, ids=["bs-ff", "vt-esc-del", "nul-us-quotes"])
def test_control_characters_canonicalize_identically_both_ways(dbvc, key, name):
    # pyld 3.3 alone writes these raw and would hash differently from rdf-canonize.
    public, secret = key_material(key)
    did = multikey.did_key(public)
    unsigned = realistic(did, name=name)
    ours = did_key_signed(key, unsigned)
    verdict = dbvc({"op": "verify", "credential": ours, "now": NOW_TEXT})
    assert verdict["verified"] is True, verdict["error"]
    theirs = dbvc({"op": "sign", "credential": unsigned, "publicKeyMultibase": public,
                   "secretKeyMultibase": secret, "controller": did,
                   "verificationMethod": multikey.did_key_verification_method(public),
                   "date": "2026-05-01T12:00:00Z"})["signed"]
    their_proof = theirs["proof"] if isinstance(theirs["proof"], dict) else theirs["proof"][0]
    assert their_proof["proofValue"] == ours["proof"][0]["proofValue"]


def test_tampered_credential_fails_there_too(dbvc, key):
    tampered = did_key_signed(key)
    tampered["credentialSubject"]["achievement"]["name"] = "Research Contributos"
    response = dbvc({"op": "verify", "credential": tampered, "now": NOW_TEXT})
    assert response["verified"] is False
    assert not verify_credential(tampered, now=NOW).verified


def test_both_sides_refuse_to_sign_an_undefined_term(dbvc, key):
    public, secret = key_material(key)
    did = multikey.did_key(public)
    unsigned = realistic(did)
    unsigned["favouriteColour"] = "blue"
    response = dbvc({"op": "sign", "credential": unsigned, "publicKeyMultibase": public,
                     "secretKeyMultibase": secret, "controller": did,
                     "verificationMethod": multikey.did_key_verification_method(public),
                     "date": "2026-05-01T12:00:00Z"})
    assert response["signed"] is None
    assert "favouriteColour" in response["error"]
    with pytest.raises(UndefinedTermError, match="favouriteColour"):
        did_key_signed(key, copy.deepcopy(unsigned))


def test_the_w3c_vector_verifies_on_both_sides(dbvc, w3c_loader):
    signed = load_json(W3C / "eddsa-rdfc-2022" / "signedDataInt.json")
    context = load_json(W3C / "credentials-examples-v2.jsonld")
    response = dbvc({"op": "verify", "credential": signed, "now": NOW_TEXT,
                     "requireIssuerMatch": False,
                     "documents": {"https://www.w3.org/ns/credentials/examples/v2": context}})
    assert response["verified"] is True, response["error"]
    result = verify_credential(signed, now=NOW, loader=w3c_loader)
    assert result.check("proof").status.value == "passed"
