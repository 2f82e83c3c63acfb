"""The hosted status lists: ``GET /status/<id>`` (public, cacheable).

A single indexed read of the stored, already-signed document: nothing is signed or built on
the way out, so verifiers get an answer under load. Its ETag is the SHA-256 of the exact
bytes; If-None-Match gets a 304. Always JSON (a list is a document, not a page): an unknown
id is a problem-details 404.
"""

from __future__ import annotations

from flask import Blueprint, Response, request
from sqlalchemy.exc import DBAPIError

from issuer.services import status
from issuer.web.core import deps
from issuer.web.core.negotiation import json_type_wanted
from issuer.web.core.problems import problem, register_json_handlers

LIST_MEDIA_TYPE = "application/vc+ld+json"
# How long verifiers and caches may reuse a list before asking again (revalidation with the
# ETag is cheap). A revocation reaches every verifier within this time.
LIST_MAX_AGE = 60

bp = Blueprint("status", __name__)
register_json_handlers(bp)


@bp.get("/status/<list_id>")
def status_list(list_id: str):
    try:
        found = status.published_list(deps.session(), list_id)
    except DBAPIError:
        # A verifier that gets a 5xx may call the badge invalid: say it is temporary.
        response = problem(503, "Service Unavailable",
                           "The status list cannot be read right now; try again.")
        response.headers["Retry-After"] = "30"
        return response
    media_type = json_type_wanted(request) or LIST_MEDIA_TYPE
    response = Response(found.document.encode("utf-8"), mimetype=media_type)
    response.set_etag(found.sha256)
    response.headers["Cache-Control"] = f"public, max-age={LIST_MAX_AGE}"
    response.vary.add("Accept")
    return response.make_conditional(request)
