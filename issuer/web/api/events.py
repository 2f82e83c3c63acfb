"""``POST /api/v1/events``: community activity from other systems (bearer token with the
"events" scope; the event belongs to the token's issuer profile).

One event: ``{"id", "member": {...}, "action", "occurredAt", "data"}`` → 202 with the stored
answer (a repeat gets the same answer with ``Idempotent-Replayed: true``; the same id with
another body → 409). A batch: ``{"events": [...]}`` (at most 100) on the same URL → 200 with
``{"results": [{"index", "id", "status", "body" | "problem"}]}``, one per event, in order;
each event is stored or refused on its own. Rule evaluation runs on the job queue afterwards.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify

from issuer.community import events, members
from issuer.errors import IssuerError, ValidationFailed
from issuer.models import IssuerProfile
from issuer.web.api import json_api_blueprint
from issuer.web.api.auth import authenticate
from issuer.web.api.openapi_parts import AUTH_ERRORS, BEARER, json_answer, problem_answer
from issuer.web.core import deps
from issuer.web.core.body import json_body
from issuer.web.core.problems import problem_body

bp = json_api_blueprint("events_api", __name__)


def _enqueue(event_pk: int) -> None:
    from issuer.jobs import jobs_of

    try:
        jobs_of().community.process_event(event_pk)
    except Exception:  # `issuer community requeue` queues it again
        current_app.logger.exception("could not enqueue event %s", event_pk)


def _one(profile: IssuerProfile, body: Any) -> events.Outcome:
    session = deps.session()
    now = deps.now()
    entered = events.parse_event(body, now=now)
    outcome = events.record_event(
        session, profile, entered, now=now,
        member_url=lambda slug: members.member_url(deps.base_url(), slug))
    if outcome.new_event is not None:
        _enqueue(outcome.new_event)
    return outcome


@bp.post("/api/v1/events")
def post_events():
    principal = authenticate("events")
    body = json_body(example='{"id": ..., "member": {...}, "action": ..., "occurredAt": ...}')
    profile = deps.session().get(IssuerProfile, principal.profile_id)
    if isinstance(body, dict) and "events" in body:
        return _batch(profile, body)
    outcome = _one(profile, body)
    response = jsonify(outcome.body)
    response.status_code = outcome.status
    if outcome.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def _batch(profile: IssuerProfile, body: dict[str, Any]) -> Response:
    extra = sorted(set(body) - {"events"})
    if extra:
        raise ValidationFailed({key: "unknown member; a batch is {\"events\": [...]}"
                                for key in extra})
    items = body["events"]
    if not isinstance(items, list) or not items:
        raise ValidationFailed({"events": "must be a non-empty array of events"})
    if len(items) > events.MAX_BATCH:
        raise ValidationFailed({"events": f"send at most {events.MAX_BATCH} events at once"})
    results = []
    for index, item in enumerate(items):
        event_id = item.get("id") if isinstance(item, dict) else None
        entry: dict[str, Any] = {"index": index,
                                 "id": event_id if isinstance(event_id, str) else None}
        try:
            outcome = _one(profile, item)
        except IssuerError as error:
            deps.session().rollback()
            entry["status"] = error.status
            entry["problem"] = problem_body(error)
        else:
            entry["status"] = outcome.status
            entry["body"] = outcome.body
            if outcome.replayed:
                entry["replayed"] = True
        results.append(entry)
    return jsonify({"results": results})


def openapi_paths() -> dict[str, Any]:
    """This endpoint's entry in /openapi.json (issuer.web.api.openapi merges it in)."""
    member = {"type": "object", "additionalProperties": False,
              "description": "externalId, email or both; email is needed the first time",
              "properties": {"externalId": {"type": "string", "maxLength": 200},
                             "email": {"type": "string", "format": "email"},
                             "name": {"type": "string", "maxLength": 200}}}
    one = {"type": "object", "additionalProperties": False,
           "required": ["id", "member", "action", "occurredAt"],
           "properties": {"id": {"type": "string", "maxLength": 200},
                          "member": member,
                          "action": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_.:-]*$",
                                     "examples": ["forum.post"]},
                          "occurredAt": {"type": "string", "format": "date-time"},
                          "data": {"type": "object", "description": "free-form, ≤ 16 KiB"}}}
    answer = {"type": "object", "required": ["id", "status", "member"],
              "properties": {"id": {"type": "string"}, "status": {"const": "accepted"},
                             "action": {"type": "string"},
                             "occurredAt": {"type": "string"},
                             "receivedAt": {"type": "string"},
                             "member": {"type": "object", "properties": {
                                 "id": {"type": "string"}, "url": {"type": "string"}}}}}
    batch_answer = {"type": "object", "required": ["results"], "properties": {
        "results": {"type": "array", "items": {
            "type": "object", "required": ["index", "status"],
            "properties": {"index": {"type": "integer"}, "id": {"type": ["string", "null"]},
                           "status": {"type": "integer"}, "body": answer,
                           "replayed": {"type": "boolean"},
                           "problem": {"type": "object",
                                       "required": ["type", "title", "status", "detail"]}}}}}}
    return {"/api/v1/events": {"post": {
        "operationId": "postEvents", "tags": ["Community"],
        "summary": "Report community activity (scope events); rules award badges from it",
        "security": BEARER,
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "oneOf": [one, {"type": "object", "additionalProperties": False,
                            "required": ["events"],
                            "properties": {"events": {"type": "array", "items": one,
                                                      "minItems": 1,
                                                      "maxItems": events.MAX_BATCH}}}]}}}},
        "responses": {
            "202": json_answer(answer, "Stored (or the first answer replayed, with "
                         "Idempotent-Replayed: true); rules run in the background"),
            "200": json_answer(batch_answer, "A batch: one result per event, in order"),
            "400": problem_answer("Not JSON, or not an event object"),
            **AUTH_ERRORS,
            "409": problem_answer("The id was used with another body, or the member's externalId "
                            "and email disagree"),
            "422": problem_answer("Invalid fields (errors maps each path to a message)"),
        },
    }}}
