"""Achievements: checked input, create and edit, and their OB 3.0 form (id = hosted URL)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from issuer.errors import ValidationFailed
from issuer.models import Achievement, IssuedCredential, IssuerProfile, StoredImage
from issuer.openbadges import credential as ob
from issuer.openbadges.vocab import ACHIEVEMENT_TYPES
from issuer.services import endorsement_embeds, ids, urls
from issuer.services.badge_designs import DesignedBadge
from issuer.services.profiles import is_http_url

MAX_TAGS = 30
MAX_ALIGNMENTS = 20


@dataclass(frozen=True)
class AlignmentInput:
    target_name: str
    target_url: str
    target_framework: str | None = None
    target_code: str | None = None


@dataclass(frozen=True)
class AchievementFields:
    name: str
    description: str
    criteria_narrative: str
    achievement_type: str | None = None
    tags: tuple[str, ...] = ()
    alignments: tuple[AlignmentInput, ...] = field(default=())
    private: bool = False  # visible only to its holder (issuer/web/public/visibility.py)


def check_fields(fields: AchievementFields) -> AchievementFields:
    """Trimmed, checked fields; raises ValidationFailed naming each bad field."""
    errors: dict[str, str] = {}
    name = (fields.name or "").strip()
    if not name:
        errors["name"] = "Enter a name."
    elif len(name) > 200:
        errors["name"] = "The name may have at most 200 characters."
    description = (fields.description or "").strip()
    if not description:
        errors["description"] = "Enter a description."
    elif len(description) > 5000:
        errors["description"] = "The description may have at most 5000 characters."
    criteria = (fields.criteria_narrative or "").strip()
    if not criteria:
        errors["criteria_narrative"] = "Describe what earns this achievement."
    elif len(criteria) > 20000:
        errors["criteria_narrative"] = "The criteria may have at most 20000 characters."
    achievement_type = (fields.achievement_type or "").strip() or None
    if achievement_type is not None and achievement_type not in ACHIEVEMENT_TYPES:
        errors["achievement_type"] = "Choose one of the Open Badges achievement types."
    tags = tuple(dict.fromkeys(tag.strip() for tag in fields.tags if tag and tag.strip()))
    if len(tags) > MAX_TAGS:
        errors["tags"] = f"At most {MAX_TAGS} tags."
    elif any(len(tag) > 60 for tag in tags):
        errors["tags"] = "Each tag may have at most 60 characters."
    alignments = []
    for number, alignment in enumerate(fields.alignments, start=1):
        target_name = (alignment.target_name or "").strip()
        target_url = (alignment.target_url or "").strip()
        if not target_name or not is_http_url(target_url):
            errors["alignments"] = (
                f"Alignment {number}: give a name and an http(s) URL, as 'Name | https://…'."
            )
            break
        alignments.append(
            AlignmentInput(
                target_name=target_name[:200],
                target_url=target_url,
                target_framework=(alignment.target_framework or "").strip() or None,
                target_code=(alignment.target_code or "").strip() or None,
            )
        )
    if len(alignments) > MAX_ALIGNMENTS:
        errors["alignments"] = f"At most {MAX_ALIGNMENTS} alignments."
    if errors:
        raise ValidationFailed(errors)
    return AchievementFields(
        name=name,
        description=description,
        criteria_narrative=criteria,
        achievement_type=achievement_type,
        tags=tags,
        alignments=tuple(alignments),
        private=bool(fields.private),
    )


def _alignment_rows(alignments: tuple[AlignmentInput, ...]) -> list[dict[str, Any]]:
    return [
        {key: value for key, value in vars(alignment).items() if value is not None}
        for alignment in alignments
    ]


def create_achievement(
    session: Session,
    *,
    profile: IssuerProfile,
    fields: AchievementFields,
    image: StoredImage | None,
    now: datetime,
    designed: DesignedBadge | None = None,
) -> Achievement:
    """Add an achievement (the caller commits); its image is ``designed`` (the PNG rendered
    from the design), else the uploaded ``image``."""
    fields = check_fields(fields)
    achievement = Achievement(
        id=str(uuid.uuid4()),
        profile=profile,
        name=fields.name,
        description=fields.description,
        criteria_narrative=fields.criteria_narrative,
        achievement_type=fields.achievement_type,
        image=image,
        tags=list(fields.tags),
        alignments=_alignment_rows(fields.alignments),
        private=fields.private,
        created_at=now,
        updated_at=now,
    )
    _set_image(achievement, image=image, designed=designed)
    session.add(achievement)
    session.flush()
    return achievement


def _set_image(achievement: Achievement, *, image: StoredImage | None,
               designed: DesignedBadge | None) -> None:
    """A new design replaces the image; a new upload replaces the image and the design."""
    if designed is not None:
        achievement.image = designed.png
        achievement.design_svg = designed.svg
        achievement.design = designed.design.to_record()
    elif image is not None:
        achievement.image = image
        achievement.design_svg = None
        achievement.design = None


def update_achievement(
    achievement: Achievement, *, fields: AchievementFields, image: StoredImage | None,
    now: datetime, designed: DesignedBadge | None = None,
) -> Achievement:
    """Apply edits (the caller commits). Credentials already issued keep their copy."""
    fields = check_fields(fields)
    achievement.name = fields.name
    achievement.description = fields.description
    achievement.criteria_narrative = fields.criteria_narrative
    achievement.achievement_type = fields.achievement_type
    achievement.tags = list(fields.tags)
    achievement.alignments = _alignment_rows(fields.alignments)
    achievement.private = fields.private
    _set_image(achievement, image=image, designed=designed)
    achievement.updated_at = now
    return achievement


def get_achievement(session: Session, achievement_id: str) -> Achievement:
    return ids.get_or_not_found(session, Achievement, achievement_id, "achievement")


def list_achievements(session: Session, profile: IssuerProfile | None = None, *,
                      archived: bool | None = None) -> list[Achievement]:
    """Newest first; ``archived`` True or False for only archived or only issuable ones
    (the issuing choices), None for all."""
    query = select(Achievement).order_by(Achievement.created_at.desc(), Achievement.name)
    if profile is not None:
        query = query.where(Achievement.profile_id == profile.id)
    if archived is not None:
        query = query.where(Achievement.archived_at.is_not(None) if archived
                            else Achievement.archived_at.is_(None))
    return list(session.scalars(query))


def archive(achievement: Achievement, *, now: datetime) -> bool:
    """Stop new issuing of ``achievement`` (False if it was archived already)."""
    if achievement.archived_at is not None:
        return False
    achievement.archived_at = now
    return True


def restore(achievement: Achievement) -> bool:
    """Make an archived achievement issuable again (False if it was not archived)."""
    if achievement.archived_at is None:
        return False
    achievement.archived_at = None
    return True


def archived_error(achievement: Achievement) -> str:
    """The message every issuing path gives for an archived achievement."""
    return (f"The achievement “{achievement.name}” is archived: nothing new is issued for it. "
            "Restore it on its admin page to issue it again.")


def public_achievements(session: Session, profile: IssuerProfile | None = None
                        ) -> list[Achievement]:
    """The achievements public pages list: all but private ones."""
    return [row for row in list_achievements(session, profile) if not row.private]


def issued_counts(session: Session) -> dict[str, int]:
    """How many credentials were issued for each achievement (by achievement id)."""
    query = (select(IssuedCredential.achievement_id, func.count())
             .group_by(IssuedCredential.achievement_id))
    return {achievement_id: count for achievement_id, count in session.execute(query)}


def to_open_badges(achievement: Achievement, base_url: str) -> ob.Achievement:
    image = None
    if achievement.image is not None:
        image = ob.Image(
            id=urls.image_url(base_url, achievement.image.id, achievement.image.content_type),
            caption=achievement.name,
        )
    endorsed, endorsed_jwts = endorsement_embeds.for_achievement(achievement)
    return ob.Achievement(
        id=urls.achievement_url(base_url, achievement.id),
        name=achievement.name,
        description=achievement.description,
        criteria_narrative=achievement.criteria_narrative,
        achievement_type=achievement.achievement_type,
        image=image,
        tags=tuple(achievement.tags or ()),
        alignments=tuple(
            ob.Alignment(
                target_name=row["target_name"],
                target_url=row["target_url"],
                target_framework=row.get("target_framework"),
                target_code=row.get("target_code"),
            )
            for row in achievement.alignments or ()
        ),
        endorsements=endorsed,
        endorsement_jwts=endorsed_jwts,
    )


def hosted_document(achievement: Achievement, base_url: str) -> dict:
    """The Achievement served at its URL, with the OB contexts."""
    from issuer.openbadges import vocab

    document = to_open_badges(achievement, base_url).to_json()
    contexts = list(vocab.CREDENTIAL_CONTEXTS)
    if "endorsementJwt" in document:
        contexts.append(vocab.ENDORSEMENT_JWT_CONTEXT)
    return {"@context": contexts, **document}

