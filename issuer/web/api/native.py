"""The native issuing API: ``POST /api/v1/credentials`` (scope ``issue``, with
``Idempotency-Key``) and ``GET /api/v1/credentials/<id>`` (scope ``read``)."""

from __future__ import annotations

import json
from datetime import datetime, time, timezone
from typing import Any

from flask import Response, jsonify, request
from sqlalchemy.exc import IntegrityError

from issuer.clock import parse_datetime
from issuer.errors import Conflict, InvalidRequest, NotFound, ValidationFailed
from issuer.services import idempotency, issuance, signing, urls
from issuer.web.api import json_api_blueprint
from issuer.web.api.auth import authenticate
from issuer.web.core import deps
from issuer.web.core.body import json_body

NATIVE_FIELDS = ("achievement", "recipient", "validUntil", "evidence", "format")
# "format": "vc+jwt" adds "vcJwt": the credential (its Data Integrity proof included, as OB 3.0
# §8.2 orders) as a VC-JOSE-COSE compact JWS by the same key, iat = when it was issued: the
# same bytes on every answer.
FORMAT_VC_JWT = "vc+jwt"
# Service field names -> where they are in the /api/v1/credentials body.
NATIVE_PATHS = {
    "achievement": "achievement", "email": "recipient.email", "name": "recipient.name",
    "did": "recipient.did", "valid_until": "validUntil", "evidence_url": "evidence.id",
    "evidence_narrative": "evidence.narrative",
}
EXAMPLE = '{"achievement": ..., "recipient": {"email": ...}}'

bp = json_api_blueprint("native_api", __name__, paths=NATIVE_PATHS)


def credential_links(base_url: str, credential_id: str) -> dict[str, str]:
    """Where to find the credential: ``api`` is this API's own URL for it (what
    ``GET /api/v1/credentials/<id>`` answers), the others are public."""
    url = urls.credential_url(base_url, credential_id)
    return {"api": f"{base_url}/api/v1/credentials/{credential_id}", "page": url,
            "json": url + "/download", "bakedPng": url + "/baked.png", "qr": url + "/qr.png"}


def vc_jwt(row) -> str:
    """The stored credential as a compact JWS (deterministic: EdDSA, iat = issued_at)."""
    keystore = deps.keystore()
    return signing.sign_credential_jwt(json.loads(row.document), keystore=keystore,
                                       key=keystore.resolve(row.verification_method),
                                       now=row.issued_at)


def _wants_jwt(value: Any) -> bool:
    if value is None:
        return False
    if value != FORMAT_VC_JWT:
        raise ValidationFailed({"format": f"the only format to ask for is {FORMAT_VC_JWT!r}"})
    return True


def _credential_answer(row, *, status: int, replayed: bool = False,
                       jwt: bool = False) -> Response:
    base_url = deps.base_url()
    answer = {"id": row.id, "credential": json.loads(row.document)}
    if jwt:
        answer["vcJwt"] = vc_jwt(row)
    answer["links"] = credential_links(base_url, row.id)
    response = jsonify(answer)
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
        raise InvalidRequest(f"send a JSON object: {EXAMPLE}")
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
def issue():
    principal = authenticate("issue")
    body = json_body(example=EXAMPLE)
    key = request.headers.get("Idempotency-Key")
    if key is not None:
        key = idempotency.check_key(key)
    issue_request = native_request(body)
    jwt = _wants_jwt(body.get("format"))
    session = deps.session()
    try:
        context = issuance.issuing_context(session, issue_request.achievement_id,
                                           keystore=deps.keystore(), base_url=deps.base_url())
    except NotFound:
        raise ValidationFailed({"achievement": f"no achievement {issue_request.achievement_id!r}"})\
            from None
    principal.require_profile(context.profile, f"achievement {context.achievement_id}")
    if key is None:
        row = issuance.issue(session, issue_request, keystore=deps.keystore(),
                             base_url=deps.base_url(), now=deps.now(), via="api")
        return _credential_answer(row, status=201, jwt=jwt)

    scope, request_hash = principal.idempotency_scope, idempotency.fingerprint(body)
    first = idempotency.replay(session, scope=scope, key=key, request_hash=request_hash)
    if first is not None:
        return _credential_answer(first, status=201, replayed=True, jwt=jwt)
    now = deps.now()
    try:
        row = issuance.issue(
            session, issue_request, keystore=deps.keystore(), base_url=deps.base_url(), now=now,
            via="api", on_issued=idempotency.record(scope=scope, key=key, request_hash=request_hash,
                                         now=now),
        )
    except (Conflict, IntegrityError):
        session.rollback()
        first = idempotency.replay(session, scope=scope, key=key, request_hash=request_hash)
        if first is None:
            raise
        return _credential_answer(first, status=201, replayed=True, jwt=jwt)
    return _credential_answer(row, status=201, jwt=jwt)


@bp.get("/api/v1/credentials/<uuid:credential_id>")
def read(credential_id: str):
    principal = authenticate("read")
    row = issuance.get_credential(deps.session(), credential_id)
    principal.require_profile(row.profile, f"credential {row.id}")
    return _credential_answer(row, status=200, jwt=_wants_jwt(request.args.get("format")))
