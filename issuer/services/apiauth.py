"""API credentials: admin-made API tokens, OAuth 2.0 clients (client-credentials grant) and
the short-lived access tokens they obtain. Secrets are shown once and stored only hashed.

A bearer token reads ``<prefix>_<lookup>_<secret>``: the prefix says what it is (``obi`` an
API token, ``oat`` an OAuth access token), ``lookup`` (16 hex characters) finds its row, and
the row holds SHA-256 of the whole token, compared in constant time. The secret part carries
256 random bits, so a fast hash is enough (there is nothing to brute-force). Access tokens
live in the database, not in a process, so every worker on every host accepts them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from issuer.errors import IssuerError, NotFound, ValidationFailed
from issuer.models import AdminUser, ApiToken, IssuerProfile, OAuthClient
from issuer.services import issuing_cache

# The scopes a token or client may hold. Keep the order: forms and docs list them like this.
# A later feature adds its scope here (e.g. "events").
SCOPES: dict[str, str] = {
    "issue": "issue credentials (POST /credentials/issue, POST /api/v1/credentials)",
    "revoke": "revoke or suspend credentials",
    "read": "read issued credentials (GET /api/v1/credentials/<id>)",
    "events": "report community activity (POST /api/v1/events)",
}
API_TOKEN_PREFIX = "obi"
ACCESS_TOKEN_PREFIX = "oat"
CLIENT_ID_PREFIX = "obc"
KIND_API = "api"
KIND_OAUTH = "oauth"
DEFAULT_ACCESS_TOKEN_SECONDS = 3600
_LOOKUP_HEX = 16


class AuthenticationFailed(IssuerError):
    """No usable bearer token: missing, unknown, revoked or expired (HTTP 401)."""

    title = "Unauthorized"
    status = 401


class Forbidden(IssuerError):
    """A valid token that may not do this (missing scope, another issuer) (HTTP 403)."""

    title = "Forbidden"
    status = 403

    def __init__(self, detail: str, *, scope: str | None = None):
        self.scope = scope
        super().__init__(detail)


class OAuthError(IssuerError):
    """An RFC 6749 §5.2 token-endpoint error (``error`` code + description)."""

    title = "OAuth error"

    def __init__(self, error: str, description: str, *, status: int = 400):
        self.error = error
        self.status = status
        super().__init__(description)


@dataclass(frozen=True)
class Principal:
    """Who a bearer token speaks for: one issuer profile, some scopes."""

    token_id: int
    kind: str
    profile_id: int
    scopes: frozenset[str]
    client_id: int | None = None

    @property
    def idempotency_scope(self) -> str:
        """Idempotency keys belong to the API token, or to the OAuth client (whose access
        tokens change every hour)."""
        if self.client_id is not None:
            return f"client:{self.client_id}"
        return f"token:{self.token_id}"

    def require(self, scope: str) -> None:
        if scope not in self.scopes:
            raise Forbidden(f"this token lacks the {scope!r} scope", scope=scope)

    def require_profile(self, profile: IssuerProfile, what: str) -> None:
        if profile.id != self.profile_id:
            raise Forbidden(
                f"this token may not act for issuer profile {profile.slug!r} ({what})"
            )


@dataclass(frozen=True)
class NewSecret:
    """A token or client just created, with its secret: show it once, then forget it."""

    id: int
    secret: str
    client_id: str | None = None

    def __repr__(self) -> str:  # the secret never reaches a log through a repr
        return f"NewSecret(id={self.id!r}, client_id={self.client_id!r})"


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def check_scopes(scopes: list[str] | tuple[str, ...], field: str = "scopes") -> list[str]:
    """Known scopes, deduplicated, in SCOPES order; ValidationFailed otherwise."""
    chosen = {scope.strip() for scope in scopes if scope and scope.strip()}
    if not chosen:
        raise ValidationFailed({field: "Choose at least one scope."})
    unknown = sorted(chosen - set(SCOPES))
    if unknown:
        raise ValidationFailed(
            {field: f"Unknown scope {', '.join(unknown)}; use {', '.join(SCOPES)}."}
        )
    return [scope for scope in SCOPES if scope in chosen]


def _check_name(name: str | None, *, required: bool) -> str | None:
    name = (name or "").strip() or None
    if name is None and required:
        raise ValidationFailed({"name": "Give it a name, e.g. the system that will use it."})
    if name is not None and len(name) > 200:
        raise ValidationFailed({"name": "The name may have at most 200 characters."})
    return name


def _new_token(prefix: str) -> tuple[str, str]:
    """(lookup, token): a fresh random token and its public lookup part."""
    lookup = secrets.token_hex(_LOOKUP_HEX // 2)
    return lookup, f"{prefix}_{lookup}_{secrets.token_urlsafe(32)}"


# -- API tokens -------------------------------------------------------------------------------


def create_api_token(
    session: Session,
    *,
    profile: IssuerProfile,
    scopes: list[str] | tuple[str, ...],
    name: str | None,
    now: datetime,
    created_by: AdminUser | None = None,
) -> NewSecret:
    """A new API token (the caller commits). Its value is in the result, and nowhere else."""
    checked = check_scopes(scopes)
    name = _check_name(name, required=False)
    lookup, token = _new_token(API_TOKEN_PREFIX)
    row = ApiToken(
        kind=KIND_API, lookup=lookup, token_hash=hash_secret(token), profile=profile,
        name=name, scopes=checked, created_at=now,
        created_by_id=created_by.id if created_by is not None else None,
    )
    session.add(row)
    session.flush()
    return NewSecret(id=row.id, secret=token)


def list_api_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(
        select(ApiToken).where(ApiToken.kind == KIND_API).order_by(ApiToken.created_at.desc(),
                                                                   ApiToken.id.desc())
    ))


def revoke_api_token(session: Session, token_id: int, *, now: datetime) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None or row.kind != KIND_API:
        raise NotFound(f"no API token {token_id}")
    if row.revoked_at is None:
        row.revoked_at = now
    return row


# -- OAuth clients ----------------------------------------------------------------------------


def create_oauth_client(
    session: Session,
    *,
    profile: IssuerProfile,
    scopes: list[str] | tuple[str, ...],
    name: str | None,
    now: datetime,
    created_by: AdminUser | None = None,
) -> NewSecret:
    """A new OAuth client; ``client_id`` and the secret are in the result (caller commits)."""
    checked = check_scopes(scopes)
    name = _check_name(name, required=True)
    client_id = f"{CLIENT_ID_PREFIX}_{secrets.token_hex(12)}"
    secret = secrets.token_urlsafe(32)
    row = OAuthClient(
        client_id=client_id, secret_hash=hash_secret(secret), profile=profile, name=name,
        scopes=checked, created_at=now,
        created_by_id=created_by.id if created_by is not None else None,
    )
    session.add(row)
    session.flush()
    return NewSecret(id=row.id, secret=secret, client_id=client_id)


def list_oauth_clients(session: Session) -> list[OAuthClient]:
    return list(session.scalars(
        select(OAuthClient).order_by(OAuthClient.created_at.desc(), OAuthClient.id.desc())
    ))


def revoke_oauth_client(session: Session, client_pk: int, *, now: datetime) -> OAuthClient:
    """Revoke a client; the access tokens it holds stop working at once."""
    client = session.get(OAuthClient, client_pk)
    if client is None:
        raise NotFound(f"no OAuth client {client_pk}")
    if client.revoked_at is None:
        client.revoked_at = now
    for token in session.scalars(
        select(ApiToken).where(ApiToken.client_id == client.id, ApiToken.revoked_at.is_(None))
    ):
        token.revoked_at = now
    return client


def _authenticate_client(session: Session, client_id: str, secret: str) -> OAuthClient:
    client = session.scalar(select(OAuthClient).where(OAuthClient.client_id == client_id))
    expected = client.secret_hash if client is not None else hash_secret(secrets.token_hex(16))
    matches = hmac.compare_digest(expected, hash_secret(secret))
    if client is None or not matches or client.revoked_at is not None:
        raise OAuthError("invalid_client", "unknown client, wrong secret, or a revoked client",
                         status=401)
    return client


@dataclass(frozen=True)
class AccessToken:
    access_token: str
    expires_in: int
    scopes: tuple[str, ...]

    def __repr__(self) -> str:
        return f"AccessToken(expires_in={self.expires_in!r}, scopes={self.scopes!r})"


def client_credentials_grant(
    session: Session,
    *,
    client_id: str,
    client_secret: str,
    scope: str | None,
    now: datetime,
    lifetime_seconds: int = DEFAULT_ACCESS_TOKEN_SECONDS,
) -> AccessToken:
    """RFC 6749 §4.4: authenticate the client, grant the scopes it asks for (all of its
    scopes when ``scope`` is absent) and store a new access token (the caller commits).
    Expired access tokens of a day ago are deleted on the way."""
    client = _authenticate_client(session, client_id, client_secret)
    if scope is None:
        granted = list(client.scopes)
    else:
        asked = scope.split(" ")
        if not scope or any(not part for part in asked):
            raise OAuthError("invalid_scope", "scope must be space-separated scope names")
        not_allowed = sorted(set(asked) - set(client.scopes))
        if not_allowed:
            raise OAuthError(
                "invalid_scope",
                f"this client may not ask for {', '.join(not_allowed)}; "
                f"it may ask for {' '.join(client.scopes)}",
            )
        granted = [name for name in SCOPES if name in asked]
    session.execute(
        delete(ApiToken).where(
            ApiToken.kind == KIND_OAUTH,
            ApiToken.expires_at < now - timedelta(days=1),
        )
    )
    lookup, token = _new_token(ACCESS_TOKEN_PREFIX)
    session.add(ApiToken(
        kind=KIND_OAUTH, lookup=lookup, token_hash=hash_secret(token),
        profile_id=client.profile_id, client_id=client.id, scopes=granted, created_at=now,
        expires_at=now + timedelta(seconds=lifetime_seconds),
    ))
    session.flush()
    return AccessToken(token, lifetime_seconds, tuple(granted))


# -- bearer authentication --------------------------------------------------------------------


@dataclass(frozen=True)
class _LiveToken:
    """What a valid token's row said when this process last read it (cached per process
    under the shared generation: issuer.services.issuing_cache)."""

    principal: Principal
    expires_at: datetime | None
    last_used_at: datetime | None


_last_used: dict[int, datetime] = {}  # token id -> last_used_at this process wrote or read
_last_used_lock = threading.Lock()


def _load_token(session: Session, lookup: str, digest: str) -> _LiveToken:
    row = session.scalar(select(ApiToken).where(ApiToken.lookup == lookup))
    expected = row.token_hash if row is not None else hash_secret(secrets.token_hex(16))
    if not hmac.compare_digest(expected, digest) or row is None:
        raise AuthenticationFailed("the bearer token is not valid")
    if row.revoked_at is not None:
        raise AuthenticationFailed("the bearer token was revoked")
    if row.client is not None and row.client.revoked_at is not None:
        raise AuthenticationFailed("the OAuth client of this token was revoked")
    return _LiveToken(Principal(token_id=row.id, kind=row.kind, profile_id=row.profile_id,
                                scopes=frozenset(row.scopes), client_id=row.client_id),
                      row.expires_at, row.last_used_at)


def authenticate_bearer(session: Session, token: str, *, now: datetime) -> Principal:
    """The principal of a bearer token; AuthenticationFailed when it is not a live token.

    A valid token is cached per process under the shared generation, which a revocation
    (of the token or its OAuth client) bumps in its own transaction: every worker refuses a
    revoked token on its next request. ``last_used_at`` is updated at most once a minute
    per process (the caller commits)."""
    parts = token.split("_", 2)
    if (len(parts) != 3 or parts[0] not in (API_TOKEN_PREFIX, ACCESS_TOKEN_PREFIX)
            or len(parts[1]) != _LOOKUP_HEX):
        raise AuthenticationFailed("the bearer token is not one of this issuer's tokens")
    digest = hash_secret(token)
    live = issuing_cache.cached(session, ("token", digest),
                                lambda: _load_token(session, parts[1], digest))
    if live.expires_at is not None and live.expires_at <= now:
        raise AuthenticationFailed("the access token has expired; ask /oauth/token for a new one")
    token_id = live.principal.token_id
    with _last_used_lock:
        last = _last_used.get(token_id, live.last_used_at)
        due = last is None or now - last >= timedelta(minutes=1)
        if due:
            _last_used[token_id] = now
    if due:
        session.execute(update(ApiToken).where(ApiToken.id == token_id)
                        .values(last_used_at=now)
                        .execution_options(**{issuing_cache.QUIET: True}))
    return live.principal
