"""The application factory: config → database → login → blueprints by audience → error
handlers and security headers.

The web layer is cut by audience: ``public`` (pages and documents for everyone), ``admin``
(behind sign-in), ``api`` (JSON for machines); ``core`` holds what they share. This module
imports them; none of them imports it.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from flask_cors import CORS
from flask_wtf.csrf import CSRFProtect

from issuer import config, db
from issuer.web.core import converters

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
# The VC-API verification endpoints are public: POST from any origin (no cookies).
for _verify_path in ("/credentials/verify", "/presentations/verify"):
    CORS_RESOURCES[_verify_path] = {
        "origins": "*", "send_wildcard": True, "methods": ["POST", "OPTIONS"],
        "supports_credentials": False, "max_age": 86400,
    }


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask("issuer", instance_relative_config=True,
                root_path=os.path.dirname(os.path.abspath(__file__)),
                instance_path=_instance_path(test_config))
    config.load(app, test_config)
    converters.init_app(app)  # before any blueprint adds a rule that uses them
    db.init_app(app)
    CSRFProtect(app)
    CORS(app, resources=CORS_RESOURCES)

    from issuer.community import hooks
    from issuer.web import admin, api, obapi, public, wallet
    from issuer.web.core import problems, rendering, security
    from issuer.webhooks import hooks as webhook_hooks

    hooks.init_app(app)  # every issued credential announces itself (email, meta badges)
    webhook_hooks.init_app(app)  # changes become webhook events, in their own transaction
    rendering.init_app(app)
    public.init_app(app)
    admin.init_app(app)
    api.init_app(app)
    wallet.init_app(app)
    obapi.init_app(app)  # the 1EdTech OB 3.0 API and its OAuth 2.0 (issue 15)
    problems.init_app(app)
    security.init_app(app)
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
