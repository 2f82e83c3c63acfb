"""The OB 3.0 API's OAuth 2.0: what registration, the consent page and the token endpoint
refuse (bad metadata, missing or plain PKCE, unknown clients and redirect URIs, reused,
expired or mismatched codes, reused refresh tokens), and that no secret is stored in clear."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from issuer import db
from issuer.obapi.models import ObApiAuthorizationCode, ObApiClient, ObApiToken
from tests.obapi.flow import (
    authorize_url,
    bearer,
    code_of,
    consent,
    exchange,
    register,
    sign_in_member,
    tokens,
)
from tests.obapi.helpers import (
    REDIRECT_URI,
    SCOPE,
    csrf_of,
    make_member,
    pkce,
    registration_request,
    sign_in_token,
)


def _count(app, model) -> int:
    with app.app_context():
        return len(db.get_session().scalars(select(model)).all())


@pytest.mark.parametrize("overrides, error", [
    ({"client_name": None}, "invalid_client_metadata"),
    ({"software_id": None}, "invalid_client_metadata"),
    ({"tos_uri": None}, "invalid_client_metadata"),
    ({"redirect_uris": []}, "invalid_client_metadata"),
    ({"redirect_uris": ["http://backpack.example/callback"]}, "invalid_redirect_uri"),
    ({"redirect_uris": ["https://backpack.example/cb#frag"]}, "invalid_redirect_uri"),
    ({"redirect_uris": ["javascript:alert(1)"]}, "invalid_redirect_uri"),
    ({"redirect_uris": "https://backpack.example/cb"}, "invalid_redirect_uri"),
    ({"redirect_uris": [f"https://b.example/{i}" for i in range(11)]}, "invalid_redirect_uri"),
    ({"scope": SCOPE + "credential.delete"}, "invalid_client_metadata"),
    ({"grant_types": ["client_credentials"]}, "invalid_client_metadata"),
    ({"response_types": ["token"]}, "invalid_client_metadata"),
    ({"token_endpoint_auth_method": "none"}, "invalid_client_metadata"),
    ({"client_name": "x" * 501}, "invalid_client_metadata"),
    ({"client_uri": 5}, "invalid_client_metadata"),
])
def test_registration_refuses_bad_metadata(app, client, overrides, error):
    answer = client.post("/ob/oauth/register", json=registration_request(**overrides))
    assert answer.status_code == 400
    assert answer.json["error"] == error, answer.json
    assert answer.headers["Cache-Control"] == "no-store"
    assert _count(app, ObApiClient) == 0


@pytest.mark.parametrize("body, content_type", [
    (b"", "application/json"), (b"{nope", "application/json"), (b"[1, 2]", "application/json"),
    (b'{"a": 1, "a": 2}', "application/json"), (b"client_name=x", "application/x-www-form-urlencoded"),
    (b'{"client_name": "x"}', "text/plain"),
])
def test_registration_refuses_what_is_not_a_json_object(app, client, body, content_type):
    answer = client.post("/ob/oauth/register", data=body, content_type=content_type)
    assert answer.status_code == 400
    assert answer.json["error"] == "invalid_client_metadata"
    assert _count(app, ObApiClient) == 0


def test_registration_takes_loopback_http_and_defaults(app, client):
    answer = client.post("/ob/oauth/register", json=registration_request(
        redirect_uris=["http://localhost:4000/cb", "http://[::1]:4000/cb",
                       "https://backpack.example/cb?x=1"],
        scope=None, grant_types=None, response_types=None, token_endpoint_auth_method=None))
    assert answer.status_code == 201, answer.json
    assert set(answer.json["scope"].split()) == {
        SCOPE + s for s in ("credential.readonly", "credential.upsert", "profile.readonly",
                            "profile.update")}
    assert answer.json["grant_types"] == ["authorization_code", "refresh_token"]
    assert answer.json["token_endpoint_auth_method"] == "client_secret_basic"
    assert answer.json["client_id"] and answer.json["client_secret"]


def test_an_oversized_authorization_request_is_not_kept_in_the_cookie(app, client):
    registered = register(client)
    _, challenge = pkce()
    huge = authorize_url(registered, challenge=challenge, state="s" * 3000)
    answer = client.get(huge)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/members/sign-in")
    with client.session_transaction() as cookie:
        assert "member_next" not in cookie


def test_signing_in_leads_back_to_the_consent_page(app, client):
    registered = register(client)
    _, challenge = pkce()
    url = authorize_url(registered, challenge=challenge)
    first = client.get(url)
    assert first.status_code == 302 and first.headers["Location"].endswith("/members/sign-in")
    sign_in_member(app, client)  # the link's POST redirects back to the consent page
    # (checked end to end in test_dance.py; here: the page now opens)
    page = client.get(url)
    assert page.status_code == 200 and "Faraway Backpack" in page.get_data(as_text=True)


@pytest.mark.parametrize("challenge, method, needle", [
    (None, None, "PKCE is required"),
    ("a" * 43, None, "S256"),
    ("a" * 43, "plain", "S256"),
    ("short", "S256", "code_challenge"),
])
def test_pkce_is_required_and_only_s256(app, client, challenge, method, needle):
    registered = register(client)
    sign_in_member(app, client)
    answer = client.get(authorize_url(registered, challenge=challenge, method=method))
    assert answer.status_code == 302  # back to the (registered) client, with the error
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query["error"] == ["invalid_request"] and query["state"] == ["st4te"]
    assert needle in query["error_description"][0]
    assert _count(app, ObApiAuthorizationCode) == 0


def test_unknown_clients_and_redirect_uris_are_never_redirected_to(app, client):
    registered = register(client)
    sign_in_member(app, client)
    _, challenge = pkce()
    other = authorize_url(registered, challenge=challenge,
                          redirect_uri="https://attacker.example/cb")
    answer = client.get(other)
    assert answer.status_code == 400 and "Location" not in answer.headers
    assert "cannot be approved" in answer.get_data(as_text=True)
    registered.client_id = "obapi-nobody"
    answer = client.get(authorize_url(registered, challenge=challenge))
    assert answer.status_code == 400 and "Location" not in answer.headers


def test_consent_needs_its_csrf_token_and_deny_says_access_denied(app, client):
    registered = register(client)
    sign_in_member(app, client)
    _, challenge = pkce()
    url = authorize_url(registered, challenge=challenge)
    forged = client.post(url, data={"allow": "1"})
    assert forged.status_code == 400 and "Location" not in forged.headers
    denied = consent(client, url, allow=False)
    assert denied.status_code == 302
    assert parse_qs(urlsplit(denied.headers["Location"]).query)["error"] == ["access_denied"]
    assert _count(app, ObApiAuthorizationCode) == 0


def test_codes_are_single_use_short_lived_and_bound_to_the_verifier(app, client, clock):
    registered = register(client)
    sign_in_member(app, client)
    verifier, challenge = pkce()
    code = code_of(consent(client, authorize_url(registered, challenge=challenge)))
    wrong = exchange(client, registered, code, pkce()[0])
    assert wrong.status_code == 400 and wrong.json["error"] == "invalid_grant"
    no_verifier = client.post("/ob/oauth/token", headers=registered.basic(), data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI})
    assert no_verifier.status_code == 400 and no_verifier.json["error"] == "invalid_request"
    other_redirect = exchange(client, registered, code, verifier,
                              redirect_uri="http://127.0.0.1:8765/other")
    assert other_redirect.json["error"] == "invalid_grant"
    assert exchange(client, registered, code, verifier).status_code == 200
    again = exchange(client, registered, code, verifier)
    assert again.status_code == 400 and again.json["error"] == "invalid_grant"

    late = code_of(consent(client, authorize_url(registered, challenge=challenge)))
    clock.advance(seconds=121)
    expired = exchange(client, registered, late, verifier)
    assert expired.status_code == 400 and expired.json["error"] == "invalid_grant"
    assert _count(app, ObApiToken) == 1


def test_a_code_works_only_for_its_client_and_with_its_secret(app, client):
    registered = register(client)
    intruder = register(client, client_name="Intruder")
    sign_in_member(app, client)
    verifier, challenge = pkce()
    code = code_of(consent(client, authorize_url(registered, challenge=challenge)))
    stolen = exchange(client, intruder, code, verifier)
    assert stolen.status_code == 400 and stolen.json["error"] == "invalid_grant"
    registered.client_secret = "guess"
    bad_secret = exchange(client, registered, code, verifier)
    assert bad_secret.status_code == 401 and bad_secret.json["error"] == "invalid_client"
    assert _count(app, ObApiToken) == 0


def test_refresh_tokens_rotate_and_revocation_ends_both(app, client):
    registered, token = tokens(app, client)
    refresh = {"grant_type": "refresh_token", "refresh_token": token["refresh_token"]}
    rotated = client.post("/ob/oauth/token", headers=registered.basic(), data=refresh)
    assert rotated.status_code == 200
    new = rotated.json
    assert new["refresh_token"] != token["refresh_token"]
    reused = client.post("/ob/oauth/token", headers=registered.basic(), data=refresh)
    assert reused.status_code == 400 and reused.json["error"] == "invalid_grant"
    narrower = client.post("/ob/oauth/token", headers=registered.basic(), data={
        "grant_type": "refresh_token", "refresh_token": new["refresh_token"],
        "scope": SCOPE + "credential.delete"})
    assert narrower.status_code == 400 and narrower.json["error"] == "invalid_scope"

    revoked = client.post("/ob/oauth/revoke", headers=registered.basic(),
                          data={"token": new["refresh_token"], "token_type_hint": "refresh_token"})
    assert revoked.status_code == 200
    assert client.get("/ims/ob/v3p0/credentials", headers=bearer(new)).status_code == 401
    unknown = client.post("/ob/oauth/revoke", headers=registered.basic(), data={"token": "nope"})
    assert unknown.status_code == 200  # RFC 7009 §2.2: unknown tokens are not an error


def test_no_secret_is_stored_in_clear(app, client):
    registered, token = tokens(app, client)
    _, challenge = pkce()
    pending = code_of(consent(client, authorize_url(registered, challenge=challenge)))
    secrets = [registered.client_secret, token["access_token"], token["refresh_token"], pending]
    with app.app_context():
        session = db.get_session()
        rows = [row for model in (ObApiClient, ObApiToken, ObApiAuthorizationCode)
                for row in session.execute(model.__table__.select()).all()]
    assert len(rows) == 3
    text = repr(rows)
    assert not any(secret in text for secret in secrets)


def test_the_consent_form_may_redirect_to_its_client_only(app, client):
    registered = register(client, redirect_uris=["https://backpack.example:8443/cb"])
    sign_in_member(app, client)
    _, challenge = pkce()
    page = client.get(authorize_url(registered, challenge=challenge,
                                    redirect_uri="https://backpack.example:8443/cb"))
    policy = page.headers["Content-Security-Policy"]
    assert "form-action 'self' https://backpack.example:8443;" in policy
    assert "frame-ancestors 'none'" in policy and page.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("uri", [
    "https://a.example;script-src*/cb", "https://a.example /cb", "https://a_b.example/cb",
    "https://user:pw@a.example/cb", "https://a.example:99999/cb",
])
def test_redirect_uris_are_plain_origins(client, uri):
    answer = client.post("/ob/oauth/register", json=registration_request(redirect_uris=[uri]))
    assert answer.status_code == 400 and answer.json["error"] == "invalid_redirect_uri"


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil"])
def test_signing_in_never_leaves_the_site(app, client, target):
    with client.session_transaction() as cookie:
        cookie["member_next"] = target
    slug = make_member(app)
    page = client.get("/members/sign-in/continue").get_data(as_text=True)
    answer = client.post("/members/sign-in/continue",
                         data={"csrf_token": csrf_of(page), "token": sign_in_token(app, slug)})
    assert answer.status_code == 302 and answer.headers["Location"] == "/members/me"
