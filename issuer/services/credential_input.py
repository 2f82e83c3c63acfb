"""Take a credential as people hand it in for verification: an uploaded file (JSON, a baked
PNG or SVG, a compact JWS), pasted text, or a URL; and say clearly when it is none of these.

A URL of one of this server's own credentials is read from the database (no request to
ourselves); any other URL goes through the safe fetcher, asking for the credential's JSON
first (``Accept: application/vc+ld+json``), and the answer may itself be a baked image.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from sqlalchemy.orm import Session

from issuer import jsontext
from issuer.errors import InvalidRequest, NotFound
from issuer.openbadges import baking
from issuer.services import issuance
from issuer.services.fetch import FetchError, FetchPolicy, fetch
from issuer.vcjose import claims, compact
from issuer.verification import ob2

__all__ = [
    "ACCEPT",
    "Submitted",
    "UnreadableCredential",
    "jwt_credential",
    "our_credential_text",
    "read_bytes",
    "read_text",
    "read_url",
]

# What we ask a server for: the credential's JSON first, then a baked image.
ACCEPT = ("application/vc+ld+json, application/ld+json;q=0.9, application/json;q=0.8, "
          "image/png;q=0.5, image/svg+xml;q=0.5")
MAX_URL_LENGTH = 2048
CREDENTIAL_PATH = re.compile(r"^/credentials/([0-9a-fA-F-]{36})(?:/.*)?$")

Source = Literal["upload", "paste", "url"]


class UnreadableCredential(InvalidRequest):
    """What was handed in is not a credential we can read (the message says why)."""

    title = "Not a readable credential"
    status = 422


@dataclass(frozen=True)
class Submitted:
    """A credential as handed in. ``kind`` 'json' (embedded proof, or an OB 2.0 assertion;
    ``document`` is the parsed JSON), 'jwt' (a compact JWS in ``text``; ``document`` None) or
    'url' (an OB 2.0 image baked with its hosted assertion's URL, in ``text``).
    ``container``: where it was found ('png', 'svg', 'json' or 'jws')."""

    kind: Literal["json", "jwt", "url"]
    text: str
    container: str
    document: Any
    source: Source

    @property
    def verifiable(self) -> Any:
        """What verification takes: the JSON, the compact JWS as text, or (an Open Badges
        1.0/2.0 image that carries only its hosted assertion's URL) a HostedAssertion."""
        if self.kind == "jwt":
            return self.text
        if self.kind == "url":
            return ob2.HostedAssertion(self.text)
        return self.document


def _parse(found: baking.Extracted, source: Source) -> Submitted:
    if found.kind in ("jwt", "url"):
        return Submitted(found.kind, found.text, found.container, None, source)
    try:
        document = jsontext.loads(found.text)
    except jsontext.JSONTextError as exc:
        where = {"png": "the PNG", "svg": "the SVG"}.get(found.container, "it")
        raise UnreadableCredential(f"The credential in {where} is not valid JSON: "
                                   f"{_short(exc)}") from None
    if not isinstance(document, dict):
        raise UnreadableCredential("The credential must be a JSON object.")
    return Submitted("json", found.text, found.container, document, source)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else exc.__class__.__name__)[:200]


def read_bytes(data: bytes, *, source: Source = "upload") -> Submitted:
    """A credential from a file's bytes: JSON, a baked PNG / SVG, or a compact JWS."""
    if not data or not data.strip():
        raise UnreadableCredential("The file is empty.")
    try:
        found = baking.extract_credential(data)
    except baking.BakingError as exc:
        raise UnreadableCredential(_sentence(str(exc))) from None
    return _parse(found, source)


def read_text(text: str) -> Submitted:
    """A credential pasted as text: JSON, or a compact JWS."""
    if not text or not text.strip():
        raise UnreadableCredential("Paste a credential (its JSON).")
    stripped = text.strip()
    if not stripped.startswith("{") and not baking.COMPACT_JWS.match(stripped):
        raise UnreadableCredential("The pasted text is not a credential: paste its JSON, "
                                   "which starts with “{”.")
    return read_bytes(text.encode("utf-8"), source="paste")


def our_credential_text(session: Session, url: str, base_url: str) -> str | None:
    """The stored text of one of this server's credentials named by ``url`` (its page, its
    JSON or any of its sub-resources), or None when the URL is not ours."""
    base = urlsplit(base_url)
    parts = urlsplit(url)
    if (parts.scheme, (parts.netloc or "").lower()) != (base.scheme, base.netloc.lower()):
        return None
    path = unquote(parts.path)
    prefix = base.path.rstrip("/")
    if prefix:
        if not path.startswith(prefix + "/"):
            return None
        path = path[len(prefix):]
    match = CREDENTIAL_PATH.match(path)
    if match is None:
        return None
    try:
        uuid.UUID(match.group(1))
        return issuance.get_credential(session, match.group(1).lower()).document
    except (ValueError, NotFound):
        raise UnreadableCredential("There is no credential at this address on this site.") from None


def read_url(url: str, *, session: Session, base_url: str, policy: FetchPolicy) -> Submitted:
    """A credential from a URL: ours from the database, anyone else's through the safe
    fetcher (http(s) only; private addresses refused unless the policy allows them)."""
    url = (url or "").strip()
    if not url:
        raise UnreadableCredential("Enter the address (URL) of a credential.")
    if len(url) > MAX_URL_LENGTH:
        raise UnreadableCredential(f"The address is longer than {MAX_URL_LENGTH} characters.")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise UnreadableCredential("Only web addresses starting with https:// or http:// can "
                                   "be fetched.")
    ours = our_credential_text(session, url, base_url)
    if ours is not None:
        return _parse(baking.Extracted("json", ours, "json"), "url")
    try:
        fetched = fetch(url, policy=policy, accept=ACCEPT)
    except FetchError as exc:
        raise UnreadableCredential(f"Could not fetch the credential: {_sentence(str(exc))}") from None
    media_type = fetched.content_type.split(";", 1)[0].strip().lower()
    if media_type in ("text/html", "application/xhtml+xml"):
        raise UnreadableCredential(
            "The address returned a web page, not a credential. Use the address of the "
            "credential's JSON or of a baked badge image (or download it and upload the file)."
        )
    try:
        found = baking.extract_credential(fetched.body)
    except baking.BakingError as exc:
        raise UnreadableCredential(f"What the address returned is not a credential: "
                                   f"{_sentence(str(exc))}") from None
    return _parse(found, "url")


def jwt_credential(text: str) -> dict[str, Any] | None:
    """The credential a compact JWS carries, for display only (not verified: verification
    decides whether to believe it); None when the token cannot be read."""
    try:
        parsed = compact.parse(text)
        info = compact.check_header(parsed.header)
    except compact.JwsFormatError:
        return None
    return claims.interpret(parsed.payload, info).document


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
