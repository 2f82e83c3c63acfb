"""Standard Webhooks signatures (https://www.standardwebhooks.com, spec "Signature scheme"):
a secret ``whsec_<base64 of 32 random bytes>``, and ``webhook-signature: v1,<base64
HMAC-SHA256(secret, "<webhook-id>.<webhook-timestamp>.<body>")>``, several signatures
separated by spaces while a rotated-out secret is still honoured.

Pure functions over bytes, the standard library's ``hmac`` (the scheme is three lines; the
``standardwebhooks`` package, the outside reference, verifies what we sign in the tests).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

PREFIX = "whsec_"
SECRET_BYTES = 32  # the spec asks for 24 to 64 bytes


@dataclass(frozen=True)
class Secret:
    """A signing secret's key bytes (never in a repr)."""

    key: bytes = field(repr=False)

    @classmethod
    def generate(cls) -> Secret:
        return cls(secrets.token_bytes(SECRET_BYTES))

    @classmethod
    def parse(cls, text: str) -> Secret:
        if not text.startswith(PREFIX):
            raise ValueError("a webhook secret starts with whsec_")
        return cls(base64.b64decode(text[len(PREFIX):], validate=True))

    def __str__(self) -> str:
        """The form shown to the admin once: ``whsec_<base64>``."""
        return PREFIX + base64.b64encode(self.key).decode("ascii")


def signed_content(msg_id: str, timestamp: int, body: bytes) -> bytes:
    """What is signed: ``{id}.{timestamp}.{body}``."""
    return f"{msg_id}.{timestamp}.".encode() + body


def signature(secret: Secret, msg_id: str, timestamp: int, body: bytes) -> str:
    """One ``v1,<base64>`` signature."""
    digest = hmac.new(secret.key, signed_content(msg_id, timestamp, body), hashlib.sha256)
    return "v1," + base64.b64encode(digest.digest()).decode("ascii")


def headers(secrets_: list[Secret], msg_id: str, timestamp: int, body: bytes
            ) -> dict[str, str]:
    """The three Standard Webhooks headers, signed with every secret given (the current one
    first, then one being rotated out)."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(s, msg_id, timestamp, body) for s in secrets_),
    }
