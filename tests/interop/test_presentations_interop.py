"""Presentations both ways with Digital Bazaar's @digitalbazaar/vc (tests/interop/dbvc.mjs):
its ``signPresentation`` (challenge, domain) verifies here, ours verifies with its ``verify``,
and a wrong challenge or domain fails on both sides."""

from __future__ import annotations

import copy

import pytest

from issuer.dataintegrity import multikey
from issuer.dataintegrity.proofs import unsecured
from issuer.verification import problem_types as pt
from issuer.verification.presentation import PresentationOptions, verify_presentation
from issuer.verification.results import Status
from issuer.verification.verifier import verify_credential
from tests.helpers import NOW
from tests.web.presentation_helpers import (
    CHALLENGE,
    DOMAIN,
    HOLDER_KEY,
    did_of,
    signed_presentation,
    unsigned_presentation,
    vm_of,
)
from tests.web.verify_helpers import signed

NOW_TEXT = NOW.strftime("%Y-%m-%dT%H:%M:%SZ")


def ours_verify(presentation, **options):
    return verify_presentation(
        presentation, now=NOW, options=PresentationOptions(**options),
        verify_credential=lambda c: verify_credential(c, now=NOW))


def their_signature(dbvc, presentation, *, challenge=CHALLENGE, domain=DOMAIN):
    public = multikey.encode_public_key(bytes(HOLDER_KEY.verify_key))
    response = dbvc({"op": "signPresentation", "presentation": presentation,
                     "publicKeyMultibase": public,
                     "secretKeyMultibase": multikey.encode_secret_key(bytes(HOLDER_KEY)),
                     "controller": did_of(HOLDER_KEY), "verificationMethod": vm_of(HOLDER_KEY),
                     "date": "2026-01-02T03:04:05Z", "challenge": challenge, "domain": domain})
    assert response["error"] is None, response["error"]
    return response["signed"]


@pytest.fixture(scope="module")
def theirs(dbvc):
    return their_signature(dbvc, unsigned_presentation([signed(), signed(name="Bo")],
                                                       holder=did_of(HOLDER_KEY)))


def test_a_digital_bazaar_presentation_verifies_here(theirs):
    proof = theirs["proof"] if isinstance(theirs["proof"], dict) else theirs["proof"][0]
    assert (proof["proofPurpose"], proof["challenge"], proof["domain"]) == (
        "authentication", CHALLENGE, DOMAIN)
    result = ours_verify(theirs, challenge=CHALLENGE, domain=DOMAIN)
    assert result.verified, result.to_dict()["errors"]
    assert [r.result.verified for r in result.credentials] == [True, True]
    assert result.presentation.check("holder").status is Status.PASSED


def test_a_digital_bazaar_presentation_with_wrong_challenge_or_domain_fails_here(theirs):
    wrong = ours_verify(theirs, challenge="another", domain=DOMAIN)
    assert [p.type for p in wrong.presentation.check("challenge").problems] == [
        pt.INVALID_CHALLENGE_ERROR]
    replay = ours_verify(theirs, challenge=CHALLENGE, domain="replay.example")
    assert [p.type for p in replay.presentation.check("domain").problems] == [
        pt.INVALID_DOMAIN_ERROR]
    assert not wrong.verified and not replay.verified


def test_our_presentation_verifies_with_digital_bazaar(dbvc):
    ours = signed_presentation([signed(), signed(name="Bo")])
    verdict = dbvc({"op": "verifyPresentation", "presentation": ours, "challenge": CHALLENGE,
                    "domain": DOMAIN, "now": NOW_TEXT})
    assert verdict["verified"] is True, verdict["error"]
    assert verdict["credentialsVerified"] == [True, True]


@pytest.mark.parametrize("options", [
    {"challenge": "another", "domain": DOMAIN},
    {"challenge": CHALLENGE, "domain": "replay.example"},
], ids=["challenge", "domain"])
def test_digital_bazaar_refuses_ours_with_the_wrong_challenge_or_domain(dbvc, options):
    verdict = dbvc({"op": "verifyPresentation", "presentation": signed_presentation(),
                    "now": NOW_TEXT, **options})
    assert verdict["verified"] is False
    assert verdict["presentationVerified"] is False


def test_a_tampered_credential_fails_on_both_sides(dbvc):
    tampered = signed()
    tampered["credentialSubject"]["achievement"]["name"] = "Forged"
    ours = signed_presentation([signed(), tampered])
    verdict = dbvc({"op": "verifyPresentation", "presentation": ours, "challenge": CHALLENGE,
                    "domain": DOMAIN, "now": NOW_TEXT})
    assert verdict["verified"] is False
    assert verdict["credentialsVerified"] == [True, False]
    result = ours_verify(ours, challenge=CHALLENGE, domain=DOMAIN)
    assert [r.result.verified for r in result.credentials] == [True, False]


def test_the_same_signature_on_both_sides(dbvc):
    """eddsa-rdfc-2022 is deterministic: the same presentation, key, date, challenge and
    domain give the same proofValue here and there."""
    document = unsigned_presentation([signed()], holder=did_of(HOLDER_KEY))
    theirs = their_signature(dbvc, copy.deepcopy(document))
    ours = signed_presentation([signed()])
    their_proof = theirs["proof"] if isinstance(theirs["proof"], dict) else theirs["proof"][0]
    assert unsecured(theirs) == unsecured(ours)
    assert their_proof["proofValue"] == ours["proof"][0]["proofValue"]
