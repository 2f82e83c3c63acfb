"""The endorsements API, for the token's own issuer profile (issuer.services.endorsements):

- ``POST /api/v1/endorsements`` (scope ``issue``): ``{"endorsed": ID, "endorsedType"?:
  "achievement" | "profile", "endorsedName"?, "comment"?}`` → 201, a signed
  EndorsementCredential by the token's profile (``endorsedType`` only for someone else's id);
- ``GET /api/v1/endorsements`` and ``GET /api/v1/endorsements/<id>`` (scope ``read``): those
  it gave, with their status;
- ``POST /api/v1/endorsements/<id>/revoke`` (scope ``revoke``): ``{"reason": "..."}``;
- ``POST /api/v1/achievements/<id>/endorsements`` and ``POST /api/v1/profile/endorsements``
  (scope ``issue``): attach an endorsement received from another issuer; the body is the
  endorsement itself, JSON (``application/json``, ``application/vc+ld+json``) or a compact JWS
  (``text/plain``, ``application/jwt``), kept byte for byte once it verified. Refusals are
  422 problem details (``errors.endorsement`` says why).
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from issuer.errors import ValidationFailed
from issuer.services import achievements, endorsements, received_endorsements, status
from issuer.web.api import json_api_blueprint
from issuer.web.api.auth import authenticate
from issuer.web.api.openapi_parts import AUTH_ERRORS, BEARER, json_answer, problem_answer
from issuer.web.core import deps, verifying
from issuer.web.core.body import MalformedBody, json_object

GIVE_FIELDS = ("endorsed", "endorsedType", "endorsedName", "comment")
PATHS = {"subject_id": "endorsed", "subject_kind": "endorsedType",
         "subject_name": "endorsedName", "comment": "comment"}
EXAMPLE = '{"endorsed": "https://…/achievements/…", "comment": "…"}'

bp = json_api_blueprint("endorsements_api", __name__, paths=PATHS)

# ``endorsements`` in a /credentials/verify answer (issuer.verification.endorsements): one
# result per embedded endorsement, apart from the credential's own verdict.
VERIFY_RESULTS = {
    "type": "array",
    "description": "each embedded endorsement verified on its own; never changes `verified`",
    "items": {"type": "object",
              "required": ["where", "path", "format", "verdict", "verified", "checks"],
              "properties": {
                  "where": {"enum": ["credential", "issuer", "achievement"]},
                  "path": {"type": "string"}, "format": {"enum": ["ldp", "jwt"]},
                  "id": {"type": ["string", "null"]},
                  "endorser": {"type": "object"}, "endorsed": {"type": ["string", "null"]},
                  "endorsementComment": {"type": ["string", "null"]},
                  "validFrom": {"type": ["string", "null"]},
                  "verdict": {"enum": ["verified", "not_verified", "incomplete"]},
                  "verified": {"type": "boolean"}, "checks": {"type": "array"},
                  "warnings": {"type": "array"}, "errors": {"type": "array"}}},
}


def _profile(principal):
    from issuer.models import IssuerProfile

    return deps.session().get(IssuerProfile, principal.profile_id)


def _given(row) -> dict[str, Any]:
    state = endorsements.state_of(deps.session(), row)
    base_url = deps.base_url()
    return {
        "id": row.id,
        "endorsed": row.subject_id, "endorsedType": row.subject_kind,
        "endorsedName": row.subject_name, "comment": row.comment,
        "state": state.state, "reason": state.reason,
        "credential": endorsements.document_of(row),
        "links": {"api": f"{base_url}/api/v1/endorsements/{row.id}",
                  "credential": row.signed_credential.credential_id},
    }


def _received(row) -> dict[str, Any]:
    return {"id": row.id, "form": row.form, "endorser": row.endorser_id,
            "endorserName": row.endorser_name, "comment": row.comment,
            "verdict": row.verdict, "attachedTo": (
                {"achievement": row.achievement_id} if row.achievement_id
                else {"profile": row.profile_id})}


def _text(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise ValidationFailed({name: "must be a string"})
    return value


@bp.post("/api/v1/endorsements")
def give():
    principal = authenticate("issue")
    body = json_object(example=EXAMPLE)
    unknown = sorted(set(body) - set(GIVE_FIELDS))
    if unknown:
        raise ValidationFailed({key: f"unknown member; use {', '.join(GIVE_FIELDS)}"
                                for key in unknown})
    kind = _text(body, "endorsedType")
    row = endorsements.issue(
        deps.session(), _profile(principal), subject_id=_text(body, "endorsed") or "",
        subject_kind=kind.lower() if kind else None, subject_name=_text(body, "endorsedName"),
        comment=_text(body, "comment"), keystore=deps.keystore(), base_url=deps.base_url(),
        now=deps.now(), actor=status.Actor(principal.idempotency_scope))
    response = jsonify(_given(row))
    response.status_code = 201
    response.headers["Location"] = row.signed_credential.credential_id
    return response


@bp.get("/api/v1/endorsements")
def list_given():
    principal = authenticate("read")
    rows = endorsements.issued_by(deps.session(), _profile(principal))
    return jsonify({"endorsements": [_given(row) for row in rows]})


def _own(principal, endorsement_id: int):
    row = endorsements.get_issued(deps.session(), endorsement_id)
    principal.require_profile(row.profile, f"endorsement {row.id}")
    return row


@bp.get("/api/v1/endorsements/<int:endorsement_id>")
def read(endorsement_id: int):
    return jsonify(_given(_own(authenticate("read"), endorsement_id)))


@bp.post("/api/v1/endorsements/<int:endorsement_id>/revoke")
def revoke(endorsement_id: int):
    principal = authenticate("revoke")
    row = _own(principal, endorsement_id)
    body = json_object(example='{"reason": "…"}')
    endorsements.revoke(deps.session(), row, reason=_text(body, "reason") or "",
                        actor=status.Actor(principal.idempotency_scope), keystore=deps.keystore(),
                        base_url=deps.base_url(), now=deps.now())
    return jsonify(_given(row))


def _raw_endorsement() -> str:
    data = request.get_data(cache=True)
    if not data.strip():
        raise MalformedBody("The request has no body; send the signed endorsement itself "
                            "(JSON, or its compact JWS as text/plain).")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedBody("The body is not UTF-8 text.") from None


def _attach(principal, **target):
    row = received_endorsements.attach(
        deps.session(), _raw_endorsement(), verify=verifying.verify, now=deps.now(),
        actor=status.Actor(principal.idempotency_scope), base_url=deps.base_url(), **target)
    response = jsonify(_received(row))
    response.status_code = 201
    return response


@bp.post("/api/v1/achievements/<uuid:achievement_id>/endorsements")
def attach_to_achievement(achievement_id):
    principal = authenticate("issue")
    achievement = achievements.get_achievement(deps.session(), str(achievement_id))
    principal.require_profile(achievement.profile, f"achievement {achievement.id}")
    return _attach(principal, achievement=achievement)


@bp.post("/api/v1/profile/endorsements")
def attach_to_profile():
    principal = authenticate("issue")
    return _attach(principal, profile=_profile(principal))


def openapi_paths() -> dict[str, Any]:
    """The endorsement endpoints in /openapi.json (issuer.web.api.openapi merges them in)."""
    given = {"type": "object",
             "required": ["id", "endorsed", "endorsedType", "state", "credential", "links"],
             "properties": {
                 "id": {"type": "integer"}, "endorsed": {"type": "string"},
                 "endorsedType": {"enum": ["achievement", "profile"]},
                 "endorsedName": {"type": ["string", "null"]},
                 "comment": {"type": ["string", "null"]},
                 "state": {"enum": ["active", "revoked"]},
                 "reason": {"type": ["string", "null"]},
                 "credential": {"type": "object",
                                "description": "the signed EndorsementCredential"},
                 "links": {"type": "object"}}}
    received = {"type": "object", "required": ["id", "form", "endorser", "verdict"],
                "properties": {"id": {"type": "integer"}, "form": {"enum": ["json", "jwt"]},
                               "endorser": {"type": "string"},
                               "endorserName": {"type": ["string", "null"]},
                               "comment": {"type": ["string", "null"]},
                               "verdict": {"const": "verified"},
                               "attachedTo": {"type": "object"}}}
    give_body = {"type": "object", "required": ["endorsed"], "additionalProperties": False,
                 "properties": {
                     "endorsed": {"type": "string", "maxLength": endorsements.MAX_ID_LENGTH,
                                  "description": "the endorsed achievement's or profile's id"},
                     "endorsedType": {"enum": ["achievement", "profile"],
                                      "description": "needed for an id not of this server"},
                     "endorsedName": {"type": "string"},
                     "comment": {"type": "string",
                                 "description": "the endorsementComment (Markdown)"}}}
    raw = {"required": True, "content": {
        "application/json": {"schema": {"type": "object"}},
        "application/vc+ld+json": {"schema": {"type": "object"}},
        "text/plain": {"schema": {"type": "string", "description": "a compact JWS"}}}}
    security = BEARER
    number = [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}]

    def refused(what: str) -> dict[str, Any]:
        return {"201": json_answer(received, f"Verified and attached to the {what}"),
                "400": problem_answer("No body"), **AUTH_ERRORS,
                "422": problem_answer("Not an endorsement of it, or it did not verify")}

    return {
        "/api/v1/endorsements": {
            "post": {"operationId": "issueEndorsement", "tags": ["Endorsements"],
                     "summary": "Issue an EndorsementCredential (scope issue)",
                     "security": security,
                     "requestBody": {"required": True, "content": {
                         "application/json": {"schema": give_body}}},
                     "responses": {"201": json_answer(given, "Issued"),
                                   "400": problem_answer("Malformed request"), **AUTH_ERRORS,
                                   "422": problem_answer("Invalid input")}},
            "get": {"operationId": "listEndorsements", "tags": ["Endorsements"],
                    "summary": "The endorsements this profile gave (scope read)",
                    "security": security,
                    "responses": {"200": json_answer(
                        {"type": "object", "required": ["endorsements"],
                         "properties": {"endorsements": {"type": "array", "items": given}}},
                        "The endorsements, newest first"), **AUTH_ERRORS}}},
        "/api/v1/endorsements/{id}": {
            "get": {"operationId": "getEndorsement", "tags": ["Endorsements"],
                    "summary": "One endorsement this profile gave (scope read)",
                    "security": security, "parameters": number,
                    "responses": {"200": json_answer(given, "The endorsement"), **AUTH_ERRORS,
                                  "404": problem_answer("No such endorsement")}}},
        "/api/v1/endorsements/{id}/revoke": {
            "post": {"operationId": "revokeEndorsement", "tags": ["Endorsements"],
                     "summary": "Revoke an endorsement for good (scope revoke)",
                     "security": security, "parameters": number,
                     "requestBody": {"required": True, "content": {"application/json": {
                         "schema": {"type": "object", "required": ["reason"],
                                    "properties": {"reason": {"type": "string"}}}}}},
                     "responses": {"200": json_answer(given, "Revoked"),
                                   "400": problem_answer("Malformed request"), **AUTH_ERRORS,
                                   "404": problem_answer("No such endorsement"),
                                   "409": problem_answer("Already revoked"),
                                   "422": problem_answer("No reason given")}}},
        "/api/v1/achievements/{id}/endorsements": {
            "post": {"operationId": "attachAchievementEndorsement", "tags": ["Endorsements"],
                     "summary": "Attach a received endorsement to an achievement (scope issue)",
                     "security": security, "requestBody": raw,
                     "parameters": [{"name": "id", "in": "path", "required": True,
                                     "schema": {"type": "string", "format": "uuid"}}],
                     "responses": {**refused("achievement"),
                                   "404": problem_answer("No such achievement")}}},
        "/api/v1/profile/endorsements": {
            "post": {"operationId": "attachProfileEndorsement", "tags": ["Endorsements"],
                     "summary": "Attach a received endorsement to the token's issuer profile "
                                "(scope issue)",
                     "security": security, "requestBody": raw,
                     "responses": refused("profile")}},
    }
