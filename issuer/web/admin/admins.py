"""The admins of each issuer profile (issue 14, item 6): owners invite by email, change
roles and remove admins; invitees accept at /admin/join/<token>.

Invitations are emailed through the outbox (a fresh token is made when the email is sent).
Without ISSUER_SMTP_URL nothing can be sent: the inviting owner is shown the link once, to
pass on, with a clear warning. Every change is in the audit log, in its own transaction.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField

from issuer.community import outbox
from issuer.errors import Conflict, NotFound, ValidationFailed
from issuer.jobs import jobs_of
from issuer.services import admins, audit, profiles, users
from issuer.services.tx import atomic
from issuer.web.admin import guard
from issuer.web.admin.auth import SessionUser, require_admin, throttled_message
from issuer.web.admin.confirm import confirmed
from issuer.web.admin.forms import EmptyForm, show_errors
from issuer.web.admin.notify import mail_configured
from issuer.web.core import deps, throttling
from issuer.web.core.security import SCRIPT_PAGE_CSP

bp = Blueprint("admin_admins", __name__, url_prefix="/admin/admins")
bp.before_request(require_admin)
join_bp = Blueprint("admin_join", __name__, url_prefix="/admin/join")

ROLE_CHOICES = [SelectChoice(role, f"{admins.LABELS[role]}: {admins.DESCRIPTIONS[role]}")
                for role in (admins.VIEWER, admins.ISSUER, admins.OWNER)]


class InviteForm(FlaskForm):
    email = EmailField("Email address")
    profile = SelectField("Issuer profile", validate_choice=False)
    role = SelectField("Role", choices=ROLE_CHOICES, default=admins.ISSUER,
                       validate_choice=False)


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=[SelectChoice(r, admins.LABELS[r]) for r in admins.ROLES],
                       validate_choice=False)


class JoinForm(FlaskForm):
    password = PasswordField(f"Password (at least {users.MIN_PASSWORD_LENGTH} characters)")
    repeat_password = PasswordField("Password again")


def _owned_profiles(session):
    return guard.only_owned_profiles(profiles.all_profiles(session))


def _invite_form() -> InviteForm:
    form = InviteForm()
    form.profile.choices = [SelectChoice(p.slug, f"{p.name} ({p.slug})")
                            for p in _owned_profiles(deps.session())]
    return form


def _page(form: InviteForm | None = None, *, general=(), created=None, status: int = 200):
    session = deps.session()
    now = deps.now()
    sections = [(p, admins.admins_of(session, p.id), admins.open_invitations(session, p.id,
                                                                             now=now))
                for p in _owned_profiles(session)]
    response = Response(render_template(
        "admin/admins.html", form=form or _invite_form(), sections=sections,
        role_form=RoleForm, action_form=EmptyForm(), general_errors=list(general),
        created=created, labels=admins.LABELS, descriptions=admins.DESCRIPTIONS,
        roles=admins.ROLES, me=current_user.user.id, mail_on=mail_configured(),
        ttl_days=admins.INVITE_TTL.days,
    ), status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    if created is not None:
        response.headers["Content-Security-Policy"] = SCRIPT_PAGE_CSP  # static/copy.js
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/")
def index():
    return _page()


@bp.post("/invite")
def invite():
    form = _invite_form()
    if not form.validate_on_submit():
        return _page(form, status=422)
    session = deps.session()
    now = deps.now()
    try:
        with atomic(session):
            profile = profiles.profile_by_slug(session, form.profile.data or "")
            email = users.check_email(form.email.data or "")
            invitation, token = admins.invite(session, email=email, profile=profile,
                                              role=form.role.data or "", now=now,
                                              invited_by=current_user.user)
            audit.record(session, actor=current_user.user, action="admin.invite", now=now,
                         profile_id=profile.id, subject=email,
                         details={"role": invitation.role})
            message = (outbox.admin_invitation_mail(session, invitation, now=now)
                       if mail_configured() else None)
    except NotFound:
        form.profile.errors = ["Choose an issuer profile you own."]
        return _page(form, status=422)
    except ValidationFailed as error:
        return _page(form, general=show_errors(form, error), status=422)
    except Conflict as error:
        return _page(form, general=[str(error)], status=429 if isinstance(
            error, admins.InviteLimited) else 409)
    if message is not None:
        jobs_of().community.deliver_mail(message.id)
        flash(f"An invitation to {invitation.email} is on its way; its link works for "
              f"{admins.INVITE_TTL.days} days.")
        return redirect(url_for("admin_admins.index"), code=303)
    return _page(created={"email": invitation.email, "profile": profile,
                          "role": invitation.role,
                          "link": admins.invitation_url(deps.base_url(), token)})


def _profile_or_404(slug: str):
    try:
        return profiles.profile_by_slug(deps.session(), slug)
    except NotFound:
        abort(404)


@bp.post("/<slug>/<int:user_id>/role")
def change_role(slug: str, user_id: int):
    profile = _profile_or_404(slug)
    form = RoleForm()
    if form.validate_on_submit():
        session = deps.session()
        now = deps.now()
        try:
            with atomic(session):
                target = users.admin_by_id(session, user_id)
                old, new = admins.set_role(session, profile_id=profile.id, user_id=user_id,
                                           role=form.role.data or "", now=now)
                if old is None:
                    raise NotFound("this admin has no role on this profile")
                audit.record(session, actor=current_user.user, action="admin.role", now=now,
                             profile_id=profile.id, subject=target.email,
                             details={"from": old, "to": new})
        except (Conflict, NotFound, ValidationFailed) as error:
            flash(f"Not changed: {_text(error)}.")
        else:
            flash(f"{target.email} is now {admins.LABELS[new].lower()} of {profile.name}.")
    return redirect(url_for("admin_admins.index"), code=303)


def _text(error) -> str:
    if isinstance(error, ValidationFailed):
        return " ".join(error.errors.values())
    return str(error)


@bp.post("/<slug>/<int:user_id>/remove")
def remove(slug: str, user_id: int):
    profile = _profile_or_404(slug)
    if EmptyForm().validate_on_submit() and confirmed("remove_admin"):
        session = deps.session()
        now = deps.now()
        try:
            with atomic(session):
                target = users.admin_by_id(session, user_id)
                role = admins.remove(session, profile_id=profile.id, user_id=user_id)
                audit.record(session, actor=current_user.user, action="admin.remove",
                             now=now, profile_id=profile.id, subject=target.email,
                             details={"role": role})
        except (Conflict, NotFound) as error:
            flash(f"Not removed: {error}.")
        else:
            flash(f"{target.email} is no longer an admin of {profile.name}.")
    return redirect(url_for("admin_admins.index"), code=303)


@bp.post("/<slug>/invitations/<int:invitation_id>/revoke")
def revoke_invitation(slug: str, invitation_id: int):
    profile = _profile_or_404(slug)
    if EmptyForm().validate_on_submit():
        session = deps.session()
        now = deps.now()
        try:
            with atomic(session):
                invitation = admins.revoke_invitation(session, invitation_id, now=now)
                if invitation.profile_id != profile.id:
                    raise NotFound(f"no invitation {invitation_id} to {profile.name}")
                audit.record(session, actor=current_user.user, action="admin.invite_revoke",
                             now=now, profile_id=profile.id, subject=invitation.email)
        except (Conflict, NotFound) as error:
            flash(f"Not revoked: {error}.")
        else:
            flash(f"The invitation of {invitation.email} is revoked; its link no longer works.")
    return redirect(url_for("admin_admins.index"), code=303)


# -- accepting: no sign-in needed, the link is the proof -----------------------------------


def _join_page(invitation, form: JoinForm, *, existing: bool, error: str | None = None,
               status: int = 200, retry_after: int = 0) -> Response:
    response = Response(render_template(
        "admin/join.html", invitation=invitation, form=form, existing=existing, error=error,
        role_label=admins.LABELS[invitation.role].lower(),
        role_text=admins.DESCRIPTIONS[invitation.role],
    ), status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in the URL
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _invalid_link(error: NotFound) -> Response:
    response = Response(render_template("error.html", status=404, title="Invitation not valid",
                                        detail=str(error), errors=None),
                        status=404, mimetype="text/html")
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@join_bp.route("/<token>", methods=["GET", "POST"])
def join(token: str):
    session = deps.session()
    now = deps.now()
    try:
        invitation = admins.invitation_for(session, token, now=now)
    except NotFound as error:
        session.rollback()
        return _invalid_link(error)
    user = users.admin_by_email(session, invitation.email)
    form = JoinForm()
    if not form.validate_on_submit():
        session.rollback()
        return _join_page(invitation, form, existing=user is not None,
                          status=422 if request.method == "POST" else 200)
    password = form.password.data or ""
    if user is not None:  # an admin already: their password proves it is them
        tried = throttling.attempt("admin", user.email)
        wait = throttling.refused(tried)
        if wait:
            return _join_page(invitation, form, existing=True, status=429, retry_after=wait,
                              error=throttled_message(wait))
        if not users.password_matches(user, password):
            throttling.failed(tried)
            return _join_page(invitation, form, existing=True, status=401,
                              error="This is not the password of " + user.email + ".")
        throttling.succeeded(tried)
    elif password != (form.repeat_password.data or ""):
        return _join_page(invitation, form, existing=False, status=422,
                          error="The two passwords differ.")
    try:
        with atomic(session):
            invitation = admins.invitation_for(session, token, now=now)  # locked, still open
            if user is None:
                user = users.create_admin(session, email=invitation.email, password=password,
                                          now=now, owns_every_profile=False)
                session.flush()
            admins.accept(session, invitation, user, now=now)
            audit.record(session, actor=user, action="admin.join", now=now,
                         profile_id=invitation.profile_id, subject=user.email,
                         details={"role": invitation.role})
            session_token = users.SESSIONS.start(session, owner_id=user.id, now=now,
                                                 policy=deps.admin_session_policy())
    except NotFound as error:
        return _invalid_link(error)
    except (ValidationFailed, Conflict) as error:
        return _join_page(invitation, form, existing=False, status=422, error=_text(error))
    login_user(SessionUser(user, session_token))
    flash(f"Welcome: you are {admins.LABELS[invitation.role].lower()} of "
          f"{invitation.profile.name}.")
    return redirect(url_for("admin.dashboard"), code=303)
