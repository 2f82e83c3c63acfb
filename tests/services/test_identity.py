"""did:web derivation from ISSUER_BASE_URL and the DID documents we host."""

from __future__ import annotations

import pytest

from issuer.services import identity

KEY_A = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"


@pytest.mark.parametrize(
    ("base_url", "did"),
    [
        ("http://localhost:5000", "did:web:localhost%3A5000"),
        ("https://badges.example.org", "did:web:badges.example.org"),
        ("https://Badges.Example.org/", "did:web:badges.example.org"),
        ("https://host.example/sub", "did:web:host.example:sub"),
        ("https://host.example/a/b/", "did:web:host.example:a:b"),
        ("https://host.example:8443/sub", "did:web:host.example%3A8443:sub"),
    ],
)
def test_did_web_of_base_url(base_url, did):
    assert identity.did_web(base_url) == did


def test_non_default_profiles_live_under_issuers():
    assert (identity.profile_did_web("http://localhost:5000", slug="chem", is_default=False)
            == "did:web:localhost%3A5000:issuers:chem")
    assert (identity.profile_did_web("http://localhost:5000", slug="chem", is_default=True)
            == "did:web:localhost%3A5000")


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:localhost%3A5000", "https://localhost:5000/.well-known/did.json"),
        ("did:web:host.example:sub", "https://host.example/sub/did.json"),
        ("did:web:localhost%3A5000:issuers:chem", "https://localhost:5000/issuers/chem/did.json"),
    ],
)
def test_did_web_document_url(did, url):
    assert identity.did_web_document_url(did) == url


def test_did_document_lists_every_key_for_assertions():
    other = "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    document = identity.did_document("did:web:example.org", [KEY_A, other])
    assert document["@context"] == ["https://www.w3.org/ns/did/v1",
                                    "https://w3id.org/security/multikey/v1"]
    assert [vm["id"] for vm in document["verificationMethod"]] == [
        f"did:web:example.org#{KEY_A}", f"did:web:example.org#{other}"]
    assert document["assertionMethod"] == [vm["id"] for vm in document["verificationMethod"]]
    assert all(vm["controller"] == "did:web:example.org" and vm["type"] == "Multikey"
               for vm in document["verificationMethod"])


def test_did_key_document_is_the_keys_own():
    document = identity.did_document(f"did:key:{KEY_A}", [KEY_A])
    assert document["id"] == f"did:key:{KEY_A}"
    assert document["assertionMethod"] == [f"did:key:{KEY_A}#{KEY_A}"]
