"""The whole OB 3.0 API dance against a running server, with authlib's OAuth2Session as the
client (a real OAuth library, over real HTTP): discover, register, authorize with PKCE (a
member signs in by their emailed link and allows it on the consent page), exchange, list
credentials, upsert one from elsewhere, read and update the profile, refresh (rotated),
revoke. Every answer is checked against the 1EdTech schemas."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.integrations.base_client import OAuthError

from issuer.openbadges import schema_validation

from tests.obapi.helpers import (
    ALL_SCOPES,
    MEMBER_EMAIL,
    REDIRECT_URI,
    assert_status_info,
    csrf_of,
    make_member,
    openapi_errors,
    registration_request,
    response_errors,
    schema_errors,
    sign_in_token,
)
from tests.service_fixtures import issue_credential, make_achievement
from tests.web.test_browser import live_server  # noqa: F401
from tests.web.verify_helpers import signed


def test_register_consent_pkce_list_upsert_refresh_revoke(app, live_server, profile):  # noqa: F811
    base = live_server
    slug = make_member(app)
    achievement = make_achievement(app)
    issued = [issue_credential(app, achievement, email=MEMBER_EMAIL) for _ in range(3)]

    # discovery: the Service Description Document, valid by the OpenAPI file's own schema
    sdd = requests.get(f"{base}/ims/ob/v3p0/discovery", timeout=30).json()
    assert openapi_errors(sdd, "ServiceDescriptionDocument") == []
    scheme = sdd["components"]["securitySchemes"]["OAuth2ACG"]
    flow = scheme["flows"]["authorizationCode"]
    assert set(flow["scopes"]) == set(ALL_SCOPES.split())
    assert sdd["servers"][0]["url"] == f"{base}/ims/ob/v3p0"

    # registration (RFC 7591, the OB 3.0 request)
    answer = requests.post(scheme["x-imssf-registrationUrl"], json=registration_request(),
                           timeout=30)
    assert answer.status_code == 201, answer.text
    client_info = answer.json()
    assert client_info["client_name"] == "Faraway Backpack"
    assert client_info["redirect_uris"] == [REDIRECT_URI]
    assert client_info["client_secret_expires_at"] == 0

    client = OAuth2Session(client_info["client_id"], client_info["client_secret"],
                           scope=ALL_SCOPES, redirect_uri=REDIRECT_URI,
                           code_challenge_method="S256")
    verifier = "v" * 20 + "-verifier-" + "x" * 30
    url, state = client.create_authorization_url(flow["authorizationUrl"],
                                                 code_verifier=verifier)
    assert "code_challenge=" in url and "code_challenge_method=S256" in url

    # the member: not signed in, the consent URL sends them to sign in, then back to it
    browser = requests.Session()
    first = browser.get(url, timeout=30)
    assert first.url.endswith("/members/sign-in")
    page = browser.get(f"{base}/members/sign-in/continue", timeout=30)
    consent = browser.post(f"{base}/members/sign-in/continue", timeout=30,
                           data={"csrf_token": csrf_of(page.text),
                                 "token": sign_in_token(app, slug)})
    assert consent.status_code == 200 and "/ob/oauth/authorize?" in consent.url
    assert "Faraway Backpack" in consent.text
    assert "See your badges" in consent.text and "127.0.0.1:8765" in consent.text
    action = re.search(r'<form method="post" class="stack" action="([^"]+)"', consent.text)
    allowed = browser.post(base + action.group(1).replace("&amp;", "&"), timeout=30,
                           data={"csrf_token": csrf_of(consent.text), "allow": "1"},
                           allow_redirects=False)
    assert allowed.status_code == 302
    callback = allowed.headers["Location"]
    assert callback.startswith(REDIRECT_URI + "?")
    assert parse_qs(urlsplit(callback).query)["state"] == [state]

    token = client.fetch_token(flow["tokenUrl"], authorization_response=callback,
                               code_verifier=verifier)
    assert token["token_type"].lower() == "bearer"
    assert token["refresh_token"] and token["expires_in"] == 3600
    assert set(token["scope"].split()) == set(ALL_SCOPES.split())
    with pytest.raises(OAuthError) as used:  # the code works once
        client.fetch_token(flow["tokenUrl"], authorization_response=callback,
                           code_verifier=verifier)
    assert used.value.error == "invalid_grant"

    # GET /credentials, paged
    api = f"{base}/ims/ob/v3p0"
    listed = client.get(f"{api}/credentials", params={"limit": 2, "offset": 0}, timeout=30)
    assert listed.status_code == 200
    assert listed.headers["X-Total-Count"] == "3"
    links = listed.headers["Link"]
    assert f'<{api}/credentials?limit=2&offset=2>; rel="next"' in links
    assert f'<{api}/credentials?limit=2&offset=2>; rel="last"' in links
    assert 'rel="prev"' not in links
    body = listed.json()
    assert response_errors(body) == []
    assert len(body["credential"]) == 2 and body["compactJwsString"] == []
    second = client.get(f"{api}/credentials", params={"limit": 2, "offset": 2}, timeout=30)
    ids = {c["id"] for c in body["credential"] + second.json()["credential"]}
    assert {i.rsplit("/", 1)[-1].removeprefix("urn:uuid:") for i in ids} == set(issued)
    assert 'rel="prev"' in second.headers["Link"] and 'rel="next"' not in second.headers["Link"]

    # POST /credentials: a credential from another issuer, verified, kept as "held"
    foreign = signed(email=MEMBER_EMAIL)
    created = client.post(f"{api}/credentials", json=foreign, timeout=60)
    assert created.status_code == 201, created.text
    assert created.json() == foreign
    assert schema_errors(created.json(), schema_validation.ACHIEVEMENT_CREDENTIAL) == []
    again = client.post(f"{api}/credentials", json=foreign, timeout=60)
    assert again.status_code == 200  # the same credential: replaced, not added
    tampered = json.loads(json.dumps(foreign))
    tampered["credentialSubject"]["achievement"]["name"] = "Much Better Badge"
    refused = client.post(f"{api}/credentials", json=tampered, timeout=60)
    assert refused.status_code == 400
    assert_status_info(refused.json(), code_minor="invalid_data")
    everything = client.get(f"{api}/credentials", params={"limit": 10}, timeout=30)
    assert everything.headers["X-Total-Count"] == "4"
    assert response_errors(everything.json()) == []
    held = [c for c in everything.json()["credential"] if c["id"] == foreign["id"]]
    assert held == [foreign]  # as received: the same proof, never re-signed
    member_page = browser.get(f"{base}/members/me", timeout=30).text
    assert "Held from other issuers" in member_page and "Far Badge" in member_page

    # profile
    mine = client.get(f"{api}/profile", timeout=30)
    assert mine.status_code == 200
    assert schema_errors(mine.json(), "ob_v3p0_profile_schema.json") == []
    assert openapi_errors(mine.json(), "Profile") == []
    assert mine.json()["id"] == f"{base}/members/{slug}"
    changed = client.put(f"{api}/profile", json={**mine.json(), "name": "Ada King",
                                                  "description": "Analyst."}, timeout=30)
    assert changed.status_code == 200 and changed.json()["name"] == "Ada King"
    assert openapi_errors(changed.json(), "Profile") == []

    # refresh: a new pair; the old refresh token and the old access token stop working
    old = dict(client.token)
    new = client.refresh_token(flow["refreshUrl"])
    assert new["access_token"] != old["access_token"]
    assert new["refresh_token"] != old["refresh_token"]
    stale = OAuth2Session(client_info["client_id"], client_info["client_secret"], token=old)
    with pytest.raises(OAuthError) as reused:
        stale.refresh_token(flow["refreshUrl"])
    assert reused.value.error == "invalid_grant"
    gone = stale.get(f"{api}/credentials", timeout=30)
    assert gone.status_code == 401
    assert_status_info(gone.json(), code_minor="unauthorizedrequest")
    assert client.get(f"{api}/credentials", timeout=30).status_code == 200

    # revocation (RFC 7009)
    revocation = client.get(f"{base}/.well-known/oauth-authorization-server",
                            timeout=30).json()["revocation_endpoint"]
    answer = client.revoke_token(revocation, token=new["access_token"],
                                 token_type_hint="access_token")
    assert answer.status_code == 200
    after = client.get(f"{api}/credentials", timeout=30)
    assert after.status_code == 401
    assert 'error="invalid_token"' in after.headers["WWW-Authenticate"]
    with pytest.raises(OAuthError):  # the pair went together
        client.refresh_token(flow["refreshUrl"])
