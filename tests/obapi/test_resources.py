"""The OB 3.0 API's resources: scopes decide what a token may do, bad query parameters and
bodies are refused with ``Imsx_StatusInfo``, held credentials are verified before they are
kept (a VC-JWT too, listed under ``compactJwsString``), and the discovery document is a
valid OpenAPI file and Service Description Document."""

from __future__ import annotations

import copy

import pytest
from openapi_spec_validator import validate as validate_openapi
from sqlalchemy import select

from issuer import db
from issuer.obapi.models import HeldCredential
from issuer.openbadges import schema_validation
from tests.api_helpers import make_token
from tests.obapi.flow import bearer, tokens
from tests.obapi.helpers import (
    MEMBER_EMAIL,
    SCOPE,
    assert_status_info,
    openapi_errors,
    response_errors,
    schema_errors,
)
from tests.service_fixtures import issue_credential, make_achievement
from tests.web.verify_helpers import signed

API = "/ims/ob/v3p0"


def _held(app) -> list[HeldCredential]:
    with app.app_context():
        return list(db.get_session().scalars(select(HeldCredential)))


def test_discovery_is_an_openapi_file_and_a_service_description(client, profile):
    document = client.get(f"{API}/discovery").get_json()
    validate_openapi(document)
    assert openapi_errors(document, "ServiceDescriptionDocument") == []
    info = document["info"]
    assert info["title"] == "Example University"
    assert info["x-imssf-privacyPolicyUrl"] and info["termsOfService"]
    scheme = document["components"]["securitySchemes"]["OAuth2ACG"]
    assert scheme["x-imssf-registrationUrl"] == "http://localhost:5000/ob/oauth/register"
    assert set(document["paths"]) == {"/credentials", "/profile", "/discovery"}


def test_each_scope_opens_only_its_own_operations(app, client, profile):
    _, token = tokens(app, client, scope=SCOPE + "credential.readonly")
    headers = bearer(token)
    assert client.get(f"{API}/credentials", headers=headers).status_code == 200
    for method, path in (("post", "credentials"), ("get", "profile"), ("put", "profile")):
        answer = getattr(client, method)(f"{API}/{path}", headers=headers, json={})
        assert answer.status_code == 403, (method, path)
        assert_status_info(answer.get_json(), code_minor="forbidden")


def test_other_bearer_tokens_are_not_ob_api_tokens(app, client, profile):
    api_token = make_token(app, scopes=("issue", "read"))  # an admin's API token
    answer = client.get(f"{API}/credentials", headers=bearer({"access_token": api_token}))
    assert answer.status_code == 401
    assert 'error="invalid_token"' in answer.headers["WWW-Authenticate"]
    assert_status_info(answer.get_json(), code_minor="unauthorizedrequest")


@pytest.mark.parametrize("query", [
    "limit=0", "limit=abc", "limit=-1", "offset=-1", "offset=1.5", "limit=99999999999",
    "since=yesterday", "since=" + "9" * 50,
])
def test_bad_query_parameters_are_invalid_query_parameter(app, client, profile, query):
    _, token = tokens(app, client)
    answer = client.get(f"{API}/credentials?{query}", headers=bearer(token))
    assert answer.status_code == 400
    assert_status_info(answer.get_json(), code_minor="invalid_query_parameter")


def test_paging_since_and_a_large_limit(app, client, profile):
    _, token = tokens(app, client)
    achievement = make_achievement(app)
    for _ in range(3):
        issue_credential(app, achievement, email=MEMBER_EMAIL)
    issue_credential(app, achievement, email="someone.else@example.org")
    answer = client.get(f"{API}/credentials?limit=1000", headers=bearer(token))
    assert answer.headers["X-Total-Count"] == "3"
    assert len(answer.get_json()["credential"]) == 3
    assert response_errors(answer.get_json()) == []
    assert "limit=100&offset=0" in answer.headers["Link"]  # capped at 100 per page
    beyond = client.get(f"{API}/credentials?offset=10", headers=bearer(token)).get_json()
    assert beyond == {"credential": [], "compactJwsString": []}
    later = client.get(f"{API}/credentials?since=2999-01-01T00:00:00Z", headers=bearer(token))
    assert later.headers["X-Total-Count"] == "0"


@pytest.mark.parametrize("body, content_type", [
    (b"{nope", "application/json"),
    (b"[]", "application/json"),
    (b'{"type": ["VerifiableCredential"]}', "application/json"),
    (b"not.a-jws", "text/plain"),
    (b"\xff\xfe", "text/plain"),
])
def test_upsert_refuses_what_is_not_a_credential(app, client, profile, body, content_type):
    _, token = tokens(app, client)
    answer = client.post(f"{API}/credentials", data=body, content_type=content_type,
                         headers=bearer(token))
    assert answer.status_code == 400, answer.get_data(as_text=True)
    assert_status_info(answer.get_json(), code_minor="invalid_data")
    assert _held(app) == []


def test_upsert_refuses_credentials_that_do_not_verify(app, client, profile):
    _, token = tokens(app, client)
    tampered = copy.deepcopy(signed(email=MEMBER_EMAIL))
    tampered["issuer"]["name"] = "Someone Famous"
    answer = client.post(f"{API}/credentials", json=tampered, headers=bearer(token))
    assert answer.status_code == 400
    assert "does not verify" in answer.get_json()["imsx_description"]
    unsigned = signed(email=MEMBER_EMAIL)
    del unsigned["proof"]
    answer = client.post(f"{API}/credentials", json=unsigned, headers=bearer(token))
    assert answer.status_code == 400
    assert _held(app) == []


def test_a_vc_jwt_is_kept_as_its_compact_jws(app, client, profile):
    achievement = make_achievement(app)
    api_token = make_token(app, scopes=("issue",))
    issued = client.post("/api/v1/credentials", headers=bearer({"access_token": api_token}),
                         json={"achievement": achievement,
                               "recipient": {"email": "elsewhere@example.org"},
                               "format": "vc+jwt"})
    assert issued.status_code == 201, issued.get_json()
    jws = issued.get_json()["vcJwt"]
    _, token = tokens(app, client)
    kept = client.post(f"{API}/credentials", data=jws, content_type="text/plain",
                       headers=bearer(token))
    assert kept.status_code == 201, kept.get_data(as_text=True)
    assert kept.mimetype == "text/plain" and kept.get_data(as_text=True) == jws
    listed = client.get(f"{API}/credentials", headers=bearer(token)).get_json()
    assert listed["compactJwsString"] == [jws] and listed["credential"] == []
    assert response_errors(listed) == []
    assert [row.compact_jws for row in _held(app)] == [True]


def test_profile_updates_are_checked(app, client, profile):
    _, token = tokens(app, client)
    mine = client.get(f"{API}/profile", headers=bearer(token)).get_json()
    assert schema_errors(mine, schema_validation.PROFILE) == []
    for body in ({**mine, "id": "https://elsewhere.example/me"}, {**mine, "name": ""},
                 {"name": "No id or type"}, {**mine, "description": 5}, [mine]):
        answer = client.put(f"{API}/profile", json=body, headers=bearer(token))
        assert answer.status_code == 400, body
        assert_status_info(answer.get_json(), code_minor="invalid_data")
    assert client.get(f"{API}/profile", headers=bearer(token)).get_json() == mine


def test_every_error_is_status_info(app, client, profile):
    for answer, code_minor in (
        (client.get(f"{API}/credentials"), "unauthorizedrequest"),
        (client.get(f"{API}/nothing-here"), "not_found"),
        (client.delete(f"{API}/credentials"), "not_allowed"),
        (client.post(f"{API}/discovery"), "not_allowed"),
        (client.get(f"{API}/profile", headers={"Authorization": "Bearer nope"}),
         "unauthorizedrequest"),
    ):
        assert answer.status_code >= 400
        assert_status_info(answer.get_json(), code_minor=code_minor)
