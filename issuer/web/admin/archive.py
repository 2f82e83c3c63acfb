"""Archive and restore an achievement (issue 14, item 3): an archived achievement is left out
of every issuing choice and refused by every issuing path (issuance.check_request); what was
issued keeps verifying and its pages keep working. Restoring makes it issuable again."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for

from issuer.services import achievements
from issuer.services.tx import atomic
from issuer.web.admin.auth import require_admin
from issuer.web.admin.forms import EmptyForm
from issuer.web.core import deps

bp = Blueprint("admin_archive", __name__, url_prefix="/admin/achievements")

bp.before_request(require_admin)


@bp.post("/<uuid:achievement_id>/archive")
def archive(achievement_id: str):
    session = deps.session()
    row = achievements.get_achievement(session, achievement_id)
    if EmptyForm().validate_on_submit():
        with atomic(session):
            changed = achievements.archive(row, now=deps.now())
        flash(f"“{row.name}” is archived: nothing new is issued for it; what was issued "
              "still verifies." if changed else f"“{row.name}” was archived already.")
    return redirect(url_for("admin.edit_achievement", achievement_id=row.id))


@bp.post("/<uuid:achievement_id>/restore")
def restore(achievement_id: str):
    session = deps.session()
    row = achievements.get_achievement(session, achievement_id)
    if EmptyForm().validate_on_submit():
        with atomic(session):
            changed = achievements.restore(row)
        flash(f"“{row.name}” is restored and can be issued again." if changed
              else f"“{row.name}” was not archived.")
    return redirect(url_for("admin.edit_achievement", achievement_id=row.id))
