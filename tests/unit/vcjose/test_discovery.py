"""Key discovery: did:key, kid through a controller document, bare kid with iss, jwk header."""

import pytest

from issuer.vcjose import discovery, jwks
from issuer.verification import problem_types as pt
from tests.jose_helpers import (
    ISSUER, controller_document, did_key, generate, jwk_method, multikey_of, public, resolver,
)

ED = generate("EdDSA")
P256 = generate("ES256")
OTHER = generate("EdDSA")


def find(header, *, issuer=ISSUER, iss=None, resolve=None):
    return discovery.find_key(header, issuer=issuer, iss=iss, resolve_controller=resolve)


@pytest.mark.parametrize("key", [ED, P256], ids=["ed25519", "p256"])
def test_a_did_key_kid_is_decoded_without_asking_anyone(key):
    did = did_key(key)
    resolve = resolver()
    found = find({"kid": f"{did}#{multikey_of(key)}"}, resolve=resolve)
    assert jwks.same_key(found.key, key)
    assert (found.controller, found.method_id) == (did, f"{did}#{multikey_of(key)}")
    assert set(found.relationships) == {"assertionMethod", "authentication"}
    assert resolve.calls == []


def test_a_did_key_kid_whose_fragment_is_another_key_is_refused():
    with pytest.raises(discovery.KeyDiscoveryError, match="fragment does not match") as caught:
        find({"kid": f"{did_key(ED)}#{multikey_of(OTHER)}"})
    assert caught.value.problem_type == pt.INVALID_VERIFICATION_METHOD_URL


def test_a_did_web_kid_is_found_in_the_resolved_document():
    document = controller_document(ISSUER, [jwk_method(ISSUER, P256)])
    found = find({"kid": f"{ISSUER}#key-1"}, resolve=resolver(document))
    assert jwks.same_key(found.key, P256)
    assert (found.controller, found.relationships) == (ISSUER, ("assertionMethod",))


def test_a_relative_reference_in_the_document_is_resolved_against_its_id():
    method = {**jwk_method(ISSUER, P256), "id": "#key-1"}
    document = {"id": ISSUER, "verificationMethod": [method], "assertionMethod": ["#key-1"]}
    found = find({"kid": f"{ISSUER}#key-1"}, resolve=resolver(document))
    assert found.relationships == ("assertionMethod",)


def test_a_multikey_method_embedded_under_assertion_method_is_found():
    method = {"id": f"{ISSUER}#{multikey_of(ED)}", "type": "Multikey", "controller": ISSUER,
              "publicKeyMultibase": multikey_of(ED)}
    document = {"id": ISSUER, "assertionMethod": [method]}
    found = find({"kid": method["id"]}, resolve=resolver(document))
    assert jwks.same_key(found.key, ED) and found.relationships == ("assertionMethod",)


def test_a_key_listed_only_for_authentication_is_not_an_assertion_key():
    document = controller_document(ISSUER, [jwk_method(ISSUER, P256)],
                                   relationship="authentication")
    found = find({"kid": f"{ISSUER}#key-1"}, resolve=resolver(document))
    assert found.relationships == ("authentication",)


def test_a_kid_the_document_does_not_list_is_refused():
    document = controller_document(ISSUER, [jwk_method(ISSUER, P256)])
    with pytest.raises(discovery.KeyDiscoveryError, match="does not list the key"):
        find({"kid": f"{ISSUER}#key-2"}, resolve=resolver(document))


def test_an_unresolvable_controller_is_refused_with_its_reason():
    with pytest.raises(discovery.KeyDiscoveryError, match="cannot resolve did:web:badges"):
        find({"kid": f"{ISSUER}#key-1"}, resolve=resolver())
    with pytest.raises(discovery.KeyDiscoveryError, match="cannot resolve"):
        find({"kid": f"{ISSUER}#key-1"}, resolve=None)

    def broken(identifier):
        raise OSError("connection refused\nsecond line")

    with pytest.raises(discovery.KeyDiscoveryError, match="connection refused$"):
        find({"kid": f"{ISSUER}#key-1"}, resolve=broken)


def test_an_unsupported_method_type_is_refused():
    method = {"id": f"{ISSUER}#key-1", "type": "EcdsaSecp256k1VerificationKey2019",
              "controller": ISSUER}
    document = {"id": ISSUER, "verificationMethod": [method], "assertionMethod": [method["id"]]}
    with pytest.raises(discovery.KeyDiscoveryError, match="unsupported key type"):
        find({"kid": method["id"]}, resolve=resolver(document))


def test_a_method_with_a_private_jwk_is_refused():
    method = {**jwk_method(ISSUER, P256), "publicKeyJwk": P256.export_private(as_dict=True)}
    document = controller_document(ISSUER, [method])
    with pytest.raises(discovery.KeyDiscoveryError, match="private key members"):
        find({"kid": method["id"]}, resolve=resolver(document))


def test_a_key_document_sends_us_to_its_controller():
    kid = "https://keys.example.org/issuers/42/keys/1"
    key_document = {"id": kid, "type": "JsonWebKey", "controller": "https://example.org/i/42",
                    "publicKeyJwk": public(P256)}
    controller = {"id": "https://example.org/i/42", "assertionMethod": [kid]}
    found = find({"kid": kid}, issuer="https://example.org/i/42",
                 resolve=resolver(key_document, controller))
    assert (found.controller, found.relationships) == ("https://example.org/i/42",
                                                       ("assertionMethod",))
    alone = find({"kid": kid}, issuer="https://example.org/i/42", resolve=resolver(key_document))
    assert alone.relationships == () and "could not be had" in alone.note


@pytest.mark.parametrize("how", ["fragment", "jwk kid", "thumbprint"])
def test_a_bare_kid_is_looked_up_in_the_document_of_iss(how):
    method = jwk_method(ISSUER, P256, fragment="key-7")
    method["publicKeyJwk"]["kid"] = "custom-kid"
    kid = {"fragment": "key-7", "jwk kid": "custom-kid",
           "thumbprint": jwks.thumbprint(jwks.public_jwk(public(P256)))}[how]
    document = controller_document(ISSUER, [jwk_method(ISSUER, ED, "key-1"), method])
    found = find({"kid": kid}, iss=ISSUER, resolve=resolver(document))
    assert jwks.same_key(found.key, P256) and found.method_id == f"{ISSUER}#key-7"


def test_a_bare_kid_without_iss_is_refused():
    with pytest.raises(discovery.KeyDiscoveryError, match="no iss") as caught:
        find({"kid": "key-1"}, resolve=resolver())
    assert caught.value.problem_type == pt.INVALID_VERIFICATION_METHOD_URL


def test_a_bare_kid_of_a_did_key_issuer():
    did = did_key(ED)
    assert find({"kid": multikey_of(ED)}, iss=did).controller == did
    with pytest.raises(discovery.KeyDiscoveryError, match="is not the key of"):
        find({"kid": "key-1"}, iss=did)


def test_a_bare_kid_the_document_of_iss_does_not_have():
    document = controller_document(ISSUER, [jwk_method(ISSUER, P256)])
    with pytest.raises(discovery.KeyDiscoveryError, match="lists no key 'nope'"):
        find({"kid": "nope"}, iss=ISSUER, resolve=resolver(document))


def test_a_jwk_header_key_listed_by_the_issuer_is_the_issuers():
    document = controller_document(ISSUER, [jwk_method(ISSUER, P256)])
    found = find({"jwk": public(P256)}, resolve=resolver(document))
    assert (found.controller, found.relationships, found.refuted) == (
        ISSUER, ("assertionMethod",), False)


def test_a_jwk_header_key_the_issuer_does_not_list_is_refuted():
    document = controller_document(ISSUER, [jwk_method(ISSUER, P256)])
    found = find({"jwk": public(OTHER)}, resolve=resolver(document))
    assert found.refuted and found.controller is None


def test_a_jwk_header_key_whose_issuer_cannot_be_consulted_is_unconfirmed():
    found = find({"jwk": public(P256)}, resolve=resolver())
    assert (found.controller, found.refuted) == (None, False)
    assert "could not be consulted" in found.note
    assert find({"jwk": public(P256)}, issuer=None).controller is None


def test_a_jwk_header_and_a_did_key_issuer():
    did = did_key(ED)
    assert find({"jwk": public(ED)}, issuer=did).controller == did
    assert find({"jwk": public(OTHER)}, issuer=did).refuted


def test_kid_and_jwk_must_name_the_same_key():
    with pytest.raises(discovery.KeyDiscoveryError, match="jwk header is not the key kid"):
        find({"kid": f"{did_key(ED)}#{multikey_of(ED)}", "jwk": public(OTHER)})
