"""Admin pages for endorsements, one per issuer profile: the endorsements it gave (issue one,
revoke with confirmation) and those it received for itself and its achievements (attach a
signed EndorsementCredential pasted or uploaded, as JSON or a compact JWS; verified before it
is kept; detach; check again). issuer.services.endorsements does the work."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectChoice, SelectField, StringField, TextAreaField

from issuer.errors import Conflict, NotFound, ValidationFailed
from issuer.services import (
    achievements, endorsements, profiles, received_endorsements, status, urls,
)
from issuer.web.admin.auth import require_admin
from issuer.web.admin.confirm import confirmed
from issuer.web.admin.forms import EmptyForm, show_errors
from issuer.web.core import deps, verifying

bp = Blueprint("admin_endorsements", __name__, url_prefix="/admin/endorsements")
bp.before_request(require_admin)


class GiveForm(FlaskForm):
    subject_id = StringField("What to endorse: an achievement's or a profile's id (URL or DID)")
    subject_kind = SelectField(
        "It is", validate_choice=False,
        choices=[SelectChoice("achievement", "an achievement"),
                 SelectChoice("profile", "an issuer profile")])
    subject_name = StringField("Its name (optional; ours are named automatically)")
    comment = TextAreaField("Endorsement comment (Markdown)")


class ReceiveForm(FlaskForm):
    target = SelectField("Attach to", validate_choice=False)
    endorsement = TextAreaField("Signed endorsement: paste its JSON or compact JWS")
    file = FileField("…or upload it (.json, .jwt, .jws)")


class RevokeForm(FlaskForm):
    reason = StringField("Reason (shown to verifiers)")


def _actor() -> status.Actor:
    return status.Actor.admin(current_user.user)


def _targets(profile) -> list[SelectChoice]:
    session = deps.session()
    return [SelectChoice("profile", f"the profile itself ({profile.name})"), *(
        SelectChoice(f"achievement:{item.id}", f"achievement: {item.name}")
        for item in achievements.list_achievements(session, profile))]


def _page(profile, *, give=None, receive=None, general=(), status_code=200):
    session = deps.session()
    base_url = deps.base_url()
    receive = receive or ReceiveForm()
    receive.target.choices = _targets(profile)
    given = [(row, endorsements.state_of(session, row))
             for row in endorsements.issued_by(session, profile)]
    return render_template(
        "admin/endorsements.html", profile=profile, give=give or GiveForm(), receive=receive,
        revoke_form=RevokeForm(), action_form=EmptyForm(), given=given,
        received=received_endorsements.received_by(session, profile, include_detached=True),
        profile_did=profiles.profile_did(profile, base_url),
        achievement_url=lambda item_id: urls.achievement_url(base_url, item_id),
        general_errors=list(general)), status_code


@bp.get("/")
def index():
    default = profiles.default_profile(deps.session())
    return redirect(url_for("admin_endorsements.page", slug=default.slug))


@bp.get("/<slug>")
def page(slug: str):
    return _page(profiles.profile_by_slug(deps.session(), slug))


@bp.post("/<slug>/give")
def give(slug: str):
    session = deps.session()
    profile = profiles.profile_by_slug(session, slug)
    form = GiveForm()
    if not form.validate_on_submit():
        return _page(profile, give=form, status_code=422)
    try:
        row = endorsements.issue(
            session, profile, subject_id=form.subject_id.data or "",
            subject_kind=form.subject_kind.data, subject_name=form.subject_name.data,
            comment=form.comment.data, keystore=deps.keystore(), base_url=deps.base_url(),
            now=deps.now(), actor=_actor())
    except ValidationFailed as error:
        return _page(profile, give=form, general=show_errors(form, error), status_code=422)
    flash(f"Endorsement of “{row.subject_name or row.subject_id}” is issued.")
    return redirect(url_for("admin_endorsements.page", slug=slug))


@bp.post("/<slug>/given/<int:endorsement_id>/revoke")
def revoke(slug: str, endorsement_id: int):
    session = deps.session()
    row = endorsements.get_issued(session, endorsement_id)
    if row.profile.slug != slug:
        raise NotFound("no such endorsement")
    if not confirmed("revoke_endorsement"):
        return redirect(url_for("admin_endorsements.page", slug=slug))
    try:
        endorsements.revoke(session, row, reason=request.form.get("reason", ""), actor=_actor(),
                            keystore=deps.keystore(), base_url=deps.base_url(), now=deps.now())
    except ValidationFailed as error:
        flash(" ".join(error.errors.values()))
    except Conflict as error:
        flash(str(error))
    else:
        flash("The endorsement is revoked.")
    return redirect(url_for("admin_endorsements.page", slug=slug))


@bp.post("/<slug>/received")
def receive(slug: str):
    session = deps.session()
    profile = profiles.profile_by_slug(session, slug)
    form = ReceiveForm()
    form.target.choices = _targets(profile)
    if not form.validate_on_submit():
        return _page(profile, receive=form, status_code=422)
    upload = form.file.data
    text = upload.read(received_endorsements.MAX_RECEIVED_CHARS + 1) if upload else form.endorsement.data
    target = form.target.data or ""
    achievement = None
    if target.startswith("achievement:"):
        try:
            achievement = achievements.get_achievement(session, target.partition(":")[2])
        except NotFound:
            achievement = None
        if achievement is None or achievement.profile_id != profile.id:
            error = ValidationFailed({"target": "Choose this profile or one of its achievements."})
            return _page(profile, receive=form, general=show_errors(form, error),
                         status_code=422)
    try:
        received_endorsements.attach(
            session, text or "", verify=verifying.verify, now=deps.now(), actor=_actor(),
            base_url=deps.base_url(), achievement=achievement,
            profile=None if achievement is not None else profile)
    except ValidationFailed as error:
        return _page(profile, receive=form, general=show_errors(form, error), status_code=422)
    flash("The endorsement verified and is attached: credentials issued from now on carry it.")
    return redirect(url_for("admin_endorsements.page", slug=slug))


def _received_of(slug: str, row_id: int):
    session = deps.session()
    row = received_endorsements.get_received(session, row_id)
    owner = row.profile if row.profile is not None else row.achievement.profile
    if owner.slug != slug:
        raise NotFound("no such endorsement")
    return session, row


@bp.post("/<slug>/received/<int:row_id>/detach")
def detach(slug: str, row_id: int):
    session, row = _received_of(slug, row_id)
    try:
        received_endorsements.detach(session, row, now=deps.now())
    except Conflict as error:
        flash(str(error))
    else:
        flash("Detached: credentials issued from now on no longer carry it (those issued "
              "before keep it).")
    return redirect(url_for("admin_endorsements.page", slug=slug))


@bp.post("/<slug>/received/<int:row_id>/check")
def check(slug: str, row_id: int):
    session, row = _received_of(slug, row_id)
    result = received_endorsements.recheck(session, row, verify=verifying.verify, now=deps.now())
    flash(f"Checked again: {result.verdict.value.replace('_', ' ')}.")
    return redirect(url_for("admin_endorsements.page", slug=slug))
