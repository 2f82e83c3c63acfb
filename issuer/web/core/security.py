"""Security headers and request hygiene for every response of the app.

One Content-Security-Policy for HTML pages (no scripts), and :func:`page_csp` for the few pages
that run one of our own static scripts; images we serve as SVG get a sandboxing policy.
"""

from __future__ import annotations

from flask import Flask, Response, request

from issuer.errors import InvalidRequest

HTML_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
    "object-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# Pages that run a same-origin script of ours (static/*.js), never inline code.
SCRIPT_PAGE_CSP = HTML_CSP.replace("script-src 'none'", "script-src 'self'")
# SVG documents we serve (uploads, QR codes, baked badges) may not run anything.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul_characters)
    app.after_request(security_headers)


def refuse_nul_characters() -> None:
    """NUL characters have no place in text fields (and PostgreSQL refuses to store them)."""
    values = [*request.args.values()]
    if request.method in ("POST", "PUT", "PATCH"):
        values.extend(request.form.values())
    if any("\x00" in value for value in values):
        raise InvalidRequest("text fields may not contain NUL characters")


def security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", HTML_CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
    return response
