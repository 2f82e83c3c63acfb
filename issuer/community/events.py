"""Community events: checking a reported event, and storing it at most once per issuer.

An event body is ``{"id", "member": {"externalId", "email", "name"}, "action",
"occurredAt", "data"}``. Unknown members are refused at the top level and in ``member`` (a
misspelt ``occuredAt`` must not vanish silently); ``data`` is free-form JSON for the caller.

``(issuer profile, id)`` is unique: the first answer is stored with the event and a repeat of
the same body gets it again; a repeat with another body is a Conflict. Concurrent repeats meet
at the unique constraint, and the loser reads the winner's row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from issuer.clock import format_datetime, parse_datetime
from issuer.community import members
from issuer.community.members import Identity
from issuer.community.models import Event
from issuer.community.rules import ACTION_RE
from issuer.errors import Conflict, InvalidRequest, ValidationFailed
from issuer.models import IssuerProfile
from issuer.services.idempotency import fingerprint
from issuer.services.tx import atomic

EVENT_FIELDS = ("id", "member", "action", "occurredAt", "data")
MEMBER_FIELDS = ("externalId", "email", "name")
MAX_ID_LENGTH = 200
MAX_DATA_BYTES = 16 * 1024
MAX_BATCH = 100
FUTURE_SKEW = timedelta(minutes=5)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


class EventConflict(Conflict):
    """The event id was used before with a different body."""

    title = "Event id reused"


@dataclass(frozen=True)
class EventInput:
    event_id: str
    identity: Identity
    action: str
    occurred_at: datetime
    data: dict[str, Any]
    body_sha256: str


@dataclass(frozen=True)
class Outcome:
    """The answer to one event: ``status`` and ``body`` as first given; ``replayed`` for a
    repeat; ``new_event`` is the stored row's key when this call stored it."""

    status: int
    body: dict[str, Any]
    replayed: bool
    new_event: int | None = None


def _text(value: Any, path: str, errors: dict[str, str], *, limit: int,
          required: bool = False) -> str | None:
    if value is None:
        if required:
            errors[path] = "is required"
        return None
    if not isinstance(value, str):
        errors[path] = "must be a string"
        return None
    if not value.strip():
        errors[path] = "must not be blank"
        return None
    if len(value) > limit:
        errors[path] = f"may have at most {limit} characters"
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        errors[path] = "must not contain control characters"
        return None
    return value


def parse_event(body: Any, *, now: datetime) -> EventInput:
    """An EventInput, or ValidationFailed whose ``errors`` name each bad member by its path
    (``occurredAt``, ``member.email``…)."""
    if not isinstance(body, dict):
        raise InvalidRequest('an event is a JSON object: {"id": ..., "member": {...}, '
                             '"action": ..., "occurredAt": ...}')
    errors: dict[str, str] = {}
    for key in sorted(set(body) - set(EVENT_FIELDS)):
        errors[key] = f"unknown member; an event has {', '.join(EVENT_FIELDS)}"
    event_id = _text(body.get("id"), "id", errors, limit=MAX_ID_LENGTH, required=True)

    identity = None
    member = body.get("member")
    if not isinstance(member, dict):
        errors["member"] = 'is required: {"externalId": ..., "email": ..., "name": ...}'
    else:
        for key in sorted(set(member) - set(MEMBER_FIELDS)):
            errors[f"member.{key}"] = f"unknown member; use {', '.join(MEMBER_FIELDS)}"
        external_id = _text(member.get("externalId"), "member.externalId", errors, limit=200)
        email = _text(member.get("email"), "member.email", errors, limit=254)
        name = _text(member.get("name"), "member.name", errors, limit=200)
        if email is not None:
            try:
                email = members.check_email(email)
            except ValidationFailed:
                errors["member.email"] = "is not a valid email address"
        if "member.externalId" not in errors and "member.email" not in errors \
                and external_id is None and email is None:
            errors["member"] = "identify the member by externalId, email, or both"
        identity = Identity(external_id=external_id, email=email, name=name)

    action = _text(body.get("action"), "action", errors, limit=100, required=True)
    if action is not None and not ACTION_RE.match(action):
        errors["action"] = ("must be lower-case letters, digits and . _ : - such as "
                            "forum.post")

    occurred_at = None
    raw = body.get("occurredAt")
    if raw is None:
        errors["occurredAt"] = "is required: a date-time with a time zone (2026-05-01T10:00:00Z)"
    else:
        try:
            occurred_at = parse_datetime(raw).astimezone(UTC)
        except (ValueError, TypeError):
            errors["occurredAt"] = (f"{raw!r} is not a date-time with a time zone "
                                    "(2026-05-01T10:00:00Z)")
        else:
            if occurred_at > now + FUTURE_SKEW:
                errors["occurredAt"] = "is in the future"
            elif occurred_at < EARLIEST:
                errors["occurredAt"] = "is before 2000-01-01"

    data = body.get("data", {})
    if data is None:
        data = {}
    if not isinstance(data, dict):
        errors["data"] = "must be a JSON object"
    elif _has_nul(data):
        errors["data"] = "must not contain NUL characters"
    else:
        try:
            size = len(json.dumps(data, ensure_ascii=False, allow_nan=False).encode("utf-8"))
        except ValueError:
            errors["data"] = "must be plain JSON (no NaN or Infinity)"
        else:
            if size > MAX_DATA_BYTES:
                errors["data"] = f"may be at most {MAX_DATA_BYTES // 1024} KiB of JSON"

    if errors:
        raise ValidationFailed(errors)
    return EventInput(event_id=event_id, identity=identity, action=action,
                      occurred_at=occurred_at, data=data, body_sha256=fingerprint(body))


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _replay(found: Event, body_sha256: str) -> Outcome:
    if found.body_sha256 != body_sha256:
        raise EventConflict(f"event {found.event_id!r} was already reported with a different "
                            "body; send a new id for a new event")
    return Outcome(status=202, body=found.response, replayed=True)


def _find(session: Session, profile_id: int, event_id: str) -> Event | None:
    return session.scalar(select(Event).where(Event.profile_id == profile_id,
                                              Event.event_id == event_id))


def record_event(session: Session, profile: IssuerProfile, entered: EventInput, *,
                 now: datetime, member_url) -> Outcome:
    """Store the event once (committing) and return the answer; ``member_url(slug)`` builds
    the member's page URL for the answer."""
    profile_id = profile.id
    found = _find(session, profile_id, entered.event_id)
    if found is not None:
        return _replay(found, entered.body_sha256)
    member = members.ensure_member(session, entered.identity, now=now)
    answer = {
        "id": entered.event_id,
        "status": "accepted",
        "action": entered.action,
        "occurredAt": format_datetime(entered.occurred_at),
        "member": {"id": member.slug, "url": member_url(member.slug)},
        "receivedAt": format_datetime(now),
    }
    try:
        with atomic(session):
            row = Event(profile_id=profile_id, event_id=entered.event_id, member=member,
                        action=entered.action, occurred_at=entered.occurred_at,
                        data=entered.data, body_sha256=entered.body_sha256, response=answer,
                        received_at=now)
            session.add(row)
            session.flush()
            new_pk = row.id
    except IntegrityError:
        found = _find(session, profile_id, entered.event_id)
        if found is None:
            raise
        return _replay(found, entered.body_sha256)
    return Outcome(status=202, body=answer, replayed=False, new_event=new_pk)


def recent_events(session: Session, *, limit: int = 100) -> list[Event]:
    return list(session.scalars(
        select(Event).order_by(Event.received_at.desc(), Event.id.desc()).limit(limit)))


def unprocessed_events(session: Session, *, older_than: datetime | None = None,
                       limit: int = 1000) -> list[int]:
    """Events no job has processed yet (received before ``older_than``)."""
    statement = select(Event.id).where(Event.processed_at.is_(None))
    if older_than is not None:
        statement = statement.where(Event.received_at < older_than)
    return list(session.scalars(statement.order_by(Event.id).limit(limit)))
