"""Helpers for the OB 3.0 API tests: the 1EdTech schemas the answers must pass, a member who
signs in by their emailed link, the registration request, and PKCE values."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from issuer import db
from issuer.clock import utc_now
from issuer.community import members
from issuer.openbadges import schema_validation
from issuer.services.tx import atomic
from tests.service_fixtures import CSRF_RE

SCHEMAS = Path(schema_validation.SCHEMAS_DIR)
OPENAPI = json.loads((SCHEMAS / "imsob_v3p0.openapi.json").read_text("utf-8"))
SCOPE = "https://purl.imsglobal.org/spec/ob/v3p0/scope/"
ALL_SCOPES = " ".join(SCOPE + name for name in (
    "credential.readonly", "credential.upsert", "profile.readonly", "profile.update"))
MEMBER_EMAIL = "ada@example.org"
REDIRECT_URI = "http://127.0.0.1:8765/callback"


def registration_request(**overrides: Any) -> dict[str, Any]:
    """An OB 3.0 registration request (OB 3.0 §6.2.2's members)."""
    request = {
        "client_name": "Faraway Backpack",
        "client_uri": "https://backpack.example/",
        "logo_uri": "https://backpack.example/logo.png",
        "tos_uri": "https://backpack.example/terms",
        "policy_uri": "https://backpack.example/privacy",
        "software_id": "c88b6ed8-269e-448e-99be-7e2ff47167d1",
        "software_version": "1.0.0",
        "redirect_uris": [REDIRECT_URI],
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": ALL_SCOPES,
    }
    request.update(overrides)
    return {key: value for key, value in request.items() if value is not None}


def openapi_errors(document: Any, component: str) -> list[str]:
    """Violations of a schema of the OpenAPI file's ``components/schemas`` (OpenAPI 3.0
    schemas are JSON Schema draft 4 with extensions)."""
    resource = Resource.from_contents(OPENAPI, default_specification=DRAFT4)
    registry = Registry().with_resource("urn:ob3:openapi", resource)
    validator = jsonschema.Draft4Validator(
        {"$ref": f"urn:ob3:openapi#/components/schemas/{component}"}, registry=registry)
    return [error.message for error in validator.iter_errors(document)]


def schema_errors(document: Any, name: str) -> list[str]:
    """Violations of a vendored 1EdTech JSON Schema (issuer/schemas/<name>)."""
    return [str(error) for error in schema_validation.validate(document, name)]


def one_status_per_copy(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Copies of a GetOpenBadgeCredentialsResponse with each credential's ``credentialStatus``
    array (revocation + suspension, VC 2.0) cut to one entry per copy: the 1EdTech schema
    knows a single object, and issuance checks each entry in that slot the same way
    (issuer/services/issuance.py). Every other member is validated as it is."""
    credentials = body.get("credential", [])
    widest = max([len(c["credentialStatus"]) for c in credentials
                  if isinstance(c.get("credentialStatus"), list)] or [0])
    if not widest:
        return [body]
    copies = []
    for index in range(widest):
        copies.append({**body, "credential": [
            {**c, "credentialStatus": c["credentialStatus"][min(index,
                                                                len(c["credentialStatus"]) - 1)]}
            if isinstance(c.get("credentialStatus"), list) else c for c in credentials]})
    return copies


def response_errors(body: Any) -> list[str]:
    """Violations of GetOpenBadgeCredentialsResponse, by both schema files."""
    errors = []
    for copy in one_status_per_copy(body):
        errors += schema_errors(copy, "ob_v3p0_getopenbadgecredentialsresponse_schema.json")
        errors += openapi_errors(copy, "GetOpenBadgeCredentialsResponse")
    return errors


def assert_status_info(answer: Any, *, code_minor: str | None = None) -> None:
    """An Imsx_StatusInfo error body, valid by both schema files."""
    assert schema_errors(answer, "ob_v3p0_imsx_statusinfo_schema.json") == []
    assert openapi_errors(answer, "Imsx_StatusInfo") == []
    assert answer["imsx_codeMajor"] == "failure"
    if code_minor:
        field = answer["imsx_codeMinor"]["imsx_codeMinorField"][0]
        assert field["imsx_codeMinorFieldValue"] == code_minor, answer


def make_member(app, *, email: str = MEMBER_EMAIL, name: str = "Ada Lovelace") -> str:
    with app.app_context():
        session = db.get_session()
        with atomic(session):
            member = members.ensure_member(session, members.Identity(email=email, name=name),
                                           now=utc_now())
        return member.slug


def sign_in_token(app, slug: str) -> str:
    with app.app_context():
        session = db.get_session()
        with atomic(session):
            return members.create_sign_in_token(session, members.member_by_slug(session, slug),
                                                now=utc_now())


def csrf_of(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no csrf_token in the page"
    return next(group for group in match.groups() if group)


def pkce() -> tuple[str, str]:
    """(code_verifier, S256 code_challenge)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
