"""The admin's revoke / suspend / reinstate forms on a credential's admin page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user

from issuer.errors import Conflict, InvalidRequest, ValidationFailed
from issuer.services import issuance, status
from issuer.web.admin.auth import require_admin
from issuer.web.admin.confirm import confirmed
from issuer.web.admin.forms import EmptyForm
from issuer.web.core import deps

bp = Blueprint("admin_status", __name__, url_prefix="/admin")

bp.before_request(require_admin)


def _change(credential_id: str, action: str, done: str):
    session = deps.session()
    row = issuance.get_credential(session, credential_id)
    back = redirect(url_for("admin.credential_detail", credential_id=row.id), code=303)
    if not EmptyForm().validate_on_submit():  # no or bad CSRF token: CSRFProtect answers first
        return back
    if action != "reinstate" and not confirmed(action):
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


@bp.post("/credentials/<uuid:credential_id>/revoke")
def revoke(credential_id: str):
    return _change(credential_id, "revoke", "The credential is revoked.")


@bp.post("/credentials/<uuid:credential_id>/suspend")
def suspend(credential_id: str):
    return _change(credential_id, "suspend", "The credential is suspended.")


@bp.post("/credentials/<uuid:credential_id>/reinstate")
def reinstate(credential_id: str):
    return _change(credential_id, "reinstate", "The credential is reinstated.")
