"""Count a visit to a credential (page view, download, share click, claim) after the
response has gone out: the counter's one UPSERT (issuer.services.activity) runs when the
WSGI server closes the response, so the visitor never waits for it, and a failing database
costs a lost count (logged), never the page.
"""

from __future__ import annotations

from flask import Response, current_app, request

from issuer import db
from issuer.services import activity
from issuer.web.core import deps


def count_after_response(response: Response, credential_id: str, kind: str, *,
                         browsers_only: bool = True) -> Response:
    """Count ``kind`` for the credential once ``response`` is sent. ``browsers_only``: skip
    HEAD, bots, link previewers and prefetches (activity.is_countable_visit)."""
    if browsers_only and not activity.is_countable_visit(request.method, request.headers):
        return response
    if kind not in activity.KINDS:
        raise ValueError(f"unknown activity kind {kind!r}")
    engine = db.engine_of(current_app)
    now = deps.now()
    response.call_on_close(lambda: activity.record(engine, credential_id, kind, now=now))
    return response
