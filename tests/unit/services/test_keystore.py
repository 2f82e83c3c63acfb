"""FileKeyStore: file modes, lookup, rotation, tampering and secrecy, with real keys in tmp_path."""

from __future__ import annotations

import json
import logging
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nacl.signing
import pytest

from issuer.dataintegrity import multikey
from issuer.errors import IssuerError
from issuer.openbadges.credential import Achievement, Profile, Recipient, build_credential
from issuer.services.keystore import FileKeyStore, KeyInfo
from issuer.services.signing import sign_credential
from issuer.verification.results import Status
from issuer.verification.verifier import verify_credential

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
LATER = NOW + timedelta(days=30)
CONTROLLER = "https://badges.example.edu/issuers/1"
OTHER_CONTROLLER = "did:web:other.example"
SEED = bytes(range(32))  # a fixed key, so a test can know its secret in advance


# --- small factories (the lead may move them to tests/factories.py) ----------------------------


def make_store(tmp_path: Path) -> FileKeyStore:
    return FileKeyStore(tmp_path / "keys")


def make_credential(issuer_id: str = CONTROLLER) -> dict:
    return build_credential(
        credential_id="urn:uuid:0b9f8f4e-2f57-4a1c-9d5e-6c1f3a2b7d10",
        issuer=Profile(id=issuer_id, name="Example University"),
        achievement=Achievement(
            id="https://badges.example.edu/achievements/rotation",
            name="Key rotation",
            description="Rotated a key without breaking old credentials.",
            criteria_narrative="Rotate a key.",
        ),
        recipient=Recipient(did="did:example:alice"),
        valid_from=NOW,
    )


def key_file(store: FileKeyStore, info: KeyInfo) -> Path:
    return store.directory / f"{info.public_key_multibase}.json"


def secret_of(store: FileKeyStore, info: KeyInfo) -> str:
    secret = json.loads(key_file(store, info).read_text("utf-8"))["secretKeyMultibase"]
    assert secret.startswith("z") and len(secret) > 40  # a real secret, so "not in" means something
    return secret


# --- files and modes ------------------------------------------------------------------------


def test_key_file_is_0600_and_new_directory_is_0700(tmp_path):
    store = make_store(tmp_path)
    assert not store.directory.exists()

    info = store.generate(controller=CONTROLLER, now=NOW)

    assert stat.S_IMODE(store.directory.stat().st_mode) == 0o700
    assert stat.S_IMODE(key_file(store, info).stat().st_mode) == 0o600


def test_rewritten_key_files_stay_0600(tmp_path):
    """Rotation rewrites the old key file (active → retired); the rewrite keeps the mode."""
    store = make_store(tmp_path)
    first = store.generate(controller=CONTROLLER, now=NOW)
    second = store.generate(controller=CONTROLLER, now=LATER)

    for info in (first, second):
        assert stat.S_IMODE(key_file(store, info).stat().st_mode) == 0o600
    # No temporary files are left behind by the atomic replace.
    assert sorted(p.name for p in store.directory.iterdir()) == sorted(
        f"{i.public_key_multibase}.json" for i in (first, second)
    )


def test_key_file_holds_multikey_values(tmp_path):
    store = make_store(tmp_path)
    info = store.add(nacl.signing.SigningKey(SEED), controller=CONTROLLER, now=NOW)

    data = json.loads(key_file(store, info).read_text("utf-8"))
    assert data["type"] == "Multikey"
    assert data["publicKeyMultibase"] == info.public_key_multibase
    assert info.public_key_multibase.startswith("z6Mk")
    assert data["secretKeyMultibase"] == multikey.encode_secret_key(SEED)
    assert data["created"] == "2026-01-02T03:04:05Z"
    assert data["controller"] == CONTROLLER
    assert data["active"] is True


def test_list_of_missing_directory_is_empty(tmp_path):
    assert make_store(tmp_path).list() == []


# --- generate → list → resolve -------------------------------------------------------------


def test_generate_then_list_and_resolve_every_way(tmp_path):
    store = make_store(tmp_path)
    info = store.generate(controller=CONTROLLER, now=NOW)

    assert store.list() == [info]
    assert info.created == NOW
    assert info.controller == CONTROLLER
    assert info.active is True
    assert info.did_key == f"did:key:{info.public_key_multibase}"

    by_multibase = store.resolve(info.public_key_multibase)
    by_did_key = store.resolve(info.did_key)
    by_did_key_vm = store.resolve(f"{info.did_key}#{info.public_key_multibase}")
    by_vm_id = store.resolve(f"{CONTROLLER}#{info.public_key_multibase}")
    assert by_multibase == by_did_key == by_did_key_vm == by_vm_id == info


def test_list_is_oldest_first(tmp_path):
    store = make_store(tmp_path)
    newer = store.generate(controller=OTHER_CONTROLLER, now=LATER)
    older = store.generate(controller=CONTROLLER, now=NOW)

    assert [i.public_key_multibase for i in store.list()] == [
        older.public_key_multibase,
        newer.public_key_multibase,
    ]


def test_adding_the_same_key_twice_is_refused(tmp_path):
    store = make_store(tmp_path)
    store.add(nacl.signing.SigningKey(SEED), controller=CONTROLLER, now=NOW)
    with pytest.raises(IssuerError, match="already exists"):
        store.add(nacl.signing.SigningKey(SEED), controller=CONTROLLER, now=NOW)


# --- rotation and active keys --------------------------------------------------------------


def test_rotation_retires_the_old_key_but_keeps_it(tmp_path):
    store = make_store(tmp_path)
    first = store.generate(controller=CONTROLLER, now=NOW)
    second = store.generate(controller=CONTROLLER, now=LATER)

    assert store.resolve(first.public_key_multibase).active is False
    assert store.resolve(second.public_key_multibase).active is True
    assert store.active_key(CONTROLLER).public_key_multibase == second.public_key_multibase
    assert [i.public_key_multibase for i in store.keys_for(CONTROLLER)] == [
        first.public_key_multibase,
        second.public_key_multibase,
    ]
    # The retired key can still sign (e.g. to re-issue) and is still the right key.
    assert bytes(store.signing_key(first.public_key_multibase).verify_key) == first.public_key


def test_credentials_signed_before_rotation_still_verify(tmp_path):
    store = make_store(tmp_path)
    old_key = store.generate(controller=CONTROLLER, now=NOW)
    old_signed = sign_credential(make_credential(), keystore=store, key=old_key, created=NOW)

    new_key = store.generate(controller=CONTROLLER, now=LATER)
    new_signed = sign_credential(
        make_credential(), keystore=store, key=store.active_key(CONTROLLER), created=LATER
    )
    assert new_signed["proof"][0]["verificationMethod"] == (
        f"{CONTROLLER}#{new_key.public_key_multibase}"
    )

    published = multikey.controller_document(
        CONTROLLER, [info.public_key_multibase for info in store.keys_for(CONTROLLER)]
    )
    for signed in (old_signed, new_signed):
        result = verify_credential(signed, now=LATER,
                                   resolve_controller={CONTROLLER: published}.get)
        assert result.verified, result.to_dict()
        assert result.check("proof").status is Status.PASSED
        assert result.check("proof").warnings == ()  # key confirmed by the controller document
        assert result.check("issuer").status is Status.PASSED


def test_old_credential_fails_if_the_retired_key_is_unpublished(tmp_path):
    """The reason retired keys must stay listed: drop one from the document and its
    credentials no longer verify."""
    store = make_store(tmp_path)
    old_key = store.generate(controller=CONTROLLER, now=NOW)
    old_signed = sign_credential(make_credential(), keystore=store, key=old_key, created=NOW)
    new_key = store.generate(controller=CONTROLLER, now=LATER)

    only_new = multikey.controller_document(CONTROLLER, [new_key.public_key_multibase])
    result = verify_credential(old_signed, now=LATER, resolve_controller={CONTROLLER: only_new}.get)

    assert not result.verified
    assert result.check("proof").status is Status.FAILED
    assert old_key.public_key_multibase in result.check("proof").detail


def test_active_key_is_per_controller(tmp_path):
    store = make_store(tmp_path)
    mine = store.generate(controller=CONTROLLER, now=NOW)
    theirs = store.generate(controller=OTHER_CONTROLLER, now=LATER)

    # A key for another controller does not retire mine.
    assert store.resolve(mine.public_key_multibase).active is True
    assert store.active_key(CONTROLLER) == store.resolve(mine.public_key_multibase)
    assert store.active_key(OTHER_CONTROLLER) == store.resolve(theirs.public_key_multibase)
    assert store.keys_for(CONTROLLER) == [store.resolve(mine.public_key_multibase)]
    # With no controller named: only a key bound to no issuer qualifies.
    with pytest.raises(IssuerError, match="no active signing key"):
        store.active_key()
    unbound = store.generate(now=LATER)
    assert store.active_key() == store.resolve(unbound.public_key_multibase)


def test_activate_switches_back_to_a_retired_key(tmp_path):
    store = make_store(tmp_path)
    first = store.generate(controller=CONTROLLER, now=NOW)
    second = store.generate(controller=CONTROLLER, now=LATER)

    store.activate(first.public_key_multibase)

    assert store.active_key(CONTROLLER).public_key_multibase == first.public_key_multibase
    assert store.resolve(second.public_key_multibase).active is False


def test_generate_without_activation_leaves_the_active_key(tmp_path):
    store = make_store(tmp_path)
    first = store.generate(controller=CONTROLLER, now=NOW)
    spare = store.generate(controller=CONTROLLER, activate=False, now=LATER)

    assert spare.active is False
    assert store.active_key(CONTROLLER).public_key_multibase == first.public_key_multibase


def test_no_active_key_for_an_unknown_controller(tmp_path):
    store = make_store(tmp_path)
    store.generate(controller=CONTROLLER, now=NOW)
    with pytest.raises(IssuerError, match="no active signing key for did:web:nobody.example"):
        store.active_key("did:web:nobody.example")


def test_no_active_key_in_an_empty_store(tmp_path):
    with pytest.raises(IssuerError, match="issuer keys generate"):
        make_store(tmp_path).active_key()


# --- the private half ------------------------------------------------------------------------


def test_signing_key_matches_the_public_key(tmp_path):
    store = make_store(tmp_path)
    info = store.generate(controller=CONTROLLER, now=NOW)

    signing_key = store.signing_key(info.public_key_multibase)

    assert bytes(signing_key.verify_key) == info.public_key
    signature = signing_key.sign(b"hello").signature
    nacl.signing.VerifyKey(info.public_key).verify(b"hello", signature)


def test_signing_key_of_an_added_key_is_that_key(tmp_path):
    store = make_store(tmp_path)
    info = store.add(nacl.signing.SigningKey(SEED), now=NOW)
    assert bytes(store.signing_key(info.public_key_multibase)) == SEED


def test_tampered_key_file_is_refused(tmp_path):
    """A key file whose secret does not belong to its public key must not be used to sign."""
    store = make_store(tmp_path)
    victim = store.generate(controller=CONTROLLER, now=NOW)
    path = key_file(store, victim)
    data = json.loads(path.read_text("utf-8"))
    data["secretKeyMultibase"] = multikey.encode_secret_key(SEED)  # someone else's secret
    path.write_text(json.dumps(data), "utf-8")

    with pytest.raises(IssuerError, match="does not hold that key"):
        store.signing_key(victim.public_key_multibase)
    with pytest.raises(IssuerError):
        sign_credential(make_credential(), keystore=store, key=victim, created=NOW)


def test_corrupt_secret_in_key_file_raises_issuer_error(tmp_path):
    store = make_store(tmp_path)
    info = store.generate(controller=CONTROLLER, now=NOW)
    path = key_file(store, info)
    data = json.loads(path.read_text("utf-8"))
    data["secretKeyMultibase"] = "z0OIl"  # not base58
    path.write_text(json.dumps(data), "utf-8")

    with pytest.raises(IssuerError, match="no valid secret key"):
        store.signing_key(info.public_key_multibase)


def test_unreadable_key_file_raises_issuer_error(tmp_path):
    store = make_store(tmp_path)
    info = store.generate(controller=CONTROLLER, now=NOW)
    key_file(store, info).write_text("{not json", "utf-8")

    with pytest.raises(IssuerError, match="cannot read key file"):
        store.resolve(info.public_key_multibase)


# --- secrets stay secret ---------------------------------------------------------------------


def test_secret_never_in_reprs(tmp_path):
    store = make_store(tmp_path)
    info = store.generate(controller=CONTROLLER, now=NOW)
    secret = secret_of(store, info)
    seed_hex = bytes(store.signing_key(info.public_key_multibase)).hex()

    texts = [repr(info), str(info), repr(store), str(store), repr(store.list()),
             repr(store.resolve(info.did_key)), repr(store.active_key(CONTROLLER))]
    for text in texts:
        assert secret not in text
        assert secret[1:] not in text  # without the multibase prefix
        assert seed_hex not in text
    assert str(store.directory) in repr(store)


def test_secret_never_logged(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    store = make_store(tmp_path)
    info = store.generate(controller=CONTROLLER, now=NOW)
    signed = sign_credential(make_credential(), keystore=store, key=info, created=NOW)
    store.list()
    store.resolve(info.did_key)
    store.activate(info.public_key_multibase)
    with pytest.raises(IssuerError):
        store.resolve("z6MkNotAKey")
    verify_credential(signed, now=NOW)

    secret = secret_of(store, info)
    seed_hex = bytes(store.signing_key(info.public_key_multibase)).hex()
    logged = caplog.text + "\n".join(repr(record.args) for record in caplog.records)
    assert secret not in logged
    assert secret[1:] not in logged
    assert seed_hex not in logged


# --- bad names ---------------------------------------------------------------------------------


def test_unknown_key_has_a_clear_message(tmp_path):
    store = make_store(tmp_path)
    store.generate(controller=CONTROLLER, now=NOW)
    stranger = multikey.encode_public_key(bytes(nacl.signing.SigningKey(SEED).verify_key))

    with pytest.raises(IssuerError) as excinfo:
        store.resolve(stranger)
    message = str(excinfo.value)
    assert message.startswith("no key ")
    assert stranger in message
    assert str(store.directory) in message


@pytest.mark.parametrize(
    "name",
    [
        "../x",
        "../../etc/passwd",
        "/etc/passwd",
        "z6Mk/../../x",
        "did:key:../x",
        f"{CONTROLLER}#../x",
        "x\x00y",
        "",
        # Valid base58 multibase, but not an Ed25519 public key (an ed25519-priv multikey).
        multikey.encode_secret_key(SEED),
    ],
)
def test_path_like_and_non_key_names_are_rejected(tmp_path, name):
    store = make_store(tmp_path)
    store.generate(controller=CONTROLLER, now=NOW)
    (tmp_path / "x.json").write_text('{"publicKeyMultibase": "z6Mk"}', "utf-8")

    with pytest.raises(IssuerError, match="does not name an Ed25519 key"):
        store.resolve(name)


@pytest.mark.parametrize(
    "call",
    [
        lambda store: store.signing_key("../x"),
        lambda store: store.activate("../x"),
        lambda store: store.set_controller("../x", "did:web:evil.example"),
    ],
    ids=["signing_key", "activate", "set_controller"],
)
def test_path_like_names_rejected_by_every_method(tmp_path, call):
    """Not only resolve: every method taking a key name refuses it with an IssuerError, and
    nothing outside the key directory is read or written."""
    store = make_store(tmp_path)
    store.generate(controller=CONTROLLER, now=NOW)
    outside = tmp_path / "x.json"
    outside.write_text('{"publicKeyMultibase": "x", "secretKeyMultibase": "x"}', "utf-8")
    before = outside.read_bytes()

    with pytest.raises(IssuerError, match="does not name an Ed25519 key"):
        call(store)
    assert outside.read_bytes() == before


# --- P-256 and P-384 keys (ecdsa-rdfc-2019) ---------------------------------------------------


@pytest.mark.parametrize("algorithm,prefix", [("P-256", "zDn"), ("P-384", "z82")])
def test_p_curve_keys_are_stored_signed_with_and_verified(tmp_path, algorithm, prefix):
    store = make_store(tmp_path)
    ed = store.generate(controller=CONTROLLER, now=NOW)
    info = store.generate(controller=CONTROLLER, now=LATER, algorithm=algorithm)
    assert info.public_key_multibase.startswith(prefix) and info.algorithm == algorithm
    assert stat.S_IMODE(key_file(store, info).stat().st_mode) == 0o600
    assert [k.public_key_multibase for k in store.list()] == [ed.public_key_multibase,
                                                             info.public_key_multibase]
    assert store.active_key(CONTROLLER) == info
    secret_of(store, info)  # a secretKeyMultibase of the curve's multicodec
    assert multikey.decode_secret_multikey(secret_of(store, info))[0] == algorithm

    signed = sign_credential(make_credential(), keystore=store, key=info, created=LATER)
    assert signed["proof"][0]["cryptosuite"] == "ecdsa-rdfc-2019"
    published = multikey.controller_document(
        CONTROLLER, [k.public_key_multibase for k in store.keys_for(CONTROLLER)])
    result = verify_credential(signed, now=LATER, resolve_controller={CONTROLLER: published}.get)
    assert result.verified, result.to_dict()
    assert result.check("proof").detail == "signature valid (ecdsa-rdfc-2019)"


def test_a_p256_key_file_holding_another_key_is_refused(tmp_path):
    store = make_store(tmp_path)
    one = store.generate(controller=CONTROLLER, now=NOW, algorithm="P-256")
    two = store.generate(controller=CONTROLLER, now=NOW, algorithm="P-256")
    path = key_file(store, one)
    data = json.loads(path.read_text("utf-8"))
    data["secretKeyMultibase"] = secret_of(store, two)
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(IssuerError, match="does not hold that key"):
        store.signing_key(one.public_key_multibase)


def test_an_unknown_key_algorithm_is_refused(tmp_path):
    with pytest.raises(IssuerError, match="unknown key algorithm"):
        make_store(tmp_path).generate(algorithm="secp256k1")
