"""Validate credentials against the vendored 1EdTech OB 3.0 JSON Schemas (never raises).

Two schema generations exist (see issuer/schemas/README.md): the JSON-LD-adapted one that
1EdTech publishes today at the ``..._schema.json`` URLs, which accepts compacted single values,
and the strict 2024 one that requires arrays. Certification fails the first and warns on the second;
we report them the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

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
def validator(name: str) -> jsonschema.protocols.Validator:
    schema = json.loads((SCHEMAS_DIR / name).read_text("utf-8"))
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft201909Validator)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def validate(document: Any, name: str, *, limit: int = 10) -> list[SchemaError]:
    """The (first ``limit``) violations of one schema; empty when valid."""
    errors = sorted(validator(name).iter_errors(document), key=lambda e: list(e.absolute_path))
    return [_describe(error) for error in errors[:limit]]


def _describe(error: jsonschema.ValidationError) -> SchemaError:
    # oneOf/anyOf errors say little; the deepest sub-error usually names the real problem.
    best = jsonschema.exceptions.best_match([error])
    path = "$" + "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in best.absolute_path
    )
    message = best.message
    if len(message) > 300:
        message = message[:297] + "..."
    return SchemaError(path, message)


def validate_credential(document: Any, name: str = ACHIEVEMENT_CREDENTIAL, *,
                        limit: int = 10) -> list[SchemaError]:
    """:func:`validate` for a credential whose ``credentialStatus`` may be a VC 2.0 array
    (revocation + suspension): the OB 3.0 schema knows a single object, so each entry is
    checked in that one slot."""
    statuses = document.get("credentialStatus") if isinstance(document, dict) else None
    if not isinstance(statuses, list) or not statuses:
        return validate(document, name, limit=limit)
    problems = dict.fromkeys(problem for entry in statuses
                             for problem in validate({**document, "credentialStatus": entry},
                                                     name, limit=limit))
    return list(problems)[:limit]
