"""Validate credentials against the vendored 1EdTech OB 3.0 JSON Schemas (never raises).

Two schema generations exist (see issuer/schemas/README.md): the JSON-LD-adapted one that
1EdTech publishes today at the ``..._schema.json`` URLs, which accepts compacted single values,
and the strict 2024 one that requires arrays. Certification fails the first and warns on the second;
we report them the same way.

The verdict comes from a compiled validator (``jsonschema-rs``, each schema compiled once per
process: the schemas are package data, so the name is the content); only an invalid document
is walked again by the reference validator (python-jsonschema) to word its violations, so the
messages stay those the reference gives. Both resolve ``$ref`` within the vendored schema and
never fetch anything. tests/unit/openbadges/test_schema_differential.py checks that the two
agree on every vector, example and generated variant we have.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema_rs

if TYPE_CHECKING:
    import jsonschema

SCHEMAS_DIR = Path(__file__).resolve().parents[1] / "schemas"  # package data

ACHIEVEMENT_CREDENTIAL = "ob_v3p0_achievementcredential_schema.json"
ACHIEVEMENT_CREDENTIAL_STRICT = "legacy-2024/ob_v3p0_achievementcredential-jsonschema1.json"
ENDORSEMENT_CREDENTIAL = "ob_v3p0_endorsementcredential_schema.json"
ENDORSEMENT_CREDENTIAL_STRICT = "legacy-2024/ob_v3p0_endorsementcredential-jsonschema1.json"
PROFILE = "ob_v3p0_profile_schema.json"

@dataclass(frozen=True)
class SchemaError:
    """One schema violation: where (a JSON path) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@lru_cache(maxsize=None)
def _schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS_DIR / name).read_text("utf-8"))


def refuse_retrieval(uri: str) -> Any:
    raise LookupError(f"{uri} is not a vendored schema; schemas are never fetched")


@lru_cache(maxsize=None)
def compiled(name: str, *, each_status: bool = False) -> jsonschema_rs.Validator:
    """The compiled validator of one vendored schema. ``each_status``: the same schema with
    ``credentialStatus`` an array whose every entry must match the schema's one slot (so that
    a VC 2.0 array of entries is checked in one pass)."""
    schema = _schema(name)
    if each_status:
        properties = dict(schema["properties"])
        properties["credentialStatus"] = {"type": "array",
                                          "items": properties["credentialStatus"]}
        schema = {**schema, "properties": properties}
    return jsonschema_rs.validator_for(schema, validate_formats=True, retriever=refuse_retrieval)


def is_valid(document: Any, name: str, *, each_status: bool = False) -> bool | None:
    """The compiled validator's verdict; None when it cannot take the document (a string it
    cannot encode: a lone surrogate; a key that is not a string), which the reference then
    decides."""
    try:
        return compiled(name, each_status=each_status).is_valid(document)
    except Exception:  # noqa: BLE001 - conversion of a hostile document: the reference decides
        return None


@lru_cache(maxsize=None)
def validator(name: str) -> jsonschema.protocols.Validator:
    """The reference validator (python-jsonschema) of one schema: it words the violations."""
    import jsonschema

    schema = _schema(name)
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft201909Validator)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def validate(document: Any, name: str, *, limit: int = 10) -> list[SchemaError]:
    """The (first ``limit``) violations of one schema; empty when valid."""
    verdict = is_valid(document, name)
    if verdict:
        return []
    return _explain(document, name, limit, compiled_verdict=verdict)


def _explain(document: Any, name: str, limit: int, *,
             compiled_verdict: bool | None) -> list[SchemaError]:
    errors = sorted(validator(name).iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors or compiled_verdict is None:
        return [_describe(error) for error in errors[:limit]]
    # The reference found nothing the compiled validator refused (a format the reference
    # cannot check without an optional library): word the compiled validator's findings.
    found = sorted(compiled(name).iter_errors(document), key=lambda e: list(e.instance_path))
    return [SchemaError(_json_path(error.instance_path), _shorten(error.message))
            for error in found[:limit]]


def _json_path(parts: Any) -> str:
    return "$" + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in parts)


def _shorten(message: str) -> str:
    return message[:297] + "..." if len(message) > 300 else message


def _describe(error: jsonschema.ValidationError) -> SchemaError:
    import jsonschema

    # oneOf/anyOf errors say little; the deepest sub-error usually names the real problem.
    best = jsonschema.exceptions.best_match([error])
    return SchemaError(_json_path(best.absolute_path), _shorten(best.message))


def validate_each_status(document: dict[str, Any], name: str, *,
                         limit: int = 10) -> list[SchemaError]:
    """The violations of a credential whose ``credentialStatus`` is a (non-empty) VC 2.0
    array: each entry checked in the schema's one slot, their violations merged (up to
    ``limit`` per entry). One compiled validation decides; only an invalid credential is
    walked entry by entry."""
    statuses = document["credentialStatus"]
    if is_valid(document, name, each_status=True):
        return []
    problems = dict.fromkeys(problem for entry in statuses
                             for problem in validate({**document, "credentialStatus": entry},
                                                     name, limit=limit))
    return list(problems)


def validate_credential(document: Any, name: str = ACHIEVEMENT_CREDENTIAL, *,
                        limit: int = 10) -> list[SchemaError]:
    """:func:`validate` for a credential whose ``credentialStatus`` may be a VC 2.0 array
    (revocation + suspension): the OB 3.0 schema knows a single object, so each entry is
    checked in that one slot."""
    statuses = document.get("credentialStatus") if isinstance(document, dict) else None
    if not isinstance(statuses, list) or not statuses:
        return validate(document, name, limit=limit)
    return validate_each_status(document, name, limit=limit)[:limit]
