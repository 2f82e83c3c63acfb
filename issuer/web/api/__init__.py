"""The JSON APIs for machines: W3C VC-API (issue, status, verify), the native
``/api/v1/credentials``, community events, the OAuth 2.0 token endpoint and ``/openapi.json``.

Every error is problem-details JSON (RFC 9457) with a readable ``detail``, whatever the
Accept header says; 401 carries ``WWW-Authenticate``. No CSRF: there are no cookies.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, Flask

from issuer.web.api.auth import register_auth_handlers
from issuer.web.core.problems import answer_json_at, register_json_handlers


def json_api_blueprint(name: str, import_name: str, *,
                       paths: Mapping[str, str] | None = None) -> Blueprint:
    """A blueprint whose every error answers as the JSON APIs do."""
    bp = Blueprint(name, import_name)
    register_json_handlers(bp, paths=paths)
    register_auth_handlers(bp)
    return bp


def init_app(app: Flask) -> None:
    from issuer.web.api import (
        auth, endorsements, events, native, offers, openapi, vcapi, verify,
    )

    blueprints = (auth.bp, vcapi.bp, native.bp, offers.bp, events.bp, verify.bp, openapi.bp,
                  endorsements.bp)
    for bp in blueprints:
        app.register_blueprint(bp)
        app.extensions["csrf"].exempt(bp)
    names = {bp.name for bp in blueprints}
    answer_json_at(app, (rule.rule for rule in app.url_map.iter_rules()
                         if rule.endpoint.partition(".")[0] in names and not rule.arguments))
