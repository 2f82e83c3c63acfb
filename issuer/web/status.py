"""Status lists on the web: the hosted list credentials (public, cacheable) and the admin's
revoke / suspend / reinstate forms.

GET /status/<id> is a single indexed read of the stored, already-signed document: nothing is
signed or built on the way out, so verifiers get an answer under load. Its ETag is the SHA-256
of the exact bytes; If-None-Match gets a 304.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import DBAPIError

from issuer.errors import Conflict, InvalidRequest, ValidationFailed
from issuer.models import IssuedCredential
from issuer.services import issuance, status
from issuer.web import deps
from issuer.web.forms import EmptyForm
from issuer.web.negotiation import json_type_wanted
from issuer.web.problems import problem_response

LIST_MEDIA_TYPE = "application/vc+ld+json"
# How long verifiers and caches may reuse a list before asking again (revalidation with the
# ETag is cheap). A revocation reaches every verifier within this time.
LIST_MAX_AGE = 60

bp = Blueprint("status", __name__)
admin_bp = Blueprint("admin_status", __name__, url_prefix="/admin")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)

    @app.template_global("credential_state")
    def _credential_state(row: IssuedCredential) -> status.CredentialState:
        """``credential_state(row)`` in templates: .state ("active" | "revoked" |
        "suspended"), .reason, .since, .by, .has_status."""
        return status.credential_state(deps.session(), row)

    @app.template_global("credential_status_history")
    def _credential_status_history(row: IssuedCredential) -> list:
        """Every revocation, suspension and reinstatement of ``row``, newest first."""
        return status.status_history(deps.session(), row)


# --- hosted lists ----------------------------------------------------------------------------


@bp.get("/status/<list_id>")
def status_list(list_id: str):
    try:
        found = status.published_list(deps.session(), list_id)
    except DBAPIError:
        # A verifier that gets a 5xx may call the badge invalid: say it is temporary.
        response = problem_response(status=503, title="Service Unavailable",
                                    detail="The status list cannot be read right now; try again.")
        response.headers["Retry-After"] = "30"
        return response
    media_type = json_type_wanted(request) or LIST_MEDIA_TYPE
    response = Response(found.document.encode("utf-8"), mimetype=media_type)
    response.set_etag(found.sha256)
    response.headers["Cache-Control"] = f"public, max-age={LIST_MAX_AGE}"
    response.vary.add("Accept")
    return response.make_conditional(request)


# --- admin actions ---------------------------------------------------------------------------


@admin_bp.before_request
@login_required
def _require_login() -> None:
    """Status changes need a signed-in admin."""


def _change(credential_id: str, action: str, done: str):
    session = deps.session()
    row = issuance.get_credential(session, credential_id)
    back = redirect(url_for("admin.credential_detail", credential_id=row.id), code=303)
    if not EmptyForm().validate_on_submit():  # no or bad CSRF token: CSRFProtect answers first
        return back
    change = {"revoke": status.revoke, "suspend": status.suspend,
              "reinstate": status.reinstate}[action]
    try:
        change(session, row, reason=request.form.get("reason"),
               actor=status.Actor.admin(current_user.user), keystore=deps.keystore(),
               base_url=deps.base_url(), now=deps.now())
    except ValidationFailed as error:
        flash(" ".join(error.errors.values()))
    except (Conflict, InvalidRequest) as error:
        flash(str(error))
    else:
        flash(done)
    return back


@admin_bp.post("/credentials/<credential_id>/revoke")
def revoke(credential_id: str):
    return _change(credential_id, "revoke", "The credential is revoked.")


@admin_bp.post("/credentials/<credential_id>/suspend")
def suspend(credential_id: str):
    return _change(credential_id, "suspend", "The credential is suspended.")


@admin_bp.post("/credentials/<credential_id>/reinstate")
def reinstate(credential_id: str):
    return _change(credential_id, "reinstate", "The credential is reinstated.")
