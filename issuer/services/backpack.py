"""A member's credentials through the OB 3.0 API (OB 3.0 §6.3): the ones we issued them and
the ones from elsewhere they keep here ("held"), paged; upserting a held credential; the
member's OB ``Profile``.

A held credential is verified before it is kept (issuer.services.verification, the same
checks as /verify) and stored exactly as received: never re-signed, never re-serialised.
Upsert equality (the spec's "credential equality and comparison"): the same issuer and the
same ``id``; a credential without an ``id`` is compared by its exact bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from issuer.clock import parse_datetime
from issuer.community import members
from issuer.community.models import Member
from issuer.errors import ValidationFailed
from issuer.models import IssuedCredential
from issuer.obapi.models import HeldCredential
from issuer.openbadges import schema_validation
from issuer.vcjose.compact import JwsFormatError, parse
from issuer.verification.results import VerificationResult

MAX_LIMIT = 100
DEFAULT_LIMIT = 50
MAX_HELD = 1000  # credentials one member may keep here


@dataclass(frozen=True)
class Entry:
    """One credential of the list: JSON text, or a compact JWS (``compact``)."""

    text: str
    compact: bool


@dataclass(frozen=True)
class Page:
    total: int
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Upserted:
    held: HeldCredential
    created: bool


class NotAccepted(ValidationFailed):
    """The credential was not kept: it failed the schema or did not verify."""

    title = "Credential not accepted"


def credentials_page(session: Session, member: Member, *, limit: int, offset: int,
                     since: datetime | None = None) -> Page:
    """The member's credentials, ours first (newest first), then held ones (newest first)."""
    issued = select(IssuedCredential).where(IssuedCredential.recipient_id == member.recipient_id)
    held = select(HeldCredential).where(HeldCredential.member_id == member.id)
    if since is not None:
        issued = issued.where(IssuedCredential.valid_from > since)
        held = held.where(HeldCredential.valid_from > since)
    issued_total = session.scalar(select(func.count()).select_from(issued.subquery())) or 0
    held_total = session.scalar(select(func.count()).select_from(held.subquery())) or 0
    entries: list[Entry] = []
    if offset < issued_total:
        rows = session.scalars(issued.order_by(IssuedCredential.issued_at.desc(),
                                               IssuedCredential.id)
                               .offset(offset).limit(limit)).all()
        entries.extend(Entry(row.document, False) for row in rows)
    remaining = limit - len(entries)
    if remaining > 0:
        rows = session.scalars(held.order_by(HeldCredential.stored_at.desc(), HeldCredential.id)
                               .offset(max(0, offset - issued_total)).limit(remaining)).all()
        entries.extend(Entry(row.document, row.compact_jws) for row in rows)
    return Page(issued_total + held_total, tuple(entries))


def held_credentials(session: Session, member: Member) -> list[HeldCredential]:
    return list(session.scalars(select(HeldCredential)
                                .where(HeldCredential.member_id == member.id)
                                .order_by(HeldCredential.stored_at.desc(), HeldCredential.id)))


def credential_of(body: Any) -> tuple[dict[str, Any], bool]:
    """The credential in an upsert body (a JSON object, or a compact JWS string whose
    payload is read unverified, to be verified next) and whether it came as a JWS."""
    if isinstance(body, dict):
        return body, False
    if isinstance(body, str):
        try:
            payload = parse(body.strip()).payload
        except JwsFormatError as error:
            raise NotAccepted({"credential": f"This is not a compact JWS: {error}"}) from None
        # OB 3.0 VC-JWT carries the credential in "vc"; VC-JOSE-COSE is the credential itself
        return (payload["vc"] if isinstance(payload.get("vc"), dict) else payload), True
    raise NotAccepted({"credential": "Send an AchievementCredential (JSON) or a compact JWS."})


def upsert_held(session: Session, member: Member, body: Any, *,
                verify: Callable[[Any], VerificationResult], now: datetime) -> Upserted:
    """Keep ``body`` (a credential issued elsewhere) for ``member`` once it passes the OB 3.0
    schema and verifies; replace the one it equals. The caller commits."""
    credential, compact = credential_of(body)
    problems = schema_validation.validate_credential(credential)
    if problems:
        raise NotAccepted({"credential": "; ".join(str(p) for p in problems[:3])})
    result = verify(body.strip() if compact else body)
    if not result.verified:
        failed = ", ".join(check.id for check in result.failed_checks) or "verification"
        raise NotAccepted({"credential": f"The credential does not verify ({failed})."})
    text = body.strip() if compact else json.dumps(body, ensure_ascii=False,
                                                   separators=(",", ":"))
    key = _equality_key(credential, text)
    row = session.scalar(select(HeldCredential).where(HeldCredential.member_id == member.id,
                                                      HeldCredential.credential_key == key))
    created = row is None
    if created:
        count = session.scalar(select(func.count()).select_from(HeldCredential)
                               .where(HeldCredential.member_id == member.id)) or 0
        if count >= MAX_HELD:
            raise NotAccepted({"credential": f"You may keep at most {MAX_HELD} credentials."})
        row = HeldCredential(member_id=member.id, credential_key=key, stored_at=now)
        session.add(row)
    row.compact_jws = compact
    row.document = text
    row.name = _achievement_name(credential)[:300]
    row.issuer_name = _issuer_name(credential)[:300]
    row.valid_from = _valid_from(credential)
    row.updated_at = now
    session.flush()
    return Upserted(row, created)


def _equality_key(credential: dict[str, Any], text: str) -> str:
    identifier = credential.get("id")
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    basis = (f"id\n{issuer_id}\n{identifier}" if isinstance(identifier, str)
             else f"bytes\n{text}")
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()


def _achievement_name(credential: dict[str, Any]) -> str:
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    name = achievement.get("name") if isinstance(achievement, dict) else None
    return name if isinstance(name, str) else str(credential.get("name") or "Credential")


def _issuer_name(credential: dict[str, Any]) -> str:
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        return str(issuer.get("name") or issuer.get("id") or "")
    return str(issuer or "")


def _valid_from(credential: dict[str, Any]) -> datetime | None:
    value = credential.get("validFrom") or credential.get("issuanceDate")
    try:
        return parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        return None


# -- the member's OB Profile --------------------------------------------------------------------


def profile_document(member: Member, *, base_url: str) -> dict[str, Any]:
    """The member as an OB 3.0 ``Profile`` (its id is their page's URL)."""
    url = members.member_url(base_url, member.slug)
    document: dict[str, Any] = {"id": url, "type": ["Profile"], "name": member.display_name,
                                "url": url}
    if member.bio:
        document["description"] = member.bio
    return document


def update_profile(member: Member, body: Any, *, base_url: str, now: datetime) -> None:
    """Apply a PUT /profile body: ``name`` and ``description`` (the caller commits)."""
    if not isinstance(body, dict):
        raise ValidationFailed({"profile": "Send a Profile (a JSON object)."})
    problems = schema_validation.validate(body, schema_validation.PROFILE)
    if problems:
        raise ValidationFailed({"profile": "; ".join(str(p) for p in problems[:3])})
    if body["id"] != members.member_url(base_url, member.slug):
        raise ValidationFailed({"id": "The profile's id is the member page's URL; it cannot "
                                      "change."})
    for name in ("name", "description"):
        if name in body and not isinstance(body[name], str):
            raise ValidationFailed({name: f"{name} must be a string."})
    members.update_member(member, members.MemberFields(
        display_name=body.get("name", member.display_name),
        headline=member.headline, bio=body.get("description", member.bio),
        interests=members.interests_text(member), links=members.links_text(member),
        did=member.did), avatar=None, now=now)
