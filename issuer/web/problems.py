"""One error vocabulary on the web: problem-details JSON (RFC 9457) or a plain HTML page.

IssuerError subclasses carry title, status and problem type; HTTP errors keep theirs; anything
else is a 500 whose details go to the log, never to the client.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from issuer.errors import IssuerError, ValidationFailed
from issuer.web.negotiation import json_type_wanted

PROBLEM_JSON = "application/problem+json"


def problem_response(
    *, status: int, title: str, detail: str, extra: dict[str, Any] | None = None,
    problem_type: str = "about:blank",
) -> Response:
    wants_json = json_type_wanted(request, (*_json_types(), PROBLEM_JSON)) is not None
    if wants_json or request.path.startswith("/api/"):
        body = {"type": problem_type, "title": title, "status": status, "detail": detail}
        body.update(extra or {})
        response = jsonify(body)
        response.status_code = status
        response.mimetype = PROBLEM_JSON
        return response
    html = render_template("error.html", status=status, title=title, detail=detail,
                           errors=(extra or {}).get("errors"))
    return Response(html, status=status, mimetype="text/html")


def _json_types() -> tuple[str, ...]:
    from issuer.web.negotiation import JSON_TYPES

    return JSON_TYPES


def init_app(app: Flask) -> None:
    @app.errorhandler(IssuerError)
    def _issuer_error(error: IssuerError):
        extra = {"errors": error.errors} if isinstance(error, ValidationFailed) else None
        return problem_response(status=error.status, title=error.title, detail=str(error),
                                extra=extra, problem_type=error.problem_type)

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError):
        return problem_response(
            status=400,
            title="The form has expired",
            detail="The form was missing its security token or it was too old. "
            "Go back, reload the page and submit it again.",
        )

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(error: RequestEntityTooLarge):
        limit = app.config["MAX_IMAGE_BYTES"] // 1024
        return problem_response(
            status=413,
            title="Upload too large",
            detail=f"The upload is too large. Images may be at most {limit} KiB.",
        )

    @app.errorhandler(IntegrityError)
    def _integrity_error(error: IntegrityError):
        return problem_response(
            status=409,
            title="Conflict",
            detail="Someone saved the same thing at the same moment. Reload and try again.",
        )

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        response = problem_response(status=error.code, title=error.name,
                                    detail=error.description or error.name)
        if error.code == 405 and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return problem_response(
            status=500,
            title="Internal Server Error",
            detail="Something went wrong on our side. The error has been logged.",
        )
