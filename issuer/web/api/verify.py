"""W3C VC-API ``POST /credentials/verify`` and ``POST /presentations/verify``: verify any
issuer's credential, or a holder's presentation and every credential in it, for machines.

A bad credential is a result (422 with the failed checks, the same body as a 200), a
malformed request a 400 problem-details answer. No cookies or session: CSRF-exempt, and
callable from any origin (CORS in issuer.web.app).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response

from issuer.errors import InvalidRequest
from issuer.verification import ob2, problem_types, selection
from issuer.verification.presentation import PresentationOptions
from issuer.web.api.openapi_parts import json_answer, problem_answer
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
    """options.checks names a check we do not make (or is not a list of names, or is sent
    where it cannot be honoured)."""

    title = "Unsupported verification check"
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


def _options_of(body: dict[str, Any], known: tuple[str, ...]
                ) -> tuple[dict[str, Any], list[str]]:
    """The request's ``options`` object, and a warning for each option not in ``known``."""
    options = body.get("options", {})
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise MalformedBody("options must be a JSON object.")
    return options, [f"option {name!r} is not supported and was ignored"
                     for name in options if name not in known]


def _options(body: dict[str, Any]) -> tuple[str | None, list[str]]:
    options, warnings = _options_of(body, KNOWN_OPTIONS)
    email = options.get(RECIPIENT_EMAIL_OPTION)
    if email is not None and not isinstance(email, str):
        raise MalformedBody(f"options.{RECIPIENT_EMAIL_OPTION} must be a string "
                            "(an email address).")
    email = (email or "").strip() or None
    if email is not None and len(email) > 254:
        raise MalformedBody(f"options.{RECIPIENT_EMAIL_OPTION} is too long.")
    return email, warnings


def _slow_down() -> Response | None:
    limited = verifying.rate_limited()
    if limited.allowed:
        return None
    response = problem(429, "Too many requests", verifying.slow_down(limited.retry_after))
    response.headers["Retry-After"] = str(limited.retry_after)
    return response


@bp.post("/credentials/verify")
def verify_credential_api():
    """VC-API verify: 200 when verified, 422 when not (same body), 400 for a bad request."""
    refused = _slow_down()
    if refused is not None:
        return refused
    body = json_object(example=EXAMPLE, allow_nul=True)  # nothing of it is stored
    if "verifiableCredential" not in body:
        raise MalformedBody("The request has no verifiableCredential.")
    credential = body["verifiableCredential"]
    email, warnings = _options(body)
    if isinstance(credential, str) and ob2.is_ob2(credential):
        pass  # a signed Open Badges 2.0 assertion is its compact JWS
    elif not isinstance(credential, dict):
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


# --- presentations ---------------------------------------------------------------------------

# VC-API VerifyPresentationOptions, and Digital Bazaar's name for taking an unsigned one.
CHALLENGE_OPTION, DOMAIN_OPTION = "challenge", "domain"
UNSIGNED_OPTION = "unsignedPresentation"
RETURN_OPTION = "returnPresentation"
PRESENTATION_OPTIONS = (CHALLENGE_OPTION, DOMAIN_OPTION, UNSIGNED_OPTION, RETURN_OPTION)
MAX_OPTION_LENGTH = 1000
PRESENTATION_EXAMPLE = ('{"verifiablePresentation": {...}, "options": {"challenge": "...", '
                        '"domain": "..."}}')


def _presentation_options(body: dict[str, Any], *, proofless: bool
                          ) -> tuple[PresentationOptions, bool, list[str]]:
    options, warnings = _options_of(body, PRESENTATION_OPTIONS + (CHECKS_OPTION,))
    if options.get(CHECKS_OPTION) is not None:
        selected_checks(options)  # an unknown name is named first
        raise UnknownCheckRequested(
            "options.checks is not supported on /presentations/verify: the presentation and "
            "every credential in it are verified with every check (send each credential to "
            "/credentials/verify to choose its checks)")
    texts = {}
    for name in (CHALLENGE_OPTION, DOMAIN_OPTION):
        value = options.get(name)
        if value is not None and (not isinstance(value, str) or not value
                                  or len(value) > MAX_OPTION_LENGTH):
            raise MalformedBody(f"options.{name} must be a non-empty string of at most "
                                f"{MAX_OPTION_LENGTH} characters.")
        texts[name] = value
    flags = {}
    for name in (UNSIGNED_OPTION, RETURN_OPTION):
        value = options.get(name, False)
        if not isinstance(value, bool):
            raise MalformedBody(f"options.{name} must be true or false.")
        flags[name] = value
    return (PresentationOptions(challenge=texts[CHALLENGE_OPTION], domain=texts[DOMAIN_OPTION],
                                allow_unsigned=proofless or flags[UNSIGNED_OPTION]),
            flags[RETURN_OPTION], warnings)


@bp.post("/presentations/verify")
def verify_presentation_api():
    """VC-API verify presentation: 200 when the presentation and every credential in it
    verified, 422 when not (same body), 400 for a bad request. ``{"presentation": …}`` (VC-API's
    ProoflessVerifyPresentationRequest) or ``options.unsignedPresentation`` take one without
    a proof."""
    refused = _slow_down()
    if refused is not None:
        return refused
    body = json_object(example=PRESENTATION_EXAMPLE, allow_nul=True)  # nothing is stored
    given = [name for name in ("verifiablePresentation", "presentation") if name in body]
    if not given:
        raise MalformedBody("The request has no verifiablePresentation.")
    if len(given) > 1:
        raise MalformedBody("Send verifiablePresentation or presentation, not both.")
    presentation = body[given[0]]
    if not isinstance(presentation, dict):
        hint = ""
        if isinstance(presentation, str):
            hint = (' A vp+jwt goes in an EnvelopedVerifiablePresentation: {"@context": '
                    '["https://www.w3.org/ns/credentials/v2"], "type": '
                    '"EnvelopedVerifiablePresentation", "id": "data:application/vp+jwt,<JWS>"}.')
        raise MalformedBody(f"{given[0]} must be a JSON object." + hint)
    options, give_back, warnings = _presentation_options(
        body, proofless=given[0] == "presentation")
    unknown = [name for name in body if name not in (given[0], "options")]
    warnings += [f"request property {name!r} is not supported and was ignored" for name in unknown]
    result = verifying.verify_presentation(presentation, options)
    answer = result.to_dict()
    answer["warnings"] = warnings + answer["warnings"]
    if give_back:
        answer["verifiablePresentation"] = presentation
    return Response(json.dumps(answer), status=200 if result.verified else 422,
                    mimetype="application/json")


def openapi_paths() -> dict[str, Any]:
    """``/presentations/verify`` in /openapi.json (issuer.web.api.openapi merges it in)."""
    check = {"type": "object", "required": ["id", "title", "status", "detail"],
             "properties": {"id": {"type": "string"}, "title": {"type": "string"},
                            "status": {"enum": ["passed", "failed", "not_checked",
                                                "not_applicable"]},
                            "detail": {"type": "string"}, "problems": {"type": "array"},
                            "warnings": {"type": "array"}}}
    verdict = {"enum": ["verified", "not_verified", "incomplete"]}
    result = {"type": "object", "required": ["verified", "checks", "warnings", "errors", "verdict"],
              "properties": {"verified": {"type": "boolean"}, "verdict": verdict,
                             "checks": {"type": "array", "items": check},
                             "warnings": {"type": "array", "items": {"type": "string"}},
                             "errors": {"type": "array"}}}
    credential = {**result, "required": [*result["required"], "index"],
                  "properties": {**result["properties"], "index": {"type": "integer"},
                                 "credentialId": {"type": "string"}}}
    answer = {"type": "object",
              "required": ["verified", "presentationResult", "credentialResults", "checks",
                           "warnings", "errors"],
              "properties": {
                  "verified": {"type": "boolean"},
                  "presentationResult": result,
                  "credentialResults": {"type": "array", "items": credential},
                  "checks": {"type": "array", "items": check},
                  "warnings": {"type": "array", "items": {"type": "string"}},
                  "errors": {"type": "array", "items": {
                      "type": "object", "required": ["check", "detail", "problems"],
                      "properties": {"credential": {"type": "integer",
                                                    "description": "index of the credential"}}}},
                  "verifiablePresentation": {"type": "object"}}}
    options = {"type": "object", "properties": {
        CHALLENGE_OPTION: {"type": "string", "maxLength": MAX_OPTION_LENGTH,
                           "description": "must equal the proof's challenge (a JWS: nonce)"},
        DOMAIN_OPTION: {"type": "string", "maxLength": MAX_OPTION_LENGTH,
                        "description": "must be the proof's domain or in it (a JWS: aud)"},
        UNSIGNED_OPTION: {"type": "boolean", "default": False,
                          "description": "take a presentation without a proof (only its "
                          "credentials are verified)"},
        RETURN_OPTION: {"type": "boolean", "default": False}}}
    request = {"oneOf": [
        {"type": "object", "required": ["verifiablePresentation"],
         "properties": {"verifiablePresentation": {"type": "object"}, "options": options}},
        {"type": "object", "required": ["presentation"],
         "properties": {"presentation": {"type": "object"}, "options": options}}]}
    return {"/presentations/verify": {"post": {
        "operationId": "verifyPresentation", "tags": ["VC-API"],
        "summary": "Verify a presentation (Data Integrity or vp+jwt) and every credential in it",
        "requestBody": {"required": True, "content": {"application/json": {"schema": request}}},
        "responses": {
            "200": json_answer(answer, "The presentation and all its credentials verified"),
            "400": problem_answer("Malformed request"),
            "422": json_answer(answer, "Not verified (the failed checks, per credential too)"),
        },
    }}}
