"""Security headers and request hygiene for every response of the app, and the warnings a
risky setting earns at start-up.

One Content-Security-Policy for HTML pages (no scripts), and SCRIPT_PAGE_CSP for the few pages
that run one of our own static scripts; images we serve as SVG get a sandboxing policy.
``Strict-Transport-Security`` goes on every response when ISSUER_HSTS_SECONDS is set and the
base URL is https (for deployments where the app itself terminates TLS; behind a proxy, the
proxy usually sends it).
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

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


# (process id, message) of the start-up warnings already logged: once per process, however
# many apps it creates.
_warned: set[tuple[int, str]] = set()


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul_characters)
    app.after_request(security_headers)
    hsts = strict_transport_security(app.config)
    if hsts is not None:
        @app.after_request
        def _hsts(response: Response) -> Response:
            response.headers.setdefault("Strict-Transport-Security", hsts)
            return response
    for message in startup_warnings(app.config):
        _warn_once(app, message)


def strict_transport_security(config: dict[str, Any]) -> str | None:
    """The Strict-Transport-Security value to send, or None (not set, or an http base URL:
    browsers ignore the header over plain http)."""
    seconds = config.get("HSTS_SECONDS") or 0
    if seconds <= 0 or urlsplit(config["BASE_URL"]).scheme != "https":
        return None
    return f"max-age={seconds}" + ("; includeSubDomains" if config.get("HSTS_INCLUDE_SUBDOMAINS")
                                   else "")


def startup_warnings(config: dict[str, Any]) -> list[str]:
    """What an operator should hear about these settings (logged once per process)."""
    warnings = []
    count = config.get("PROXY_COUNT") or 0
    if count:
        warnings.append(
            f"ISSUER_PROXY_COUNT={count}: the client address, scheme and host are taken from "
            f"the X-Forwarded-For/-Proto/-Host headers the last {count} "
            f"prox{'ies add' if count > 1 else 'y adds'}. Anyone who reaches this server "
            "without going through the proxy picks their own address (rate limits and "
            "sign-in throttles count per address): let only the proxy connect (listen on "
            "127.0.0.1 or a private network), or set ISSUER_PROXY_COUNT=0.")
    if (config.get("HSTS_SECONDS") or 0) > 0 and strict_transport_security(config) is None:
        warnings.append("ISSUER_HSTS_SECONDS is set but ISSUER_BASE_URL is not https: no "
                        "Strict-Transport-Security header is sent.")
    return warnings


def _warn_once(app: Flask, message: str) -> None:
    key = (os.getpid(), message)
    if key not in _warned:
        _warned.add(key)
        app.logger.warning("%s", message)


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
