"""The one JSON request-body parser of the web layer.

Every JSON endpoint reads its body here: refused at once, as a 400 problem, when it is empty,
a form, not UTF-8, not JSON, or JSON we do not take (issuer.jsontext: nested too deep, NaN or
Infinity, numbers beyond a double, over-long integers, a member name twice in one object,
lone surrogates, and here also NUL characters, which PostgreSQL cannot store); the size is
bounded by MAX_CONTENT_LENGTH (413) before anything is read.
"""

from __future__ import annotations

from typing import Any

from flask import request

from issuer import jsontext
from issuer.errors import InvalidRequest

FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


class MalformedBody(InvalidRequest):
    """The request body is not a JSON document we can read."""

    title = "Malformed request body"
    status = 400


def json_body(*, example: str = "{...}", allow_nul: bool = False) -> Any:
    """The parsed JSON body of the current request (any JSON value; callers check its shape).
    ``example`` shows the expected body in the "no body" message. ``allow_nul``: take NUL
    characters in strings (for bodies nothing is stored from, e.g. a credential to verify)."""
    if request.mimetype in FORM_TYPES:
        raise MalformedBody("Send the request as JSON (Content-Type: application/json), "
                            "not as a form.")
    data = request.get_data(cache=True)
    if not data.strip():
        raise MalformedBody(f"The request has no body; send {example}.")
    try:
        return jsontext.loads(data, allow_nul=allow_nul)
    except jsontext.TooDeep as exc:
        raise MalformedBody(f"The request body nests JSON deeper than {exc.max_depth} levels; "
                            "no credential or event needs that many.") from None
    except jsontext.NotTaken as exc:
        raise MalformedBody(f"The request body holds JSON this server does not take: "
                            f"{exc}.") from None
    except jsontext.JSONTextError as exc:
        raise MalformedBody(f"The request body is not valid JSON: {exc}.") from None


def json_object(*, example: str = "{...}", allow_nul: bool = False) -> dict[str, Any]:
    """The JSON body, which must be an object."""
    body = json_body(example=example, allow_nul=allow_nul)
    if not isinstance(body, dict):
        raise MalformedBody(f"The request body must be a JSON object: {example}.")
    return body
