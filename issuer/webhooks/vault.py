"""Signing secrets at rest: AES-256-GCM under a key derived from the app's SECRET_KEY.

The key is HKDF-SHA256(ISSUER_SECRET_KEY, info="issuer.webhooks.signing-secret.v1"); the
endpoint's id is the associated data, so a ciphertext copied onto another endpoint does not
open. Stored as ``0x01 ‖ 12-byte nonce ‖ ciphertext+tag``. Changing ISSUER_SECRET_KEY makes
the stored secrets unreadable: their deliveries fail with a message saying so until each
endpoint's secret is rotated.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from issuer.webhooks.signing import Secret

VERSION = b"\x01"
INFO = b"issuer.webhooks.signing-secret.v1"


class SecretUnreadable(Exception):
    """The stored secret cannot be decrypted with this app's SECRET_KEY."""


def _cipher(secret_key: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(
        secret_key.encode("utf-8"))
    return AESGCM(key)


def seal(secret: Secret, *, secret_key: str, endpoint_id: str) -> bytes:
    nonce = os.urandom(12)
    return VERSION + nonce + _cipher(secret_key).encrypt(nonce, secret.key,
                                                         endpoint_id.encode())


def open_(sealed: bytes, *, secret_key: str, endpoint_id: str) -> Secret:
    if not sealed or sealed[:1] != VERSION or len(sealed) < 1 + 12 + 16:
        raise SecretUnreadable("the stored signing secret is not in a known format")
    try:
        key = _cipher(secret_key).decrypt(sealed[1:13], sealed[13:], endpoint_id.encode())
    except InvalidTag:
        raise SecretUnreadable(
            "the signing secret cannot be decrypted (was ISSUER_SECRET_KEY changed?); "
            "rotate the endpoint's secret") from None
    return Secret(key)
