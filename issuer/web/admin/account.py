"""The signed-in admin's own account: their sessions, *sign out everywhere*, and a password
change (which ends every other session). Checking the current password goes through the
same sign-in throttle as the sign-in form."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, url_for
from flask_login import current_user

from issuer.errors import ValidationFailed
from issuer.services import sessions, users
from issuer.services.tx import atomic
from issuer.web.admin.auth import throttled_message
from issuer.web.admin.auth import require_admin
from issuer.web.admin.forms import EmptyForm, PasswordChangeForm
from issuer.web.core import deps, throttling

bp = Blueprint("account", __name__, url_prefix="/admin/account")

bp.before_request(require_admin)


def _page(form: PasswordChangeForm | None = None, *, status: int = 200, retry_after: int = 0):
    user = current_user.user
    rows = users.SESSIONS.active(deps.session(), owner_id=user.id, now=deps.now(),
                                 policy=deps.admin_session_policy())
    token = current_user.get_id()
    response = make_response(render_template(
        "admin/account.html", user=user, form=form or PasswordChangeForm(),
        signout_form=EmptyForm(),
        sessions=[(row, sessions.is_current(row, token)) for row in rows],
    ), status)
    response.headers["Cache-Control"] = "no-store"
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


@bp.get("/")
def index():
    return _page()


@bp.post("/password")
def change_password():
    form = PasswordChangeForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    user = current_user.user
    tried = throttling.attempt("admin", user.email)
    wait = throttling.refused(tried)
    if wait:
        form.current_password.errors = [throttled_message(wait)]
        return _page(form, status=429, retry_after=wait)
    if not users.password_matches(user, form.current_password.data or ""):
        throttling.failed(tried)
        form.current_password.errors = ["This is not your current password."]
        return _page(form, status=422)
    throttling.succeeded(tried)
    if (form.new_password.data or "") != (form.repeat_password.data or ""):
        form.repeat_password.errors = ["The two new passwords differ."]
        return _page(form, status=422)
    session = deps.session()
    try:
        with atomic(session):
            users.set_password(session, user, form.new_password.data or "",
                               keep_session=current_user.get_id())
    except ValidationFailed as error:
        form.new_password.errors = [error.errors["password"]]
        return _page(form, status=422)
    flash("Your password is changed. Every other session of yours is signed out.")
    return redirect(url_for("account.index"))
