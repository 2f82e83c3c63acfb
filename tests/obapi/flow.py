"""The OB 3.0 API's OAuth steps through the Flask test client (the fast path for the refusal
tests; tests/obapi/test_dance.py does the same over HTTP with a real OAuth client)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.obapi.helpers import (
    ALL_SCOPES,
    REDIRECT_URI,
    csrf_of,
    make_member,
    pkce,
    registration_request,
    sign_in_token,
)


@dataclass
class Registered:
    client_id: str
    client_secret: str

    def basic(self) -> dict[str, str]:
        pair = f"{self.client_id}:{self.client_secret}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode()}


def register(client, **overrides) -> Registered:
    answer = client.post("/ob/oauth/register", json=registration_request(**overrides))
    assert answer.status_code == 201, answer.get_json()
    return Registered(answer.json["client_id"], answer.json["client_secret"])


def sign_in_member(app, client, slug: str | None = None) -> str:
    slug = slug or make_member(app)
    page = client.get("/members/sign-in/continue").get_data(as_text=True)
    answer = client.post("/members/sign-in/continue",
                         data={"csrf_token": csrf_of(page), "token": sign_in_token(app, slug)})
    assert answer.status_code == 302
    return slug


def authorize_url(registered: Registered, *, challenge: str | None, method: str | None = "S256",
                  scope: str = ALL_SCOPES, redirect_uri: str = REDIRECT_URI,
                  state: str = "st4te") -> str:
    params = {"response_type": "code", "client_id": registered.client_id,
              "redirect_uri": redirect_uri, "scope": scope, "state": state}
    if challenge is not None:
        params["code_challenge"] = challenge
    if method is not None:
        params["code_challenge_method"] = method
    return "/ob/oauth/authorize?" + urlencode(params)


def consent(client, url: str, *, allow: bool = True):
    """Open the consent page and press Allow (or Deny); the 302 back to the client."""
    page = client.get(url)
    assert page.status_code == 200, page.get_data(as_text=True)
    choice = {"allow": "1"} if allow else {"deny": "1"}
    return client.post(url, data={"csrf_token": csrf_of(page.get_data(as_text=True)), **choice})


def code_of(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    return parse_qs(urlsplit(response.headers["Location"]).query)["code"][0]


def exchange(client, registered: Registered, code: str, verifier: str,
             redirect_uri: str = REDIRECT_URI):
    return client.post("/ob/oauth/token", headers=registered.basic(), data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
        "code_verifier": verifier})


def tokens(app, client, *, scope: str = ALL_SCOPES) -> tuple[Registered, dict]:
    """Register, sign a member in, consent, exchange: (the client, the token response)."""
    registered = register(client)
    sign_in_member(app, client)
    verifier, challenge = pkce()
    code = code_of(consent(client, authorize_url(registered, challenge=challenge, scope=scope)))
    answer = exchange(client, registered, code, verifier)
    assert answer.status_code == 200, answer.get_json()
    return registered, answer.json


def bearer(token: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {token['access_token']}"}
