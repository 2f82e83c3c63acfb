"""Admin sign-in and sign-out (Flask-Login over the signed session cookie).

The cookie holds the random token of a server-side session (a row of ``admin_sessions``,
issuer/services/sessions.py), checked on every request: signing out deletes that row, so a
copied cookie stops working; *sign out everywhere* deletes all of the user's, as a password
change deletes all others. Sign-in is throttled per account and per client address with
counters in the database (issuer/web/core/throttling.py): over the limit the form comes back
with 429, ``Retry-After`` and a message, and the password is not even checked. Roles: issuer/web/admin/guard.py.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import LoginManager, current_user, login_required, login_user, logout_user

from issuer.models import AdminUser
from issuer.services import users
from issuer.services.tx import atomic
from issuer.web.admin import audit_trail, guard
from issuer.web.admin.forms import EmptyForm, LoginForm
from issuer.web.core import deps, throttling

bp = Blueprint("auth", __name__, url_prefix="/admin")

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to continue."
login_manager.session_protection = "basic"

WRONG_CREDENTIALS = "The email address or password is not correct."


class SessionUser:
    """What Flask-Login sees: the session's token as id, never the password hash."""

    def __init__(self, user: AdminUser, token: str):
        self.user = user
        self.token = token
        self.is_authenticated = True
        self.is_active = True
        self.is_anonymous = False

    def get_id(self) -> str:
        return self.token

    @property
    def email(self) -> str:
        return self.user.email


@login_manager.user_loader
def _load_user(token: str) -> SessionUser | None:
    session = deps.session()
    with atomic(session):  # saves last_seen_at now and then
        user = users.SESSIONS.owner(session, token, now=deps.now(),
                                    policy=deps.admin_session_policy())
    return SessionUser(user, token) if user is not None else None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)


def _safe_next(target: str | None) -> str:
    """Only a local path: never redirect somewhere else after sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("admin.dashboard")


def throttled_message(seconds: int) -> str:
    return (f"Too many failed sign-in attempts. Wait {throttling.wait_text(seconds)}, "
            "then try again.")


def _login_page(form: LoginForm, *, error: str | None = None, status: int = 200,
                retry_after: int = 0):
    response = make_response(render_template("login.html", form=form, error=error), status)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response



def require_admin():
    """Every admin blueprint's ``before_request``: its views need a signed-in admin (else the
    sign-in page) with the role the endpoint needs on its profile (else 403; the rules are
    issuer/web/admin/guard.py)."""
    if request.method == "OPTIONS":  # Flask's own answer (the Allow header); no view runs
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    guard.check()
    audit_trail.stage_for_request()
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("admin.dashboard"))
    form = LoginForm()
    if not form.validate_on_submit():
        return _login_page(form, status=400 if request.method == "POST" else 200)
    tried = throttling.attempt("admin", users.normalize_email(form.email.data or ""))
    wait = throttling.refused(tried)
    if wait:
        return _login_page(form, error=throttled_message(wait), status=429, retry_after=wait)
    session = deps.session()
    now = deps.now()
    with atomic(session):
        user = users.authenticate(session, email=form.email.data, password=form.password.data,
                                  now=now)
        token = (users.SESSIONS.start(session, owner_id=user.id, now=now,
                                      policy=deps.admin_session_policy())
                 if user is not None else None)
    if user is None or token is None:
        throttling.failed(tried)
        return _login_page(form, error=WRONG_CREDENTIALS, status=401)
    throttling.succeeded(tried)
    login_user(SessionUser(user, token))
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/logout")
@login_required
def logout():
    if EmptyForm().validate_on_submit():
        session = deps.session()
        with atomic(session):
            users.SESSIONS.end(session, current_user.get_id())
        logout_user()
        flash("You are signed out.")
    return redirect(url_for("public.index"))


@bp.post("/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    if EmptyForm().validate_on_submit():
        session = deps.session()
        with atomic(session):
            count = users.SESSIONS.end_all(session, owner_id=current_user.user.id)
        logout_user()
        flash(f"You are signed out on every device ({count} session"
              f"{'s' if count != 1 else ''} ended).")
    return redirect(url_for("public.index"))
