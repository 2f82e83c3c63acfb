"""Which public keys we take, which algorithm each needs, and Multikey → JWK."""

import base64

import nacl.signing
import pytest
from jwcrypto import jwk

from issuer.dataintegrity import multikey
from issuer.vcjose import jwks
from tests.jose_helpers import generate, multikey_of, public

ED25519 = generate("EdDSA")
P256 = generate("ES256")
P384 = generate("ES384")
RSA = generate("RS256")


@pytest.mark.parametrize("member", jwks.PRIVATE_MEMBERS)
def test_a_jwk_with_any_private_member_is_refused(member):
    with pytest.raises(jwks.JwkError, match=f"private key members \\({member}\\)"):
        jwks.public_jwk({**public(RSA), member: "AQAB"})


def test_the_private_half_of_a_generated_key_is_refused():
    for key in (ED25519, P256, RSA):
        with pytest.raises(jwks.JwkError, match="private key members"):
            jwks.public_jwk(key.export_private(as_dict=True))


@pytest.mark.parametrize("value, message", [
    ("not a dict", "must be a JSON object"),
    ({"kty": "oct", "k": "c2VjcmV0"}, "private key members"),
    ({"kty": "oct"}, "unsupported JWK key type 'oct'"),
    ({"kty": "AKP"}, "unsupported JWK key type"),
    ({"kty": "OKP", "crv": "X25519", "x": "AAAA"}, "unsupported OKP curve 'X25519'"),
    ({"kty": "OKP", "crv": "Ed448", "x": "AAAA"}, "unsupported OKP curve"),
    ({"kty": "EC", "crv": "secp256k1", "x": "AA", "y": "AA"}, "unsupported EC curve"),
    ({"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}, "invalid JWK"),
    ({"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"}, "invalid JWK"),  # not on the curve
    ({"kty": "RSA", "n": "AQAB"}, "invalid JWK"),
    ({"kty": "OKP", "crv": "Ed25519", "x": "A" * 9000}, "too large"),
])
def test_keys_we_cannot_use_are_refused(value, message):
    with pytest.raises(jwks.JwkError, match=message):
        jwks.public_jwk(value)


def test_a_key_meant_for_encryption_or_signing_only_is_refused():
    with pytest.raises(jwks.JwkError, match="use 'enc'"):
        jwks.public_jwk({**public(P256), "use": "enc"})
    with pytest.raises(jwks.JwkError, match="key_ops do not include verify"):
        jwks.public_jwk({**public(P256), "key_ops": ["sign"]})
    assert jwks.public_jwk({**public(P256), "use": "sig", "key_ops": ["verify"]})


def test_small_and_huge_rsa_keys_are_refused():
    small = jwk.JWK.generate(kty="RSA", size=1024)
    with pytest.raises(jwks.JwkError, match="1024 bits; 2048 to 8192 are accepted"):
        jwks.public_jwk(public(small))
    huge = {"kty": "RSA", "e": "AQAB",
            "n": base64.urlsafe_b64encode(b"\xff" * 1040).rstrip(b"=").decode()}  # 8320 bits
    with pytest.raises(jwks.JwkError, match="8320 bits"):
        jwks.public_jwk(huge)


@pytest.mark.parametrize("alg, key", [("EdDSA", ED25519), ("ES256", P256), ("ES384", P384),
                                      ("RS256", RSA)])
def test_each_algorithm_takes_its_own_key_type(alg, key):
    jwks.check_alg_for_key(alg, jwks.public_jwk(public(key)))


@pytest.mark.parametrize("alg, key, message", [
    ("EdDSA", P256, "EdDSA needs a OKP Ed25519 key, but the key is EC P-256"),
    ("ES256", P384, "ES256 needs a EC P-256 key, but the key is EC P-384"),
    ("ES384", P256, "needs a EC P-384 key"),
    ("RS256", ED25519, "RS256 needs a RSA key, but the key is OKP Ed25519"),
    ("ES256", RSA, "but the key is RSA"),
    ("HS256", RSA, "'HS256' is not accepted"),
])
def test_an_algorithm_that_does_not_fit_the_key_is_refused(alg, key, message):
    with pytest.raises(jwks.JwkError, match=message):
        jwks.check_alg_for_key(alg, jwks.public_jwk(public(key)))


def test_a_key_declared_for_another_algorithm_is_refused():
    key = jwks.public_jwk({**public(RSA), "alg": "PS256"})
    with pytest.raises(jwks.JwkError, match="declared for PS256, not RS256"):
        jwks.check_alg_for_key("RS256", key)


def test_ed25519_multikey_becomes_an_okp_jwk():
    signing = nacl.signing.SigningKey(b"\x05" * 32)
    value = multikey.encode_public_key(bytes(signing.verify_key))
    key = jwks.jwk_from_multikey(value)
    assert key.export_public(as_dict=True) == {
        "kty": "OKP", "crv": "Ed25519",
        "x": base64.urlsafe_b64encode(bytes(signing.verify_key)).rstrip(b"=").decode()}


def test_p256_multikey_becomes_the_same_ec_jwk():
    value = multikey_of(P256)
    assert value.startswith("zDn")
    assert jwks.same_key(jwks.jwk_from_multikey(value), P256)


@pytest.mark.parametrize("value, message", [
    (multikey.multibase_encode(b"\xed\x01" + bytes(31)), "32 bytes"),
    ("zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme", "unsupported Multikey"),  # secp256k1
    ("abc", "multibase"),
    ("zDnae" + "1" * 40, "P-256"),
])
def test_other_multikeys_are_refused(value, message):
    with pytest.raises(jwks.JwkError, match=message):
        jwks.jwk_from_multikey(value)


def test_our_nacl_key_as_a_private_jwk_has_the_same_public_key():
    signing = nacl.signing.SigningKey(b"\x06" * 32)
    private = jwks.private_jwk_from_nacl(signing)
    assert private.has_private
    expected = jwks.jwk_from_multikey(multikey.encode_public_key(bytes(signing.verify_key)))
    assert jwks.same_key(private, expected)
    assert jwks.thumbprint(private) == jwks.thumbprint(expected)
