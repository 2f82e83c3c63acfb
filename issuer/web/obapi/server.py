"""authlib wired to our tables: the OAuth 2.0 authorization server of the OB 3.0 API
(authorization code with PKCE S256 only, rotated refresh tokens, RFC 7009 revocation, RFC
7591 registration) and the resource protector of /ims/ob/v3p0.

authlib holds no state between requests here: the server object is configuration; clients,
codes and tokens are rows (issuer/services/obapi_oauth.py), so any worker serves any step.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2.rfc6749 import (
    AuthorizationCodeMixin,
    ClientMixin,
    InvalidRequestError,
    TokenMixin,
    grants,
)
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7591 import ClientRegistrationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from flask import url_for

from issuer.community.models import Member
from issuer.obapi.models import ObApiAuthorizationCode, ObApiClient, ObApiToken
from issuer.services import obapi_oauth as oauth
from issuer.web.core import deps


# -- our rows, as authlib sees them -----------------------------------------------------------


class Client(ClientMixin):
    def __init__(self, row: ObApiClient):
        self.row = row
        self.metadata = row.metadata_json

    def get_client_id(self):
        return self.row.client_id

    def get_default_redirect_uri(self):
        uris = self.metadata.get("redirect_uris") or []
        return uris[0] if len(uris) == 1 else None

    def get_allowed_scope(self, scope):
        return oauth.allowed_scope(self.row, scope)

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in (self.metadata.get("redirect_uris") or [])

    def check_client_secret(self, client_secret):
        return oauth.secret_matches(self.row, client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        if endpoint == "token":
            return method == self.metadata.get("token_endpoint_auth_method",
                                               "client_secret_basic")
        return method in oauth.AUTH_METHODS

    def check_response_type(self, response_type):
        return response_type in (self.metadata.get("response_types") or oauth.RESPONSE_TYPES)

    def check_grant_type(self, grant_type):
        return grant_type in (self.metadata.get("grant_types") or oauth.GRANT_TYPES)


class Code(AuthorizationCodeMixin):
    def __init__(self, row: ObApiAuthorizationCode):
        self.row = row
        self.code_challenge = row.code_challenge
        self.code_challenge_method = row.code_challenge_method

    def get_redirect_uri(self):
        return self.row.redirect_uri

    def get_scope(self):
        return self.row.scope


class Token(TokenMixin):
    def __init__(self, row: ObApiToken, now: datetime):
        self.row = row
        self.now = now

    def check_client(self, client):
        return self.row.client_id == client.row.id

    def get_scope(self):
        return self.row.scope

    def get_expires_in(self):
        return int((self.row.access_expires_at - self.row.issued_at).total_seconds())

    def is_expired(self):
        return self.row.access_expires_at <= self.now

    def is_revoked(self):
        return self.row.revoked_at is not None

    def get_user(self):
        return self.row.member

    def get_client(self):
        return Client(self.row.client)


# -- grants and endpoints ---------------------------------------------------------------------


class S256Only(CodeChallenge):
    """PKCE is required of every client, with S256 (``plain`` is refused)."""

    SUPPORTED_CODE_CHALLENGE_METHOD = list(oauth.CODE_CHALLENGE_METHODS)
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: send code_challenge and "
                                      "code_challenge_method=S256.")
        if data.get("code_challenge_method") not in self.SUPPORTED_CODE_CHALLENGE_METHOD:
            raise InvalidRequestError("code_challenge_method must be S256 ('plain' is not "
                                      "accepted).")
        super().validate_code_challenge(grant, redirect_uri)


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = list(oauth.AUTH_METHODS)

    def save_authorization_code(self, code, request):
        data = request.payload.data
        oauth.purge_expired_codes(deps.session(), now=deps.now())  # unused codes pile up no more
        oauth.save_code(deps.session(), code=code, client=request.client.row, member=request.user,
                        redirect_uri=request.payload.redirect_uri or "",
                        scope=request.scope or "", code_challenge=data["code_challenge"],
                        code_challenge_method=data["code_challenge_method"], now=deps.now())

    def query_authorization_code(self, code, client):
        row = oauth.find_code(deps.session(), code, client.row, now=deps.now())
        return Code(row) if row is not None else None

    def authenticate_user(self, authorization_code):
        # Used up here, before any token is made: of two exchanges racing, one gets None.
        if not oauth.use_code(deps.session(), authorization_code.row):
            return None
        return deps.session().get(Member, authorization_code.row.member_id)

    def delete_authorization_code(self, authorization_code):
        pass  # deleted by authenticate_user


class RefreshTokenGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = list(oauth.AUTH_METHODS)
    INCLUDE_NEW_REFRESH_TOKEN = True  # rotated: each refresh token works once

    def authenticate_refresh_token(self, refresh_token):
        now = deps.now()
        row = oauth.token_by_refresh(deps.session(), refresh_token)
        if row is None or not oauth.refresh_is_valid(row, now=now):
            return None
        return Token(row, now)

    def authenticate_user(self, refresh_token):
        if not oauth.revoke_token(deps.session(), refresh_token.row, now=deps.now()):
            return None  # another refresh used it first
        return refresh_token.row.member

    def revoke_old_credential(self, refresh_token):
        pass  # revoked by authenticate_user


class Revocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS = list(oauth.AUTH_METHODS)

    def query_token(self, token_string, token_type_hint):
        session = deps.session()
        row = None
        if token_type_hint != "refresh_token":
            row = oauth.token_by_access(session, token_string)
        if row is None:
            row = oauth.token_by_refresh(session, token_string)
        return Token(row, deps.now()) if row is not None else None

    def revoke_token(self, token, request):
        oauth.revoke_token(deps.session(), token.row, now=deps.now())


class Registration(ClientRegistrationEndpoint):
    """Open registration (OB 3.0 §6.2.2): anyone may register; members consent per client."""

    def __init__(self, server=None):
        super().__init__(server, claims_classes=[oauth.RegistrationClaims])

    def authenticate_token(self, request):
        return True

    def resolve_public_key(self, request):
        return None

    def get_server_metadata(self):
        return server_metadata()

    def generate_client_id(self, request):
        return oauth.new_client_id()

    def generate_client_secret(self, request):
        return oauth.new_client_secret()

    def save_client(self, client_info, client_metadata, request):
        return oauth.register_client(deps.session(), client_id=client_info["client_id"],
                                     client_secret=client_info["client_secret"],
                                     metadata=client_metadata, now=deps.now())


def server_metadata() -> dict[str, Any]:
    base = deps.base_url()
    return oauth.server_metadata(
        issuer=base,
        authorization_endpoint=base + url_for("obapi_oauth.authorize"),
        token_endpoint=base + url_for("obapi_oauth.token"),
        registration_endpoint=base + url_for("obapi_oauth.register"),
        revocation_endpoint=base + url_for("obapi_oauth.revoke"),
    )


def _query_client(client_id):
    row = oauth.client_by_id(deps.session(), client_id)
    return Client(row) if row is not None else None


def _save_token(token, request):
    oauth.save_token(deps.session(), token, client=request.client.row, member=request.user,
                     now=deps.now())


def make_server() -> AuthorizationServer:
    server = AuthorizationServer(query_client=_query_client, save_token=_save_token)
    server.load_config({
        "OAUTH2_REFRESH_TOKEN_GENERATOR": True,
        "OAUTH2_TOKEN_EXPIRES_IN": {"authorization_code": oauth.ACCESS_TOKEN_SECONDS,
                                    "refresh_token": oauth.ACCESS_TOKEN_SECONDS},
    })
    server.scopes_supported = list(oauth.SCOPES)
    server.register_grant(AuthorizationCodeGrant, [S256Only(required=True)])
    server.register_grant(RefreshTokenGrant)
    server.register_endpoint(Revocation)
    server.register_endpoint(Registration)
    return server


class TokenValidator(BearerTokenValidator):
    def authenticate_token(self, token_string):
        row = oauth.token_by_access(deps.session(), token_string)
        return Token(row, deps.now()) if row is not None else None


def make_protector() -> ResourceProtector:
    protector = ResourceProtector()
    protector.register_token_validator(TokenValidator(realm="ob3"))
    return protector


SERVER = make_server()
PROTECTOR = make_protector()
