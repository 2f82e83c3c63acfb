"""A signed-in member's "apps you allowed": every OB 3.0 API client that holds live access to
their badges or profile (granted on the consent page), what it may do, and since when; and
taking that access back, after a confirmation that says what it does."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from issuer.services import obapi_grants
from issuer.services.tx import atomic
from issuer.web.core import deps
from issuer.web.public import members as member_views

bp = Blueprint("member_apps", __name__)

MAX_CLIENT_ID = 64


class RevokeForm(FlaskForm):
    """Only the CSRF token."""


@bp.get("/members/me/apps")
def list_page():
    member = member_views.require_member()
    grants = obapi_grants.grants_of(deps.session(), member, now=deps.now())
    asked = request.args.get("revoke", "")[:MAX_CLIENT_ID]
    confirming = next((grant for grant in grants if grant.client_id == asked), None)
    response = current_app.make_response(render_template(
        "members/apps.html", member=member, grants=grants, confirming=confirming,
        form=RevokeForm()))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/members/me/apps/<client_id>/revoke")
def revoke(client_id: str):
    member = member_views.require_member()
    if len(client_id) > MAX_CLIENT_ID:
        abort(404)
    form = RevokeForm()
    if not form.validate_on_submit():
        abort(400)
    session = deps.session()
    grants = {grant.client_id: grant for grant in
              obapi_grants.grants_of(session, member, now=deps.now())}
    with atomic(session):
        revoked = obapi_grants.revoke_grant(session, member, client_id, now=deps.now())
    grant = grants.get(client_id)
    if revoked and grant is not None:
        flash(f"{grant.name} can no longer use your badges or profile.")
    else:
        flash("That app had no access left.")
    return redirect(url_for("member_apps.list_page"), code=303)
