"""Who calls the JSON APIs: bearer tokens (API tokens, or OAuth access tokens), their 401/403
answers with ``WWW-Authenticate`` challenges, and the OAuth 2.0 token endpoint
(client-credentials grant, RFC 6749 §4.4).

The token endpoint counts failed client authentications (``invalid_client``) per client_id
and per client address (issuer/web/core/throttling.py). Over the limit it answers 429 with a
problem-details body and ``Retry-After``, without checking the secret. RFC 6749 has no
error code for this (``slow_down`` belongs to the device flow), hence plain HTTP semantics.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote_plus

from flask import Blueprint, current_app, jsonify, request

from issuer.services import apiauth
from issuer.services.apiauth import AuthenticationFailed, Forbidden, OAuthError, Principal
from issuer.services.tx import atomic
from issuer.web.core import deps, throttling
from issuer.web.core.problems import problem, register_json_handlers

REALM = "issuer"


def register_auth_handlers(bp: Blueprint) -> None:
    """401 with a Bearer challenge, 403 naming the missing scope, RFC 6749 token errors."""
    bp.register_error_handler(AuthenticationFailed, _unauthorized)
    bp.register_error_handler(Forbidden, _forbidden)
    bp.register_error_handler(OAuthError, _oauth_error)


def _unauthorized(error: AuthenticationFailed):
    response = problem(401, error.title, str(error))
    challenge = f'Bearer realm="{REALM}"'
    if request.headers.get("Authorization"):
        challenge += f', error="invalid_token", error_description="{error}"'
    response.headers["WWW-Authenticate"] = challenge
    return response


def _forbidden(error: Forbidden):
    response = problem(403, error.title, str(error))
    if error.scope:
        response.headers["WWW-Authenticate"] = (
            f'Bearer realm="{REALM}", error="insufficient_scope", scope="{error.scope}"'
        )
    return response


def _oauth_error(error: OAuthError):
    """RFC 6749 §5.2 body (``error``, ``error_description``) plus the problem-details members."""
    response = jsonify({"error": error.error, "error_description": str(error),
                        "type": "about:blank", "title": error.title, "status": error.status,
                        "detail": str(error)})
    response.status_code = error.status
    _no_store(response)
    if error.status == 401:
        response.headers["WWW-Authenticate"] = f'Basic realm="{REALM}"'
    return response


def _no_store(response) -> None:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"


def authenticate(scope: str) -> Principal:
    """The caller behind ``Authorization: Bearer <token>``, holding ``scope``."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise AuthenticationFailed("send an API token or OAuth access token as "
                                   "'Authorization: Bearer <token>'")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationFailed("the Authorization header must be 'Bearer <token>'")
    session = deps.session()
    with atomic(session):  # saves last_used_at
        principal = apiauth.authenticate_bearer(session, token.strip(), now=deps.now())
    principal.require(scope)
    return principal


# -- OAuth 2.0 client credentials (RFC 6749 §4.4) ---------------------------------------------

bp = Blueprint("oauth", __name__)
register_json_handlers(bp)  # anything but an OAuth error (e.g. NUL in the form): a problem
register_auth_handlers(bp)


def _form_param(name: str) -> str | None:
    values = request.form.getlist(name)
    if len(values) > 1:
        raise OAuthError("invalid_request", f"{name} is given more than once")
    return values[0] if values else None


def _client_credentials() -> tuple[str, str]:
    """(client_id, client_secret) from HTTP Basic (client_secret_basic) or the form
    (client_secret_post); using both at once is an error (RFC 6749 §2.3)."""
    header = request.headers.get("Authorization", "")
    body_id, body_secret = _form_param("client_id"), _form_param("client_secret")
    if header:
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            raise OAuthError("invalid_client", "authenticate the client with HTTP Basic or "
                             "client_id and client_secret in the body", status=401)
        if body_secret is not None:
            raise OAuthError("invalid_request", "use one client authentication method, not two")
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise OAuthError("invalid_client", "the Basic credentials are not valid base64",
                             status=401) from None
        client_id, sep, secret = decoded.partition(":")
        if not sep:
            raise OAuthError("invalid_client", "the Basic credentials need client_id:secret",
                             status=401)
        return unquote_plus(client_id), unquote_plus(secret)
    if body_id and body_secret:
        return body_id, body_secret
    raise OAuthError("invalid_client", "authenticate the client (HTTP Basic, or client_id and "
                     "client_secret in the body)", status=401)


@bp.post("/oauth/token")
def token():
    if request.mimetype != "application/x-www-form-urlencoded":
        raise OAuthError("invalid_request",
                         "send the parameters as application/x-www-form-urlencoded")
    grant_type = _form_param("grant_type")
    if not grant_type:
        raise OAuthError("invalid_request", "grant_type is required")
    if grant_type != "client_credentials":
        raise OAuthError("unsupported_grant_type",
                         "this server supports grant_type=client_credentials only")
    try:
        client_id, client_secret = _client_credentials()
    except OAuthError as error:
        return _failed_client(throttling.attempt("oauth", None), error)
    tried = throttling.attempt("oauth", client_id)
    wait = throttling.refused(tried)
    if wait:
        return _throttled(wait)
    scope = _form_param("scope")
    session = deps.session()
    try:
        with atomic(session):
            granted = apiauth.client_credentials_grant(
                session, client_id=client_id, client_secret=client_secret, scope=scope,
                now=deps.now(), lifetime_seconds=current_app.config["ACCESS_TOKEN_SECONDS"],
            )
    except OAuthError as error:
        return _failed_client(tried, error)
    throttling.succeeded(tried)
    response = jsonify({"access_token": granted.access_token, "token_type": "Bearer",
                        "expires_in": granted.expires_in, "scope": " ".join(granted.scopes)})
    _no_store(response)
    return response


def _failed_client(tried: throttling.Attempt, error: OAuthError):
    """Count a failed client authentication (other errors are not counted), unless the
    caller is already throttled; then the 429 answers instead."""
    if error.error != "invalid_client":
        raise error
    wait = throttling.refused(tried)
    if wait:
        return _throttled(wait)
    throttling.failed(tried)
    raise error


def _throttled(seconds: int):
    response = problem(429, "Too Many Requests",
                       "Too many failed client authentications from this client or address. "
                       f"Try again in {throttling.wait_text(seconds)}.")
    response.headers["Retry-After"] = str(seconds)
    _no_store(response)
    return response
