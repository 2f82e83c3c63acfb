"""Whether a credential's recipient was told, on its admin page, and *Resend*."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, url_for
from flask_login import login_required

from issuer.community import notifications
from issuer.errors import Conflict
from issuer.services import issuance
from issuer.web.admin.forms import EmptyForm
from issuer.web.core import deps

bp = Blueprint("admin_notify", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _require_login() -> None:
    """Resending needs a signed-in admin."""


def mail_configured() -> bool:
    return bool(current_app.config.get("SMTP_URL"))


@bp.app_context_processor
def _notification_globals() -> dict:
    def credential_notification(row):
        return notifications.notification_of(deps.session(), row.id, now=deps.now())

    def notification_states(credential_ids):
        return notifications.states_of(deps.session(), list(credential_ids))

    return {"credential_notification": credential_notification,
            "notification_states": notification_states,
            "notification_labels": notifications.LABELS,
            "mail_configured": mail_configured,
            "resend_limit": notifications.RESEND_LIMIT}


@bp.post("/credentials/<uuid:credential_id>/resend")
def resend(credential_id):
    session = deps.session()
    row = issuance.get_credential(session, str(credential_id))
    back = redirect(url_for("admin.credential_detail", credential_id=row.id), code=303)
    if not EmptyForm().validate_on_submit():  # no or bad CSRF token: CSRFProtect answers first
        return back
    if not mail_configured():
        flash("Email is not configured on this server (ISSUER_SMTP_URL), so nothing can be "
              "sent.")
        return back
    try:
        message = notifications.resend(session, row.id, now=deps.now())
    except Conflict as error:
        flash(f"Not resent: {error}.")
        return back
    from issuer.jobs import jobs_of

    jobs_of(current_app).community.deliver_mail(message.id)
    flash(f"The email to {row.recipient.email} is queued again.")
    return back
