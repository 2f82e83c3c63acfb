"""Admin sign-in and sign-out (Flask-Login over the signed session cookie).

The cookie holds the user's random session token, not the database id, so a password change
(new token) ends every session. Nothing about sessions is kept in process memory.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_login import LoginManager, current_user, login_required, login_user, logout_user

from issuer.models import AdminUser
from issuer.services import users
from issuer.services.tx import atomic
from issuer.web.admin.forms import EmptyForm, LoginForm
from issuer.web.core import deps

bp = Blueprint("auth", __name__, url_prefix="/admin")

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to continue."
login_manager.session_protection = "basic"


class SessionUser:
    """What Flask-Login sees: the session token as id, never the password hash."""

    def __init__(self, user: AdminUser):
        self.user = user
        self.is_authenticated = True
        self.is_active = True
        self.is_anonymous = False

    def get_id(self) -> str:
        return self.user.session_token

    @property
    def email(self) -> str:
        return self.user.email


@login_manager.user_loader
def _load_user(token: str) -> SessionUser | None:
    user = users.user_by_session_token(deps.session(), token)
    return SessionUser(user) if user is not None else None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)


def _safe_next(target: str | None) -> str:
    """Only a local path: never redirect somewhere else after sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("admin.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("admin.dashboard"))
    form = LoginForm()
    error = None
    status = 200
    if form.validate_on_submit():
        session = deps.session()
        with atomic(session):
            user = users.authenticate(
                session, email=form.email.data, password=form.password.data, now=deps.now()
            )
        if user is not None:
            login_user(SessionUser(user))
            return redirect(_safe_next(request.args.get("next")))
        error = "The email address or password is not correct."
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("login.html", form=form, error=error), status


@bp.post("/logout")
@login_required
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        logout_user()
        flash("You are signed out.")
    return redirect(url_for("public.index"))
