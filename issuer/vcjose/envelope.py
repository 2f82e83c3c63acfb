"""Enveloped credentials and presentations (VC Data Model 2.0 §4.13): a JSON object whose
``id`` is a ``data:`` URL carrying the secured token, ``data:application/vc+jwt,<jws>``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # a type only: opening an envelope needs no JOSE library
    from issuer.vcjose.compact import Kind

__all__ = ["ENVELOPED_CREDENTIAL", "ENVELOPED_PRESENTATION", "Envelope", "EnvelopeError",
           "enveloped_credential", "enveloped_presentation", "has_base_context",
           "open_envelope"]

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
ENVELOPED_CREDENTIAL = "EnvelopedVerifiableCredential"
ENVELOPED_PRESENTATION = "EnvelopedVerifiablePresentation"
DATA_URL = re.compile(r"^data:(?P<type>[^;,]*)(?P<params>(?:;[^,]*)?),(?P<data>.*)$", re.DOTALL)
# Media types of a JWS envelope, by the kind they carry (the drafts' names included).
JWT_MEDIA_TYPES: dict[str, Kind | None] = {
    "application/vc+jwt": "vc", "application/vp+jwt": "vp",
    "application/vc-ld+jwt": "vc", "application/vp-ld+jwt": "vp", "application/jwt": None,
}


class EnvelopeError(ValueError):
    """An enveloped credential/presentation whose ``id`` is not a JWS we can open."""


@dataclass(frozen=True)
class Envelope:
    kind: Kind  # what the envelope type says it carries
    media_type: str
    token: str


def enveloped_credential(token: str) -> dict[str, Any]:
    """``{"@context", "type": "EnvelopedVerifiableCredential",
    "id": "data:application/vc+jwt,<token>"}``"""
    return {"@context": [VC_V2_CONTEXT], "type": ENVELOPED_CREDENTIAL,
            "id": f"data:application/vc+jwt,{token}"}


def enveloped_presentation(token: str) -> dict[str, Any]:
    return {"@context": [VC_V2_CONTEXT], "type": ENVELOPED_PRESENTATION,
            "id": f"data:application/vp+jwt,{token}"}


def has_base_context(document: dict[str, Any]) -> bool:
    """Whether an envelope's ``@context`` includes the VC 2.0 base context, which defines
    its ``id``, ``type`` and envelope type (VC DM 2.0 §4.13.1, §4.13.2)."""
    contexts = document.get("@context")
    contexts = contexts if isinstance(contexts, list) else [contexts]
    return VC_V2_CONTEXT in contexts


def _types(document: dict[str, Any]) -> list[str]:
    value = document.get("type")
    return [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)] \
        if isinstance(value, list) else []


def open_envelope(document: Any) -> Envelope | None:
    """The JWS inside an enveloped credential or presentation; None when ``document`` is
    not an envelope at all, EnvelopeError when it is one we cannot open (not a data: URL,
    base64-encoded, another securing mechanism such as SD-JWT or COSE)."""
    if not isinstance(document, dict):
        return None
    types = _types(document)
    if ENVELOPED_CREDENTIAL in types:
        kind: Kind = "vc"
    elif ENVELOPED_PRESENTATION in types:
        kind = "vp"
    else:
        return None
    identifier = document.get("id")
    match = DATA_URL.match(identifier.strip()) if isinstance(identifier, str) else None
    if match is None:
        raise EnvelopeError(f"the {types[0]}'s id is not a data: URL")
    media_type = match.group("type").strip().lower()
    if media_type not in JWT_MEDIA_TYPES:
        raise EnvelopeError(f"the envelope carries {media_type or 'no media type'}; only "
                            "JWS (application/vc+jwt, application/vp+jwt) is supported")
    if ";base64" in match.group("params").lower():
        raise EnvelopeError("a JWS envelope carries the token as is, not base64-encoded")
    declared = JWT_MEDIA_TYPES[media_type]
    if declared is not None and declared != kind:
        raise EnvelopeError(f"an {types[0]} carrying {media_type}")
    token = match.group("data").strip()
    if not token:
        raise EnvelopeError("the envelope is empty")
    return Envelope(kind, media_type, token)
