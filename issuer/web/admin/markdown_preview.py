"""Markdown preview for the achievement form (issue 14, item 3): POST /admin/markdown/preview.

The form's script (static/markdown_preview.js) sends the text of a Markdown field
(``text``, with the form's ``csrf_token``; CSRFProtect checks it) and shows the answer: the
HTML the public pages would show, rendered and cleaned by the same code (python-markdown, then
nh3: issuer.web.core.rendering.render_markdown). The body is bounded (MAX_BODY bytes, the text
MAX_TEXT characters, the criteria's own limit); a longer text is a 422 with a plain message.
Without scripts, the form's *Preview* button posts the whole form and the page comes back with
the same previews and nothing saved (pages.py).
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from issuer.web.admin.auth import require_admin
from issuer.web.core.rendering import render_markdown

bp = Blueprint("admin_markdown", __name__, url_prefix="/admin/markdown")
MAX_TEXT = 20_000  # the longest Markdown field (criteria; issuer.services.achievements)
MAX_BODY = 4 * MAX_TEXT + 4096  # percent-encoded text and the CSRF token

bp.before_request(require_admin)


@bp.url_value_preprocessor
def _bound_body(_endpoint, _values) -> None:
    request.max_content_length = MAX_BODY  # before CSRF protection reads the form


def previews(fields: dict[str, str | None]) -> dict[str, str]:
    """The cleaned HTML of each Markdown field (for the form rendered without scripts)."""
    return {name: render_markdown((text or "")[:MAX_TEXT]) for name, text in fields.items()}


@bp.post("/preview")
def preview():
    text = request.form.get("text", "")
    if len(text) > MAX_TEXT:
        response = Response(f"The text is {len(text)} characters; a preview takes at most "
                            f"{MAX_TEXT}.", 422, mimetype="text/plain")
    else:
        response = Response(str(render_markdown(text)), mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response
