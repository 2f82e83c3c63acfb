"""One error vocabulary on the web: problem-details JSON (RFC 9457) or a plain HTML page.

IssuerError subclasses carry title, status and (optionally) a ``problem_type`` URI; HTTP
errors keep theirs; anything else is a 500 whose details go to the log, never to the client.

Pages and hosted documents answer by the Accept header (:func:`problem_response`). The JSON
APIs always answer JSON: their blueprints install the same vocabulary with
:func:`register_json_handlers`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from issuer.errors import IssuerError, ValidationFailed, field_messages
from issuer.web.core.negotiation import JSON_TYPES, json_type_wanted

PROBLEM_JSON = "application/problem+json"
ABOUT_BLANK = "about:blank"
CONFLICT_DETAIL = "Someone saved the same thing at the same moment. Reload and try again."
UNEXPECTED_DETAIL = "Something went wrong on our side. The error has been logged."
# app.extensions key: paths of JSON endpoints outside /api/ (e.g. /credentials/issue), whose
# errors are JSON even when no view of theirs runs (404, 405 raised by the URL map).
JSON_PATHS = "issuer.json_paths"


def problem(status: int, title: str, detail: str, *, type: str = ABOUT_BLANK,
            **extra: Any) -> Response:
    """A problem-details JSON response."""
    body = {"type": type, "title": title, "status": status, "detail": detail, **extra}
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    return response


def problem_type(error: IssuerError) -> str:
    return getattr(error, "problem_type", None) or ABOUT_BLANK


def problem_body(error: IssuerError, *, paths: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The problem-details members for ``error``. A ValidationFailed lists each field's
    message under ``errors``, its field names mapped through ``paths`` (service field names
    to where they are in the request body); an error with a ``problem_members()`` method
    adds what it returns."""
    body: dict[str, Any] = {"type": problem_type(error), "title": error.title,
                            "status": error.status, "detail": str(error)}
    members = getattr(error, "problem_members", None)
    if callable(members):
        body.update(members())
    if isinstance(error, ValidationFailed):
        paths = paths or {}
        errors = {paths.get(field, field): message for field, message in error.errors.items()}
        body["errors"] = errors
        body["detail"] = field_messages(errors)
    return body


def problem_response(
    *, status: int, title: str, detail: str, extra: dict[str, Any] | None = None,
    type: str = ABOUT_BLANK,
) -> Response:
    """Problem-details JSON for callers that asked for JSON (and on the JSON APIs' paths),
    else HTML."""
    wants_json = json_type_wanted(request, (*JSON_TYPES, PROBLEM_JSON)) is not None
    if wants_json or request.path.startswith("/api/") or \
            request.path in current_app.extensions.get(JSON_PATHS, ()):
        return problem(status, title, detail, type=type, **(extra or {}))
    html = render_template("error.html", status=status, title=title, detail=detail,
                           errors=(extra or {}).get("errors"))
    return Response(html, status=status, mimetype="text/html")


def init_app(app: Flask) -> None:
    @app.errorhandler(IssuerError)
    def _issuer_error(error: IssuerError):
        extra = {"errors": error.errors} if isinstance(error, ValidationFailed) else None
        return problem_response(status=error.status, title=error.title, detail=str(error),
                                extra=extra, type=problem_type(error))

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
        return problem_response(status=409, title="Conflict", detail=CONFLICT_DETAIL)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        response = problem_response(status=error.code, title=error.name,
                                    detail=error.description or error.name)
        _allow(response, error)
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return problem_response(status=500, title="Internal Server Error",
                                detail=UNEXPECTED_DETAIL)


def _allow(response: Response, error: HTTPException) -> None:
    if error.code == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)


def answer_json_at(app: Flask, paths: Iterable[str]) -> None:
    """Errors at these exact paths are problem-details JSON whatever Accept says (the URL map's
    own 404/405 too, which no blueprint's handlers see)."""
    app.extensions[JSON_PATHS] = frozenset(app.extensions.get(JSON_PATHS, ())) | set(paths)


def register_json_handlers(
    bp: Blueprint, *, paths: Mapping[str, str] | None = None,
    too_large: str | Callable[[], str] = "The request body is too large for this endpoint.",
) -> None:
    """Make every error raised in ``bp`` a problem-details JSON answer, whatever Accept says
    (machines call these endpoints), an unexpected one too (a 500, logged). ``paths``
    renames ValidationFailed fields; ``too_large`` is the 413 detail (or makes it)."""

    @bp.errorhandler(IssuerError)
    def _issuer_error(error: IssuerError):
        body = problem_body(error, paths=paths)
        return problem(body.pop("status"), body.pop("title"), body.pop("detail"), **body)

    @bp.errorhandler(IntegrityError)
    def _integrity_error(error: IntegrityError):
        return problem(409, "Conflict", CONFLICT_DETAIL)

    @bp.errorhandler(RequestEntityTooLarge)
    def _too_large(error: RequestEntityTooLarge):
        return problem(413, "Request too large", too_large() if callable(too_large) else too_large)

    @bp.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        response = problem(error.code, error.name, error.description or error.name)
        _allow(response, error)
        return response

    @bp.errorhandler(Exception)
    def _unexpected(error: Exception):
        current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return problem(500, "Internal Server Error", UNEXPECTED_DETAIL)
