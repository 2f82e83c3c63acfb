"""Build unsigned OB 3.0 EndorsementCredentials, and read what any endorsement says.

OB 3.0 §B.1.6 (EndorsementCredential): ``type`` [VerifiableCredential, EndorsementCredential],
``id``, ``name``, an embedded issuer Profile (the endorser), ``validFrom`` and a
``credentialSubject`` of type [EndorsementSubject] whose ``id`` is the endorsed achievement's
or profile's id, with an optional ``endorsementComment`` (Markdown). Same serialization rules
as :mod:`issuer.openbadges.credential`: arrays everywhere, nothing empty. Pure: no clock, no
database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from issuer.clock import format_datetime, parse_datetime
from issuer.openbadges import vocab
from issuer.openbadges.credential import Profile
from issuer.vcjose import compact

MAX_COMMENT_LENGTH = 5000
# JWT claims that are not part of the credential in an OB 3.0 VC-JWT payload.
_JWT_CLAIMS = ("iss", "sub", "aud", "exp", "nbf", "iat", "jti")


def build_endorsement(
    *,
    credential_id: str,
    issuer: Profile,
    subject_id: str,
    name: str,
    valid_from: datetime,
    comment: str | None = None,
    description: str | None = None,
    valid_until: datetime | None = None,
    credential_status: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """An unsigned EndorsementCredential of ``subject_id`` by ``issuer``."""
    if not subject_id or not subject_id.strip():
        raise ValueError("an endorsement needs the id of what it endorses")
    if not name or not name.strip():
        raise ValueError("an endorsement needs a name")
    if comment is not None and len(comment) > MAX_COMMENT_LENGTH:
        raise ValueError(f"the endorsement comment may have at most {MAX_COMMENT_LENGTH} "
                         "characters")
    if valid_until is not None and valid_until <= valid_from:
        raise ValueError("validUntil must be after validFrom")
    subject: dict[str, Any] = {"id": subject_id, "type": [vocab.ENDORSEMENT_SUBJECT]}
    if comment:
        subject["endorsementComment"] = comment
    status = list(credential_status)
    document: dict[str, Any] = {
        "@context": list(vocab.CREDENTIAL_CONTEXTS),
        "id": credential_id,
        "type": [vocab.VERIFIABLE_CREDENTIAL, vocab.ENDORSEMENT_CREDENTIAL],
        "issuer": issuer.to_json(),
        "name": name,
        "description": description,
        "validFrom": format_datetime(valid_from),
        "validUntil": format_datetime(valid_until) if valid_until else None,
        "credentialSubject": subject,
        "credentialStatus": status[0] if len(status) == 1 else status,
    }
    return {key: value for key, value in document.items() if value not in (None, [], "")}


@dataclass(frozen=True)
class EndorsementInfo:
    """What an endorsement says, for pages and lists (nothing here is verified)."""

    credential_id: str | None
    endorser_id: str | None
    endorser_name: str | None
    endorser_url: str | None
    subject_id: str | None
    comment: str | None
    valid_from: datetime | None
    name: str | None
    is_endorsement: bool  # type has EndorsementCredential


def credential_of(value: Any) -> dict[str, Any] | None:
    """The credential of an endorsement: the JSON object itself, or a compact JWS's payload
    (its ``vc`` claim for a VC 1.1-style token); None when it is neither."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            payload = compact.parse(value.strip()).payload
        except compact.JwsFormatError:
            return None
        nested = payload.get("vc")
        if isinstance(nested, dict):
            return nested
        return {key: item for key, item in payload.items() if key not in _JWT_CLAIMS}
    return None


def _text(value: Any, limit: int) -> str | None:
    return value[:limit] if isinstance(value, str) and value.strip() else None


def describe(value: Any) -> EndorsementInfo:
    """Read an endorsement (JSON object or compact JWS) without trusting it."""
    credential = credential_of(value) or {}
    issuer = credential.get("issuer")
    issuer_node = issuer if isinstance(issuer, dict) else {}
    endorser_id = issuer if isinstance(issuer, str) else issuer_node.get("id")
    subject = credential.get("credentialSubject")
    if isinstance(subject, list):
        subject = subject[0] if subject else None
    subject = subject if isinstance(subject, dict) else {}
    valid_from = None
    raw_from = credential.get("validFrom", credential.get("issuanceDate"))
    if isinstance(raw_from, str):
        try:
            valid_from = parse_datetime(raw_from)
        except ValueError:
            valid_from = None
    types = credential.get("type")
    types = [types] if isinstance(types, str) else types if isinstance(types, list) else []
    return EndorsementInfo(
        credential_id=_text(credential.get("id"), 1000),
        endorser_id=_text(endorser_id, 1000),
        endorser_name=_text(issuer_node.get("name"), 200),
        endorser_url=_text(issuer_node.get("url"), 1000),
        subject_id=_text(subject.get("id"), 1000),
        comment=_text(subject.get("endorsementComment"), MAX_COMMENT_LENGTH),
        valid_from=valid_from,
        name=_text(credential.get("name"), 200),
        is_endorsement=vocab.ENDORSEMENT_CREDENTIAL in types,
    )
