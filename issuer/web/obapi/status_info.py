"""The OB 3.0 API's one error vocabulary: ``Imsx_StatusInfo`` bodies (OB 3.0 §6.3, the
1EdTech OpenAPI file's ``Imsx_StatusInfo``), the way issuer/web/core/problems.py is the rest
of the web's.

Every error raised under /ims/ob/v3p0 answers here: an IssuerError by its status, an HTTP
error by its code, an unexpected one as a logged 500 whose details stay in the log. The OAuth
endpoints (issuer/web/obapi/oauth.py) answer RFC 6749 errors instead, as OAuth clients expect.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from issuer.errors import IssuerError, ValidationFailed, field_messages
from issuer.web.core.problems import CONFLICT_DETAIL, UNEXPECTED_DETAIL

FIELD_NAME = "issuer"  # imsx_codeMinorFieldName: the system reporting the code

# imsx_codeMinorFieldValue by HTTP status (the OpenAPI file's enumeration).
CODE_MINOR = {
    400: "invalid_data",
    401: "unauthorizedrequest",
    403: "forbidden",
    404: "not_found",
    405: "not_allowed",
    406: "not_acceptable",
    409: "invalid_data",
    413: "invalid_data",
    415: "invalid_data",
    421: "misdirected_request",
    422: "invalid_data",
    429: "server_busy",
    500: "internal_server_error",
    503: "server_busy",
}
INVALID_QUERY_PARAMETER = "invalid_query_parameter"


class ImsxError(IssuerError):
    """An error with an explicit code minor (e.g. ``invalid_query_parameter``)."""

    def __init__(self, detail: str, *, status: int = 400, code_minor: str | None = None,
                 title: str = "Bad Request"):
        super().__init__(detail)
        self.status = status
        self.title = title
        self.code_minor = code_minor or CODE_MINOR.get(status, "unknown")


def status_info(status: int, description: str, *, code_minor: str | None = None) -> Response:
    """An ``Imsx_StatusInfo`` response: codeMajor failure, severity error."""
    body = {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": description,
        "imsx_codeMinor": {"imsx_codeMinorField": [{
            "imsx_codeMinorFieldName": FIELD_NAME,
            "imsx_codeMinorFieldValue": code_minor or CODE_MINOR.get(status, "unknown"),
        }]},
    }
    response = jsonify(body)
    response.status_code = status
    return response


def unauthorized(description: str, *, error: str | None = None) -> Response:
    """401 with the RFC 6750 Bearer challenge."""
    response = status_info(401, description)
    challenge = 'Bearer realm="ob3"'
    if error:
        challenge += f', error="{error}"'
    response.headers["WWW-Authenticate"] = challenge
    return response


def register_status_info_handlers(bp: Blueprint) -> None:
    """Make every error raised in ``bp`` an Imsx_StatusInfo answer."""

    @bp.errorhandler(IssuerError)
    def _issuer_error(error: IssuerError):
        if isinstance(error, ValidationFailed):  # the OpenAPI file lists 400, not 422
            return status_info(400, field_messages(error.errors))
        return status_info(error.status, str(error),
                           code_minor=getattr(error, "code_minor", None))

    @bp.errorhandler(IntegrityError)
    def _integrity_error(error: IntegrityError):
        return status_info(409, CONFLICT_DETAIL)

    @bp.errorhandler(RequestEntityTooLarge)
    def _too_large(error: RequestEntityTooLarge):
        return status_info(413, "The request body is too large.")

    @bp.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        response = status_info(error.code, error.description or error.name)
        if error.code == 405 and getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @bp.errorhandler(Exception)
    def _unexpected(error: Exception):
        current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return status_info(500, UNEXPECTED_DETAIL)
