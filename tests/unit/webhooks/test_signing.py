"""Standard Webhooks signatures, checked by the ``standardwebhooks`` library (the outside
reference), the encrypted secret store, and the retry schedule."""

from __future__ import annotations

import base64
import random
import time
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from issuer.webhooks import schedule, signing, vault

BODY = b'{"type":"credential.issued","timestamp":"2026-12-01T12:00:00Z","data":{"x":"\xc3\xa9"}}'


def test_our_headers_verify_with_the_reference_library():
    secret = signing.Secret.generate()
    now = int(time.time())
    headers = signing.headers([secret], "msg_1", now, BODY)
    assert set(headers) == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    assert headers["webhook-signature"].startswith("v1,")
    assert Webhook(str(secret)).verify(BODY, headers)["data"]["x"] == "é"
    with pytest.raises(WebhookVerificationError):
        Webhook(str(secret)).verify(BODY + b" ", headers)
    with pytest.raises(WebhookVerificationError):  # another id is another signature
        Webhook(str(secret)).verify(BODY, {**headers, "webhook-id": "msg_2"})


def test_the_signature_is_hmac_sha256_over_id_timestamp_body():
    """The spec's own example (Standard Webhooks README: secret, id, timestamp, payload)."""
    secret = signing.Secret.parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    body = b'{"test": 2432232314}'
    assert signing.signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body) == (
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    reference = Webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").sign(
        "msg_p5jXN8AQM9LWM0D4loKWxJek", datetime.fromtimestamp(1614265330, UTC), body.decode())
    assert reference == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_during_rotation_either_secret_verifies():
    old, new = signing.Secret.generate(), signing.Secret.generate()
    headers = signing.headers([new, old], "msg_1", int(time.time()), BODY)
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert Webhook(str(old)).verify(BODY, headers) and Webhook(str(new)).verify(BODY, headers)


def test_secrets_are_whsec_base64_of_32_random_bytes_and_never_in_a_repr():
    secret = signing.Secret.generate()
    text = str(secret)
    assert text.startswith("whsec_") and len(base64.b64decode(text[6:])) == 32
    assert signing.Secret.parse(text) == secret
    assert text[6:] not in repr(secret)
    with pytest.raises(ValueError):
        signing.Secret.parse("sk_" + text[6:])


def test_the_vault_opens_only_with_the_same_key_and_endpoint():
    secret = signing.Secret.generate()
    sealed = vault.seal(secret, secret_key="app-key", endpoint_id="ep-1")
    assert secret.key not in sealed
    assert vault.open_(sealed, secret_key="app-key", endpoint_id="ep-1") == secret
    assert vault.seal(secret, secret_key="app-key", endpoint_id="ep-1") != sealed  # fresh nonce
    with pytest.raises(vault.SecretUnreadable, match="ISSUER_SECRET_KEY"):
        vault.open_(sealed, secret_key="another-key", endpoint_id="ep-1")
    with pytest.raises(vault.SecretUnreadable):  # copied onto another endpoint
        vault.open_(sealed, secret_key="app-key", endpoint_id="ep-2")
    with pytest.raises(vault.SecretUnreadable):
        vault.open_(b"\x02" + sealed[1:], secret_key="app-key", endpoint_id="ep-1")


def test_the_schedule_backs_off_exponentially_for_about_a_day():
    assert schedule.plan() == ["30 s", "2 min", "8 min", "32 min", "2 h 8 min", "8 h", "8 h",
                               "8 h"]
    total = sum((schedule.nominal_delay(n) for n in range(1, schedule.RETRIES + 1)),
                timedelta())
    assert timedelta(hours=24) <= total <= timedelta(hours=28)
    assert total * (1 - schedule.JITTER) >= schedule.DISABLE_AFTER
    assert schedule.next_delay(schedule.RETRIES + 1) is None


def test_jitter_spreads_retries_within_ten_percent():
    rng = random.Random(1)
    delays = {schedule.next_delay(3, rng=rng) for _ in range(200)}
    nominal = schedule.nominal_delay(3)
    assert len(delays) > 50  # spread out, not one instant
    assert all(nominal * 0.9 - timedelta(seconds=1) <= d <= nominal * 1.1 + timedelta(seconds=1)
               for d in delays)
