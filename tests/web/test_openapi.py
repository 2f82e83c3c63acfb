"""/openapi.json is a valid OpenAPI 3.1 document and REAL responses match its schemas."""

from __future__ import annotations

import base64
import io
import re

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.api_helpers import ISSUER_DID, bearer, make_client, make_token, minimal_vc
from tests.service_fixtures import csrf_token, make_achievement


@pytest.fixture
def spec(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def check(spec, path: str, method: str, response) -> None:
    """The response's status and media type are documented and its body matches."""
    operation = spec["paths"][path][method]
    documented = operation["responses"].get(str(response.status_code))
    assert documented, f"{method.upper()} {path} does not document {response.status_code}"
    content = documented["content"]
    assert response.mimetype in content, (response.mimetype, list(content))
    schema = content[response.mimetype]["schema"]
    registry = Registry().with_resource("urn:openapi", Resource(spec, DRAFT202012))
    root = {"$ref": "urn:openapi" + schema["$ref"]} if "$ref" in schema else schema
    validator = Draft202012Validator(root, registry=registry)
    errors = sorted(validator.iter_errors(response.get_json(force=True)), key=str)
    assert not errors, [error.message for error in errors[:5]]


def test_the_document_is_valid_openapi_3_1(spec):
    from openapi_spec_validator import validate

    validate(spec)
    assert spec["openapi"] == "3.1.0"
    assert set(spec["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]
               ["scopes"]) >= {"issue", "revoke", "read"}


def test_every_json_endpoint_is_documented(app, spec):
    json_rules = {"/credentials/issue", "/credentials/status", "/credentials/verify",
                  "/api/v1/credentials",
                  "/api/v1/credentials/{id}", "/oauth/token", "/admin/bulk/{id}/progress",
                  "/openapi.json"}
    routes = {re.sub(r"<(?:uuid:)?(?:credential|job|list)_id>", "{id}", str(rule))
              for rule in app.url_map.iter_rules()}
    if "/status/{id}" in routes:
        json_rules.add("/status/{id}")
    assert json_rules <= routes, json_rules - routes  # the app really has them
    assert json_rules <= set(spec["paths"])


def test_issue_responses_match(app, client, profile, spec):
    token = make_token(app, scopes=("issue", "read"))
    reader = make_token(app, scopes=("read",))
    check(spec, "/credentials/issue", "post",
          client.post("/credentials/issue", headers=bearer(token),
                      json={"credential": minimal_vc()}))
    check(spec, "/credentials/issue", "post",
          client.post("/credentials/issue", headers=bearer(token),
                      json={"credential": minimal_vc(type=["Nope"])}))
    check(spec, "/credentials/issue", "post",
          client.post("/credentials/issue", headers=bearer(token), json=["no"]))
    check(spec, "/credentials/issue", "post",
          client.post("/credentials/issue", json={"credential": minimal_vc()}))
    check(spec, "/credentials/issue", "post",
          client.post("/credentials/issue", headers=bearer(reader),
                      json={"credential": minimal_vc()}))
    achievement = make_achievement(app)
    issued = client.post("/api/v1/credentials", headers=bearer(token),
                         json={"achievement": achievement,
                               "recipient": {"email": "a@example.org", "name": "A"}})
    check(spec, "/api/v1/credentials", "post", issued)
    check(spec, "/api/v1/credentials", "post",
          client.post("/api/v1/credentials", headers=bearer(token),
                      json={"achievement": achievement, "recipient": {"email": "x"}}))
    check(spec, "/api/v1/credentials/{id}", "get",
          client.get(f"/api/v1/credentials/{issued.get_json()['id']}", headers=bearer(token)))
    check(spec, "/api/v1/credentials/{id}", "get",
          client.get("/api/v1/credentials/3f1c2c55-0000-4000-8000-000000000000",
                     headers=bearer(token)))
    # A status list, when issue 5's endpoint is there and the credential names one.
    status = issued.get_json()["credential"].get("credentialStatus")
    if status and "/status/{id}" in spec["paths"]:
        entry = status[0] if isinstance(status, list) else status
        url = entry["statusListCredential"].removeprefix(app.config["BASE_URL"])
        check(spec, "/status/{id}", "get",
              client.get(url, headers={"Accept": "application/vc+ld+json"}))


def test_status_responses_match(app, client, profile, spec):
    issuer = make_token(app, scopes=("issue",))
    revoker = make_token(app, scopes=("revoke",))
    issued = client.post("/credentials/issue", headers=bearer(issuer), json={
        "credential": minimal_vc(),
        "options": {"credentialStatus": [{"type": "BitstringStatusListEntry",
                                          "statusPurpose": "revocation"},
                                         {"type": "BitstringStatusListEntry",
                                          "statusPurpose": "suspension"}]}})
    check(spec, "/credentials/issue", "post", issued)
    credential_id = issued.get_json()["verifiableCredential"]["id"]

    def update(status, token=revoker, **extra):
        return client.post("/credentials/status", headers=bearer(token), json={
            "credentialId": credential_id,
            "credentialStatus": [{"type": "BitstringStatusListCredential", "status": status}],
            **extra})

    for response in (update("suspended", reason="Under review"), update("active"),
                     update("revoked"), update("active"), update("revoked", token=issuer)):
        check(spec, "/credentials/status", "post", response)
    check(spec, "/credentials/status", "post",
          client.post("/credentials/status", headers=bearer(revoker), json={"credentialId": 1}))
    check(spec, "/credentials/status", "post",
          client.post("/credentials/status", headers=bearer(revoker), json={
              "credentialId": "urn:uuid:0d7a4d0e-0000-4000-8000-000000000000",
              "credentialStatus": {"status": "revoked"}}))


def test_oauth_responses_match(app, client, profile, spec):
    client_id, secret = make_client(app)
    basic = {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode())
             .decode()}
    check(spec, "/oauth/token", "post",
          client.post("/oauth/token", data={"grant_type": "client_credentials"}, headers=basic))
    check(spec, "/oauth/token", "post",
          client.post("/oauth/token", data={"grant_type": "password"}, headers=basic))
    check(spec, "/oauth/token", "post",
          client.post("/oauth/token", data={"grant_type": "client_credentials"}))


def test_verify_responses_match(app, client, profile, spec):
    token = make_token(app)
    signed = client.post("/credentials/issue", headers=bearer(token),
                         json={"credential": minimal_vc()}).get_json()["verifiableCredential"]
    check(spec, "/credentials/verify", "post",
          client.post("/credentials/verify", json={"verifiableCredential": signed}))
    tampered = {**signed, "issuer": ISSUER_DID + ":other"}
    check(spec, "/credentials/verify", "post",
          client.post("/credentials/verify", json={"verifiableCredential": tampered}))
    check(spec, "/credentials/verify", "post", client.post("/credentials/verify", json=[]))


def test_bulk_progress_matches(app, admin_client, spec):
    achievement = make_achievement(app)
    token = csrf_token(admin_client, "/admin/bulk/")
    uploaded = admin_client.post("/admin/bulk/", data={
        "csrf_token": token, "achievement": achievement,
        "file": (io.BytesIO(b"email\nada@example.org\n"), "a.csv")},
        content_type="multipart/form-data")
    job_id = uploaded.headers["Location"].rsplit("/", 1)[-1]
    check(spec, "/admin/bulk/{id}/progress", "get",
          admin_client.get(f"/admin/bulk/{job_id}/progress"))
    check(spec, "/openapi.json", "get", admin_client.get("/openapi.json"))
