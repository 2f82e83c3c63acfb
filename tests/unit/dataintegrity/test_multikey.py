import base58
import nacl.signing
import pytest

from issuer.dataintegrity import multikey
from tests.helpers import IMPL_GUIDE, W3C, W3C_ECDSA, load_json


def test_w3c_key_pair_round_trips():
    pair = load_json(W3C / "keyPair.json")
    seed = multikey.decode_secret_key(pair["privateKeyMultibase"])
    public = bytes(nacl.signing.SigningKey(seed).verify_key)
    assert multikey.encode_public_key(public) == pair["publicKeyMultibase"]
    assert multikey.encode_secret_key(seed) == pair["privateKeyMultibase"]
    assert multikey.decode_public_key(pair["publicKeyMultibase"]) == public


def test_1edtech_64_byte_secret_key_form_is_accepted():
    key = load_json(IMPL_GUIDE / "key.json")
    seed = multikey.decode_secret_key(key["secretKeyMultibase"])
    assert seed.hex() == key["privateKeyHex"][:64]
    public = bytes(nacl.signing.SigningKey(seed).verify_key)
    assert public.hex() == key["publicKeyHex"]
    assert multikey.encode_public_key(public) == key["publicKeyMultibase"]


def test_public_keys_always_start_z6mk():
    for _ in range(20):
        public = bytes(nacl.signing.SigningKey.generate().verify_key)
        assert multikey.encode_public_key(public).startswith("z6Mk")


@pytest.mark.parametrize(
    "value",
    [
        "z" + base58.b58encode(b"\xe7\x01" + b"\x02" * 33).decode(),  # secp256k1 header
        "z" + base58.b58encode(b"\xed\x01" + b"\x01" * 31).decode(),  # wrong length
        "u7QE",  # base64url multibase, not base58btc
        "z0OIl",  # not base58
        "",
    ],
)
def test_non_ed25519_or_malformed_public_keys_are_rejected(value):
    with pytest.raises(multikey.MultikeyError):
        multikey.decode_public_key(value)


def test_did_key_and_its_document():
    key = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    did = f"did:key:{key}"
    assert multikey.did_key(key) == did
    assert multikey.did_key_verification_method(key) == f"{did}#{key}"
    document = multikey.did_key_document(key)
    assert document["@context"] == ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
    assert document["id"] == did
    assert document["verificationMethod"] == [
        {"id": f"{did}#{key}", "type": "Multikey", "controller": did, "publicKeyMultibase": key}
    ]
    assert document["assertionMethod"] == [f"{did}#{key}"]


def test_controller_document_lists_every_key_for_assertions():
    keys = ["z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
            "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"]
    document = multikey.controller_document("did:web:badges.example.org", keys)
    ids = [f"did:web:badges.example.org#{key}" for key in keys]
    assert [vm["id"] for vm in document["verificationMethod"]] == ids
    assert document["assertionMethod"] == ids


# --- P-256 and P-384 (vc-di-ecdsa §2.1.1) ------------------------------------------------------

@pytest.mark.parametrize("name,algorithm,prefix,size", [
    ("p256KeyPair.json", multikey.P256, "zDn", 33), ("p384KeyPair.json", multikey.P384, "z82", 49)])
def test_p_curve_multikeys_decode_and_round_trip(name, algorithm, prefix, size):
    pair = load_json(W3C_ECDSA / name)
    key = multikey.decode_multikey(pair["publicKeyMultibase"])
    assert pair["publicKeyMultibase"].startswith(prefix)
    assert key.algorithm == algorithm and len(key.key) == size and key.key[0] in (2, 3)
    assert multikey.encode_multikey(key) == pair["publicKeyMultibase"]
    assert multikey.did_key(pair["publicKeyMultibase"]) == "did:key:" + pair["publicKeyMultibase"]
    document = multikey.did_key_document(pair["publicKeyMultibase"])
    assert document["verificationMethod"][0]["publicKeyMultibase"] == pair["publicKeyMultibase"]
    with pytest.raises(multikey.MultikeyError):  # the Ed25519-only decoder keeps refusing them
        multikey.decode_public_key(pair["publicKeyMultibase"])


def test_decode_multikey_reads_ed25519_too():
    pair = load_json(W3C / "keyPair.json")
    key = multikey.decode_multikey(pair["publicKeyMultibase"])
    assert key == multikey.PublicKey(multikey.ED25519,
                                     multikey.decode_public_key(pair["publicKeyMultibase"]))


@pytest.mark.parametrize(
    "value",
    [
        "z" + base58.b58encode(b"\x80\x24\x04" + b"\x01" * 64).decode(),  # uncompressed P-256
        "z" + base58.b58encode(b"\x80\x24\x02" + b"\x01" * 31).decode(),  # short P-256
        "z" + base58.b58encode(b"\x81\x24\x05" + b"\x01" * 48).decode(),  # bad point prefix
        "z" + base58.b58encode(b"\xe7\x01" + b"\x02" * 33).decode(),  # secp256k1
        "z" + base58.b58encode(b"\x86\x26" + b"\x01" * 32).decode(),  # a P-256 *secret* key
        "z",
    ],
)
def test_other_keys_and_encodings_are_refused(value):
    with pytest.raises(multikey.MultikeyError):
        multikey.decode_multikey(value)
