"""Reading Open Badges 2.0 documents: telling an assertion from other input, opening a signed
one's JWS, and the contract of the fetch function the verifier is given."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

V2_CONTEXT = "https://w3id.org/openbadges/v2"
V1_CONTEXT = "https://w3id.org/openbadges/v1"  # Open Badges 1.1: the same shapes
VERSIONS = {V2_CONTEXT: "2.0", V1_CONTEXT: "1.1"}
COMPACT_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
HTTP_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
HOSTED_TYPES = {"hosted", "HostedBadge"}
SIGNED_TYPES = {"signed", "SignedBadge"}


class Unavailable(Exception):
    """What the fetch function raises when a document could not be had: unreachable, refused
    by the fetch policy, not JSON, or not fetched at all (``offline``). The message says why."""

    def __init__(self, message: str, *, offline: bool = False):
        super().__init__(message)
        self.offline = offline


class Gone(Unavailable):
    """The server answered 410 Gone: for a hosted assertion, the issuer revoked it."""


# URL -> the parsed JSON document; raises Unavailable (or Gone).
FetchJson = Callable[[str], Any]


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def version_of(document: Any) -> str | None:
    """"2.0" or "1.1" for a JSON object naming an Open Badges context, else None."""
    if not isinstance(document, dict):
        return None
    for context in as_list(document.get("@context")):
        if isinstance(context, str) and context.rstrip("/") in VERSIONS:
            return VERSIONS[context.rstrip("/")]
    return None


def types_of(document: Any) -> list[str]:
    return [t for t in as_list(document.get("type")) if isinstance(t, str)] \
        if isinstance(document, dict) else []


def is_assertion(document: Any) -> bool:
    return version_of(document) is not None and "Assertion" in types_of(document)


@dataclass(frozen=True)
class SignedAssertion:
    """A compact JWS whose payload is an assertion: the raw parts, to check the signature."""

    token: str
    header: dict[str, Any]
    payload: Any
    signing_input: bytes
    signature: bytes


def _b64url(part: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("a part of the JWS is not base64url") from None


def open_jws(token: str) -> SignedAssertion:
    """The parts of a compact JWS; ValueError when it is not one (header and payload JSON)."""
    token = token.strip()
    if not COMPACT_JWS.match(token):
        raise ValueError("not a compact JWS (three base64url parts separated by dots)")
    header_b64, payload_b64, signature_b64 = token.split(".")
    try:
        header = json.loads(_b64url(header_b64))
        payload = json.loads(_b64url(payload_b64))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ValueError("the JWS header or payload is not JSON") from None
    if not isinstance(header, dict):
        raise ValueError("the JWS header is not a JSON object")
    return SignedAssertion(token, header, payload, f"{header_b64}.{payload_b64}".encode("ascii"),
                           _b64url(signature_b64))


@dataclass(frozen=True)
class HostedAssertion:
    """An assertion known only by its URL (what an OB 1.0-style baked image carries)."""

    url: str


def is_ob2(value: Any) -> bool:
    """True for an OB 2.0/1.1 assertion: its JSON, a compact JWS that carries it, or a
    :class:`HostedAssertion`."""
    if isinstance(value, HostedAssertion):
        return True
    if isinstance(value, dict):
        return is_assertion(value)
    if isinstance(value, str) and COMPACT_JWS.match(value.strip()):
        try:
            return is_assertion(open_jws(value).payload)
        except ValueError:
            return False
    return False


def verification_type(assertion: dict[str, Any]) -> str | None:
    """'hosted' or 'signed' from ``verification`` (1.1: ``verify``), or None."""
    verification = assertion.get("verification", assertion.get("verify"))
    kind = verification.get("type") if isinstance(verification, dict) else verification
    if kind in HOSTED_TYPES:
        return "hosted"
    if kind in SIGNED_TYPES:
        return "signed"
    return None


def summary(value: Any) -> dict[str, Any] | None:
    """What an assertion says about itself, for display before it is verified: its id, the
    dates, and the badge's and issuer's names when they are embedded. None if unreadable."""
    assertion = value
    if isinstance(value, HostedAssertion):
        return {"version": "2.0", "credential_id": value.url}
    if isinstance(value, str):
        try:
            assertion = open_jws(value).payload
        except ValueError:
            return None
    if not isinstance(assertion, dict):
        return None
    badge = assertion.get("badge")
    badge = badge if isinstance(badge, dict) else {}
    issuer = badge.get("issuer")
    issuer = issuer if isinstance(issuer, dict) else {}
    image = assertion.get("image") or badge.get("image")
    image = image.get("id") if isinstance(image, dict) else image

    def text(item: Any) -> str | None:
        return item if isinstance(item, str) and item else None

    return {
        "version": version_of(assertion) or "2.0",
        "credential_id": text(assertion.get("id")),
        "name": text(badge.get("name")),
        "description": text(badge.get("description")),
        "issuer_name": text(issuer.get("name")),
        "issuer_id": text(issuer.get("id")) or text(badge.get("issuer")),
        "awarded": text(assertion.get("issuedOn")),
        "valid_until": text(assertion.get("expires")),
        "image_url": image if isinstance(image, str) and HTTP_URL.match(image) else None,
    }
