"""POST /api/v1/events through the Flask test client with real API tokens: auth and scope,
validation as problem details, idempotency by id, batches, member identity."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from issuer import db
from issuer.clock import format_datetime, utc_now
from issuer.community.models import Event, Member
from issuer.models import Recipient
from tests.api_helpers import bearer, make_token
from tests.community.helpers import event, events_token, post


def _count(app, model) -> int:
    with app.app_context():
        return db.get_session().scalar(select(func.count()).select_from(model))


def test_needs_a_bearer_token_with_the_events_scope(app, client, profile):
    response = client.post("/api/v1/events", json=event("e1"))
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    issue_only = make_token(app, scopes=("issue",))
    response = post(client, issue_only, event("e1"))
    assert response.status_code == 403
    assert 'scope="events"' in response.headers["WWW-Authenticate"]
    response = post(client, "obi_0123456789abcdef_nope", event("e1"))
    assert response.status_code == 401
    assert _count(app, Event) == 0


def test_accepts_stores_and_answers(app, client, profile):
    token = events_token(app)
    body = event("evt-1", external_id="u-42", data={"thread": 7, "tags": ["intro"]})
    response = post(client, token, body)
    assert response.status_code == 202, response.get_json()
    answer = response.get_json()
    assert answer["id"] == "evt-1" and answer["status"] == "accepted"
    assert answer["member"]["url"] == "http://localhost:5000/members/ada-lovelace"
    assert "ada@example.org" not in response.get_data(as_text=True)  # the email is not echoed
    with app.app_context():
        session = db.get_session()
        stored = session.scalar(select(Event))
        assert (stored.action, stored.data) == ("forum.post", {"thread": 7, "tags": ["intro"]})
        member = session.scalar(select(Member))
        assert (member.external_id, member.display_name, member.email) == (
            "u-42", "Ada Lovelace", "ada@example.org")
        assert session.scalar(select(func.count()).select_from(Recipient)) == 1


def test_a_repeat_gets_the_original_answer_and_another_body_is_a_conflict(app, client, profile):
    token = events_token(app)
    body = event("evt-1")
    first = post(client, token, body)
    reordered = dict(reversed(list(body.items())))  # same JSON, other key order
    again = post(client, token, reordered)
    assert again.status_code == 202
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    changed = post(client, token, {**body, "action": "forum.reply"})
    assert changed.status_code == 409
    problem = changed.get_json()
    assert problem["title"] == "Event id reused" and "evt-1" in problem["detail"]
    assert _count(app, Event) == 1


@pytest.mark.parametrize("change, path, phrase", [
    ({"occurredAt": "2026-05-01T10:00:00"}, "occurredAt", "time zone"),
    ({"occurredAt": "yesterday"}, "occurredAt", "not a date-time"),
    ({"occurredAt": 1700000000}, "occurredAt", "not a date-time"),
    ({"occurredAt": format_datetime(utc_now() + timedelta(hours=1))}, "occurredAt", "future"),
    ({"occurredAt": "1999-12-31T23:59:59Z"}, "occurredAt", "before 2000"),
    ({"occurredAt": None}, "occurredAt", "is required"),
    ({"member": {"name": "Nobody"}}, "member", "externalId, email, or both"),
    ({"member": "ada@example.org"}, "member", "is required"),
    ({"member": {"email": "not-an-email"}}, "member.email", "valid email"),
    ({"member": {"email": "ada@example.org", "phone": "1"}}, "member.phone", "unknown member"),
    ({"action": "Forum Post"}, "action", "lower-case"),
    ({"action": None}, "action", "is required"),
    ({"id": ""}, "id", "blank"),
    ({"id": 42}, "id", "string"),
    ({"id": "x" * 201}, "id", "at most 200"),
    ({"data": [1, 2]}, "data", "JSON object"),
    ({"data": {"big": "x" * 17000}}, "data", "16 KiB"),
    ({"member": {"email": "ada@example.org", "name": "Ada\nLovelace"}}, "member.name",
     "control characters"),
    ({"occuredAt": "2026-05-01T10:00:00Z"}, "occuredAt", "unknown member"),
])
def test_bad_events_are_problem_details_naming_the_member(app, client, profile, change, path,
                                                         phrase):
    token = events_token(app)
    body = {**event("bad-1"), **change}
    response = post(client, token, body)
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == 422 and problem["title"] == "Invalid input"
    assert phrase in problem["errors"][path], problem
    assert path in problem["detail"]
    assert _count(app, Event) == 0 and _count(app, Member) == 0  # nothing half-written


@pytest.mark.parametrize("change, path", [
    ({"data": {"nul": "a\u0000b"}}, "$.data.nul"),
    ({"id": "a\u0000b"}, "$.id"),
])
def test_nul_characters_are_refused_by_the_body_parser(app, client, profile, change, path):
    """PostgreSQL cannot store NUL: the one body parser refuses it (400, naming where)."""
    response = post(client, events_token(app), {**event("bad-1"), **change})
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert f"the string at {path} holds a NUL character" in response.get_json()["detail"]
    assert _count(app, Event) == 0


def test_nan_in_data_is_refused(app, client, profile):
    raw = json.dumps({**event("nan-1"), "data": {"x": 1}}).replace('{"x": 1}', '{"x": NaN}')
    response = client.post("/api/v1/events", data=raw, content_type="application/json",
                           headers=bearer(events_token(app)))
    # NaN is not JSON: the one body parser refuses it before the event is looked at.
    assert response.status_code == 400
    assert "NaN is not a JSON value" in response.get_json()["detail"]
    assert _count(app, Event) == 0


@pytest.mark.parametrize("raw, status", [(b"{not json", 400), (b"[1, 2]", 400),
                                         (b'"text"', 400)])
def test_bodies_that_are_not_an_event_object(app, client, profile, raw, status):
    response = client.post("/api/v1/events", data=raw, content_type="application/json",
                           headers=bearer(events_token(app)))
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"]


def test_an_unknown_external_id_needs_an_email_the_first_time(app, client, profile):
    token = events_token(app)
    response = post(client, token, {**event("x1"), "member": {"externalId": "u-9"}})
    assert response.status_code == 422
    assert "include their email" in response.get_json()["errors"]["member"]
    assert post(client, token, event("x2", external_id="u-9")).status_code == 202
    # Known now: the external id alone is enough, and finds the same member.
    response = post(client, token, {**event("x3"), "member": {"externalId": "u-9"}})
    assert response.status_code == 202
    assert _count(app, Member) == 1


def test_identity_conflicts_are_409(app, client, profile):
    token = events_token(app)
    post(client, token, event("i1", external_id="u-1"))
    post(client, token, event("i2", email="bob@example.org", name="Bob", external_id="u-2"))
    clash = post(client, token, event("i3", email="bob@example.org", external_id="u-1"))
    assert clash.status_code == 409
    assert "two different members" in clash.get_json()["detail"]
    other_email = post(client, token, event("i4", email="eve@example.org", external_id="u-1"))
    assert other_email.status_code == 409
    assert _count(app, Event) == 2


def test_batch_answers_each_event_in_order(app, client, profile):
    token = events_token(app)
    b0, b1 = event("b0"), event("b1")
    post(client, token, b0)
    response = post(client, token, {"events": [
        b1, b0, {**b0, "action": "other.thing"},
        {**event("b2"), "occurredAt": "soon"}, "not an object", b1,
    ]})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [item["status"] for item in results] == [202, 202, 409, 422, 400, 202]
    assert [item["id"] for item in results] == ["b1", "b0", "b0", "b2", None, "b1"]
    assert results[0]["body"]["status"] == "accepted" and "replayed" not in results[0]
    assert results[1]["replayed"] is True and results[5]["replayed"] is True
    assert results[3]["problem"]["errors"]["occurredAt"].startswith("'soon'")
    assert results[4]["problem"]["status"] == 400
    assert _count(app, Event) == 2


@pytest.mark.parametrize("body, field", [
    ({"events": []}, "events"), ({"events": "x"}, "events"),
    ({"events": [event(f"n{i}") for i in range(101)]}, "events"),
    ({"events": [event("n1")], "extra": 1}, "extra"),
])
def test_bad_batches_are_refused_whole(app, client, profile, body, field):
    response = post(client, events_token(app), body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert _count(app, Event) == 0


def test_answers_match_the_openapi_document(app, client, profile):
    from tests.web.test_openapi import check

    spec = client.get("/openapi.json").get_json()
    token = events_token(app)
    body = event("doc-1", data={"k": "v"})
    for response in (post(client, token, body), post(client, token, body),
                     post(client, token, {**body, "action": "x.y"}),
                     post(client, token, {**body, "id": "doc-2", "occurredAt": "now"}),
                     post(client, token, {"events": [event("doc-3"), {"id": 1}]}),
                     client.post("/api/v1/events", json=body),
                     post(client, make_token(app, scopes=("read",)), body)):
        check(spec, "/api/v1/events", "post", response)
    assert "events" in spec["components"]["securitySchemes"]["oauth2"]["flows"][
        "clientCredentials"]["scopes"]
