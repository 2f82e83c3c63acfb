"""The admin app: edit issuer profiles, create/edit achievements, issue credentials. (The
dashboard and the credential list are in insights.py, on this blueprint.)

Every view is behind sign-in and every form carries a CSRF token. Each save is one
transaction: a bad field (or a bad image) leaves the database as it was, and the form comes
back with a message next to the field.
"""

from __future__ import annotations

from datetime import datetime, time, timezone

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from issuer.errors import Conflict, ValidationFailed
from issuer.services import (
    achievements,
    admins,
    dashboard,
    exchanges,
    holder_copies,
    issuance,
    profiles,
    reminders,
    urls,
)
from issuer.services.profiles import ProfileFields
from issuer.services.tx import atomic
from issuer.web.admin import achievement_form, guard, notify, uploads
from issuer.web.admin.auth import require_admin
from issuer.web.admin.confirm import confirmed
from issuer.web.admin.forms import (
    AchievementForm,
    EmptyForm,
    IssueForm,
    NewProfileForm,
    ProfileForm,
    show_errors,
)
from issuer.web.core import deps

bp = Blueprint("admin", __name__, url_prefix="/admin")

bp.before_request(require_admin)
uploads.install(bp)  # images over MAX_IMAGE_BYTES are form errors, not a bare 413


# -- profiles ---------------------------------------------------------------------------------


@bp.route("/profiles/new", methods=["GET", "POST"])
def new_profile():
    session = deps.session()
    form = NewProfileForm()
    general: list[str] = []
    status = 200
    if form.validate_on_submit():
        try:
            with atomic(session):
                now = deps.now()
                image = achievement_form.image_from(form.image, session, now)  # checked before a key is made
                profile = profiles.create_profile(
                    session,
                    slug=(form.slug.data or "").strip(),
                    fields=ProfileFields(
                        name=form.name.data, url=form.url.data, email=form.email.data,
                        description=form.description.data,
                        offers_suspension=form.offers_suspension.data,
                    ),
                    keystore=deps.keystore(),
                    base_url=deps.base_url(),
                    now=now,
                    did_method=form.did_method.data,
                )
                profile.image = image
        except ValidationFailed as error:
            general = show_errors(form, error)
            status = 422
        except Conflict:
            form.slug.errors = [*list(form.slug.errors or ()), "That URL name is taken."]
            status = 409
        else:
            flash(f"Issuer profile “{profile.name}” is created.")
            return redirect(url_for("admin.edit_profile", slug=profile.slug))
    elif request.method == "POST":
        status = 422
    return achievement_form.script_page(render_template("admin/profile_new.html", form=form,
                                        general_errors=general), status)


@bp.route("/profiles/<slug>", methods=["GET", "POST"])
def edit_profile(slug: str):
    session = deps.session()
    profile = profiles.profile_by_slug(session, slug)
    form = ProfileForm(obj=profile)
    general: list[str] = []
    status = 200
    if form.validate_on_submit():
        try:
            with atomic(session):
                now = deps.now()
                profiles.update_profile(
                    profile,
                    fields=ProfileFields(
                        name=form.name.data, url=form.url.data, email=form.email.data,
                        description=form.description.data,
                        offers_suspension=form.offers_suspension.data,
                    ),
                    image=achievement_form.image_from(form.image, session, now),
                    now=now,
                )
        except ValidationFailed as error:
            general = show_errors(form, error)
            status = 422
        else:
            flash("The issuer profile is saved.")
            return redirect(url_for("admin.edit_profile", slug=profile.slug))
    elif request.method == "POST":
        status = 422
    base_url = deps.base_url()
    return achievement_form.script_page(render_template(
        "admin/profile_form.html",
        form=form,
        profile=profile,
        did=profiles.profile_did(profile, base_url),
        public_url=urls.profile_url(base_url, profile.slug),
        rotate_form=EmptyForm(),
        general_errors=general,
    ), status)


@bp.post("/profiles/<slug>/rotate-key")
def rotate_key(slug: str):
    session = deps.session()
    profile = profiles.profile_by_slug(session, slug)
    if EmptyForm().validate_on_submit() and confirmed("rotate_key"):
        with atomic(session):
            key = profiles.rotate_key(session, profile, keystore=deps.keystore(),
                                      base_url=deps.base_url(), now=deps.now())
        flash(f"New signing key {key.public_key_multibase} is active; old keys stay published.")
    return redirect(url_for("admin.edit_profile", slug=slug))


# -- achievements -----------------------------------------------------------------------------


@bp.route("/achievements/new", methods=["GET", "POST"])
def new_achievement():
    session = deps.session()
    form = AchievementForm()
    all_profiles = profiles.all_profiles(session)
    profile_slug = request.values.get("issuer") or (all_profiles[0].slug if all_profiles else "")
    general: list[str] = []
    status = 200
    if form.validate_on_submit() and not achievement_form.previewing():
        try:
            achievement_form.check_form(form)
            with atomic(session):
                now = deps.now()
                profile = profiles.profile_by_slug(session, profile_slug)
                image, designed = achievement_form.badge_from(form, session, now)
                achievement = achievements.create_achievement(
                    session,
                    profile=profile,
                    fields=achievement_form.fields_of(form),
                    image=image,
                    designed=designed,
                    now=now,
                )
                reminders.save_setting(session, achievement, achievement_form.reminder_setting(form), now=now)
        except ValidationFailed as error:
            general = show_errors(form, error)
            status = 422
        else:
            flash(f"Achievement “{achievement.name}” is created.")
            return redirect(url_for("admin.edit_achievement", achievement_id=achievement.id))
    elif request.method == "POST":
        general, status = achievement_form.unsaved(form)
    return achievement_form.page(
        form=form, achievement=None, profiles=all_profiles, profile_slug=profile_slug,
        general_errors=general, status=status,
    )


@bp.route("/achievements/<uuid:achievement_id>", methods=["GET", "POST"])
def edit_achievement(achievement_id: str):
    session = deps.session()
    achievement = achievements.get_achievement(session, achievement_id)
    form = AchievementForm()
    if request.method == "GET":
        achievement_form.fill(form, achievement, session)
    general: list[str] = []
    status = 200
    if form.validate_on_submit() and not achievement_form.previewing():
        try:
            achievement_form.check_form(form)
            with atomic(session):
                now = deps.now()
                image, designed = achievement_form.badge_from(form, session, now, achievement=achievement)
                achievements.update_achievement(
                    achievement,
                    fields=achievement_form.fields_of(form),
                    image=image,
                    designed=designed,
                    now=now,
                )
                reminders.save_setting(session, achievement, achievement_form.reminder_setting(form), now=now)
        except ValidationFailed as error:
            general = show_errors(form, error)
            status = 422
        else:
            flash("The achievement is saved.")
            return redirect(url_for("admin.edit_achievement", achievement_id=achievement.id))
    elif request.method == "POST":
        general, status = achievement_form.unsaved(form)
    return achievement_form.page(
        form=form, achievement=achievement, profiles=None,
        profile_slug=achievement.profile.slug, general_errors=general, status=status,
        public_url=urls.achievement_url(deps.base_url(), achievement.id),
    )


# -- credentials ------------------------------------------------------------------------------


def _end_of_day(value) -> datetime | None:
    if value is None:
        return None
    return datetime.combine(value, time(23, 59, 59), tzinfo=timezone.utc)


@bp.route("/issue", methods=["GET", "POST"])
def issue():
    session = deps.session()
    form = IssueForm()
    allowed = set(guard.profile_ids(admins.ISSUER))  # the profiles this admin may issue for
    form.achievement.choices = [SelectChoice("", "— choose —")] + [
        SelectChoice(item.id, f"{item.name} ({item.profile.name})")
        for item in achievements.list_achievements(session, archived=False)
        if item.profile_id in allowed
    ]
    if request.method == "GET" and request.args.get("achievement"):
        form.achievement.data = request.args["achievement"]
    general: list[str] = []
    status = 200
    preview = None
    if form.validate_on_submit():
        issue_request = issuance.IssueRequest(
            achievement_id=form.achievement.data or "",
            email=form.email.data or "",
            name=form.name.data,
            did=form.did.data,
            valid_until=_end_of_day(form.valid_until.data),
            evidence_url=form.evidence_url.data,
            evidence_narrative=form.evidence_narrative.data,
        )
        try:
            if "preview" in request.form:  # render the email; nothing is issued or sent
                preview = notify.email_preview(session, issue_request)
            else:
                row = issuance.issue(
                    session, issue_request, keystore=deps.keystore(), base_url=deps.base_url(),
                    now=deps.now(), issued_by=current_user.user, via="admin",
                )
        except ValidationFailed as error:
            general = show_errors(form, error)
            status = 422
        else:
            if preview is not None:
                return notify.preview_page(
                    render_template("admin/issue_form.html", form=form, general_errors=general,
                                    preview=preview))
            flash("The credential is issued.")
            return redirect(url_for("admin.credential_detail", credential_id=row.id))
    elif request.method == "POST":
        status = 422
    return render_template("admin/issue_form.html", form=form, general_errors=general), status


@bp.get("/credentials/<uuid:credential_id>")
def credential_detail(credential_id: str):
    session = deps.session()
    row = issuance.get_credential(session, credential_id)
    return render_template(
        "admin/credential.html", row=row,
        public_url=urls.credential_url(deps.base_url(), row.id),
        issued_via=issuance.ISSUING_PATHS.get(row.issued_via or "", "not recorded"),
        activity=dashboard.activity_of(deps.session(), row.id),
        exchanges=exchanges.of_credential(session, row),
        copies=holder_copies.copies_of(session, row), now=deps.now(),
        reminder=reminders.reminder_of(session, row.id),
        remind_days=reminders.setting_of(session, row.achievement).days_before,
    )
