"""POST /credentials/verify (W3C VC-API): verdicts, recipient check, malformed requests, CORS."""

from __future__ import annotations

import copy
import json
import re
import secrets
import time

import pytest

from issuer.dataintegrity import multikey
from issuer.openbadges import baking
from tests.service_fixtures import issue_credential, make_achievement
from tests.web.example_verdicts import EXAMPLES, IDS, JWT, OK, UNREADABLE, discovered, failing_ids
from tests.web.verify_helpers import (
    PUBLIC,
    signed,
)

VERIFY = "/credentials/verify"


def post(client, body, **kwargs):
    if not isinstance(body, (bytes, str)):
        body = json.dumps(body)
    kwargs.setdefault("content_type", "application/json")
    return client.post(VERIFY, data=body, **kwargs)


# -- every shared example gets its verdict ------------------------------------------------------


def test_the_table_covers_every_example_file():
    assert {example.path for example in EXAMPLES} == discovered()


@pytest.fixture(scope="module")
def table_client(offline_app):
    return offline_app.test_client()


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_example_verdict(table_client, example):
    data = example.file.read_bytes()
    if example.verdict == UNREADABLE:  # nothing JSON to send: the request itself is bad
        response = post(table_client, data)
        assert response.status_code == 400
        assert response.mimetype == "application/problem+json"
        return
    found = baking.extract_credential(data)
    if found.kind == "jwt":  # a VC-JWT travels in an EnvelopedVerifiableCredential
        credential = {"@context": ["https://www.w3.org/ns/credentials/v2"],
                      "type": ["EnvelopedVerifiableCredential"],
                      "id": "data:application/vc+jwt," + found.text}
    else:
        credential = json.loads(found.text)
    response = post(table_client, {"verifiableCredential": credential})
    body = response.get_json()
    assert response.mimetype == "application/json"
    # "endorsements": each embedded endorsement's own result (issuer.verification.endorsements)
    assert set(body) - {"endorsements"} == {"verified", "checks", "warnings", "errors"}
    assert ("endorsements" in body) is bool(re.search(r'"endorsement(Jwt)?"\s*:', found.text))
    assert body["verified"] is (example.verdict == OK), body["errors"]
    assert response.status_code == (200 if example.verdict == OK else 422)
    assert {error["check"] for error in body["errors"]} == example.failed
    assert failing_ids(body["checks"]) == example.failed
    if example.verdict == JWT:
        assert "jwt-claims" in {check["id"] for check in body["checks"]}
    for error in body["errors"]:  # every failure says why
        assert error["detail"]


# -- credentials of this server and of others --------------------------------------------------


@pytest.fixture
def our_credential(app, profile, client):
    achievement = make_achievement(app)
    credential_id = issue_credential(app, achievement, email="Grace@Example.org", name="Grace")
    return client.get(f"/credentials/{credential_id}",
                      headers={"Accept": "application/vc+ld+json"}).get_json(force=True)


def test_our_own_credential_verifies_with_our_issuer_resolved_locally(client, our_credential):
    response = post(client, {"verifiableCredential": our_credential})
    assert response.status_code == 200, response.get_json()["errors"]
    body = response.get_json()
    statuses = {check["id"]: check["status"] for check in body["checks"]}
    assert statuses["proof"] == statuses["issuer"] == statuses["validity"] == "passed"
    # The did:web key came from our own DID document, not from the fragment fallback.
    assert not any("could not be fetched" in warning for warning in body["warnings"])


def test_recipient_email_matches_the_hashed_identifier(client, our_credential):
    match = post(client, {"verifiableCredential": our_credential,
                          "options": {"recipientEmail": "grace@example.org"}})
    assert match.status_code == 200
    recipient = {c["id"]: c for c in match.get_json()["checks"]}["recipient"]
    assert recipient["status"] == "passed"

    miss = post(client, {"verifiableCredential": our_credential,
                         "options": {"recipientEmail": "mallory@example.org"}})
    assert miss.status_code == 422
    body = miss.get_json()
    assert [error["check"] for error in body["errors"]] == ["recipient"]
    assert "not awarded to the given email" in body["errors"][0]["detail"]
    assert "mallory" not in json.dumps(body)  # the address given is not echoed back

    without = post(client, {"verifiableCredential": our_credential})
    recipient = {c["id"]: c for c in without.get_json()["checks"]}["recipient"]
    assert recipient["status"] == "not_applicable"


def test_tampered_credential_of_ours_fails_the_signature(client, our_credential):
    tampered = copy.deepcopy(our_credential)
    tampered["credentialSubject"]["name"] = "Someone Else"
    response = post(client, {"verifiableCredential": tampered})
    assert response.status_code == 422
    assert [error["check"] for error in response.get_json()["errors"]] == ["proof"]


def test_did_key_credential_from_another_issuer(client, offline):
    response = post(client, {"verifiableCredential": signed(),
                             "options": {"recipientEmail": "ann@example.org"}})
    assert response.status_code == 200, response.get_json()
    statuses = {c["id"]: c["status"] for c in response.get_json()["checks"]}
    assert statuses == {"context": "passed", "schema": "passed", "proof": "passed",
                        "issuer": "passed", "validity": "passed", "status": "not_applicable",
                        "recipient": "passed"}


def _profile_document(issuer_id: str) -> dict:
    return {
        "@context": [multikey.DID_CONTEXT, multikey.MULTIKEY_CONTEXT,
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": issuer_id, "type": ["Profile"], "name": "Faraway College",
        **{k: v for k, v in multikey.controller_document(issuer_id, [PUBLIC]).items()
           if k in ("verificationMethod", "assertionMethod")},
    }


@pytest.fixture
def http_issuer(http_server):
    """An issuer whose id is an http(s) URL serving its profile with its keys (a new URL per
    test: resolved profiles are cached by URL)."""
    path = f"/issuers/faraway-{secrets.token_hex(4)}"
    issuer_id = http_server.base + path
    http_server.serve(path, json.dumps(_profile_document(issuer_id)).encode())
    return issuer_id


def test_http_issuer_profile_is_fetched_for_its_key(app, client, http_issuer, http_server):
    app.config["VERIFY_FETCH_PRIVATE"] = True  # the "remote" issuer lives on 127.0.0.1
    response = post(client, {"verifiableCredential": signed(issuer_id=http_issuer)})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert not any("could not be fetched" in warning for warning in body["warnings"])
    path = http_issuer.removeprefix(http_server.base)
    assert (path, "application/did+json, application/ld+json, application/json") in http_server.seen


def test_http_issuer_key_not_in_its_profile_fails(app, client, http_issuer):
    app.config["VERIFY_FETCH_PRIVATE"] = True
    import nacl.signing

    stranger = nacl.signing.SigningKey(b"\x22" * 32)
    response = post(client, {"verifiableCredential": signed(issuer_id=http_issuer, key=stranger)})
    assert response.status_code == 422
    body = response.get_json()
    assert [error["check"] for error in body["errors"]] == ["proof"]
    assert "does not list" in body["errors"][0]["detail"]


def test_private_addresses_are_not_fetched_by_default(client, http_issuer, http_server):
    before = len(http_server.seen)
    response = post(client, {"verifiableCredential": signed(issuer_id=http_issuer)})
    # Not fetched (127.0.0.1 is private): the key comes from the fragment, with a warning why.
    assert len(http_server.seen) == before
    body = response.get_json()
    assert body["verified"] is True
    assert any("private, loopback or reserved" in warning for warning in body["warnings"])


def test_unreachable_issuer_host_is_quick(client, offline):
    started = time.monotonic()
    credential = signed(issuer_id="https://issuer.invalid/profile")
    response = post(client, {"verifiableCredential": credential})
    assert time.monotonic() - started < 2
    assert response.get_json()["verified"] is True
    assert any("could not be fetched" in w for w in response.get_json()["warnings"])


# -- options ------------------------------------------------------------------------------------


def test_unknown_options_are_ignored_with_a_warning(client, offline):
    response = post(client, {"verifiableCredential": signed(),
                             "options": {"challenge": "abc", "checks": ["proof"]}})
    assert response.status_code == 200
    warnings = response.get_json()["warnings"]
    assert "option 'challenge' is not supported and was ignored" in warnings
    assert not any("'checks'" in warning for warning in warnings)


def test_options_checks_chooses_which_other_checks_decide(client, offline):
    from datetime import UTC, datetime
    expired = signed(valid_until=datetime(2026, 1, 3, tzinfo=UTC))
    response = post(client, {"verifiableCredential": expired})
    assert response.status_code == 422
    assert [e["check"] for e in response.get_json()["errors"]] == ["validity"]
    for checks in (["proof"], ["proof", "status"], ["credentialStatus"]):
        response = post(client, {"verifiableCredential": expired,
                                 "options": {"checks": checks}})
        body = response.get_json()
        assert response.status_code == 200 and body["verified"] is True, (checks, body)
        assert {c["id"]: c["status"] for c in body["checks"]}["validity"] == "failed"
        assert any(w.startswith("validity: failed, but not among options.checks: ")
                   for w in body["warnings"])
    response = post(client, {"verifiableCredential": expired,
                             "options": {"checks": ["proof", "expiration"]}})
    assert response.status_code == 422


def test_options_checks_never_unbinds_the_signature_from_the_issuer(client, offline):
    stranger = signed(issuer_id="https://faraway.example/issuer",
                      vm=multikey.did_key_verification_method(PUBLIC))
    for checks in (["proof"], []):
        response = post(client, {"verifiableCredential": stranger,
                                 "options": {"checks": checks}})
        assert response.status_code == 422, checks
        assert "issuer" in [e["check"] for e in response.get_json()["errors"]]


@pytest.mark.parametrize("checks, detail", [
    (["proof", "revocation", "magic"],
     "options.checks names unknown checks 'revocation', 'magic'; known: proof, "),
    ("proof", "options.checks must be an array of check names"),
    ([1], "options.checks must be an array of check names"),
])
def test_unknown_checks_are_refused_by_name(client, offline, checks, detail):
    response = post(client, {"verifiableCredential": signed(), "options": {"checks": checks}})
    assert response.status_code == 400
    problem = response.get_json()
    assert problem["type"] == "urn:issuer:problem:unknown-check"
    assert problem["title"] == "Unsupported verification check"
    assert problem["detail"].startswith(detail)


def test_vc_jwt_in_an_envelope_is_verified(client):
    """An envelope whose JWS names no key: a result with a failed proof, not a 500."""
    envelope = {"@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": "EnvelopedVerifiableCredential",
                "id": "data:application/vc+jwt,eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln"}
    response = post(client, {"verifiableCredential": envelope})
    assert response.status_code == 422
    body = response.get_json()
    assert body["verified"] is False
    assert body["checks"][0]["id"] == "proof" and body["checks"][0]["status"] == "failed"
    assert "names no key" in body["checks"][0]["detail"]


@pytest.mark.parametrize("context", [[], "https://www.w3.org/ns/credentials/examples/v2", None])
def test_an_envelope_without_the_base_context_fails_the_context_check(client, context):
    envelope = {"@context": context, "type": "EnvelopedVerifiableCredential",
                "id": "data:application/vc+jwt,eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln"}
    if context is None:
        del envelope["@context"]
    response = post(client, {"verifiableCredential": envelope})
    assert response.status_code == 422
    [check] = response.get_json()["checks"]
    assert (check["id"], check["status"]) == ("context", "failed")
    assert check["problems"][0]["type"] == "https://www.w3.org/TR/vc-data-model#PARSING_ERROR"
    assert "must include https://www.w3.org/ns/credentials/v2" in check["detail"]


# -- malformed requests: 400 problem details, never a 500 ---------------------------------------


@pytest.mark.parametrize(("body", "content_type", "detail"), [
    (b"", "application/json", "no body"),
    (b"   ", "application/json", "no body"),
    (b"{not json", "application/json", "not valid JSON"),
    (b"\xff\xfe", "application/json", "not valid JSON"),
    (b"[" * 100000 + b"]" * 100000, "application/json", "deeper than 64 levels"),
    (b'{"verifiableCredential": ' + b'{"a": ' * 65 + b"1" + b"}" * 66, "application/json",
     "deeper than 64 levels"),
    (b'{"verifiableCredential": {"validUntil": Infinity}}', "application/json",
     "Infinity is not a JSON value"),
    (b'{"verifiableCredential": {"validUntil": NaN}}', "application/json",
     "NaN is not a JSON value"),
    (b"[]", "application/json", "must be a JSON object"),
    (b'"text"', "application/json", "must be a JSON object"),
    (b"{}", "application/json", "no verifiableCredential"),
    (b'{"credential": {}}', "application/json", "no verifiableCredential"),
    (b'{"verifiableCredential": null}', "application/json", "must be a JSON object"),
    (b'{"verifiableCredential": 42}', "application/json", "must be a JSON object"),
    (b'{"verifiableCredential": []}', "application/json", "must be a JSON object"),
    (b'{"verifiableCredential": "eyJhbGciOiJFUzI1NiJ9.eyJ4IjoxfQ.c2ln"}', "application/json",
     "EnvelopedVerifiableCredential"),
    (b'{"verifiableCredential": {}, "options": []}', "application/json", "options must be"),
    (b'{"verifiableCredential": {}, "options": {"recipientEmail": 5}}', "application/json",
     "recipientEmail must be a string"),
    (b"verifiableCredential=x", "application/x-www-form-urlencoded", "not as a form"),
])
def test_malformed_requests_get_400_problem_details(client, body, content_type, detail):
    response = client.post(VERIFY, data=body, content_type=content_type,
                           headers={"Accept": "*/*"})
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == 400 and problem["title"]
    assert detail in problem["detail"]


def test_request_without_content_type_is_read_as_json(client, offline):
    response = client.post(VERIFY, data=json.dumps({"verifiableCredential": signed()}))
    assert response.status_code == 200


def test_oversized_request_is_413_problem_json(client):
    body = b'{"verifiableCredential": {"x": "' + b"a" * (3 * 1024 * 1024) + b'"}}'
    response = client.post(VERIFY, data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert "KiB" in response.get_json()["detail"]


@pytest.mark.parametrize("credential", [
    {}, {"@context": 5}, {"@context": ["https://www.w3.org/ns/credentials/v2"], "proof": 7},
    {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": [None, {}], "issuer": []},
    {"@context": ["https://www.w3.org/ns/credentials/v2"], "credentialSubject": "\x00",
     "validFrom": "yesterday", "validUntil": 1e308, "proof": [{"cryptosuite": []}]},
    {"@context": ["https://www.w3.org/ns/credentials/v2"], "name": [[[[[[[[[[]]]]]]]]]]},
])
def test_garbage_credentials_are_a_422_result_not_a_500(client, offline, credential):
    response = post(client, {"verifiableCredential": credential})
    assert response.status_code == 422
    assert response.get_json()["verified"] is False


# -- CORS ---------------------------------------------------------------------------------------


def test_cors_allows_posting_from_any_origin(client, offline):
    preflight = client.options(VERIFY, headers={
        "Origin": "https://employer.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "content-type" in preflight.headers["Access-Control-Allow-Headers"].lower()
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    response = post(client, {"verifiableCredential": signed()},
                    headers={"Origin": "https://employer.example"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_the_api_needs_no_csrf_token_and_sets_no_cookie(client, offline):
    response = post(client, {"verifiableCredential": signed()})
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


# -- settings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    ("true", True), ("1", True), ("yes", True), ("false", False), ("0", False), ("", False),
])
def test_verify_fetch_private_setting(app_config, monkeypatch, value, expected):
    from issuer import create_app, db
    from issuer.web.core import verifying

    monkeypatch.setenv("ISSUER_VERIFY_FETCH_PRIVATE", value)
    application = create_app(app_config)
    try:
        assert application.config["VERIFY_FETCH_PRIVATE"] is expected
        with application.app_context():
            assert verifying.fetch_policy().allow_private is expected
    finally:
        db.engine_of(application).dispose()


@pytest.mark.parametrize(("name", "value", "message"), [
    ("ISSUER_VERIFY_FETCH_PRIVATE", "maybe", "must be true or false"),
    ("ISSUER_LINKEDIN_ORGANIZATION_ID", "acme-inc", "numeric id of a LinkedIn company page"),
])
def test_bad_settings_stop_the_start(app_config, monkeypatch, name, value, message):
    from issuer import create_app
    from issuer.config import ConfigError

    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        create_app(app_config)


def test_verify_fetch_private_is_off_by_default(app):
    assert app.config["VERIFY_FETCH_PRIVATE"] is False
    assert app.config["LINKEDIN_ORGANIZATION_ID"] is None


# -- rate limit (Redis) -------------------------------------------------------------------------

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def limited_app(app):
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379")
    app.config.update(RATE_LIMIT_REDIS_URL=REDIS_URL, VERIFY_RATE_LIMIT=3)
    yield app
    app.extensions["issuer_ratelimit"].close()


def _address() -> dict[str, str]:
    """A client address of its own (documentation range), so runs never share counters."""
    return {"REMOTE_ADDR": f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}"}


def test_verifications_are_rate_limited_per_client(limited_app, offline):
    client, other = limited_app.test_client(), limited_app.test_client()
    me, someone_else = _address(), _address()
    for _ in range(3):
        assert post(client, {"verifiableCredential": signed()}, environ_base=me).status_code == 200
    refused = post(client, {"verifiableCredential": signed()}, environ_base=me)
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "Too many verifications" in refused.get_json()["detail"]
    # The /verify page draws on the same budget; other clients are not affected.
    page = limited_app.test_client()
    from tests.web.verify_helpers import csrf_of

    token = csrf_of(page.get("/verify").get_data(as_text=True))
    html = page.post("/verify", data={"csrf_token": token, "json_text": "{}"},
                     environ_base=me).get_data(as_text=True)
    assert "Too many verifications from your address" in html
    assert post(other, {"verifiableCredential": signed()},
                environ_base=someone_else).status_code == 200


def test_an_unreachable_redis_does_not_stop_verification(app, offline):
    app.config.update(RATE_LIMIT_REDIS_URL="redis://127.0.0.1:1/0", VERIFY_RATE_LIMIT=1)
    client = app.test_client()
    started = time.monotonic()
    for _ in range(3):
        assert post(client, {"verifiableCredential": signed()}).status_code == 200
    assert time.monotonic() - started < 3
    app.extensions["issuer_ratelimit"].close()


def test_no_redis_url_means_no_limit(app, offline):
    app.config["VERIFY_RATE_LIMIT"] = 1
    for _ in range(3):
        assert post(app.test_client(), {"verifiableCredential": signed()}).status_code == 200
