"""Status list credentials verified once per content (issuer.verification.list_cache): a hit
gives what a fresh verification gives; a changed key, a changed list, the passing of the
list's validity period or a resolver that now answers differently are never served from the
cache (issue 13)."""

from __future__ import annotations

from datetime import timedelta

import nacl.signing

from issuer.dataintegrity import multikey, proofs
from issuer.statuslist import bitstring
from issuer.verification.list_cache import ListVerificationCache, content_key
from issuer.verification.results import Status
from issuer.verification.verifier import verify_credential
from tests.helpers import NOW

ISSUER = "https://badges.example.org/issuers/1"
LIST_URL = "https://badges.example.org/status/1"
KEY = nacl.signing.SigningKey(bytes(range(32)))
OTHER = nacl.signing.SigningKey(bytes(range(1, 33)))


def public(key) -> str:
    return multikey.encode_public_key(bytes(key.verify_key))


def status_list(set_indexes=(), valid_until=None):
    bits = bitstring.new_bitstring()
    for index in set_indexes:
        bitstring.set_bit(bits, index, True)
    document = bitstring.list_credential(list_url=LIST_URL, issuer=ISSUER, purpose="revocation",
                                         bitstring=bits, valid_from=NOW - timedelta(days=1))
    if valid_until is not None:
        document["validUntil"] = valid_until
    return proofs.add_proof(document, signing_key=KEY,
                            verification_method=f"{ISSUER}#{public(KEY)}",
                            created=NOW - timedelta(days=1))


def resolver(*keys):
    documents = {ISSUER: multikey.controller_document(ISSUER, [public(k) for k in keys])}
    return documents.get


def same(cached, fresh) -> bool:
    return cached.to_dict() == fresh.to_dict() and cached.verified == fresh.verified


def test_the_second_verification_of_a_list_is_a_hit_equal_to_a_fresh_one():
    cache = ListVerificationCache()
    document = status_list()
    first = cache.verify(document, now=NOW, resolve_controller=resolver(KEY))
    second = cache.verify(document, now=NOW, resolve_controller=resolver(KEY))
    assert (cache.hits, cache.misses) == (1, 1)
    assert first.verified and same(second, first)
    assert same(second, verify_credential(document, now=NOW, resolve_controller=resolver(KEY)))


def test_a_key_no_longer_published_is_verified_again_and_fails():
    cache = ListVerificationCache()
    document = status_list()
    assert cache.verify(document, now=NOW, resolve_controller=resolver(KEY)).verified
    rotated = cache.verify(document, now=NOW, resolve_controller=resolver(OTHER))
    assert cache.misses == 2 and not rotated.verified
    assert rotated.check("proof").status is not Status.PASSED
    assert same(rotated, verify_credential(document, now=NOW,
                                           resolve_controller=resolver(OTHER)))


def test_a_resolver_that_fails_then_answers_is_asked_again():
    cache = ListVerificationCache()
    document = status_list()

    def broken(controller_id):
        raise OSError("unreachable")

    unconfirmed = cache.verify(document, now=NOW, resolve_controller=broken)
    assert unconfirmed.check("issuer").status is Status.NOT_CHECKED
    assert cache.verify(document, now=NOW, resolve_controller=broken).to_dict() == \
        unconfirmed.to_dict()
    assert cache.hits == 1
    fixed = cache.verify(document, now=NOW, resolve_controller=resolver(KEY))
    assert fixed.verified and cache.misses == 2
    without = cache.verify(document, now=NOW, resolve_controller=None)
    assert same(without, verify_credential(document, now=NOW)) and cache.misses == 3


def test_the_validity_period_is_checked_again_on_a_hit():
    cache = ListVerificationCache()
    until = NOW + timedelta(days=30)
    document = status_list(valid_until=until.strftime("%Y-%m-%dT%H:%M:%SZ"))
    early, late = NOW, until + timedelta(days=30)
    assert cache.verify(document, now=early, resolve_controller=resolver(KEY)).verified
    expired = cache.verify(document, now=late, resolve_controller=resolver(KEY))
    assert cache.hits == 1 and not expired.verified
    assert expired.check("validity").status is Status.FAILED
    assert same(expired, verify_credential(document, now=late,
                                           resolve_controller=resolver(KEY)))


def test_other_content_is_another_entry_and_the_cache_is_bounded():
    cache = ListVerificationCache(max_entries=2)
    documents = [status_list(), status_list([3]), status_list([4])]
    assert len({content_key(d) for d in documents}) == 3
    for document in documents:
        cache.verify(document, now=NOW, resolve_controller=resolver(KEY))
    assert cache.misses == 3 and len(cache) == 2
    cache.verify(documents[0], now=NOW, resolve_controller=resolver(KEY))  # evicted first
    assert cache.misses == 4


def test_a_tampered_list_is_not_served_from_the_cache():
    cache = ListVerificationCache()
    document = status_list()
    assert cache.verify(document, now=NOW, resolve_controller=resolver(KEY)).verified
    tampered = status_list([5])
    tampered["proof"] = document["proof"]
    assert not cache.verify(tampered, now=NOW, resolve_controller=resolver(KEY)).verified
