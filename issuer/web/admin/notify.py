"""The notification loop in the admin: whether a credential's recipient was told, on its
page and in the list, *Resend*, and the preview of the email on the issue form."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from flask import Blueprint, current_app, flash, redirect, url_for

from issuer.community import notifications, outbox
from issuer.errors import Conflict
from issuer.services import issuance
from issuer.web.admin.auth import require_admin
from issuer.web.admin.forms import EmptyForm
from issuer.web.core import deps
from issuer.web.core.security import HTML_CSP

bp = Blueprint("admin_notify", __name__, url_prefix="/admin")

bp.before_request(require_admin)


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


# -- the email preview on the issue form ------------------------------------------------------

PREVIEW_CSP = HTML_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


@dataclass(frozen=True)
class EmailPreview:
    subject: str
    mail_from: str
    to: str
    text: str
    html: str  # the HTML part, its inline badge image as a data: URL; shown in a sandbox
    mail_on: bool


def email_preview(session, issue_request: issuance.IssueRequest) -> EmailPreview:
    """The announcement email of the credential ``issue_request`` would issue, checked as
    issuing checks it (ValidationFailed), rendered by the sending code; nothing is saved."""
    now = deps.now()
    checked = issuance.check_request(session, issue_request, now=now)
    config = current_app.config
    message = outbox.preview_credential_message(
        checked.achievement, to=checked.email, recipient_name=checked.name,
        valid_until=checked.valid_until,
        mail_from=config.get("MAIL_FROM") or "(ISSUER_MAIL_FROM)",
        base_url=deps.base_url(),
        linkedin_organization_id=config.get("LINKEDIN_ORGANIZATION_ID"), now=now)
    text = message.get_body(preferencelist=("plain",)).get_content()
    html_part = message.get_body(preferencelist=("html",))
    html = html_part.get_content()
    for part in message.walk():
        cid = part.get("Content-ID")
        if cid and part.get_content_type() == "image/png":
            data = base64.b64encode(part.get_payload(decode=True)).decode("ascii")
            html = html.replace(f"cid:{cid.strip('<>')}", f"data:image/png;base64,{data}")
    return EmailPreview(subject=str(message["Subject"]), mail_from=str(message["From"]),
                        to=str(message["To"]), text=text, html=html, mail_on=mail_configured())


def preview_page(html: str):
    """The issue form with the preview: its HTML part shows in a sandboxed iframe, whose
    inline styles (as email clients show them) this page's policy allows."""
    response = current_app.make_response(html)
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    response.headers["Cache-Control"] = "no-store"
    return response
