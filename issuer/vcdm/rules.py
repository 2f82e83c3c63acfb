"""Is this a well-formed credential under VC Data Model 2.0? One function per rule.

https://www.w3.org/TR/vc-data-model-2.0/ — each rule cites the section it comes from. Used by
the issue endpoints before signing: ``validate(credential)`` returns every violation it finds
(empty list = well-formed), never raises. VC 1.1 input (``https://www.w3.org/2018/credentials/v1``
first) is checked against the 1.1 rules it must follow instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from issuer.clock import parse_datetime
from issuer.vcdm import related

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"

# XML Schema dateTimeStamp: a dateTime that MUST carry a time zone (VC DM 2.0 §4.9).
_DATETIME_STAMP = re.compile(
    r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
)
_DATETIME = re.compile(
    r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$"
)


@dataclass(frozen=True)
class Violation:
    rule: str  # a stable id, e.g. "context-first"
    path: str  # JSON path of the offending value
    detail: str  # what is wrong, for a person

    def __str__(self) -> str:
        return f"{self.path}: {self.detail}"


Rule = Callable[[dict[str, Any], str], Iterator[Violation]]


def is_url(value: Any) -> bool:
    """An absolute URL/IRI: has a scheme and something after it, no spaces (§4.4 Identifiers)."""
    if not isinstance(value, str) or not value or any(c.isspace() for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*$", parts.scheme or ""):
        return False
    return bool(parts.netloc or parts.path)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def version(credential: dict[str, Any]) -> str:
    """'2.0' or '1.1' from the first @context (defaults to '2.0' for the checks)."""
    contexts = credential.get("@context")
    first = contexts[0] if isinstance(contexts, list) and contexts else contexts
    return "1.1" if first == VC_V1 else "2.0"


# --- §4.3 Contexts ---------------------------------------------------------------------------

def rule_context(credential: dict[str, Any], v: str) -> Iterator[Violation]:
    contexts = credential.get("@context")
    if contexts is None:
        yield Violation("context-required", "$.@context", "@context is required")
        return
    if not isinstance(contexts, list) or not contexts:
        yield Violation("context-array", "$.@context",
                        "@context must be an ordered array starting with " + VC_V2)
        return
    if contexts[0] not in (VC_V2, VC_V1):
        where = "later in the list" if VC_V2 in contexts or VC_V1 in contexts else "missing"
        yield Violation("context-first", "$.@context[0]",
                        f"the first @context must be {VC_V2} (it is {where})")
    if VC_V2 in contexts and VC_V1 in contexts:
        yield Violation("context-mixed", "$.@context",
                        "the VC 1.1 and VC 2.0 base contexts cannot be combined")
    for index, item in enumerate(contexts):
        if isinstance(item, str):
            if not is_url(item):
                yield Violation("context-url", f"$.@context[{index}]", f"{item!r} is not a URL")
        elif not isinstance(item, dict):
            yield Violation("context-item", f"$.@context[{index}]",
                            "each @context entry must be a URL or an object")


# --- §4.5 Types ------------------------------------------------------------------------------

def rule_type(credential: dict[str, Any], v: str) -> Iterator[Violation]:
    types = credential.get("type")
    if types is None:
        yield Violation("type-required", "$.type", "type is required")
        return
    values = _as_list(types)
    if not values or not all(isinstance(t, str) and t for t in values):
        yield Violation("type-strings", "$.type", "type must be a string or an array of strings")
        return
    if "VerifiableCredential" not in values:
        yield Violation("type-vc", "$.type", "type must include VerifiableCredential")
    if len(set(values)) != len(values):
        yield Violation("type-duplicate", "$.type", "type lists a value twice")


# --- §4.4 Identifiers ------------------------------------------------------------------------

def rule_id(credential: dict[str, Any], v: str) -> Iterator[Violation]:
    if "id" in credential and not is_url(credential["id"]):
        yield Violation("id-url", "$.id", "id must be a single URL (e.g. urn:uuid:... or https://...)")


# --- §4.7 Issuer -----------------------------------------------------------------------------

def rule_issuer(credential: dict[str, Any], v: str) -> Iterator[Violation]:
    issuer = credential.get("issuer")
    if issuer is None:
        yield Violation("issuer-required", "$.issuer", "issuer is required")
    elif isinstance(issuer, dict):
        if not is_url(issuer.get("id")):
            yield Violation("issuer-id", "$.issuer.id", "an issuer object needs an id that is a URL")
    elif not is_url(issuer):
        yield Violation("issuer-url", "$.issuer", "issuer must be a URL or an object with an id")


# --- §4.8 Credential subject -----------------------------------------------------------------

def rule_subject(credential: dict[str, Any], v: str) -> Iterator[Violation]:
    subjects = credential.get("credentialSubject")
    if subjects is None:
        yield Violation("subject-required", "$.credentialSubject", "credentialSubject is required")
        return
    values = _as_list(subjects)
    if not values:
        yield Violation("subject-empty", "$.credentialSubject", "credentialSubject is empty")
    for index, subject in enumerate(values):
        path = "$.credentialSubject" + (f"[{index}]" if isinstance(subjects, list) else "")
        if not isinstance(subject, dict):
            yield Violation("subject-object", path, "each credentialSubject must be an object")
            continue
        if not subject:
            yield Violation("subject-claims", path, "a credentialSubject must make at least one claim")
        if "id" in subject and not is_url(subject["id"]):
            yield Violation("subject-id", path + ".id", "credentialSubject.id must be a URL")


# --- §4.9 Validity period --------------------------------------------------------------------

def rule_dates(credential: dict[str, Any], v: str) -> Iterator[Violation]:
    if v == "2.0":
        for key in ("issuanceDate", "expirationDate"):
            if key in credential:
                yield Violation("date-v1-term", f"$.{key}",
                                f"{key} is VC 1.1; VC 2.0 uses validFrom / validUntil")
        names = ("validFrom", "validUntil")
        pattern = _DATETIME_STAMP
    else:
        if "issuanceDate" not in credential:
            yield Violation("date-issuance-required", "$.issuanceDate",
                            "a VC 1.1 credential requires issuanceDate")
        names = ("issuanceDate", "expirationDate")
        pattern = _DATETIME
    parsed = {}
    for key in names:
        if key not in credential:
            continue
        value = credential[key]
        if not isinstance(value, str) or not pattern.match(value):
            yield Violation("date-format", f"$.{key}",
                            f"{key} must be an XML Schema dateTimeStamp with a time zone, "
                            "e.g. 2026-01-01T00:00:00Z")
            continue
        try:
            parsed[key] = parse_datetime(value)
        except ValueError:
            yield Violation("date-format", f"$.{key}", f"{key} is not a real date: {value!r}")
    start, end = (parsed.get(name) for name in names)
    if start and end and end < start:
        yield Violation("date-order", f"$.{names[1]}", f"{names[1]} is before {names[0]}")


# --- §4.10 Status, §4.11 Data schemas, §5.x related objects ----------------------------------

def _typed_objects(credential: dict[str, Any], key: str, *, need_id: bool) -> Iterator[Violation]:
    if key not in credential:
        return
    value = credential[key]
    items = _as_list(value)
    if not items:
        yield Violation(f"{key}-empty", f"$.{key}", f"{key} must not be an empty array")
    for index, item in enumerate(items):
        path = f"$.{key}" + (f"[{index}]" if isinstance(value, list) else "")
        if not isinstance(item, dict):
            yield Violation(f"{key}-object", path, f"{key} entries must be objects")
            continue
        if not item.get("type"):
            yield Violation(f"{key}-type", path + ".type", f"each {key} entry needs a type")
        if need_id and not is_url(item.get("id")):
            yield Violation(f"{key}-id", path + ".id", f"each {key} entry needs an id that is a URL")
        elif "id" in item and not is_url(item["id"]):
            yield Violation(f"{key}-id", path + ".id", f"{key} id must be a URL")


def rule_related_objects(credential: dict[str, Any], v: str) -> Iterator[Violation]:
    yield from _typed_objects(credential, "credentialStatus", need_id=False)
    yield from _typed_objects(credential, "credentialSchema", need_id=True)
    yield from _typed_objects(credential, "refreshService", need_id=False)
    yield from _typed_objects(credential, "termsOfUse", need_id=False)
    yield from _typed_objects(credential, "evidence", need_id=False)


# --- §5.3 Integrity of related resources -----------------------------------------------------

def rule_related_resource(credential: dict[str, Any], v: str) -> Iterator[Violation]:
    """One or more objects, each with a unique URL ``id`` and at least one well-formed
    ``digestSRI`` / ``digestMultibase`` (whether a digest matches is checked by whoever
    can retrieve the resource)."""
    if "relatedResource" not in credential:
        return
    value = credential["relatedResource"]
    items = _as_list(value)
    if not items:
        yield Violation("relatedResource-empty", "$.relatedResource",
                        "relatedResource must not be an empty array")
    seen: set[str] = set()
    for index, item in enumerate(items):
        path = "$.relatedResource" + (f"[{index}]" if isinstance(value, list) else "")
        if not isinstance(item, dict):
            yield Violation("relatedResource-object", path,
                            "relatedResource entries must be objects with an id and a digest")
            continue
        identifier = item.get("id")
        if not is_url(identifier):
            yield Violation("relatedResource-id", path + ".id",
                            "each relatedResource entry needs an id that is a URL")
        elif identifier in seen:
            yield Violation("relatedResource-duplicate", path + ".id",
                            f"{identifier} is listed twice in relatedResource")
        else:
            seen.add(identifier)
        if "digestSRI" not in item and "digestMultibase" not in item:
            yield Violation("relatedResource-digest", path,
                            "each relatedResource entry needs a digestSRI or digestMultibase")
            continue
        try:
            related.digests(item)
        except related.DigestError as exc:
            yield Violation("relatedResource-digest-format", path, str(exc))
        if "mediaType" in item and not isinstance(item["mediaType"], str):
            yield Violation("relatedResource-mediaType", path + ".mediaType",
                            "mediaType must be a string (a media type such as image/png)")


# --- §4.6 Names and descriptions -------------------------------------------------------------

def rule_name_description(credential: dict[str, Any], v: str) -> Iterator[Violation]:
    for key in ("name", "description"):
        if key not in credential:
            continue
        for index, value in enumerate(_as_list(credential[key])):
            ok = isinstance(value, str) or (
                isinstance(value, dict) and isinstance(value.get("@value"), str)
            )
            if not ok:
                yield Violation(f"{key}-value", f"$.{key}",
                                f"{key} must be a string or a language value object")


# --- §4.12 Securing: the issuer signs, so nothing may be signed already ------------------------

def rule_unsigned(credential: dict[str, Any], v: str) -> Iterator[Violation]:
    if "proof" in credential:
        yield Violation("proof-present", "$.proof",
                        "the credential already carries a proof; send it unsigned")


def rule_no_nulls(credential: dict[str, Any], v: str) -> Iterator[Violation]:
    yield from _walk_nulls(credential, "$")


def _walk_nulls(node: Any, path: str) -> Iterator[Violation]:
    if node is None:
        yield Violation("null-value", path, "null is not a value; leave the property out")
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _walk_nulls(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk_nulls(value, f"{path}[{index}]")


RULES: tuple[Rule, ...] = (
    rule_context, rule_type, rule_id, rule_issuer, rule_subject, rule_dates,
    rule_related_objects, rule_related_resource, rule_name_description, rule_unsigned,
    rule_no_nulls,
)


def validate(credential: Any) -> list[Violation]:
    """Every VC DM violation of an unsigned credential (empty list: well-formed)."""
    if not isinstance(credential, dict):
        return [Violation("credential-object", "$", "a credential must be a JSON object")]
    v = version(credential)
    found: list[Violation] = []
    for rule in RULES:
        found.extend(rule(credential, v))
    return found
