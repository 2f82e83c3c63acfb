"""Endorsements other issuers sent us, attached to our achievements and profiles (issue 15,
item 1; issuing our own is issuer.services.endorsements).

An admin hands in a signed EndorsementCredential (JSON, or a compact JWS). It must be an
endorsement *of that achievement or profile* (``credentialSubject.id`` = its id) and it must
verify (signature, issuer, dates, status: verdict ``verified``; a check that could not be
made refuses it too) before it is kept, exactly as received. Attached ones are embedded in the
credentials issued afterwards (issuer.services.endorsement_embeds); detaching stops that, and
never changes a credential already issued.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from issuer import jsontext
from issuer.endorsement_models import ReceivedEndorsement
from issuer.errors import Conflict, NotFound, ValidationFailed
from issuer.models import Achievement, IssuerProfile
from issuer.openbadges import endorsement as ob_endorsement
from issuer.services import endorsement_embeds, profiles, status, urls
from issuer.services.tx import atomic
from issuer.verification.results import VerificationResult, Verdict

MAX_RECEIVED_CHARS = 256 * 1024  # one endorsement credential, JSON or JWS

# (document: dict or compact JWS text) -> the verification result, with every lookup.
Verify = Callable[[Any], VerificationResult]


def parse_received(text: str | bytes) -> tuple[str, Any, str]:
    """(form, parsed value, text to keep) of a pasted or uploaded endorsement: a JSON object
    ("json") or a compact JWS ("jwt"). ValidationFailed when it is neither."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationFailed({"endorsement": "The file is not UTF-8 text."}) from None
    if len(text) > MAX_RECEIVED_CHARS:
        raise ValidationFailed({"endorsement": "The endorsement is too large: at most "
                                               f"{MAX_RECEIVED_CHARS // 1024} KiB."})
    stripped = text.strip().lstrip("\ufeff")
    if not stripped:
        raise ValidationFailed({"endorsement": "Paste or upload a signed endorsement."})
    if stripped.startswith("{"):
        try:
            value = jsontext.loads(stripped)
        except jsontext.JSONTextError as exc:
            raise ValidationFailed({"endorsement": f"This is not valid JSON: {exc}"}) from None
        return "json", value, text
    if ob_endorsement.credential_of(stripped) is None:
        raise ValidationFailed({"endorsement": "This is neither a JSON endorsement credential "
                                               "nor a compact JWS (header.payload.signature)."})
    return "jwt", stripped, stripped


def received_row(value: Any, text: str, form: str, *, achievement: Achievement | None,
                  profile: IssuerProfile | None, verdict: str, actor: status.Actor,
                  now: datetime) -> ReceivedEndorsement:
    info = ob_endorsement.describe(value)
    return ReceivedEndorsement(
        achievement=achievement, profile=profile, form=form, document=text,
        credential_id=info.credential_id, endorser_id=info.endorser_id or "",
        endorser_name=info.endorser_name, endorser_url=info.endorser_url,
        comment=info.comment, valid_from=info.valid_from, verdict=verdict, checked_at=now,
        attached_by=actor.label[:254], attached_at=now, attached_by_id=actor.admin_user_id)


def attach(
    session: Session,
    text: str | bytes,
    *,
    verify: Verify,
    now: datetime,
    actor: status.Actor,
    base_url: str,
    achievement: Achievement | None = None,
    profile: IssuerProfile | None = None,
) -> ReceivedEndorsement:
    """Verify a received endorsement and attach it to one of our achievements or profiles;
    ValidationFailed (field ``endorsement``, nothing kept) when it is not an endorsement of
    it, or does not verify."""
    if (achievement is None) == (profile is None):
        raise ValueError("attach to one achievement or one profile")
    form, value, kept = parse_received(text)
    info = ob_endorsement.describe(value)
    target_id = (urls.achievement_url(base_url, achievement.id) if achievement is not None
                 else profiles.profile_did(profile, base_url))
    what = "achievement" if achievement is not None else "profile"
    if not info.is_endorsement:
        raise ValidationFailed({"endorsement": "This is not an EndorsementCredential (its type "
                                               "must include EndorsementCredential)."})
    if info.subject_id != target_id:
        raise ValidationFailed({"endorsement": (
            f"This endorses {info.subject_id or 'nothing (no credentialSubject.id)'}, not this "
            f"{what} ({target_id}).")})
    owner = (ReceivedEndorsement.achievement_id == achievement.id if achievement is not None
             else ReceivedEndorsement.profile_id == profile.id)
    current = session.scalar(select(func.count()).select_from(ReceivedEndorsement).where(
        owner, ReceivedEndorsement.detached_at.is_(None)))
    if current >= endorsement_embeds.MAX_EMBEDDED:
        raise ValidationFailed({"endorsement": f"This {what} already has "
                                               f"{endorsement_embeds.MAX_EMBEDDED} endorsements "
                                               "attached; detach one first."})
    if info.credential_id and session.scalar(select(ReceivedEndorsement.id).where(
            owner, ReceivedEndorsement.detached_at.is_(None),
            ReceivedEndorsement.credential_id == info.credential_id)) is not None:
        raise ValidationFailed({"endorsement": "This endorsement is already attached."})
    result = verify(value)
    if result.verdict is not Verdict.VERIFIED:
        failed = [check for check in result.checks
                  if check.failed or check in result.failed_checks]
        unchecked = [check for check in result.not_checked if check not in failed]
        reasons = [f"{check.title}: {check.detail}" for check in failed + unchecked][:4]
        opening = ("It did not verify" if result.verdict is Verdict.NOT_VERIFIED
                   else "It could not be fully verified")
        raise ValidationFailed({"endorsement": f"{opening}, so it was not attached: "
                                               + "; ".join(reasons)})
    with atomic(session):
        row = received_row(value, kept, form, achievement=achievement, profile=profile,
                            verdict=result.verdict.value, actor=actor, now=now)
        session.add(row)
    return row


def detach(session: Session, row: ReceivedEndorsement, *, now: datetime) -> None:
    """No longer embedded in what is issued from now on (issued credentials keep it)."""
    if row.detached_at is not None:
        raise Conflict("This endorsement is already detached.")
    with atomic(session):
        row.detached_at = now


def recheck(session: Session, row: ReceivedEndorsement, *, verify: Verify,
            now: datetime) -> VerificationResult:
    """Verify a received endorsement again and record the verdict."""
    value = row.document if row.form == "jwt" else json.loads(row.document)
    result = verify(value)
    with atomic(session):
        row.verdict = result.verdict.value
        row.checked_at = now
    return result


def attached_now(session: Session) -> list[ReceivedEndorsement]:
    """Every received endorsement attached now (to any achievement or profile)."""
    return list(session.scalars(select(ReceivedEndorsement)
                                .where(ReceivedEndorsement.detached_at.is_(None))
                                .order_by(ReceivedEndorsement.id)))


def get_received(session: Session, row_id: Any) -> ReceivedEndorsement:
    found = session.get(ReceivedEndorsement, int(row_id)) if str(row_id).isdigit() else None
    if found is None:
        raise NotFound(f"no received endorsement {row_id!r}")
    return found


def received_by(session: Session, profile: IssuerProfile, *, include_detached: bool = False
                ) -> list[ReceivedEndorsement]:
    """Endorsements received for the profile itself or any of its achievements, newest
    first."""
    query = (select(ReceivedEndorsement)
             .outerjoin(Achievement, Achievement.id == ReceivedEndorsement.achievement_id)
             .where(or_(ReceivedEndorsement.profile_id == profile.id,
                        Achievement.profile_id == profile.id))
             .order_by(ReceivedEndorsement.attached_at.desc(), ReceivedEndorsement.id.desc()))
    if not include_detached:
        query = query.where(ReceivedEndorsement.detached_at.is_(None))
    return list(session.scalars(query))


def received_for_achievement(session: Session, achievement: Achievement
                             ) -> list[ReceivedEndorsement]:
    """The endorsements attached to an achievement now, in the order they are embedded."""
    return list(session.scalars(
        select(ReceivedEndorsement)
        .where(ReceivedEndorsement.achievement_id == achievement.id,
               ReceivedEndorsement.detached_at.is_(None))
        .order_by(ReceivedEndorsement.attached_at, ReceivedEndorsement.id)))

