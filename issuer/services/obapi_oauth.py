"""OAuth 2.0 for the OB 3.0 API (OB 3.0 §6.2): the scopes, Dynamic Client Registration
metadata (RFC 7591 with the OB 3.0 registration request), and the stored clients,
authorization codes and tokens.

Every secret is random (client secrets and tokens 256 bits or more) and kept only as its
SHA-256, found by that hash. Codes live CODE_SECONDS and are deleted by the one exchange that
uses them (a second exchange finds nothing); a refresh revokes the token row it came with,
so each refresh token works once. Time is passed in (``now``), never read here.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from authlib.oauth2.rfc6749 import scope_to_list
from authlib.oauth2.rfc7591 import ClientMetadataClaims
from joserfc.errors import InvalidClaimError, MissingClaimError
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from issuer.community.models import Member
from issuer.obapi.models import ObApiAuthorizationCode, ObApiClient, ObApiToken

SCOPE_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/scope/"
CREDENTIAL_READONLY = SCOPE_PREFIX + "credential.readonly"
CREDENTIAL_UPSERT = SCOPE_PREFIX + "credential.upsert"
PROFILE_READONLY = SCOPE_PREFIX + "profile.readonly"
PROFILE_UPDATE = SCOPE_PREFIX + "profile.update"
# The words are the 1EdTech OpenAPI file's; the consent page shows them.
SCOPES: dict[str, str] = {
    CREDENTIAL_READONLY: "Permission to read AchievementCredentials for the authenticated entity.",
    CREDENTIAL_UPSERT: "Permission to create or update AchievementCredentials for the "
                       "authenticated entity.",
    PROFILE_READONLY: "Permission to read the profile for the authenticated entity.",
    PROFILE_UPDATE: "Permission to update the profile for the authenticated entity.",
}
# What a member reads on the consent page, per scope.
SCOPE_SUMMARIES: dict[str, str] = {
    CREDENTIAL_READONLY: "See your badges and the credentials you keep here",
    CREDENTIAL_UPSERT: "Add credentials from other issuers to the ones you keep here",
    PROFILE_READONLY: "See your profile (name, description, page address)",
    PROFILE_UPDATE: "Change your profile's name and description",
}
GRANT_TYPES = ("authorization_code", "refresh_token")
RESPONSE_TYPES = ("code",)
AUTH_METHODS = ("client_secret_basic", "client_secret_post")
CODE_CHALLENGE_METHODS = ("S256",)

CODE_SECONDS = 120
ACCESS_TOKEN_SECONDS = 3600
REFRESH_TOKEN_SECONDS = 30 * 24 * 3600
CLIENT_ID_PREFIX = "obapi-"
MAX_REDIRECT_URIS = 10
MAX_URI_LENGTH = 2000
MAX_TEXT_LENGTH = 500
# RFC 7591 §2 and OB 3.0 §6.2.2: the registration request's required members.
REQUIRED_METADATA = ("client_name", "client_uri", "logo_uri", "tos_uri", "policy_uri",
                     "software_id", "software_version", "redirect_uris")
LOOPBACK_HOSTS = ("localhost",)
# scheme://host[:port] of a redirect URI: plain host names or bracketed IPv6 only (it is
# named in the consent page's Content-Security-Policy form-action).
ORIGIN = re.compile(r"https?://(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])"
                    r"(?::[0-9]{1,5})?")


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


# -- registration -----------------------------------------------------------------------------


def is_allowed_redirect_uri(uri: Any) -> bool:
    """https with a host, or http to a loopback address (RFC 8252 §7.3); no fragment."""
    if not isinstance(uri, str) or not uri or len(uri) > MAX_URI_LENGTH:
        return False
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError:
        return False
    if parts.fragment or not parts.hostname or parts.username or parts.password:
        return False
    if not ORIGIN.fullmatch(redirect_origin(uri)) or any(c.isspace() or ord(c) < 32 for c in uri):
        return False
    if parts.scheme == "https":
        return True
    return parts.scheme == "http" and _is_loopback(parts.hostname)


def redirect_origin(uri: str) -> str:
    """scheme://netloc of ``uri``."""
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}"


def _is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class RegistrationClaims(ClientMetadataClaims):
    """RFC 7591 client metadata with the OB 3.0 registration request's rules: its members
    are required, redirect URIs are https (or loopback http), strings are bounded."""

    def validate(self, now=None, leeway=0):
        for name in REQUIRED_METADATA:
            if self.get(name) in (None, "", []):
                raise MissingClaimError(name)
        for name in ("client_name", "software_id", "software_version"):
            value = self.get(name)
            if not isinstance(value, str) or len(value) > MAX_TEXT_LENGTH:
                raise InvalidClaimError(name)
        for name in ("client_uri", "logo_uri", "tos_uri", "policy_uri"):
            value = self.get(name)
            if not isinstance(value, str) or len(value) > MAX_URI_LENGTH:
                raise InvalidClaimError(name)
        uris = self.get("redirect_uris")
        if (not isinstance(uris, list) or len(uris) > MAX_REDIRECT_URIS
                or not all(is_allowed_redirect_uri(uri) for uri in uris)):
            raise InvalidClaimError("redirect_uris")
        scope = self.get("scope")
        if scope is not None and (not isinstance(scope, str) or len(scope) > MAX_URI_LENGTH):
            raise InvalidClaimError("scope")
        for name in ("grant_types", "response_types", "contacts"):
            value = self.get(name)
            if value is not None and not (isinstance(value, list) and len(value) <= 10
                                          and all(isinstance(v, str) for v in value)):
                raise InvalidClaimError(name)
        super().validate(now, leeway)
        if not self.get("scope"):
            self["scope"] = " ".join(SCOPES)
        self.setdefault("grant_types", list(GRANT_TYPES))
        self.setdefault("response_types", list(RESPONSE_TYPES))


def server_metadata(*, issuer: str, authorization_endpoint: str, token_endpoint: str,
                    registration_endpoint: str, revocation_endpoint: str) -> dict[str, Any]:
    """RFC 8414 authorization server metadata (registration checks requests against it)."""
    return {
        "issuer": issuer,
        "authorization_endpoint": authorization_endpoint,
        "token_endpoint": token_endpoint,
        "registration_endpoint": registration_endpoint,
        "revocation_endpoint": revocation_endpoint,
        "scopes_supported": list(SCOPES),
        "response_types_supported": list(RESPONSE_TYPES),
        "grant_types_supported": list(GRANT_TYPES),
        "token_endpoint_auth_methods_supported": list(AUTH_METHODS),
        "revocation_endpoint_auth_methods_supported": list(AUTH_METHODS),
        "code_challenge_methods_supported": list(CODE_CHALLENGE_METHODS),
    }


def new_client_id() -> str:
    return CLIENT_ID_PREFIX + secrets.token_urlsafe(24)


def new_client_secret() -> str:
    return secrets.token_urlsafe(32)


def register_client(session: Session, *, client_id: str, client_secret: str,
                    metadata: dict[str, Any], now: datetime) -> ObApiClient:
    """Store a registered client (the caller commits); only the secret's hash is kept."""
    client = ObApiClient(client_id=client_id, secret_hash=hash_secret(client_secret),
                         metadata_json=dict(metadata), created_at=now)
    session.add(client)
    session.flush()
    return client


def client_by_id(session: Session, client_id: Any) -> ObApiClient | None:
    if not isinstance(client_id, str) or len(client_id) > 64:
        return None
    return session.scalar(select(ObApiClient).where(ObApiClient.client_id == client_id))


def secret_matches(client: ObApiClient, secret: Any) -> bool:
    return isinstance(secret, str) and hmac.compare_digest(client.secret_hash,
                                                           hash_secret(secret))


def allowed_scope(client: ObApiClient, scope: str | None) -> str:
    """The requested scopes this client registered for (all it registered when none asked)."""
    registered = scope_to_list(client.metadata_json.get("scope") or "") or []
    if not scope:
        return " ".join(registered)
    return " ".join(s for s in scope_to_list(scope) if s in registered)


# -- authorization codes ----------------------------------------------------------------------


def save_code(session: Session, *, code: str, client: ObApiClient, member: Member,
              redirect_uri: str, scope: str, code_challenge: str, code_challenge_method: str,
              now: datetime) -> ObApiAuthorizationCode:
    row = ObApiAuthorizationCode(
        code_hash=hash_secret(code), client_id=client.id, member_id=member.id,
        redirect_uri=redirect_uri, scope=scope, code_challenge=code_challenge,
        code_challenge_method=code_challenge_method, created_at=now,
        expires_at=now + timedelta(seconds=CODE_SECONDS))
    session.add(row)
    session.flush()
    return row


def find_code(session: Session, code: Any, client: ObApiClient, *,
              now: datetime) -> ObApiAuthorizationCode | None:
    """The unexpired code of this client, or None."""
    if not isinstance(code, str) or len(code) > 200:
        return None
    row = session.scalar(select(ObApiAuthorizationCode).where(
        ObApiAuthorizationCode.code_hash == hash_secret(code),
        ObApiAuthorizationCode.client_id == client.id))
    if row is None or row.expires_at <= now:
        return None
    return row


def use_code(session: Session, row: ObApiAuthorizationCode) -> bool:
    """Delete the code; False when another exchange already used it (single use even when two
    requests race: only one DELETE removes the row)."""
    result = session.execute(delete(ObApiAuthorizationCode)
                             .where(ObApiAuthorizationCode.id == row.id))
    return result.rowcount == 1


def purge_expired_codes(session: Session, *, now: datetime) -> None:
    session.execute(delete(ObApiAuthorizationCode)
                    .where(ObApiAuthorizationCode.expires_at <= now))


# -- tokens -----------------------------------------------------------------------------------


def save_token(session: Session, token: dict[str, Any], *, client: ObApiClient,
               member: Member, now: datetime) -> ObApiToken:
    """Store the hashes of an issued access (and refresh) token."""
    refresh = token.get("refresh_token")
    row = ObApiToken(
        access_token_hash=hash_secret(token["access_token"]),
        refresh_token_hash=hash_secret(refresh) if refresh else None,
        client_id=client.id, member_id=member.id, scope=token.get("scope") or "",
        issued_at=now,
        access_expires_at=now + timedelta(seconds=int(token.get("expires_in")
                                                      or ACCESS_TOKEN_SECONDS)),
        refresh_expires_at=now + timedelta(seconds=REFRESH_TOKEN_SECONDS) if refresh else None)
    session.add(row)
    session.flush()
    return row


def _by_hash(session: Session, column, value: Any) -> ObApiToken | None:
    if not isinstance(value, str) or not value or len(value) > 200:
        return None
    return session.scalar(select(ObApiToken).where(column == hash_secret(value)))


def token_by_access(session: Session, access_token: Any) -> ObApiToken | None:
    return _by_hash(session, ObApiToken.access_token_hash, access_token)


def token_by_refresh(session: Session, refresh_token: Any) -> ObApiToken | None:
    return _by_hash(session, ObApiToken.refresh_token_hash, refresh_token)


def refresh_is_valid(row: ObApiToken, *, now: datetime) -> bool:
    return (row.revoked_at is None and row.refresh_expires_at is not None
            and row.refresh_expires_at > now)


def revoke_token(session: Session, row: ObApiToken, *, now: datetime) -> bool:
    """Revoke the row (its access and refresh token both); False when it already was (two
    refreshes racing: only one UPDATE changes the row)."""
    result = session.execute(update(ObApiToken)
                             .where(ObApiToken.id == row.id, ObApiToken.revoked_at.is_(None))
                             .values(revoked_at=now))
    row.revoked_at = row.revoked_at or now
    return result.rowcount == 1
