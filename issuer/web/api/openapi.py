"""The OpenAPI 3.1 description of every JSON endpoint, served at /openapi.json.

Hand-written as one Python dict so it sits next to the code it describes; tests/web/
test_openapi.py validates the document and checks real responses against its schemas.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from issuer.services import idempotency
from issuer.services.apiauth import SCOPES
from issuer.web.api import endorsements, events, verify
from issuer.web.api.openapi_parts import AUTH_ERRORS, BEARER, json_answer, problem_answer, ref
from issuer.web.core import deps

VERSION = "1.0.0"

LIST_MEDIA_TYPES = ("application/vc+ld+json", "application/ld+json", "application/json")
# What POST/GET /api/v1/credentials links to (issuer.web.api.native.credential_links).
LINKS = {
    "api": "This credential in this API: GET it (scope read) for this same answer",
    "page": "Its public page (HTML), also its id; JSON-LD with an Accept header",
    "json": "The signed credential as a file to download",
    "bakedPng": "The badge image with the credential baked in",
    "qr": "A QR code of the page's URL",
}
# Exactly what issuer.services.idempotency.check_key takes.
IDEMPOTENCY_KEY = {"type": "string", "minLength": 1, "maxLength": idempotency.MAX_KEY_LENGTH,
                   "pattern": f"^[!-~]{{1,{idempotency.MAX_KEY_LENGTH}}}$",
                   "examples": ["3b241101-e2bb-4255-8caf-4136c566a962"]}


SCHEMAS: dict[str, Any] = {
    "Problem": {
        "type": "object",
        "description": "Problem details (RFC 9457).",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string"}, "title": {"type": "string"},
            "status": {"type": "integer"}, "detail": {"type": "string"},
            "errors": {
                "description": "Per-rule violations (VC-API) or per-field messages.",
                "oneOf": [
                    {"type": "array", "items": ref("Violation")},
                    {"type": "object", "additionalProperties": {"type": "string"}},
                ],
            },
        },
    },
    "Violation": {
        "type": "object", "required": ["rule", "path", "detail"],
        "properties": {"rule": {"type": "string", "examples": ["context-first"]},
                       "path": {"type": "string", "examples": ["$.@context[0]"]},
                       "detail": {"type": "string"}},
        "additionalProperties": False,
    },
    "Credential": {
        "type": "object",
        "description": "A Verifiable Credential (VC Data Model 2.0, or 1.1).",
        "required": ["@context", "type"],
        "properties": {
            "@context": {"type": "array", "minItems": 1},
            "id": {"type": "string"},
            "type": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
            "issuer": {"oneOf": [{"type": "string"},
                                 {"type": "object", "required": ["id"]}]},
            "credentialSubject": {"oneOf": [{"type": "object"}, {"type": "array"}]},
        },
    },
    "DataIntegrityProof": {
        "type": "object",
        "required": ["type", "cryptosuite", "verificationMethod", "proofPurpose", "proofValue"],
        "properties": {"type": {"const": "DataIntegrityProof"},
                       "cryptosuite": {"const": "eddsa-rdfc-2022"},
                       "proofPurpose": {"const": "assertionMethod"},
                       "verificationMethod": {"type": "string"},
                       "created": {"type": "string"},
                       "proofValue": {"type": "string", "pattern": "^z"}},
    },
    "SignedCredential": {
        "allOf": [ref("Credential"), {
            "type": "object", "required": ["id", "issuer", "credentialSubject", "proof"],
            "properties": {"proof": {
                "description": "An array for an Open Badge; a single object for any other "
                               "credential with one proof.",
                "oneOf": [ref("DataIntegrityProof"),
                          {"type": "array", "minItems": 1, "items": ref("DataIntegrityProof")}]}},
        }],
    },
    "IssueCredentialRequest": {
        "type": "object", "required": ["credential"], "additionalProperties": False,
        "properties": {
            "credential": ref("Credential"),
            "options": {"type": "object", "additionalProperties": False, "properties": {
                "credentialStatus": {
                    "description": "Ask for BitstringStatusListEntry status entries (VC 2.0 "
                    "credentials): one request or a list of them; statusPurpose defaults to "
                    "revocation. The issuer picks the list and index.",
                    "oneOf": [ref("StatusEntryRequest"),
                              {"type": "array", "minItems": 1, "maxItems": 2,
                               "items": ref("StatusEntryRequest")}]},
                "format": {"enum": ["ldp_vc", "vc+jwt"], "default": "ldp_vc",
                           "description": "ldp_vc: a Data Integrity eddsa-rdfc-2022 proof; "
                           "vc+jwt: a VC-JOSE-COSE compact JWS (EdDSA), answered as an "
                           "EnvelopedVerifiableCredential (VC 2.0 input only)"},
            }},
        },
    },
    "EnvelopedVerifiableCredential": {
        "type": "object", "required": ["@context", "type", "id"],
        "properties": {"@context": {"type": "array", "items": {"type": "string"}},
                       "type": {"const": "EnvelopedVerifiableCredential"},
                       "id": {"type": "string", "pattern": "^data:application/vc\\+jwt,"}},
    },
    "StatusEntryRequest": {
        "type": "object", "required": ["type"], "additionalProperties": False,
        "properties": {"type": {"const": "BitstringStatusListEntry"},
                       "statusPurpose": {"enum": ["revocation", "suspension"]}},
    },
    "UpdateStatusRequest": {
        "type": "object", "required": ["credentialId", "credentialStatus"],
        "additionalProperties": False,
        "properties": {
            "credentialId": {"type": "string", "description": "The credential's id: a VC-API "
                             "credential's id, or an Open Badge's URL or uuid"},
            "credentialStatus": {"oneOf": [ref("StatusUpdate"), {
                "type": "array", "minItems": 1, "maxItems": 1, "items": ref("StatusUpdate")}]},
            "reason": {"type": "string", "maxLength": 1000,
                       "description": "Shown to verifiers of a revoked/suspended credential"},
        },
    },
    "StatusUpdate": {
        "type": "object", "required": ["status"], "additionalProperties": False,
        "properties": {"type": {"enum": ["BitstringStatusListCredential",
                                         "BitstringStatusListEntry"]},
                       "status": {"enum": ["revoked", "suspended", "active"]}},
    },
    "UpdateStatusResponse": {
        "type": "object", "required": ["credentialId", "credentialStatus", "reason", "changedAt"],
        "additionalProperties": False,
        "properties": {
            "credentialId": {"type": "string"},
            "credentialStatus": {"type": "array", "minItems": 1, "maxItems": 1, "items": {
                "type": "object", "required": ["type", "status"],
                "properties": {"type": {"const": "BitstringStatusListCredential"},
                               "status": {"enum": ["revoked", "suspended", "active"]}}}},
            "reason": {"type": ["string", "null"]},
            "changedAt": {"type": ["string", "null"], "format": "date-time"},
        },
    },
    "IssueCredentialResponse": {
        "type": "object", "required": ["verifiableCredential"],
        "properties": {"verifiableCredential": {"oneOf": [
            ref("SignedCredential"), ref("EnvelopedVerifiableCredential")]}},
    },
    "NativeIssueRequest": {
        "type": "object", "required": ["achievement", "recipient"], "additionalProperties": False,
        "properties": {
            "achievement": {"type": "string", "format": "uuid",
                            "description": "An achievement of the token's issuer profile."},
            "recipient": {"type": "object", "required": ["email"], "additionalProperties": False,
                          "properties": {"email": {"type": "string", "format": "email"},
                                         "name": {"type": "string", "maxLength": 200},
                                         "did": {"type": "string"}}},
            "validUntil": {"type": "string", "description": "2027-06-30 (end of that day, UTC) "
                           "or a date-time with a zone"},
            "evidence": {"oneOf": [ref("EvidenceInput"),
                                   {"type": "array", "maxItems": 1,
                                    "items": ref("EvidenceInput")}]},
            "format": {"const": "vc+jwt", "description": "Also answer vcJwt: the credential "
                       "as a VC-JOSE-COSE compact JWS"},
        },
    },
    "EvidenceInput": {
        "type": "object", "additionalProperties": False,
        "properties": {"id": {"type": "string", "format": "uri"},
                       "narrative": {"type": "string"}},
    },
    "NativeCredentialResponse": {
        "type": "object", "required": ["id", "credential", "links"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "credential": ref("SignedCredential"),
            "vcJwt": {"type": "string", "description": "With format vc+jwt: the credential "
                      "(its proof included) as a VC-JOSE-COSE compact JWS, the same bytes on "
                      "every answer"},
            "links": {
                "type": "object", "required": list(LINKS),
                "properties": {name: {"type": "string", "format": "uri", "description": text}
                               for name, text in LINKS.items()}},
        },
    },
    "TokenResponse": {
        "type": "object", "required": ["access_token", "token_type", "expires_in", "scope"],
        "properties": {"access_token": {"type": "string"},
                       "token_type": {"const": "Bearer"},
                       "expires_in": {"type": "integer", "minimum": 1},
                       "scope": {"type": "string"}},
    },
    "TokenError": {
        "type": "object", "required": ["error", "error_description"],
        "description": "RFC 6749 §5.2, with problem-details members as well.",
        "properties": {
            "error": {"enum": ["invalid_request", "invalid_client", "invalid_grant",
                               "unauthorized_client", "unsupported_grant_type",
                               "invalid_scope"]},
            "error_description": {"type": "string"}, "type": {"type": "string"},
            "title": {"type": "string"}, "status": {"type": "integer"},
            "detail": {"type": "string"},
        },
    },
    "BulkProgress": {
        "type": "object",
        "required": ["id", "status", "total", "done", "percent", "pending", "issued", "skipped",
                     "failed", "invalid"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "status": {"enum": ["invalid", "ready", "queued", "running", "done"]},
            **{name: {"type": "integer", "minimum": 0}
               for name in ("total", "done", "pending", "issued", "skipped", "failed",
                            "invalid")},
            "percent": {"type": "integer", "minimum": 0, "maximum": 100},
        },
        "additionalProperties": False,
    },
    "VerifyRequest": {
        "type": "object", "required": ["verifiableCredential"],
        "properties": {"verifiableCredential": {"type": "object"},
                       "options": {"type": "object"}},
    },
    "VerifyResponse": {
        "type": "object", "required": ["verified", "checks", "warnings", "errors"],
        "properties": {
            "verified": {"type": "boolean"},
            "checks": {"type": "array", "items": {
                "type": "object", "required": ["id", "title", "status", "detail"],
                "properties": {"id": {"type": "string"}, "title": {"type": "string"},
                               "status": {"enum": ["passed", "failed", "not_checked",
                                                   "not_applicable"]},
                               "detail": {"type": "string"},
                               "problems": {"type": "array"}, "warnings": {"type": "array"}},
            }},
            "warnings": {"type": "array", "items": {"type": "string"}},
            "errors": {"type": "array", "items": {
                "type": "object", "required": ["check", "detail", "problems"]}},
            "endorsements": endorsements.VERIFY_RESULTS,
        },
    },
}


def document(base_url: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document, with this server's base URL."""
    id_param = [{"name": "id", "in": "path", "required": True,
                 "schema": {"type": "string", "format": "uuid"}}]
    return {
        "openapi": "3.1.0",
        "info": {"title": "Open Badges 3.0 issuer API", "version": VERSION,
                 "description": "Issue Open Badges 3.0 / W3C Verifiable Credentials signed "
                 "with Data Integrity eddsa-rdfc-2022, verify credentials, follow bulk jobs. "
                 "Errors are problem details (RFC 9457)."},
        "servers": [{"url": base_url}],
        "paths": {
            "/credentials/issue": {"post": {
                "operationId": "issueCredential", "tags": ["VC-API"],
                "summary": "Sign a well-formed credential for one of this server's issuers",
                "security": BEARER,
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": ref("IssueCredentialRequest")}}},
                "responses": {
                    "201": json_answer(ref("IssueCredentialResponse"), "Signed"),
                    "400": problem_answer("Not a VC-API request (not JSON, unknown members/options)"),
                    **AUTH_ERRORS,
                    "409": problem_answer("A credential with this id exists already"),
                    "422": problem_answer("Not a valid credential: each violation named in errors"),
                },
            }},
            "/credentials/status": {"post": {
                "operationId": "updateCredentialStatus", "tags": ["VC-API"],
                "summary": "Revoke, suspend or reinstate a credential of the token's issuer "
                           "(scope revoke)",
                "security": BEARER,
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": ref("UpdateStatusRequest")}}},
                "responses": {
                    "200": json_answer(ref("UpdateStatusResponse"), "The credential's new status"),
                    "400": problem_answer("Malformed request, or a credential without any "
                                    "status entry"),
                    **AUTH_ERRORS,
                    "404": problem_answer("No such credential"),
                    "409": problem_answer("Not possible from the current state (e.g. reinstating a "
                                    "revoked credential), or (type urn:issuer:problem:"
                                    "no-status-entry) the credential has no status entry of "
                                    "that purpose, e.g. no suspension entry"),
                    "422": problem_answer("Invalid reason"),
                },
            }},
            "/credentials/verify": {"post": {
                "operationId": "verifyCredential", "tags": ["VC-API"],
                "summary": "Verify any issuer's credential, check by check",
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": ref("VerifyRequest")}}},
                "responses": {
                    "200": json_answer(ref("VerifyResponse"), "Verified"),
                    "400": problem_answer("Malformed request"),
                    "422": json_answer(ref("VerifyResponse"), "Not verified (the failed checks)"),
                },
            }},
            "/api/v1/credentials": {"post": {
                "operationId": "issueOpenBadge", "tags": ["Open Badges"],
                "summary": "Issue an OpenBadgeCredential for an achievement",
                "security": BEARER,
                "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False,
                                "description": "Retries with the same key (and body) return "
                                "the first answer and never issue twice: 1 to "
                                f"{idempotency.MAX_KEY_LENGTH} visible ASCII characters "
                                "(no spaces), e.g. a UUID",
                                "schema": IDEMPOTENCY_KEY}],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": ref("NativeIssueRequest")}}},
                "responses": {
                    "201": json_answer(ref("NativeCredentialResponse"), "Issued (or the replayed "
                                 "first answer, with Idempotent-Replayed: true)"),
                    "400": problem_answer("Not JSON, or a malformed Idempotency-Key"),
                    **AUTH_ERRORS,
                    "409": problem_answer("A concurrent request saved the same recipient"),
                    "422": problem_answer("Invalid fields (errors maps each body path to a message),"
                                    " or an Idempotency-Key reused for another body"),
                },
            }},
            "/api/v1/credentials/{id}": {"get": {
                "operationId": "getOpenBadge", "tags": ["Open Badges"],
                "summary": "An issued credential and its links (scope read)",
                "security": BEARER, "parameters": [*id_param, {
                    "name": "format", "in": "query", "required": False,
                    "schema": {"const": "vc+jwt"}, "description": "Also answer vcJwt"}],
                "responses": {"200": json_answer(ref("NativeCredentialResponse"), "The credential"),
                              **AUTH_ERRORS, "404": problem_answer("No such credential")},
            }},
            "/api/v1/credentials/{id}/offers": {"post": {
                "operationId": "offerToWallet", "tags": ["Open Badges"],
                "summary": "Offer an issued credential to a wallet (scope issue): a VCALM "
                           "interaction URL (vcapi), a Learner Credential Wallet link (lcw) "
                           "or an OpenID4VCI credential offer (oid4vci)",
                "security": BEARER, "parameters": [*id_param],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"type": "object", "required": ["protocol"],
                               "properties": {"protocol": {"type": "string",
                                                           "examples": ["vcapi", "lcw",
                                                                        "oid4vci"]},
                                              "tx_code": {
                                                  "type": "boolean",
                                                  "description": "oid4vci: email the "
                                                  "recipient a code the wallet must enter"}}}}}},
                "responses": {
                    "201": json_answer({"type": "object",
                                        "required": ["protocol", "url", "exchange", "expiresAt"],
                                        "properties": {
                                            "protocol": {"type": "string"},
                                            "url": {"type": "string", "format": "uri"},
                                            "exchange": {"type": "string", "format": "uuid"},
                                            "expiresAt": {"type": "string",
                                                          "format": "date-time"},
                                            "links": {"type": "object",
                                                      "additionalProperties": {
                                                          "type": "string"}}}},
                                       "The offer: hand url to the recipient's wallet"),
                    "400": problem_answer("Not JSON, or a credential that cannot be offered "
                                          "(revoked, suspended, expired)"),
                    **AUTH_ERRORS, "404": problem_answer("No such credential"),
                    "422": problem_answer("Unknown protocol"),
                },
            }},
            "/oauth/token": {"post": {
                "operationId": "token", "tags": ["OAuth 2.0"],
                "summary": "Client-credentials grant (RFC 6749 §4.4): a one-hour access token",
                "security": [{"clientSecretBasic": []}, {}],
                "requestBody": {"required": True, "content": {
                    "application/x-www-form-urlencoded": {"schema": {
                        "type": "object", "required": ["grant_type"],
                        "properties": {
                            "grant_type": {"const": "client_credentials"},
                            "scope": {"type": "string", "description": "space-separated"},
                            "client_id": {"type": "string",
                                          "description": "client_secret_post"},
                            "client_secret": {"type": "string",
                                              "description": "client_secret_post"}}}}}},
                "responses": {"200": json_answer(ref("TokenResponse"), "An access token"),
                              "400": json_answer(ref("TokenError"), "invalid_request, "
                                           "unsupported_grant_type, invalid_scope"),
                              "401": json_answer(ref("TokenError"), "invalid_client"),
                              "429": {**problem_answer(
                                  "Too many failed client authentications for this client_id "
                                  "or from this address; the secret was not checked"),
                                  "headers": {"Retry-After": {
                                      "description": "seconds to wait",
                                      "schema": {"type": "integer"}}}}},
            }},
            "/admin/bulk/{id}/progress": {"get": {
                "operationId": "bulkProgress", "tags": ["Bulk issuing"],
                "summary": "Progress of a bulk issuing job (admin session)",
                "security": [{"adminSession": []}], "parameters": id_param,
                "responses": {"200": json_answer(ref("BulkProgress"), "Row counts by state"),
                              "404": problem_answer("No such job")},
            }},
            "/status/{id}": {"get": {
                "operationId": "statusList", "tags": ["Status"],
                "summary": "A signed BitstringStatusListCredential (revocation or suspension)",
                "description": "Always JSON: application/vc+ld+json unless Accept names "
                               "application/ld+json or application/json. Errors are problem "
                               "details whatever Accept says.",
                "parameters": [{"name": "id", "in": "path", "required": True,
                                "schema": {"type": "string"}},
                               {"name": "If-None-Match", "in": "header", "required": False,
                                "schema": {"type": "string"}}],
                "responses": {
                    "200": {"description": "The status list, byte for byte as signed",
                            "headers": {"ETag": {"schema": {"type": "string"}},
                                        "Cache-Control": {"schema": {"type": "string"}}},
                            "content": {media: {"schema": ref("SignedCredential")}
                                        for media in LIST_MEDIA_TYPES}},
                    "304": {"description": "Not modified (If-None-Match holds its ETag)"},
                    "404": problem_answer("No such list"),
                    "503": {**problem_answer("The database cannot be read right now"),
                            "headers": {"Retry-After": {"schema": {"type": "integer"}}}},
                },
            }},
            "/openapi.json": {"get": {
                "operationId": "openapi", "tags": ["Meta"], "summary": "This document",
                "responses": {"200": json_answer({"type": "object", "required": ["openapi", "paths"]},
                                           "OpenAPI 3.1")},
            }},
            **events.openapi_paths(),  # described next to its code
            **verify.openapi_paths(),
            **endorsements.openapi_paths(),
        },
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "An API token (obi_…) made by an admin"},
                "oauth2": {"type": "oauth2", "flows": {"clientCredentials": {
                    "tokenUrl": f"{base_url}/oauth/token", "scopes": dict(SCOPES)}}},
                "clientSecretBasic": {"type": "http", "scheme": "basic"},
                "adminSession": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }


bp = Blueprint("openapi", __name__)


@bp.get("/openapi.json")
def document_route():
    response = jsonify(document(deps.base_url()))
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
