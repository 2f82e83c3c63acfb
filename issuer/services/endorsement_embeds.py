"""The received endorsements attached to an achievement or a profile, as they are embedded
in what we issue and host from now on: JSON ones in ``endorsement``, compact JWS ones in
``endorsementJwt``, in the order they were attached, each exactly as received.

Kept apart from issuer.services.endorsements (which issues and attaches them) so that
achievements and profiles can read it without an import circle.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from issuer.endorsement_models import ReceivedEndorsement
from issuer.models import Achievement, IssuerProfile

MAX_EMBEDDED = 20  # per achievement or profile; more are refused when attaching


def attached(session: Session | None, *, achievement_id: str | None = None,
             profile_id: int | None = None) -> tuple[tuple[dict[str, Any], ...], tuple[str, ...]]:
    """(embedded credentials, compact JWS strings) attached to one achievement or profile."""
    if session is None:
        return (), ()
    owner = (ReceivedEndorsement.achievement_id == achievement_id if achievement_id is not None
             else ReceivedEndorsement.profile_id == profile_id)
    rows = session.execute(
        select(ReceivedEndorsement.form, ReceivedEndorsement.document)
        .where(owner, ReceivedEndorsement.detached_at.is_(None))
        .order_by(ReceivedEndorsement.attached_at, ReceivedEndorsement.id)
        .limit(MAX_EMBEDDED)
    ).all()
    documents = tuple(json.loads(text) for form, text in rows if form == "json")
    tokens = tuple(text.strip() for form, text in rows if form == "jwt")
    return documents, tokens


def for_achievement(achievement: Achievement):
    return attached(object_session(achievement), achievement_id=achievement.id)


def for_profile(profile: IssuerProfile):
    return attached(object_session(profile), profile_id=profile.id)
