"""Build unsigned OB 3.0 OpenBadgeCredentials from plain domain values.

The output follows the serialization rules of OB 3.0 (https://www.imsglobal.org/spec/ob/v3p0/
§ "Serialization"): VC 2.0 + OB context 3.0.3, every set as an array, no null values and no
empty arrays, an embedded issuer Profile, Image objects. Dates are the caller's: nothing here
reads the clock.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from issuer.clock import format_datetime
from issuer.openbadges import vocab


@dataclass(frozen=True)
class Image:
    id: str  # URL or data: URI
    caption: str | None = None

    def to_json(self) -> dict[str, Any]:
        return _compact({"id": self.id, "type": vocab.IMAGE, "caption": self.caption})


@dataclass(frozen=True)
class Profile:
    """An issuer (or creator) Profile."""

    id: str
    name: str
    url: str | None = None
    email: str | None = None
    description: str | None = None
    image: Image | None = None
    phone: str | None = None
    # Endorsements received (signed EndorsementCredentials as JSON, or compact JWS).
    endorsements: Sequence[dict[str, Any]] = ()
    endorsement_jwts: Sequence[str] = ()

    def __post_init__(self) -> None:
        _require(self, "id", "name")

    def to_json(self) -> dict[str, Any]:
        return _compact(
            {
                "id": self.id,
                "type": [vocab.PROFILE],
                "name": self.name,
                "url": self.url,
                "phone": self.phone,
                "description": self.description,
                "image": self.image.to_json() if self.image else None,
                "email": self.email,
                "endorsement": list(self.endorsements),
                "endorsementJwt": list(self.endorsement_jwts),
            }
        )


@dataclass(frozen=True)
class Alignment:
    target_name: str
    target_url: str
    target_description: str | None = None
    target_code: str | None = None
    target_framework: str | None = None
    target_type: str | None = None

    def to_json(self) -> dict[str, Any]:
        return _compact(
            {
                "type": [vocab.ALIGNMENT],
                "targetName": self.target_name,
                "targetUrl": self.target_url,
                "targetDescription": self.target_description,
                "targetCode": self.target_code,
                "targetFramework": self.target_framework,
                "targetType": self.target_type,
            }
        )


@dataclass(frozen=True)
class Achievement:
    id: str
    name: str
    description: str
    criteria_narrative: str | None = None
    criteria_id: str | None = None
    achievement_type: str | None = None
    image: Image | None = None
    tags: Sequence[str] = ()
    alignments: Sequence[Alignment] = ()
    creator: Profile | None = None
    human_code: str | None = None
    field_of_study: str | None = None
    version: str | None = None
    in_language: str | None = None
    endorsements: Sequence[dict[str, Any]] = ()
    endorsement_jwts: Sequence[str] = ()

    def __post_init__(self) -> None:
        _require(self, "id", "name", "description")
        if not (self.criteria_narrative or self.criteria_id):
            raise ValueError("an Achievement needs criteria: a narrative and/or a criteria URL")

    def to_json(self) -> dict[str, Any]:
        return _compact(
            {
                "id": self.id,
                "type": [vocab.ACHIEVEMENT],
                "achievementType": self.achievement_type,
                "name": self.name,
                "description": self.description,
                "criteria": _compact({"id": self.criteria_id, "narrative": self.criteria_narrative}),
                "image": self.image.to_json() if self.image else None,
                "creator": self.creator.to_json() if self.creator else None,
                "humanCode": self.human_code,
                "fieldOfStudy": self.field_of_study,
                "version": self.version,
                "inLanguage": self.in_language,
                "tag": list(self.tags),
                "alignment": [alignment.to_json() for alignment in self.alignments],
                "endorsement": list(self.endorsements),
                "endorsementJwt": list(self.endorsement_jwts),
            }
        )


@dataclass(frozen=True)
class Evidence:
    id: str | None = None
    name: str | None = None
    narrative: str | None = None
    description: str | None = None
    genre: str | None = None
    audience: str | None = None

    def __post_init__(self) -> None:
        if not (self.id or self.narrative or self.name or self.description):
            raise ValueError("evidence needs at least a URL, a name, a description or a narrative")

    def to_json(self) -> dict[str, Any]:
        return _compact(
            {
                "id": self.id,
                "type": [vocab.EVIDENCE],
                "name": self.name,
                "description": self.description,
                "narrative": self.narrative,
                "genre": self.genre,
                "audience": self.audience,
            }
        )


@dataclass(frozen=True)
class Result:
    """A result achieved (``result[]`` of the AchievementSubject)."""

    value: str | None = None
    status: str | None = None
    achieved_level: str | None = None
    result_description: str | None = None

    def to_json(self) -> dict[str, Any]:
        return _compact(
            {
                "type": [vocab.RESULT],
                "resultDescription": self.result_description,
                "achievedLevel": self.achieved_level,
                "status": self.status,
                "value": self.value,
            }
        )


@dataclass(frozen=True)
class Recipient:
    """Who earned the badge: a DID, an email (stored hashed and salted), or both."""

    did: str | None = None
    email: str | None = None
    name: str | None = None
    salt: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not (self.did or self.email):
            raise ValueError("a recipient needs a DID or an email address")
        if self.email is not None and not normalize_email(self.email):
            raise ValueError("the recipient email address is blank")
        if self.did is not None and not self.did.strip():
            raise ValueError("the recipient DID is blank")


def identity_hash(identifier: str, salt: str) -> str:
    """OB 3.0 IdentityHash: ``sha256$`` + hex(SHA-256(UTF-8(identifier + salt)))."""
    return "sha256$" + hashlib.sha256((identifier + salt).encode("utf-8")).hexdigest()


def normalize_email(email: str) -> str:
    """The form an email is hashed in: trimmed and lower-cased."""
    return email.strip().lower()


def email_identity(email: str, salt: str | None = None) -> dict[str, Any]:
    """A hashed, salted ``emailAddress`` IdentityObject."""
    salt = salt or secrets.token_hex(16)
    return {
        "type": vocab.IDENTITY_OBJECT,
        "identityHash": identity_hash(normalize_email(email), salt),
        "identityType": "emailAddress",
        "hashed": True,
        "salt": salt,
    }


def build_credential(
    *,
    credential_id: str,
    issuer: Profile,
    achievement: Achievement,
    recipient: Recipient,
    valid_from: datetime,
    valid_until: datetime | None = None,
    awarded_date: datetime | None = None,
    name: str | None = None,
    description: str | None = None,
    image: Image | None = None,
    evidence: Sequence[Evidence] = (),
    results: Sequence[Result] = (),
    narrative: str | None = None,
    credential_status: Sequence[dict[str, Any]] = (),
    extra_contexts: Sequence[str] = (),
) -> dict[str, Any]:
    """An unsigned OpenBadgeCredential, ready for :func:`issuer.dataintegrity.proofs.add_proof`."""
    if valid_until is not None and valid_until <= valid_from:
        raise ValueError("validUntil must be after validFrom")
    subject = _compact(
        {
            "id": recipient.did,
            "type": [vocab.ACHIEVEMENT_SUBJECT],
            "name": recipient.name,
            "identifier": [email_identity(recipient.email, recipient.salt)] if recipient.email else [],
            "achievement": achievement.to_json(),
            "narrative": narrative,
            "result": [result.to_json() for result in results],
        }
    )
    status = list(credential_status)
    contexts = [*vocab.CREDENTIAL_CONTEXTS, *extra_contexts]
    if issuer.endorsement_jwts or achievement.endorsement_jwts:
        contexts.append(vocab.ENDORSEMENT_JWT_CONTEXT)
    return _compact(
        {
            "@context": contexts,
            "id": credential_id,
            "type": [vocab.VERIFIABLE_CREDENTIAL, vocab.OPEN_BADGE_CREDENTIAL],
            "issuer": issuer.to_json(),
            "validFrom": format_datetime(valid_from),
            "validUntil": format_datetime(valid_until) if valid_until else None,
            "awardedDate": format_datetime(awarded_date) if awarded_date else None,
            "name": name or achievement.name,
            "description": description,
            "image": image.to_json() if image else None,
            "credentialSubject": subject,
            "evidence": [item.to_json() for item in evidence],
            "credentialStatus": status[0] if len(status) == 1 else status,
        }
    )


def _require(instance: object, *names: str) -> None:
    for name in names:
        value = getattr(instance, name)
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{type(instance).__name__}.{name} must be a non-empty string")


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    """Drop None values, empty strings and empty arrays/objects (OB 3.0 serialization)."""
    return {
        key: value
        for key, value in data.items()
        if value is not None and value != [] and value != {} and value != ""
    }
