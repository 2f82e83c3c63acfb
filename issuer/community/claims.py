"""Claim links: a signed, expiring token naming one credential and its recipient.

The link in the "you have earned" email lets that recipient see and download the credential,
add it to LinkedIn and set up (or sign in to) their member page. Nothing is stored: the token
is signed with the app's secret key (itsdangerous, HMAC-SHA1 over a salted key derivation)
and bound to the credential's recipient, so it works for that one credential and person.
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadData, URLSafeTimedSerializer

SALT = "issuer.community.claim"
MAX_AGE_SECONDS = 60 * 60 * 24 * 60  # 60 days


@dataclass(frozen=True)
class Claim:
    credential_id: str
    recipient_id: int


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def make_token(secret_key: str, *, credential_id: str, recipient_id: int) -> str:
    return _serializer(secret_key).dumps({"c": credential_id, "r": recipient_id})


def read_token(secret_key: str, token: str, *, max_age: int = MAX_AGE_SECONDS) -> Claim | None:
    """The claim a valid, unexpired token carries; None for anything else."""
    if not isinstance(token, str) or len(token) > 500:
        return None
    try:
        payload = _serializer(secret_key).loads(token, max_age=max_age)
    except BadData:
        return None
    if (not isinstance(payload, dict) or not isinstance(payload.get("c"), str)
            or not isinstance(payload.get("r"), int)):
        return None
    return Claim(credential_id=payload["c"], recipient_id=payload["r"])


def claim_url(base_url: str, token: str) -> str:
    """The emailed link; the token rides in the #fragment (see members.sign_in_url)."""
    return f"{base_url}/claim#{token}"
