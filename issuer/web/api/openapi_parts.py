"""Building blocks of the OpenAPI document that every API module's description uses."""

from __future__ import annotations

from typing import Any

__all__ = ["AUTH_ERRORS", "BEARER", "WWW_AUTHENTICATE", "json_answer", "problem_answer", "ref"]


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def json_answer(schema: dict[str, Any], description: str, media: str = "application/json",
                headers: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description, "content": {media: {"schema": schema}}}
    if headers:
        answer["headers"] = headers
    return answer


def problem_answer(description: str) -> dict[str, Any]:
    return json_answer(ref("Problem"), description, "application/problem+json")


WWW_AUTHENTICATE = {"WWW-Authenticate": {"description": "Bearer challenge (RFC 6750)",
                                         "schema": {"type": "string"}}}
AUTH_ERRORS = {
    "401": {**problem_answer("No token, or not a live one (unknown, revoked, expired)"),
            "headers": WWW_AUTHENTICATE},
    "403": problem_answer("The token lacks the scope, or acts for another issuer profile"),
}
BEARER = [{"bearerAuth": []}, {"oauth2": []}]
