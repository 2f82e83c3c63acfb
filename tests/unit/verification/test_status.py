"""The status check: revoked, suspended, clear, and every way of "could not check"."""

import copy
from datetime import datetime, timezone

import nacl.signing
import pytest

from issuer.dataintegrity import multikey, proofs
from issuer.openbadges.credential import Achievement, Profile, Recipient, build_credential
from issuer.statuslist import bitstring
from issuer.verification.results import Status
from issuer.verification.status import make_status_checker
from issuer.verification.verifier import verify_credential
from tests.helpers import NOW, VECTORS, load_json

ISSUER = "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
LIST_URL = "https://badges.example.org/status/1"
KEY = nacl.signing.SigningKey(bytes.fromhex("6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4"))
VM = multikey.did_key_verification_method(ISSUER.removeprefix("did:key:"))
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def signed(document, key=KEY, vm=VM):
    return proofs.add_proof(document, signing_key=key, verification_method=vm, created=T0)


def status_list(purpose, set_indexes=(), issuer=ISSUER, url=LIST_URL, key=KEY, vm=VM):
    bits = bitstring.new_bitstring()
    for index in set_indexes:
        bitstring.set_bit(bits, index, True)
    return signed(bitstring.list_credential(list_url=url, issuer=issuer, purpose=purpose,
                                            bitstring=bits, valid_from=T0), key, vm)


def credential(index=7):
    return signed(build_credential(
        credential_id="urn:uuid:0b5a5c1e-3b4c-4e8e-8a55-5d2b0d6f7a11",
        issuer=Profile(id=ISSUER, name="Example"),
        achievement=Achievement(id="https://badges.example.org/a/1", name="A", description="A.",
                                criteria_narrative="Do A."),
        recipient=Recipient(email="ann@example.org", salt="x"), valid_from=T0,
        credential_status=[
            bitstring.status_entry(list_url=LIST_URL, index=index, purpose="revocation"),
            bitstring.status_entry(list_url=LIST_URL + "s", index=index, purpose="suspension"),
        ]))


def verify(document, lists, explain=None):
    def fetch(url):
        if url not in lists:
            raise OSError(f"unreachable: {url}")
        return lists[url]
    checker = make_status_checker(
        fetch=fetch, verify_list=lambda d: verify_credential(d, now=NOW), explain=explain)
    return verify_credential(document, now=NOW, status_checker=checker)


def lists(revoked=(), suspended=()):
    return {LIST_URL: status_list("revocation", revoked),
            LIST_URL + "s": status_list("suspension", suspended, url=LIST_URL + "s")}


def test_clear():
    result = verify(credential(), lists())
    assert result.verified
    assert result.check("status").status is Status.PASSED
    assert result.check("status").detail == "not revoked; not suspended"


def test_revoked_with_the_issuers_reason():
    result = verify(credential(7), lists(revoked=[7]),
                    explain=lambda cred, purpose: "issued to the wrong person")
    assert not result.verified
    check = result.check("status")
    assert check.status is Status.FAILED
    assert check.detail == "revoked by the issuer: issued to the wrong person"
    assert check.problems[0].type.endswith(":revoked")


def test_suspended_then_reinstated():
    assert verify(credential(7), lists(suspended=[7])).check("status").detail == "suspended by the issuer"
    assert verify(credential(7), lists(suspended=[]) ).verified


def test_other_indexes_do_not_matter():
    assert verify(credential(7), lists(revoked=[6, 8], suspended=[0, 131_071])).verified


def test_unreachable_list_is_not_checked_not_revoked():
    result = verify(credential(), {})
    assert result.verified  # status could not be decided: a warning, not a failure
    assert result.check("status").status is Status.NOT_CHECKED
    assert "could not fetch" in result.check("status").detail


def test_list_from_another_issuer_is_not_trusted():
    stranger = nacl.signing.SigningKey(b"\x05" * 32)
    stranger_did = multikey.did_key(multikey.encode_public_key(bytes(stranger.verify_key)))
    forged = lists()
    forged[LIST_URL] = status_list("revocation", (), issuer=stranger_did, key=stranger,
                                   vm=multikey.did_key_verification_method(stranger_did[8:]))
    result = verify(credential(), forged)
    assert result.check("status").status is Status.NOT_CHECKED
    assert "not by the credential's issuer" in result.check("status").detail


def test_tampered_list_is_not_trusted():
    tampered = lists()
    tampered[LIST_URL] = copy.deepcopy(tampered[LIST_URL])
    bits = bitstring.new_bitstring()
    tampered[LIST_URL]["credentialSubject"]["encodedList"] = bitstring.encode_list(bits) + "A"
    result = verify(credential(), tampered)
    assert result.check("status").status is Status.NOT_CHECKED
    assert "does not verify" in result.check("status").detail


def test_list_for_the_wrong_purpose():
    swapped = {LIST_URL: status_list("suspension"), LIST_URL + "s": status_list("suspension", url=LIST_URL + "s")}
    result = verify(credential(), swapped)
    assert "not 'revocation'" in result.check("status").detail


@pytest.mark.parametrize("fixture", ["credential-status-revoked.json",
                                     "credential-status-revoked-blank-nodes.json"])
def test_1edtech_revoked_fixtures(fixture):
    testlist = load_json(VECTORS / "status" / "testlist")
    document = load_json(VECTORS / "status" / fixture)
    result = verify(document, {document["credentialStatus"]["statusListCredential"]: testlist})
    assert not result.verified
    assert result.check("status").status is Status.FAILED
    assert result.check("proof").status is Status.PASSED
