"""W3C VC-API ``POST /credentials/verify``: verify any issuer's credential, for machines.

A bad credential is a result (422 with the failed checks, the same body as a 200), a
malformed request a 400 problem-details answer. No cookies or session: CSRF-exempt, and
callable from any origin (CORS in issuer.web.app).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response

from issuer.errors import InvalidRequest
from issuer.verification import problem_types, selection
from issuer.web.core import verifying
from issuer.web.core.body import MalformedBody, json_object
from issuer.web.core.problems import problem, register_json_handlers

bp = Blueprint("verify_api", __name__)
register_json_handlers(
    bp, too_large=lambda: "The request body is too large; credentials may be at most "
                          f"{verifying.MAX_CREDENTIAL_BYTES // 1024} KiB.")
bp.url_value_preprocessor(verifying.raise_body_limits)

# VC-API verify options we understand; any other option is ignored with a warning.
RECIPIENT_EMAIL_OPTION = "recipientEmail"
CHECKS_OPTION = "checks"
KNOWN_OPTIONS = (RECIPIENT_EMAIL_OPTION, CHECKS_OPTION)
EXAMPLE = '{"verifiableCredential": {...}, "options": {...}}'


class UnknownCheckRequested(InvalidRequest):
    """options.checks names a check we do not make (or is not a list of names)."""

    title = "Unknown verification check"
    status = 400
    problem_type = problem_types.UNKNOWN_CHECK


def selected_checks(options: Any) -> tuple[str, ...] | None:
    """options.checks → the check ids that decide the verdict (None: not sent: all)."""
    if not isinstance(options, dict) or options.get(CHECKS_OPTION) is None:
        return None
    try:
        return selection.selected_checks(options[CHECKS_OPTION])
    except selection.UnknownCheck as exc:
        raise UnknownCheckRequested(str(exc)) from None


def _options(body: dict[str, Any]) -> tuple[str | None, list[str]]:
    options = body.get("options", {})
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise MalformedBody("options must be a JSON object.")
    warnings = [f"option {name!r} is not supported and was ignored"
                for name in options if name not in KNOWN_OPTIONS]
    email = options.get(RECIPIENT_EMAIL_OPTION)
    if email is not None and not isinstance(email, str):
        raise MalformedBody(f"options.{RECIPIENT_EMAIL_OPTION} must be a string "
                            "(an email address).")
    email = (email or "").strip() or None
    if email is not None and len(email) > 254:
        raise MalformedBody(f"options.{RECIPIENT_EMAIL_OPTION} is too long.")
    return email, warnings


@bp.post("/credentials/verify")
def verify_credential_api():
    """VC-API verify: 200 when verified, 422 when not (same body), 400 for a bad request."""
    limited = verifying.rate_limited()
    if not limited.allowed:
        response = problem(429, "Too many requests", verifying.slow_down(limited.retry_after))
        response.headers["Retry-After"] = str(limited.retry_after)
        return response
    body = json_object(example=EXAMPLE, allow_nul=True)  # nothing of it is stored
    if "verifiableCredential" not in body:
        raise MalformedBody("The request has no verifiableCredential.")
    credential = body["verifiableCredential"]
    email, warnings = _options(body)
    if not isinstance(credential, dict):
        hint = ""
        if isinstance(credential, str):
            hint = (' A VC-JWT goes in an EnvelopedVerifiableCredential: {"@context": '
                    '["https://www.w3.org/ns/credentials/v2"], "type": '
                    '"EnvelopedVerifiableCredential", "id": "data:application/vc+jwt,<JWS>"}.')
        raise MalformedBody("verifiableCredential must be a JSON object." + hint)
    unknown = [name for name in body if name not in ("verifiableCredential", "options")]
    warnings += [f"request property {name!r} is not supported and was ignored" for name in unknown]
    # An EnvelopedVerifiableCredential (VC-JOSE-COSE) gets the same checks: verification.vcjwt.
    chosen = selected_checks(body.get("options"))
    result = verifying.verify(credential, recipient_email=email).select(chosen)
    answer = result.to_dict()
    answer["warnings"] = warnings + answer["warnings"]
    return Response(json.dumps(answer), status=200 if result.verified else 422,
                    mimetype="application/json")
