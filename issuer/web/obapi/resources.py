"""The OB 3.0 API's resources (OB 3.0 §6.3): ``GET /ims/ob/v3p0/discovery``, the signed-in
member's credentials (``GET``, paged with ``X-Total-Count`` and ``Link``; ``POST`` upserts
one from elsewhere, verified first) and profile (``GET``, ``PUT``).

Every answer validates against the 1EdTech schemas; every error is ``Imsx_StatusInfo``
(issuer/web/obapi/status_info.py). Bearer tokens come from issuer/web/obapi/oauth.py.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from urllib.parse import urlencode

from authlib.integrations.flask_oauth2.requests import FlaskJsonRequest
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import MissingAuthorizationError
from flask import Blueprint, Response, abort, current_app, jsonify, request, url_for

from issuer.clock import parse_datetime
from issuer.community.models import Member
from issuer.services import backpack, obapi_discovery, profiles
from issuer.services import obapi_oauth as oauth
from issuer.services.tx import atomic
from issuer.web.core import body, deps, verifying
from issuer.web.obapi.server import PROTECTOR
from issuer.web.obapi.status_info import (
    INVALID_QUERY_PARAMETER,
    ImsxError,
    register_status_info_handlers,
    status_info,
    unauthorized,
)

bp = Blueprint("obapi", __name__, url_prefix=obapi_discovery.API_PATH)
register_status_info_handlers(bp)
bp.url_value_preprocessor(verifying.raise_body_limits)  # credentials may be large

INTEGER = re.compile(r"[0-9]{1,9}")
TEXT_PLAIN = "text/plain"


def _member(scope: str) -> Member:
    """The member whose bearer token this is, if it holds ``scope`` (else a 401/403)."""
    try:
        token = PROTECTOR.validate_request(scopes=[scope], request=FlaskJsonRequest(request))
    except MissingAuthorizationError:
        abort(unauthorized("Send an access token (Authorization: Bearer …)."))
    except OAuth2Error as error:
        if error.status_code == 403:
            abort(status_info(403, f"The access token does not grant {scope}."))
        abort(unauthorized("The access token is invalid, expired or revoked.",
                           error="invalid_token"))
    return token.row.member


@bp.get("/discovery")
def discovery():
    base = deps.base_url()
    profile = profiles.default_profile(deps.session(), required=False)
    config = current_app.config
    document = obapi_discovery.service_description(
        base_url=base,
        title=profile.name if profile is not None else "Open Badges issuer",
        terms_url=config.get("OB_API_TERMS_URL") or base + "/",
        privacy_url=config.get("OB_API_PRIVACY_URL") or base + "/",
        registration_url=base + url_for("obapi_oauth.register"),
        authorization_url=base + url_for("obapi_oauth.authorize"),
        token_url=base + url_for("obapi_oauth.token"),
    )
    response = jsonify(document)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


# -- credentials ------------------------------------------------------------------------------


def _int_arg(name: str, default: int, *, minimum: int) -> int:
    value = request.args.get(name)
    if value is None:
        return default
    if not INTEGER.fullmatch(value) or int(value) < minimum:
        raise ImsxError(f"{name} must be a whole number of at least {minimum}.",
                        code_minor=INVALID_QUERY_PARAMETER)
    return int(value)


def _since_arg() -> datetime | None:
    value = request.args.get("since")
    if value is None:
        return None
    try:
        if len(value) > 40:
            raise ValueError(value)
        return parse_datetime(value)
    except ValueError:
        raise ImsxError("since must be a date and time such as 2026-01-31T12:00:00Z.",
                        code_minor=INVALID_QUERY_PARAMETER) from None


def _link_header(*, limit: int, offset: int, total: int, since: str | None) -> str:
    url = deps.base_url() + url_for("obapi.credentials")

    def link(rel: str, at: int) -> str:
        query = {"limit": limit, "offset": at, **({"since": since} if since else {})}
        return f'<{url}?{urlencode(query)}>; rel="{rel}"'

    last = max(0, (total - 1) // limit * limit)
    links = [link("first", 0)]
    if offset > 0:
        links.append(link("prev", max(0, offset - limit)))
    if offset + limit < total:
        links.append(link("next", offset + limit))
    links.append(link("last", last))
    return ", ".join(links)


@bp.get("/credentials")
def credentials():
    member = _member(oauth.CREDENTIAL_READONLY)
    limit = min(_int_arg("limit", backpack.DEFAULT_LIMIT, minimum=1), backpack.MAX_LIMIT)
    offset = _int_arg("offset", 0, minimum=0)
    since = _since_arg()
    page = backpack.credentials_page(deps.session(), member, limit=limit, offset=offset,
                                     since=since)
    response = jsonify({
        "credential": [json.loads(entry.text) for entry in page.entries if not entry.compact],
        "compactJwsString": [entry.text for entry in page.entries if entry.compact],
    })
    response.headers["X-Total-Count"] = str(page.total)
    response.headers["Link"] = _link_header(limit=limit, offset=offset, total=page.total,
                                            since=request.args.get("since"))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/credentials")
def upsert_credential():
    member = _member(oauth.CREDENTIAL_UPSERT)
    if request.mimetype == TEXT_PLAIN:
        try:
            document = request.get_data(cache=True).decode("utf-8")
        except UnicodeDecodeError:
            raise ImsxError("The body is not UTF-8 text.") from None
    else:
        document = body.json_object(example="an AchievementCredential")
    verdict = verifying.rate_limited()
    if not verdict.allowed:
        response = status_info(429, verifying.slow_down(verdict.retry_after))
        response.headers["Retry-After"] = str(verdict.retry_after)
        return response
    session = deps.session()
    with atomic(session):
        result = backpack.upsert_held(session, member, document, verify=verifying.verify,
                                      now=deps.now())
    status = 201 if result.created else 200
    if isinstance(document, str):
        return Response(document.strip(), status=status, mimetype=TEXT_PLAIN)
    response = jsonify(document)
    response.status_code = status
    return response


# -- profile ----------------------------------------------------------------------------------


@bp.get("/profile")
def profile():
    member = _member(oauth.PROFILE_READONLY)
    response = jsonify(backpack.profile_document(member, base_url=deps.base_url()))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.put("/profile")
def update_profile():
    member = _member(oauth.PROFILE_UPDATE)
    document = body.json_object(example="a Profile")
    session = deps.session()
    with atomic(session):
        backpack.update_profile(member, document, base_url=deps.base_url(), now=deps.now())
    return jsonify(backpack.profile_document(member, base_url=deps.base_url()))


# Methods of each resource, for the 405 the catch-all below gives in place of the URL map's.
METHODS = {"discovery": ("GET",), "credentials": ("GET", "POST"), "profile": ("GET", "PUT")}


@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
def unknown(rest: str):
    """Unknown resources and methods answer Imsx_StatusInfo too (the URL map's own 404 and 405
    never reach this blueprint's handlers)."""
    if rest in METHODS:
        response = status_info(405, f"{request.method} is not allowed here.")
        response.headers["Allow"] = ", ".join(METHODS[rest])
        return response
    return status_info(404, "There is no such OB 3.0 API resource.")
