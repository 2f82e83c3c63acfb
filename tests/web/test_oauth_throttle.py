"""The OAuth token endpoint counts failed client authentications per client_id and per client
address: over the limit it answers 429 (problem details, Retry-After) without checking the
secret. Through the Flask test client on the real database, the clock frozen."""

from __future__ import annotations

import base64
import logging

from tests.api_helpers import make_client

GRANT = {"grant_type": "client_credentials"}


def _basic(client_id: str, secret: str) -> dict[str, str]:
    encoded = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


def _token(client, client_id, secret, address="127.0.0.1"):
    return client.post("/oauth/token", data=GRANT, headers=_basic(client_id, secret),
                       environ_base={"REMOTE_ADDR": address})


def test_bad_secrets_lock_the_client_out_and_then_it_works_again(app, client, profile, clock,
                                                                 caplog):
    caplog.set_level(logging.WARNING)
    client_id, secret = make_client(app)
    statuses = [_token(client, client_id, "wrong-secret").status_code for _ in range(5)]
    assert statuses == [401] * 5
    refused = _token(client, client_id, "wrong-secret")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert refused.mimetype == "application/problem+json"
    assert refused.headers["Cache-Control"] == "no-store"
    body = refused.get_json()
    assert body["status"] == 429 and body["title"] == "Too Many Requests"
    assert "Try again in 1 second" in body["detail"]
    assert _token(client, client_id, secret).status_code == 429  # not even checked
    clock.advance(seconds=1)
    granted = _token(client, client_id, secret)
    assert granted.status_code == 200 and granted.get_json()["token_type"] == "Bearer"
    assert _token(client, client_id, "wrong-secret").status_code == 401  # reset by success
    lines = [r.getMessage() for r in caplog.records if "sign-in throttled" in r.getMessage()]
    assert len(lines) == 3 and all("door=oauth" in line for line in lines)
    assert "wrong-secret" not in caplog.text and secret not in caplog.text


def test_one_address_is_limited_across_client_ids(app, client, profile, clock):
    client_id, secret = make_client(app)
    statuses = [_token(client, f"obc_unknown{n}", "x", address="198.51.100.7").status_code
                for n in range(21)]
    assert statuses == [401] * 20 + [429]
    assert _token(client, client_id, secret, address="198.51.100.7").status_code == 429
    assert _token(client, client_id, secret, address="203.0.113.50").status_code == 200


def test_malformed_client_credentials_count_for_the_address(app, client, profile, clock):
    bad = {"Authorization": "Basic !!!not-base64"}
    statuses = [client.post("/oauth/token", data=GRANT, headers=bad).status_code
                for _ in range(21)]
    assert statuses == [401] * 20 + [429]


def test_other_token_errors_are_not_counted(app, client, profile, clock):
    client_id, secret = make_client(app, scopes=("issue",))
    for _ in range(8):
        asked = client.post("/oauth/token", data={**GRANT, "scope": "read"},
                            headers=_basic(client_id, secret))
        assert asked.status_code == 400 and asked.get_json()["error"] == "invalid_scope"
    assert _token(client, client_id, secret).status_code == 200
