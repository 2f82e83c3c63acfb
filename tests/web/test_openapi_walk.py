"""/openapi.json and the server agree, checked over HTTP on a real local server: every
documented path and method is called (with valid auth, and in the ways that lead to each
documented error), and each answer's status, media type and body are among those the document
gives; every response the document gives is produced; every undocumented method on those
paths is a 405 whose Allow header names exactly the documented ones; and the links an issued
credential comes with all resolve."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
import urllib3
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from werkzeug.serving import make_server

from issuer import db
from issuer.clock import format_datetime, utc_now
from issuer.services import bulk, idempotency
from issuer.services.tx import atomic
from tests.api_helpers import ISSUER_DID, make_client, make_token, minimal_vc
from tests.service_fixtures import BASE_URL, make_achievement, make_profile, sign_in

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
UNKNOWN = "3f1c2c55-0000-4000-8000-000000000000"
# Documented answers no test can bring about on purpose.
UNREACHABLE = {
    ("post", "/api/v1/credentials", "409"): "two requests saving one new recipient at once",
    ("get", "/status/{id}", "503"): "the database not answering",
}


@dataclass
class Answer:
    status: int
    mimetype: str
    headers: urllib3.HTTPHeaderDict
    data: bytes

    def json(self) -> Any:
        return json.loads(self.data)


@dataclass
class Server:
    url: str
    http: urllib3.PoolManager = field(default_factory=lambda: urllib3.PoolManager(retries=False))

    def call(self, method: str, path: str, *, body: Any = None, form: dict | None = None,
             headers: dict[str, str] | None = None, raw: bytes | None = None) -> Answer:
        headers = {"Accept": "application/json", **(headers or {})}
        data = raw
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        elif form is not None:
            data = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        response = self.http.request(method, self.url + path.removeprefix(BASE_URL),
                                     body=data, headers=headers, redirect=False)
        mimetype = response.headers.get("Content-Type", "").split(";")[0].strip()
        return Answer(response.status, mimetype, response.headers, response.data)


@pytest.fixture
def server(app) -> Iterator[Server]:
    running = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{running.server_port}")
    finally:
        running.shutdown()
        running.server_close()
        thread.join(timeout=10)


@pytest.fixture
def spec(server) -> dict[str, Any]:
    answer = server.call("GET", "/openapi.json")
    assert answer.status == 200
    return answer.json()


class Checker:
    """Checks each answer against the document and remembers which responses were seen."""

    def __init__(self, spec: dict[str, Any]):
        self.spec = spec
        self.registry = Registry().with_resource("urn:openapi", Resource(spec, DRAFT202012))
        self.seen: set[tuple[str, str, str]] = set()

    def __call__(self, path: str, method: str, answer: Answer) -> Answer:
        operation = self.spec["paths"][path][method]
        code = str(answer.status)
        documented = operation["responses"].get(code)
        assert documented, (f"{method.upper()} {path} answered {code}, which is not documented: "
                            f"{answer.data[:300]!r}")
        self.seen.add((method, path, code))
        content = documented.get("content")
        if not content:
            assert not answer.data, f"{method.upper()} {path} {code} documents no body"
            return answer
        assert answer.mimetype in content, (method, path, code, answer.mimetype, list(content))
        schema = content[answer.mimetype]["schema"]
        root = {"$ref": "urn:openapi" + schema["$ref"]} if "$ref" in schema else schema
        errors = sorted(Draft202012Validator(root, registry=self.registry)
                        .iter_errors(answer.json()), key=str)
        assert not errors, (method, path, code, [error.message for error in errors[:5]])
        for name in documented.get("headers", {}):
            assert name in answer.headers, (method, path, code, name)
        return answer


def bearer(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


def event(event_id: str, **changes: Any) -> dict[str, Any]:
    return {"id": event_id, "member": {"email": "ada@example.org"}, "action": "forum.post",
            "occurredAt": format_datetime(utc_now()), **changes}


def bulk_job(app, achievement_id: str) -> str:
    with app.app_context():
        session = db.get_session()
        checked = bulk.preview(session, achievement_id=achievement_id,
                               data=b"email\nada@example.org\n", now=utc_now())
        with atomic(session):
            return bulk.create_job(session, checked, filename="a.csv", now=utc_now()).id


def test_every_documented_operation_answers_as_documented(app, server, spec, profile, admin,
                                                          tmp_path):
    check = Checker(spec)
    achievement = make_achievement(app)
    token = make_token(app, scopes=("issue", "read", "revoke", "events"))
    reader = make_token(app, scopes=("read",))
    make_profile(app, slug="other", name="Other College")
    other = make_token(app, issuer="other", scopes=("issue", "read", "revoke", "events"))
    client_id, secret = make_client(app)
    basic = "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    browser = app.test_client()
    assert sign_in(browser).status_code == 302
    admin = {"Cookie": f"session={browser.get_cookie('session').value}"}

    def call(method: str, path: str, concrete: str | None = None, **options: Any) -> Answer:
        return check(path, method.lower(), server.call(method, concrete or path, **options))

    # -- VC-API issue
    issue = "/credentials/issue"
    hosted_id = f"{BASE_URL}/credentials/0d7a4d0e-1111-4000-8000-000000000000"
    call("POST", issue, body={"credential": minimal_vc()}, headers=bearer(token))
    call("POST", issue, body={"credential": minimal_vc(id=hosted_id)}, headers=bearer(token))
    call("POST", issue, body={"credential": minimal_vc(id=hosted_id)}, headers=bearer(token))
    call("POST", issue, body=["no"], headers=bearer(token))
    call("POST", issue, body={"credential": minimal_vc(type=["Nope"])}, headers=bearer(token))
    call("POST", issue, body={"credential": minimal_vc()})
    call("POST", issue, body={"credential": minimal_vc()}, headers=bearer(reader))

    # -- VC-API status
    with_status = call("POST", issue, headers=bearer(token), body={
        "credential": minimal_vc(), "options": {"credentialStatus": [
            {"type": "BitstringStatusListEntry", "statusPurpose": "revocation"},
            {"type": "BitstringStatusListEntry", "statusPurpose": "suspension"}]}})
    signed = with_status.json()["verifiableCredential"]

    def status_body(state: str, credential_id: str = signed["id"], **extra: Any) -> dict:
        return {"credentialId": credential_id,
                "credentialStatus": [{"type": "BitstringStatusListCredential",
                                      "status": state}], **extra}

    status = "/credentials/status"
    call("POST", status, body=status_body("suspended", reason="Under review"),
         headers=bearer(token))
    call("POST", status, body={"credentialId": 1}, headers=bearer(token))
    call("POST", status, body=status_body("revoked"))
    call("POST", status, body=status_body("revoked"), headers=bearer(other))
    call("POST", status, body=status_body("revoked", f"urn:uuid:{UNKNOWN}"), headers=bearer(token))
    call("POST", status, body=status_body("revoked", reason=5), headers=bearer(token))
    call("POST", status, body=status_body("revoked"), headers=bearer(token))
    call("POST", status, body=status_body("active"), headers=bearer(token))  # 409: revoked

    # -- verify
    verify = "/credentials/verify"
    plain = call("POST", issue, body={"credential": minimal_vc()}, headers=bearer(token))
    good = plain.json()["verifiableCredential"]
    call("POST", verify, body={"verifiableCredential": good})
    call("POST", verify, body={"verifiableCredential": {**good, "issuer": ISSUER_DID + ":x"}})
    call("POST", verify, body=[])
    presentations = "/presentations/verify"
    presentation = {"@context": ["https://www.w3.org/ns/credentials/v2"],
                    "type": ["VerifiablePresentation"], "verifiableCredential": [good]}
    call("POST", presentations, body={"presentation": presentation})
    call("POST", presentations, body={"verifiablePresentation": presentation,
                                      "options": {"challenge": "c-1", "domain": "example.org",
                                                  "returnPresentation": True}})
    call("POST", presentations, body={"verifiablePresentation": "a.b.c"})

    # -- native issuing and reading
    native = "/api/v1/credentials"
    issued = call("POST", native, headers=bearer(token, **{"Idempotency-Key": "walk-1"}),
                  body={"achievement": achievement, "recipient": {"email": "ada@example.org"}})
    call("POST", native, headers=bearer(token, **{"Idempotency-Key": "with spaces"}),
         body={"achievement": achievement, "recipient": {"email": "ada@example.org"}})
    call("POST", native, body={"achievement": achievement, "recipient": {"email": "x@y.org"}})
    call("POST", native, headers=bearer(other),
         body={"achievement": achievement, "recipient": {"email": "ada@example.org"}})
    call("POST", native, headers=bearer(token),
         body={"achievement": achievement, "recipient": {"email": "not an email"}})
    one = "/api/v1/credentials/{id}"
    credential_id = issued.json()["id"]
    call("GET", one, f"/api/v1/credentials/{credential_id}", headers=bearer(reader))
    call("GET", one, f"/api/v1/credentials/{credential_id}")
    call("GET", one, f"/api/v1/credentials/{credential_id}", headers=bearer(other))
    call("GET", one, f"/api/v1/credentials/{UNKNOWN}", headers=bearer(reader))
    # -- offers to wallets (issue 12)
    offer, to = "/api/v1/credentials/{id}/offers", f"/api/v1/credentials/{credential_id}/offers"
    call("POST", offer, to, body={"protocol": "lcw"}, headers=bearer(token))
    call("POST", offer, to, body=["no"], headers=bearer(token))
    call("POST", offer, to, body={"protocol": "lcw"})
    call("POST", offer, to, body={"protocol": "lcw"}, headers=bearer(other))
    call("POST", offer, f"/api/v1/credentials/{UNKNOWN}/offers", body={"protocol": "lcw"},
         headers=bearer(token))
    call("POST", offer, to, body={"protocol": "fax"}, headers=bearer(token))

    # -- OAuth
    call("POST", "/oauth/token", form={"grant_type": "client_credentials"},
         headers={"Authorization": basic})
    call("POST", "/oauth/token", form={"grant_type": "password"},
         headers={"Authorization": basic})
    call("POST", "/oauth/token", form={"grant_type": "client_credentials"})
    for _ in range(6):  # wrong secrets for one client_id: throttled (429) after the fifth
        call("POST", "/oauth/token", form={"grant_type": "client_credentials",
                                           "client_id": "obc_walker", "client_secret": "wrong"})

    # -- bulk progress (admin session)
    progress = "/admin/bulk/{id}/progress"
    call("GET", progress, f"/admin/bulk/{bulk_job(app, achievement)}/progress", headers=admin)
    call("GET", progress, f"/admin/bulk/{UNKNOWN}/progress", headers=admin)

    # -- status lists
    lists = "/status/{id}"
    list_url = issued.json()["credential"]["credentialStatus"]["statusListCredential"]
    first = call("GET", lists, list_url)
    for accept in ("application/vc+ld+json", "application/ld+json", "text/html"):
        call("GET", lists, list_url, headers={"Accept": accept})
    call("GET", lists, list_url, headers={"If-None-Match": first.headers["ETag"]})
    call("GET", lists, f"/status/{UNKNOWN}", headers={"Accept": "text/html"})

    # -- events
    events = "/api/v1/events"
    call("POST", events, body=event("e-1"), headers=bearer(token))
    call("POST", events, body={"events": [event("e-2"), event("e-3", action="Bad")]},
         headers=bearer(token))
    call("POST", events, body=event("e-1", action="forum.reply"), headers=bearer(token))
    call("POST", events, body=event("e-4", occurredAt="yesterday"), headers=bearer(token))
    call("POST", events, raw=b"[" * 10_000, headers=bearer(token, **{
        "Content-Type": "application/json"}))
    call("POST", events, body=event("e-5"))
    call("POST", events, body=event("e-5"), headers=bearer(reader))

    # -- endorsements
    given = "/api/v1/endorsements"
    ours = f"{BASE_URL}/achievements/{achievement}"
    issue_only = make_token(app, scopes=("issue",))
    made = call("POST", given, body={"endorsed": ours, "comment": "Sound."},
                headers=bearer(other)).json()
    call("POST", given, body=["no"], headers=bearer(token))
    call("POST", given, body={"endorsed": "not an id"}, headers=bearer(token))
    call("POST", given, body={"endorsed": ours})
    call("POST", given, body={"endorsed": ours}, headers=bearer(reader))
    call("GET", given, headers=bearer(other))
    call("GET", given)
    call("GET", given, headers=bearer(issue_only))
    one = "/api/v1/endorsements/{id}"
    call("GET", one, f"{given}/{made['id']}", headers=bearer(other))
    call("GET", one, f"{given}/999999", headers=bearer(other))
    call("GET", one, f"{given}/{made['id']}")
    call("GET", one, f"{given}/{made['id']}", headers=bearer(token))
    withdraw = "/api/v1/endorsements/{id}/revoke"
    concrete = f"{given}/{made['id']}/revoke"
    call("POST", withdraw, concrete, body=["no"], headers=bearer(other))
    call("POST", withdraw, concrete, body={}, headers=bearer(other))
    call("POST", withdraw, concrete, body={"reason": "x"})
    call("POST", withdraw, concrete, body={"reason": "x"}, headers=bearer(token))
    call("POST", withdraw, f"{given}/999999/revoke", body={"reason": "x"}, headers=bearer(other))
    call("POST", withdraw, concrete, body={"reason": "Withdrawn"}, headers=bearer(other))
    call("POST", withdraw, concrete, body={"reason": "Again"}, headers=bearer(other))
    from tests.endorsements.helpers import partner_endorsement, tampered

    received = "/api/v1/achievements/{id}/endorsements"
    at = f"/api/v1/achievements/{achievement}/endorsements"
    good = json.dumps(partner_endorsement(tmp_path / "partner", ours)).encode()
    json_type = {"Content-Type": "application/json"}
    call("POST", received, at, raw=good, headers=bearer(token, **json_type))
    call("POST", received, at, raw=b"", headers=bearer(token, **json_type))
    call("POST", received, at, raw=good, headers=json_type)
    call("POST", received, at, raw=good, headers=bearer(other, **json_type))
    call("POST", received, f"/api/v1/achievements/{UNKNOWN}/endorsements", raw=good,
         headers=bearer(token, **json_type))
    call("POST", received, at, raw=json.dumps(tampered(json.loads(good))).encode(),
         headers=bearer(token, **json_type))
    mine = "/api/v1/profile/endorsements"
    token_jws = partner_endorsement(tmp_path / "partner", ISSUER_DID, jwt=True).encode()
    text = {"Content-Type": "text/plain"}
    call("POST", mine, raw=token_jws, headers=bearer(token, **text))
    call("POST", mine, raw=b" ", headers=bearer(token, **text))
    call("POST", mine, raw=token_jws, headers=text)
    call("POST", mine, raw=token_jws, headers=bearer(reader, **text))
    call("POST", mine, raw=token_jws, headers=bearer(other, **text))

    call("GET", "/openapi.json")

    documented = {(method, path, code) for path, item in spec["paths"].items()
                  for method, operation in item.items() for code in operation["responses"]}
    assert check.seen <= documented
    missing = documented - check.seen - set(UNREACHABLE)
    assert not missing, sorted(missing)


def test_the_links_of_an_issued_credential_all_resolve(app, server, profile):
    achievement = make_achievement(app)
    token = make_token(app, scopes=("issue", "read"))
    issued = server.call("POST", "/api/v1/credentials", headers=bearer(token),
                         body={"achievement": achievement,
                               "recipient": {"email": "ada@example.org"}})
    assert issued.status == 201
    answer = issued.json()
    links = answer["links"]
    assert set(links) == {"api", "page", "json", "bakedPng", "qr"}
    assert links["api"] == f"{BASE_URL}/api/v1/credentials/{answer['id']}"
    expected = {"api": "application/json", "page": "text/html",
                "json": "application/vc+ld+json", "bakedPng": "image/png", "qr": "image/png"}
    for name, url in links.items():
        assert url.startswith(BASE_URL + "/"), url
        followed = server.call("GET", url, headers={**bearer(token), "Accept": "text/html"}
                               if name != "api" else bearer(token))
        assert followed.status == 200, (name, url, followed.status)
        assert followed.mimetype == expected[name], (name, followed.mimetype)
    again = server.call("GET", links["api"], headers=bearer(token))
    assert again.json() == answer  # the api link gives back the very answer
    assert server.call("GET", links["page"]).json() == answer["credential"]  # JSON-LD


def test_undocumented_methods_are_405_with_a_true_allow_header(app, server, spec, profile):
    """Each documented path, filled in with real ids: every method the document does not give
    is a 405 (never a 404 or 500), and Allow (on the 405 and on OPTIONS) lists exactly the
    documented methods (with HEAD for GET, and OPTIONS)."""
    achievement = make_achievement(app)
    token = make_token(app, scopes=("issue", "read"))
    issued = server.call("POST", "/api/v1/credentials", headers=bearer(token),
                         body={"achievement": achievement,
                               "recipient": {"email": "ada@example.org"}}).json()
    list_url = issued["credential"]["credentialStatus"]["statusListCredential"]
    ids = {"/api/v1/credentials/{id}": issued["id"],
           "/api/v1/credentials/{id}/offers": issued["id"], "/api/v1/endorsements/{id}": "1",
           "/api/v1/endorsements/{id}/revoke": "1", "/api/v1/achievements/{id}/endorsements":
           achievement, "/admin/bulk/{id}/progress":
           bulk_job(app, achievement), "/status/{id}": list_url.rsplit("/", 1)[-1]}
    for path, item in spec["paths"].items():
        concrete = path.replace("{id}", ids[path]) if "{id}" in path else path
        allowed = {method.upper() for method in item if method.upper() in METHODS}
        expected = allowed | {"OPTIONS"} | ({"HEAD"} if "GET" in allowed else set())
        options = server.call("OPTIONS", concrete)
        assert options.status == 200, (path, options.status)
        assert _allow(options) == expected, (path, "OPTIONS", _allow(options))
        for method in set(METHODS) - expected:
            answer = server.call(method, concrete, raw=b"{}",
                                 headers={"Content-Type": "application/json"})
            assert answer.status == 405, (method, path, answer.status)
            assert _allow(answer) == expected, (method, path, _allow(answer))


@pytest.mark.parametrize("path", ["/credentials/issue", "/credentials/status",
                                  "/credentials/verify"])
def test_post_only_vc_api_paths_are_not_taken_for_credential_ids(server, path):
    """GET /credentials/issue once matched GET /credentials/<id> (a 404 for an unknown
    credential) while OPTIONS advertised GET; now the id route takes only UUIDs."""
    answer = server.call("GET", path)
    assert answer.status == 405 and answer.mimetype == "application/problem+json"
    assert "GET" not in _allow(answer) and "POST" in _allow(answer)
    assert "GET" not in _allow(server.call("OPTIONS", path))


def test_the_idempotency_key_schema_is_the_servers_rule(spec):
    """The documented schema of Idempotency-Key takes exactly the keys the server takes."""
    [parameter] = [p for p in spec["paths"]["/api/v1/credentials"]["post"]["parameters"]
                   if p["name"] == "Idempotency-Key"]
    validator = Draft202012Validator(parameter["schema"])
    samples = ["a", "3b241101-e2bb-4255-8caf-4136c566a962", "x" * 255, "x" * 256, "",
               "with space", "tab\there", "ünï", "emoji✓", "~!{}", "a\x7f", "ok_KEY-1.2:3"]
    for key in samples:
        try:
            idempotency.check_key(key)
            taken = True
        except Exception:  # noqa: BLE001 - InvalidRequest, the server's refusal
            taken = False
        assert validator.is_valid(key) == taken, key


def _allow(answer: Answer) -> set[str]:
    return {method.strip() for method in answer.headers.get("Allow", "").split(",")
            if method.strip()}
