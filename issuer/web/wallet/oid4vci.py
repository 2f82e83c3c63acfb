"""OpenID for Verifiable Credential Issuance 1.0, pre-authorized code flow (issue 12, item 3;
issuer.services.oid4vci does the work).

- ``GET /.well-known/openid-credential-issuer``: Credential Issuer Metadata.
- The authorization-server metadata (``/.well-known/oauth-authorization-server``) and token
  endpoint (``/ob/oauth/token``) are the OB 3.0 API's (issuer.web.obapi), one of each: the
  document also names the pre-authorized grant, and the token endpoint hands that grant to
  :func:`token_response` here.
- ``GET /oid4vci/offers/<ref>``: the credential offer behind ``credential_offer_uri``.
- ``POST /oid4vci/nonce``: a fresh ``c_nonce``.
- ``POST /oid4vci/credential`` (``Authorization: Bearer``, JSON): the key proof → the
  holder-bound credential as ``ldp_vc`` or ``jwt_vc_json``.

Errors are OAuth-style ``{"error", "error_description"}`` (issuer.services.oauth_errors), as
wallets expect; every answer is ``Cache-Control: no-store``.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from issuer.errors import IssuerError
from issuer.services import oauth_errors as oe
from issuer.services import oid4vci, profiles
from issuer.web.core import deps, ratelimit
from issuer.web.core.body import MalformedBody, json_body
from issuer.web.core.problems import register_json_handlers

bp = Blueprint("wallet_oid4vci", __name__)
register_json_handlers(bp)

NONCE_RATE_LIMIT = 120  # per minute per client address (each nonce is a database row)
TOKEN_RATE_LIMIT = 60  # per minute per client address (codes and tx_codes are guessed here)
CREDENTIAL_EXAMPLE = ('{"credential_configuration_id": "OpenBadgeCredential_ldp_vc", '
                      '"proofs": {"jwt": ["..."]}}')


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


@bp.errorhandler(oe.OAuthError)
def oauth_error_response(error: oe.OAuthError) -> Response:
    response = jsonify(error.body())
    response.status_code = error.status
    if error.retry_after:
        response.headers["Retry-After"] = str(error.retry_after)
    if error.code == oe.INVALID_TOKEN:
        response.headers["WWW-Authenticate"] = \
            f'Bearer error="invalid_token", error_description="{error}"'.replace("\n", " ")
    return _no_store(response)


@bp.get("/.well-known/openid-credential-issuer")
def issuer_metadata():
    default = profiles.default_profile(deps.session(), required=False)
    return jsonify(oid4vci.issuer_metadata(
        deps.base_url(), site_name=default.name if default is not None else "Open Badges"))


@bp.get("/oid4vci/offers/<string(maxlength=200):ref>")
def offer(ref: str):
    document = oid4vci.offer_by_reference(deps.session(), ref, base_url=deps.base_url(),
                                          now=deps.now())
    return _no_store(jsonify(document))


def token_response() -> Response:
    """The token endpoint's answer for the pre-authorized code grant (form-encoded
    ``pre-authorized_code`` and ``tx_code``): an access token or an OAuth error."""
    try:
        _throttle("oid4vci-token", TOKEN_RATE_LIMIT)
        if request.mimetype != "application/x-www-form-urlencoded":
            raise oe.OAuthError(oe.INVALID_REQUEST, "send the token request as "
                                "application/x-www-form-urlencoded (RFC 6749 §4.1.3)")
        answer = oid4vci.redeem_code(deps.session(), request.form,
                                     secret_key=current_app.config["SECRET_KEY"],
                                     now=deps.now())
    except oe.OAuthError as error:
        return oauth_error_response(error)
    return _no_store(jsonify(answer))


def _throttle(scope: str, limit: int) -> None:
    verdict = ratelimit.check(scope, limit=limit)
    if not verdict.allowed:
        raise oe.OAuthError(oe.SLOW_DOWN, "too many requests from your address",
                            retry_after=verdict.retry_after)


@bp.post("/oid4vci/nonce")
def nonce():
    _throttle("oid4vci-nonce", NONCE_RATE_LIMIT)
    return _no_store(jsonify(oid4vci.new_nonce(deps.session(), now=deps.now())))


def _bearer_token() -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise oe.OAuthError(oe.INVALID_TOKEN, "send the access token as Authorization: "
                            "Bearer <token>")
    return value.strip()


@bp.post("/oid4vci/credential")
def credential():
    token = _bearer_token()
    try:
        body = json_body(example=CREDENTIAL_EXAMPLE)
    except MalformedBody as exc:
        raise oe.OAuthError(oe.INVALID_CREDENTIAL_REQUEST, str(exc)) from None
    try:
        answer = oid4vci.issue_credential(deps.session(), token=token, body=body,
                                          base_url=deps.base_url(), keystore=deps.keystore(),
                                          now=deps.now())
    except oe.OAuthError:
        raise
    except IssuerError as exc:
        raise oe.OAuthError(oe.CREDENTIAL_REQUEST_DENIED, str(exc)) from None
    return _no_store(jsonify(answer))
