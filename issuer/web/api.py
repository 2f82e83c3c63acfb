"""The JSON APIs for machines: VC-API ``POST /credentials/issue`` and
``POST /credentials/status``, the native
``/api/v1/credentials``, the OAuth 2.0 token endpoint and ``/openapi.json``.

Callers authenticate with a bearer token (an API token, or an access token from
``POST /oauth/token``). Every error is problem-details JSON (RFC 9457) with a readable
``detail``; 401 carries ``WWW-Authenticate: Bearer``. No CSRF here: there are no cookies.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime, time, timezone
from typing import Any
from urllib.parse import unquote_plus

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from issuer.clock import parse_datetime
from issuer.errors import Conflict, InvalidRequest, IssuerError, NotFound, ValidationFailed
from issuer.services import achievements, apiauth, idempotency, issuance, status, urls, vcapi
from issuer.services.apiauth import AuthenticationFailed, Forbidden, OAuthError, Principal
from issuer.services.tx import atomic
from issuer.web import deps
from issuer.web.problems import PROBLEM_JSON

bp = Blueprint("api", __name__)

REALM = "issuer"
NATIVE_FIELDS = ("achievement", "recipient", "validUntil", "evidence")
# Service field names -> where they are in the /api/v1/credentials body.
NATIVE_PATHS = {
    "achievement": "achievement", "email": "recipient.email", "name": "recipient.name",
    "did": "recipient.did", "valid_until": "validUntil", "evidence_url": "evidence.id",
    "evidence_narrative": "evidence.narrative",
}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.extensions["csrf"].exempt(bp)


# -- errors -----------------------------------------------------------------------------------


def problem(status: int, title: str, detail: str, **extra: Any) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    return response


@bp.errorhandler(AuthenticationFailed)
def _unauthorized(error: AuthenticationFailed):
    response = problem(401, error.title, str(error))
    challenge = f'Bearer realm="{REALM}"'
    if request.headers.get("Authorization"):
        challenge += f', error="invalid_token", error_description="{error}"'
    response.headers["WWW-Authenticate"] = challenge
    return response


@bp.errorhandler(Forbidden)
def _forbidden(error: Forbidden):
    response = problem(403, error.title, str(error))
    if error.scope:
        response.headers["WWW-Authenticate"] = (
            f'Bearer realm="{REALM}", error="insufficient_scope", scope="{error.scope}"'
        )
    return response


@bp.errorhandler(vcapi.InvalidCredential)
def _invalid_credential(error: vcapi.InvalidCredential):
    return problem(error.status, error.title, str(error), errors=error.errors_json(),
                   type=error.problem_type)


@bp.errorhandler(ValidationFailed)
def _validation_failed(error: ValidationFailed):
    errors = {NATIVE_PATHS.get(field, field): message for field, message in error.errors.items()}
    detail = "; ".join(f"{path}: {message}" for path, message in errors.items())
    return problem(error.status, error.title, detail, errors=errors)


@bp.errorhandler(OAuthError)
def _oauth_error(error: OAuthError):
    """RFC 6749 §5.2 body (``error``, ``error_description``) plus the problem-details members."""
    response = jsonify({"error": error.error, "error_description": str(error),
                        "type": "about:blank", "title": error.title, "status": error.status,
                        "detail": str(error)})
    response.status_code = error.status
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    if error.status == 401:
        response.headers["WWW-Authenticate"] = f'Basic realm="{REALM}"'
    return response


@bp.errorhandler(IssuerError)
def _issuer_error(error: IssuerError):
    return problem(error.status, error.title, str(error), type=error.problem_type)


@bp.errorhandler(IntegrityError)
def _integrity_error(error: IntegrityError):
    return problem(409, "Conflict", "Another request saved the same thing at the same moment; "
                   "try again.")


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge):
    return problem(413, "Request too large", "The request body is too large for this endpoint.")


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    return problem(error.code or 500, error.name, error.description or error.name)


# -- request helpers --------------------------------------------------------------------------


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


def json_body() -> Any:
    body = request.get_json(force=True, silent=True)
    if body is None:
        raise InvalidRequest("the request body must be JSON (Content-Type: application/json)")
    return body


# -- OAuth 2.0 client credentials (RFC 6749 §4.4) ---------------------------------------------


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
def oauth_token():
    if request.mimetype != "application/x-www-form-urlencoded":
        raise OAuthError("invalid_request",
                         "send the parameters as application/x-www-form-urlencoded")
    grant_type = _form_param("grant_type")
    if not grant_type:
        raise OAuthError("invalid_request", "grant_type is required")
    if grant_type != "client_credentials":
        raise OAuthError("unsupported_grant_type",
                         "this server supports grant_type=client_credentials only")
    client_id, client_secret = _client_credentials()
    scope = _form_param("scope")
    session = deps.session()
    with atomic(session):
        granted = apiauth.client_credentials_grant(
            session, client_id=client_id, client_secret=client_secret, scope=scope,
            now=deps.now(), lifetime_seconds=current_app.config["ACCESS_TOKEN_SECONDS"],
        )
    response = jsonify({"access_token": granted.access_token, "token_type": "Bearer",
                        "expires_in": granted.expires_in, "scope": " ".join(granted.scopes)})
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


# -- W3C VC-API issue -------------------------------------------------------------------------


@bp.post("/credentials/issue")
def vcapi_issue():
    principal = authenticate("issue")
    credential, options = vcapi.check_request_body(json_body())
    row = vcapi.issue_credential(
        deps.session(), credential, options=options, principal=principal,
        keystore=deps.keystore(), base_url=deps.base_url(), now=deps.now(),
        status_hook=_status_hook(),
    )
    response = Response(
        '{"verifiableCredential": ' + row.document.rstrip("\n") + "}\n",
        status=201, mimetype="application/json",
    )
    if row.hosted:
        response.headers["Location"] = urls.credential_url(deps.base_url(), row.id)
    return response


def _status_hook() -> vcapi.StatusHook:
    """options.credentialStatus: indexes in the issuer profile's status lists (issue 5)."""
    keystore, base_url = deps.keystore(), deps.base_url()

    def hook(session, profile, document, requested, now):
        document, allocations = status.vcapi_credential_status(
            session, profile, document, requested, now, keystore=keystore, base_url=base_url)
        return document, lambda session, row: status.record_signed(session, allocations, row)

    return hook


# -- W3C VC-API credential status -------------------------------------------------------------

STATUS_TYPES = ("BitstringStatusListCredential", "BitstringStatusListEntry")
STATUS_MEMBERS = ("credentialId", "credentialStatus", "reason")
API_REVOCATION_REASON = "Revoked by the issuer (no reason given)."


def status_request(body: Any) -> tuple[str, str, str | None]:
    """(credentialId, wanted state, reason) from a POST /credentials/status body."""
    example = ('{"credentialId": "...", "credentialStatus": [{"type": '
               '"BitstringStatusListCredential", "status": "revoked"}]}')
    if not isinstance(body, dict):
        raise InvalidRequest(f"send a JSON object: {example}")
    unknown = sorted(set(body) - set(STATUS_MEMBERS))
    if unknown:
        raise InvalidRequest(f"unknown member {unknown[0]!r}; send "
                             f"{', '.join(STATUS_MEMBERS)} only")
    credential_id = body.get("credentialId")
    if not isinstance(credential_id, str) or not credential_id.strip():
        raise InvalidRequest(f"credentialId is required (the credential's id): {example}")
    wanted = body.get("credentialStatus")
    if isinstance(wanted, list):
        if len(wanted) != 1:
            raise InvalidRequest("credentialStatus must hold exactly one status update")
        wanted = wanted[0]
    if not isinstance(wanted, dict):
        raise InvalidRequest(f"credentialStatus is required: {example}")
    extra = sorted(set(wanted) - {"type", "status"})
    if extra:
        raise InvalidRequest(f"credentialStatus: unknown member {extra[0]!r}; send type and "
                             "status only")
    if "type" in wanted and wanted["type"] not in STATUS_TYPES:
        raise InvalidRequest(f"credentialStatus.type {wanted['type']!r} is not supported; use "
                             f"{STATUS_TYPES[0]}")
    state = wanted.get("status")
    if state not in status.CHANGE_TO:
        raise InvalidRequest(f"credentialStatus.status must be one of "
                             f"{', '.join(status.CHANGE_TO)}, not {state!r}")
    reason = body.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise ValidationFailed({"reason": "must be a string"})
    return credential_id.strip(), state, reason


@bp.post("/credentials/status")
def vcapi_update_status():
    principal = authenticate("revoke")
    credential_id, state, reason = status_request(json_body())
    session, base_url = deps.session(), deps.base_url()
    credential = status.find_credential(session, credential_id, base_url=base_url)
    principal.require_profile(credential.profile, f"credential {credential_id}")
    if state == status.REVOKED and not (reason or "").strip():
        reason = API_REVOCATION_REASON  # VC-API clients send none; verifiers see this one
    changed = status.change_to(
        session, credential, state, reason=reason,
        actor=status.Actor(f"api {principal.idempotency_scope}"), keystore=deps.keystore(),
        base_url=base_url, now=deps.now(),
    )
    return jsonify({
        "credentialId": credential_id,
        "credentialStatus": [{"type": STATUS_TYPES[0], "status": changed.state}],
        "reason": changed.reason,
        "changedAt": changed.since.isoformat().replace("+00:00", "Z") if changed.since else None,
    })


# -- native Open Badges issuing ---------------------------------------------------------------


def credential_links(base_url: str, credential_id: str) -> dict[str, str]:
    url = urls.credential_url(base_url, credential_id)
    return {"page": url, "json": url + "/download", "bakedPng": url + "/baked.png",
            "qr": url + "/qr.png"}


def _credential_answer(row, *, status: int, replayed: bool = False) -> Response:
    base_url = deps.base_url()
    response = jsonify({"id": row.id, "credential": json.loads(row.document),
                        "links": credential_links(base_url, row.id)})
    response.status_code = status
    response.headers["Location"] = urls.credential_url(base_url, row.id)
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def _end_of_day_or_datetime(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValidationFailed({"valid_until": "give a date (2027-06-30) or a date-time with "
                                "a time zone (2027-06-30T12:00:00Z)"})
    try:
        if len(value) == 10:
            day = datetime.strptime(value, "%Y-%m-%d").date()
            return datetime.combine(day, time(23, 59, 59), tzinfo=timezone.utc)
        return parse_datetime(value).astimezone(timezone.utc).replace(microsecond=0)
    except ValueError:
        raise ValidationFailed({"valid_until": f"{value!r} is not a date (2027-06-30) or a "
                                "date-time with a time zone (2027-06-30T12:00:00Z)"}) from None


def _text(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationFailed({field: "must be a string"})
    return value


def native_request(body: Any) -> issuance.IssueRequest:
    """The IssueRequest an /api/v1/credentials body asks for (types checked here; the
    issuance service checks the values)."""
    if not isinstance(body, dict):
        raise InvalidRequest('send a JSON object: {"achievement": ..., "recipient": {...}}')
    unknown = sorted(set(body) - set(NATIVE_FIELDS))
    if unknown:
        raise ValidationFailed({key: f"unknown member; use {', '.join(NATIVE_FIELDS)}"
                                for key in unknown})
    if not isinstance(body.get("achievement"), str):
        raise ValidationFailed({"achievement": "give the achievement's id"})
    recipient = body.get("recipient")
    if not isinstance(recipient, dict):
        raise ValidationFailed({"recipient": 'give {"email": ..., "name": ..., "did": ...}'})
    extra = sorted(set(recipient) - {"email", "name", "did"})
    if extra:
        raise ValidationFailed({f"recipient.{key}": "unknown member; use email, name, did"
                                for key in extra})
    if not recipient.get("email"):
        raise ValidationFailed({"email": "the recipient's email is required (a DID may be "
                                "given as well)"})
    evidence = body.get("evidence")
    if isinstance(evidence, list):
        if len(evidence) > 1:
            raise ValidationFailed({"evidence": "give at most one evidence entry"})
        evidence = evidence[0] if evidence else None
    if evidence is not None and not isinstance(evidence, dict):
        raise ValidationFailed({"evidence": 'give {"id": "https://...", "narrative": "..."}'})
    evidence = evidence or {}
    extra = sorted(set(evidence) - {"id", "narrative"})
    if extra:
        raise ValidationFailed({f"evidence.{key}": "unknown member; use id, narrative"
                                for key in extra})
    valid_until = body.get("validUntil")
    return issuance.IssueRequest(
        achievement_id=body["achievement"],
        email=_text(recipient.get("email"), "email") or "",
        name=_text(recipient.get("name"), "name"),
        did=_text(recipient.get("did"), "did"),
        valid_until=None if valid_until is None else _end_of_day_or_datetime(valid_until),
        evidence_url=_text(evidence.get("id"), "evidence_url"),
        evidence_narrative=_text(evidence.get("narrative"), "evidence_narrative"),
    )


@bp.post("/api/v1/credentials")
def native_issue():
    principal = authenticate("issue")
    body = json_body()
    key = request.headers.get("Idempotency-Key")
    if key is not None:
        key = idempotency.check_key(key)
    issue_request = native_request(body)
    session = deps.session()
    try:
        achievement = achievements.get_achievement(session, issue_request.achievement_id)
    except NotFound:
        raise ValidationFailed({"achievement": f"no achievement {issue_request.achievement_id!r}"})\
            from None
    principal.require_profile(achievement.profile, f"achievement {achievement.id}")
    if key is None:
        row = issuance.issue(session, issue_request, keystore=deps.keystore(),
                             base_url=deps.base_url(), now=deps.now())
        return _credential_answer(row, status=201)

    scope, request_hash = principal.idempotency_scope, idempotency.fingerprint(body)
    first = idempotency.replay(session, scope=scope, key=key, request_hash=request_hash)
    if first is not None:
        return _credential_answer(first, status=201, replayed=True)
    now = deps.now()
    try:
        row = issuance.issue(
            session, issue_request, keystore=deps.keystore(), base_url=deps.base_url(), now=now,
            on_issued=idempotency.record(scope=scope, key=key, request_hash=request_hash,
                                         now=now),
        )
    except (Conflict, IntegrityError):
        session.rollback()
        first = idempotency.replay(session, scope=scope, key=key, request_hash=request_hash)
        if first is None:
            raise
        return _credential_answer(first, status=201, replayed=True)
    return _credential_answer(row, status=201)


@bp.get("/api/v1/credentials/<credential_id>")
def native_read(credential_id: str):
    principal = authenticate("read")
    row = issuance.get_credential(deps.session(), credential_id)
    principal.require_profile(row.profile, f"credential {row.id}")
    return _credential_answer(row, status=200)


# -- OpenAPI ----------------------------------------------------------------------------------


@bp.get("/openapi.json")
def openapi_document():
    from issuer.web.openapi import document

    response = jsonify(document(deps.base_url()))
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
