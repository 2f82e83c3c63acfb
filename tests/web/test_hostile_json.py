"""Hostile JSON gets a 400 problem document on every JSON endpoint, never a 500: nesting
10,000 deep (arrays and objects, at the top or inside an event's ``data``, a credential's
subject or a batch), NaN, numbers beyond a double, integers of 5,000 digits, lone
surrogates, NUL characters (PostgreSQL cannot store them; only a credential to verify may
hold them) and member names given twice. Each endpoint is called without a token (auth runs
first: 401) and with a valid one (the body is read: 400). The /verify page and documents
fetched from other servers are checked for the same."""

from __future__ import annotations

import json
import secrets
from typing import Any

import pytest

from issuer import create_app
from issuer.clock import format_datetime, utc_now
from tests.api_helpers import ISSUER_DID, bearer, make_token
from tests.service_fixtures import BASE_URL, empty_tables, make_profile

DEEP_ARRAYS = "[" * 10_000 + "]" * 10_000
DEEP_OBJECTS = '{"a":' * 10_000 + "1" + "}" * 10_000
DATA_900 = '{"a":' * 900 + "1" + "}" * 900
SLOT = '"__hostile__"'

# What goes into the slot (a JSON fragment), and what the problem's detail says about it.
HOSTILE: dict[str, tuple[str, str]] = {
    "10000-deep-arrays": (DEEP_ARRAYS, "deeper than 64 levels"),
    "10000-deep-objects": (DEEP_OBJECTS, "deeper than 64 levels"),
    "900-deep": (DATA_900, "deeper than 64 levels"),
    "nan": ("NaN", "NaN is not a JSON value"),
    "infinity": ("-Infinity", "-Infinity is not a JSON value"),
    "1e400": ("1e400", "the number 1e400 is too large"),
    "5000-digit-integer": ("9" * 5000, "an integer has 5000 digits"),
    "lone-surrogate": ('"x\\ud800"', "lone surrogate (\\ud800)"),
    "nul": ('"x\\u0000y"', "NUL character"),
    "duplicate-names": ('{"k": 1, "k": 2}', "the member name 'k' appears twice"),
}


def _event(**changes: Any) -> dict[str, Any]:
    return {"id": "evt-1", "member": {"email": "ada@example.org"}, "action": "forum.post",
            "occurredAt": format_datetime(utc_now()), "data": {"thread": 7}, **changes}


def _credential(**subject: Any) -> dict[str, Any]:
    return {"@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"], "issuer": ISSUER_DID,
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:subject", **subject}}


# endpoint -> (scope its token needs, or None for a public endpoint; the bodies whose
# placeholder SLOT takes the hostile fragment: where real clients put their data)
ENDPOINTS: dict[str, tuple[str | None, dict[str, Any]]] = {
    "/api/v1/credentials": ("issue", {
        "top": "__hostile__",
        "recipient": {"achievement": "3f1c2c55-0000-4000-8000-000000000000",
                      "recipient": {"email": "ada@example.org", "name": "__hostile__"}},
    }),
    "/credentials/issue": ("issue", {
        "top": "__hostile__",
        "subject": {"credential": _credential(name="__hostile__")},
        "options": {"credential": _credential(), "options": "__hostile__"},
    }),
    "/credentials/status": ("revoke", {
        "top": "__hostile__",
        "reason": {"credentialId": "urn:uuid:0d7a4d0e-0000-4000-8000-000000000000",
                   "credentialStatus": [{"status": "revoked"}], "reason": "__hostile__"},
    }),
    "/api/v1/events": ("events", {
        "top": "__hostile__",
        "data": _event(data={"thread": "__hostile__"}),
        "batch-data": {"events": [_event(), _event(id="evt-2", data="__hostile__")]},
        "batch-event": {"events": [_event(), "__hostile__"]},
    }),
    "/credentials/verify": (None, {
        "top": "__hostile__",
        "credential": {"verifiableCredential": _credential(name="__hostile__")},
        "options": {"verifiableCredential": _credential(),
                    "options": {"recipientEmail": "__hostile__"}},
    }),
    "/presentations/verify": (None, {
        "top": "__hostile__",
        "credential": {"presentation": {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": [_credential(name="__hostile__")]}},
        "options": {"verifiablePresentation": {}, "options": {"challenge": "__hostile__"}},
    }),
}

CASES = [
    pytest.param(path, where, kind, id=f"{path}:{where}:{kind}")
    for path, (_, shapes) in ENDPOINTS.items()
    for where in shapes
    for kind in HOSTILE
    # A credential to verify is not stored: NUL is only odd text there (a failed check).
    if (path, kind) not in (("/credentials/verify", "nul"), ("/presentations/verify", "nul"))
]


def hostile_body(path: str, where: str, kind: str) -> bytes:
    text = json.dumps(ENDPOINTS[path][1][where])
    assert text.count(SLOT) == 1
    return text.replace(SLOT, HOSTILE[kind][0]).encode("utf-8")


@pytest.fixture(scope="module")
def api_app(database_url, tmp_path_factory):
    """One app for the module's table (nothing hostile is stored; the tables are emptied at
    the end), with the default issuer profile."""
    tmp = tmp_path_factory.mktemp("hostile")
    application = create_app({
        "TESTING": True, "DATABASE_URL": database_url, "BASE_URL": BASE_URL,
        "KEYS_DIR": str(tmp / "keys"), "INSTANCE_PATH": str(tmp / "instance"),
        "SECRET_KEY": "test-secret-" + secrets.token_hex(8),
    })
    make_profile(application)
    yield application
    empty_tables(application)


@pytest.fixture(scope="module")
def tokens(api_app) -> dict[str, str]:
    return {scope: make_token(api_app, scopes=(scope,)) for scope in ("issue", "revoke", "events")}


@pytest.fixture
def client(api_app):
    return api_app.test_client()


def assert_problem(response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert {"type", "title", "status", "detail"} <= set(body) and body["status"] == status
    return body


@pytest.mark.parametrize("path, where, kind", CASES)
def test_hostile_json_is_a_400_problem(client, tokens, path, where, kind):
    scope = ENDPOINTS[path][0]
    body = hostile_body(path, where, kind)
    headers = bearer(tokens[scope]) if scope else {}
    answer = assert_problem(client.post(path, data=body, content_type="application/json",
                                        headers=headers), 400)
    assert HOSTILE[kind][1] in answer["detail"], answer["detail"]
    if scope:  # without a token: 401 before the body is looked at
        assert_problem(client.post(path, data=body, content_type="application/json"), 401)


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("body, content_type, detail", [
    (b"", "application/json", "The request has no body"),
    (b"\xff\xfe{}", "application/json", "not UTF-8 text"),
    (b'{"a": ', "application/json", "not valid JSON"),
    (b"a=1", "application/x-www-form-urlencoded", "not as a form"),
])
def test_unreadable_bodies_are_a_400_problem(client, tokens, path, body, content_type, detail):
    scope = ENDPOINTS[path][0]
    headers = bearer(tokens[scope]) if scope else {}
    answer = assert_problem(client.post(path, data=body, content_type=content_type,
                                        headers=headers), 400)
    assert detail in answer["detail"]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_very_long_strings_get_an_answer_not_a_500(client, tokens, path):
    """Half a megabyte in one string (under the body cap) and 10 MB (over it): the normal
    answer (VC-API signs a credential with a long name), a 4xx problem or a verification
    result; never a 500."""
    scope = ENDPOINTS[path][0]
    headers = bearer(tokens[scope]) if scope else {}
    shapes = ENDPOINTS[path][1]
    where = next(name for name in shapes if name != "top")
    for size, statuses in ((512 * 1024, {201, 400, 404, 413, 422}), (10 * 1024 * 1024, {413})):
        text = json.dumps(shapes[where]).replace(SLOT, json.dumps("x" * size))
        response = client.post(path, data=text, content_type="application/json",
                               headers=headers)
        assert response.status_code in statuses, (size, response.status_code)
        assert response.mimetype in ("application/problem+json", "application/json")
        assert response.get_json()


@pytest.mark.parametrize("kind", ["10000-deep-objects", "lone-surrogate", "nul", "1e400"])
def test_the_token_endpoint_takes_forms_only(client, kind):
    """/oauth/token reads a form (RFC 6749): JSON of any kind is an invalid_request, in the
    RFC 6749 error shape (with the problem members)."""
    response = client.post("/oauth/token", data=HOSTILE[kind][0],
                           content_type="application/json")
    assert response.status_code == 400 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"] == "invalid_request" and body["status"] == 400


def test_the_token_endpoint_refuses_nul_in_its_form_as_json(client):
    response = client.post("/oauth/token", data={"grant_type": "client_credentials\x00"})
    assert_problem(response, 400)


def test_an_unexpected_error_on_an_api_is_a_json_500(app_config, caplog):
    """The API blueprints answer JSON whatever goes wrong: a bug is a logged problem+json
    500 with nothing internal in it, not the HTML error page."""
    import logging

    from issuer.web.api import json_api_blueprint

    failing = create_app(app_config)
    bp = json_api_blueprint("failing_api", __name__)

    @bp.post("/api/v1/_boom")
    def _boom():
        raise RuntimeError("internal secret detail")

    failing.register_blueprint(bp)
    failing.extensions["csrf"].exempt(bp)
    with caplog.at_level(logging.ERROR):
        response = failing.test_client().post("/api/v1/_boom", headers={"Accept": "text/html"})
    body = assert_problem(response, 500)
    assert body["title"] == "Internal Server Error"
    assert "secret" not in response.get_data(as_text=True)
    assert "internal secret detail" in caplog.text


# -- the /verify page and documents fetched from other servers ------------------------------------

PAGE_CASES = [kind for kind in HOSTILE if kind != "nul"]


def submit_page(client, **fields: str):
    from tests.web.verify_helpers import csrf_of

    token = csrf_of(client.get("/verify").get_data(as_text=True))
    return client.post("/verify", data={"csrf_token": token, "json_text": "", "url": "",
                                        "email": "", **fields},
                       content_type="multipart/form-data", headers={"Accept": "text/html"})


@pytest.mark.parametrize("kind", PAGE_CASES)
def test_the_verify_page_names_hostile_pasted_json(client, kind):
    from tests.web.verify_helpers import form_error, verdict

    text = json.dumps({"verifiable": "__hostile__"}).replace(SLOT, HOSTILE[kind][0])
    response = submit_page(client, json_text=text)
    assert response.status_code == 422 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert verdict(html) is None
    assert HOSTILE[kind][1] in form_error(html), form_error(html)


def test_the_verify_page_verifies_a_credential_holding_nul(client, offline):
    """NUL is text, if odd: a pasted credential holding one is verified (and fails), since
    nothing is stored."""
    from tests.web.verify_helpers import signed, verdict

    document = signed()
    document["name"] = "tampered\x00"
    response = submit_page(client, json_text=json.dumps(document))
    assert response.status_code == 200
    verified, failed = verdict(response.get_data(as_text=True))
    assert not verified and "proof" in failed


@pytest.fixture
def fetch_private(api_app):
    api_app.config["VERIFY_FETCH_PRIVATE"] = True  # the "other server" is on 127.0.0.1
    yield
    api_app.config["VERIFY_FETCH_PRIVATE"] = False


@pytest.mark.parametrize("kind", ["10000-deep-objects", "nan", "lone-surrogate",
                                  "duplicate-names", "5000-digit-integer"])
def test_hostile_json_fetched_by_url_gets_a_form_message(client, http_server, fetch_private,
                                                         kind):
    from tests.web.verify_helpers import form_error

    body = json.dumps({"credential": "__hostile__"}).replace(SLOT, HOSTILE[kind][0])
    url = http_server.serve(f"/hostile/{kind}", body.encode("utf-8"), "application/json")
    response = submit_page(client, url=url)
    assert response.status_code == 422
    assert HOSTILE[kind][1] in form_error(response.get_data(as_text=True))


@pytest.mark.parametrize("kind", ["10000-deep-arrays", "1e400", "lone-surrogate",
                                  "duplicate-names"])
def test_a_hostile_issuer_document_is_named_in_the_result(client, http_server, fetch_private,
                                                          offline, kind):
    """An issuer whose published profile is hostile JSON: the profile cannot be read, and the
    result says why (here the key comes from the verification method id, with a warning
    that the issuer's published keys were not consulted); no 500."""
    from tests.web.verify_helpers import PUBLIC, signed

    issuer_id = http_server.base + f"/issuers/{kind}"
    http_server.serve(f"/issuers/{kind}", json.dumps({"id": issuer_id, "x": "__hostile__"})
                      .replace(SLOT, HOSTILE[kind][0]).encode("utf-8"), "application/ld+json")
    document = signed(issuer_id=issuer_id, vm=f"{issuer_id}#{PUBLIC}")
    response = client.post("/credentials/verify", json={"verifiableCredential": document})
    assert response.status_code in (200, 422) and response.mimetype == "application/json"
    proof = next(check for check in response.get_json()["checks"] if check["id"] == "proof")
    assert any("did not return JSON: " in warning and HOSTILE[kind][1] in warning
               for warning in proof.get("warnings", [])), proof
