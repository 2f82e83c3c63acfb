"""The OB 3.0 API's OAuth 2.0 endpoints (OB 3.0 §6.2): Dynamic Client Registration (RFC
7591), the authorization endpoint with the signed-in member's consent page, the token
endpoint (authorization code with PKCE S256, refresh with rotation), revocation (RFC 7009)
and RFC 8414 metadata. These answer RFC 6749 errors (``error``, ``error_description``), as
OAuth clients expect; authlib (issuer/web/obapi/server.py) does the protocol.

Each request is one unit of work: what the server wrote is committed only when it answered
with success, so a refused exchange leaves no token and a used code stays used.
"""

from __future__ import annotations

from urllib.parse import unquote_plus, urlsplit

from authlib.oauth2 import OAuth2Error
from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request
from flask import session as cookie
from flask_wtf import FlaskForm

from issuer.services import obapi_oauth as oauth
from issuer.services import oid4vci
from issuer.web.core import body, deps, ratelimit, throttling
from issuer.web.core.security import HTML_CSP
from issuer.web.obapi.server import SERVER, server_metadata
from issuer.web.public import members as member_pages
from issuer.web.wallet import oid4vci as wallet_oid4vci

bp = Blueprint("obapi_oauth", __name__)

REGISTER_RATE_LIMIT = 10  # registrations per minute per client address
NEXT_KEY = member_pages.NEXT_KEY
MAX_NEXT_LENGTH = 2048  # the signed session cookie must stay small


class ConsentForm(FlaskForm):
    """Only the CSRF token; the buttons are named allow / deny."""


def _json_error(status: int, error: str, description: str) -> Response:
    response = jsonify({"error": error, "error_description": description})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def _committed_if(response: Response, *statuses: int) -> Response:
    session = deps.session()
    if response.status_code in statuses:
        session.commit()
    else:
        session.rollback()
    return response


@bp.get("/.well-known/oauth-authorization-server")
def metadata():
    response = jsonify(oid4vci.with_pre_authorized_grant(server_metadata()))
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.post("/ob/oauth/register")
def register():
    verdict = ratelimit.check("obapi-register", limit=REGISTER_RATE_LIMIT)
    if not verdict.allowed:
        response = _json_error(429, "slow_down", "Too many registrations from your address.")
        response.headers["Retry-After"] = str(verdict.retry_after)
        return response
    if not request.is_json:
        return _json_error(400, "invalid_client_metadata",
                           "Send the registration request as JSON (Content-Type: "
                           "application/json).")
    try:
        document = body.json_object(example='{"client_name": "...", "redirect_uris": [...]}')
    except body.MalformedBody as error:
        return _json_error(400, "invalid_client_metadata", str(error))
    uris = document.get("redirect_uris", [])
    if not isinstance(uris, list) or len(uris) > oauth.MAX_REDIRECT_URIS or \
            not all(oauth.is_allowed_redirect_uri(uri) for uri in uris):
        # RFC 7591 §3.2.2 names this case (registration's checks refuse it too).
        return _json_error(400, "invalid_redirect_uri",
                           f"redirect_uris must be a list of at most {oauth.MAX_REDIRECT_URIS} "
                           "https URIs, or http to a loopback address (127.0.0.1, [::1], "
                           "localhost), without a fragment.")
    response = SERVER.create_endpoint_response("client_registration")
    response.headers["Cache-Control"] = "no-store"
    return _committed_if(response, 201)


# Answers of the token and revocation endpoints that count as a failed try: a wrong client
# secret (401 invalid_client), and a code or refresh token that is not (or no longer) valid.
COUNTED_ERRORS = ("invalid_client", "invalid_grant")
MAX_CLIENT_ID = 64  # longer ids are no client's (obapi_clients.client_id)


def _client_id_tried() -> str | None:
    """The client id a token or revocation request names (HTTP Basic, RFC 6749 §2.3.1, or
    the form), for the throttle's per-client counter; None when it names none."""
    authorization = request.authorization
    if authorization is not None and authorization.type == "basic" and authorization.username:
        return unquote_plus(authorization.username)[:MAX_CLIENT_ID]
    form_id = request.form.get("client_id")
    return form_id[:MAX_CLIENT_ID] if form_id else None


def _throttled(respond) -> Response:
    """Run a client-authenticated OAuth endpoint under the sign-in throttle (door ``oauth``,
    shared with /oauth/token: per client id and per address, counted in the database): a
    locked-out caller gets 429 with Retry-After before anything is checked; a failed try is
    counted, a success forgets the client's failures."""
    tried = throttling.attempt("oauth", _client_id_tried())
    wait = throttling.refused(tried)
    if wait:
        response = _json_error(429, "invalid_client", "Too many failed attempts from this "
                               f"client or address. Try again in {throttling.wait_text(wait)}.")
        response.headers["Retry-After"] = str(wait)
        return response
    response = _committed_if(respond(), 200)
    error = (response.get_json(silent=True) or {}).get("error") if response.is_json else None
    if error in COUNTED_ERRORS:
        throttling.failed(tried)
    elif response.status_code == 200:
        throttling.succeeded(tried)
    return response


@bp.post("/ob/oauth/token")
def token():
    if request.form.get("grant_type") == oid4vci.PRE_AUTHORIZED_GRANT:  # OpenID4VCI (issue 12)
        return wallet_oid4vci.token_response()
    return _throttled(SERVER.create_token_response)


@bp.post("/ob/oauth/revoke")
def revoke():
    return _throttled(lambda: SERVER.create_endpoint_response("revocation"))


@bp.route("/ob/oauth/authorize", methods=["GET", "POST"])
def authorize():
    """The consent page: who asks, for what, and Allow / Deny (signed-in members only)."""
    member = member_pages.current_member()
    if member is None:
        if request.method == "GET" and len(request.full_path) <= MAX_NEXT_LENGTH:
            cookie[NEXT_KEY] = request.full_path  # back here after signing in
        return redirect(member_pages.sign_in_url())
    try:
        grant = SERVER.get_consent_grant(end_user=member)
    except OAuth2Error as error:
        return _authorization_error(error)
    if request.method == "GET":
        return _consent_page(grant, ConsentForm())
    form = ConsentForm()
    if not form.validate_on_submit():
        return _consent_page(grant, form, status=400)
    allowed = "allow" in request.form
    response = SERVER.create_authorization_response(grant=grant,
                                                    grant_user=member if allowed else None)
    return _committed_if(response, 302)


def _authorization_error(error: OAuth2Error):
    """Errors before the client's redirect URI is known are shown here (never redirected to
    an unregistered address); later ones go back to the client, as RFC 6749 §4.1.2.1 says."""
    if getattr(error, "redirect_uri", None):
        return SERVER.handle_error_response(None, error)
    return render_template("obapi/consent_error.html", error=error), 400


def _consent_page(grant, form: ConsentForm, *, status: int = 200):
    client = grant.client
    scopes = [(scope, oauth.SCOPE_SUMMARIES.get(scope, scope))
              for scope in (grant.request.scope or "").split()]
    redirect_uri = grant.redirect_uri or ""
    response = current_app.make_response((render_template(
        "obapi/consent.html", form=form, client=client.metadata, scopes=scopes,
        redirect_host=urlsplit(redirect_uri).netloc, member=member_pages.current_member(),
        action=request.full_path), status))
    response.headers["Cache-Control"] = "no-store"
    # The form's answer is a redirect to the client: browsers check it against form-action.
    origin = oauth.redirect_origin(redirect_uri)
    if oauth.ORIGIN.fullmatch(origin):
        response.headers["Content-Security-Policy"] = HTML_CSP.replace(
            "form-action 'self'", f"form-action 'self' {origin}")
    return response
