"""The application factory: config → database → login → blueprints → error handlers."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from flask_cors import CORS
from flask_wtf.csrf import CSRFProtect

from issuer import config, db

# Public JSON documents may be read from any origin (GET only, no cookies).
CORS_RESOURCES = {
    pattern: {"origins": "*", "methods": ["GET", "HEAD", "OPTIONS"], "supports_credentials": False}
    for pattern in (
        r"/\.well-known/did\.json",
        r"/did\.json",
        r"/issuers/.*",
        r"/achievements/.*",
        r"/credentials/.*",
        r"/images/.*",
    )
}
# Status lists: "*" rather than the echoed Origin, so caches keep one copy for every verifier.
CORS_RESOURCES[r"/status/.*"] = {
    "origins": "*", "methods": ["GET", "HEAD", "OPTIONS"], "supports_credentials": False,
    "send_wildcard": True,
}
# The VC-API verification endpoint is public: POST from any origin (no cookies).
CORS_RESOURCES["/credentials/verify"] = {
    "origins": "*", "send_wildcard": True, "methods": ["POST", "OPTIONS"],
    "supports_credentials": False, "max_age": 86400,
}

HTML_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
    "object-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask("issuer", instance_relative_config=True,
                root_path=os.path.dirname(os.path.abspath(__file__)),
                instance_path=_instance_path(test_config))
    config.load(app, test_config)
    db.init_app(app)
    CSRFProtect(app)
    CORS(app, resources=CORS_RESOURCES)

    from issuer.web import admin, auth, problems, public, rendering

    auth.init_app(app)
    rendering.init_app(app)
    app.register_blueprint(public.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp)
    from issuer.web import share, verify  # issue 4: verification and sharing

    verify.init_app(app)
    app.register_blueprint(share.bp)
    from issuer.web import admin_access, admin_bulk, api  # issue 6: APIs, tokens, bulk

    api.init_app(app)
    app.register_blueprint(admin_access.bp)
    admin_bulk.init_app(app)
    from issuer.web import status  # issue 5: status lists, revoke/suspend/reinstate

    status.init_app(app)
    from issuer.web import admin_community, events_api, members  # issue 7: community programs

    members.init_app(app)
    events_api.init_app(app)
    app.register_blueprint(admin_community.bp)
    problems.init_app(app)
    app.before_request(_refuse_nul_characters)
    app.after_request(_security_headers)
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    return app


def _instance_path(test_config: dict[str, Any] | None) -> str:
    """The test config's INSTANCE_PATH, else config.instance_path() ($ISSUER_INSTANCE_PATH or
    ./instance)."""
    if test_config and test_config.get("INSTANCE_PATH"):
        return str(test_config["INSTANCE_PATH"])
    return config.instance_path()


def _refuse_nul_characters() -> None:
    """NUL characters have no place in text fields (and PostgreSQL refuses to store them)."""
    from flask import request

    from issuer.errors import InvalidRequest

    values = [*request.args.values()]
    if request.method in ("POST", "PUT", "PATCH"):
        values.extend(request.form.values())
    if any("\x00" in value for value in values):
        raise InvalidRequest("text fields may not contain NUL characters")


def _security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", HTML_CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
    return response
