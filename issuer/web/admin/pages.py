"""The admin app: edit issuer profiles, create/edit achievements, issue credentials. (The
dashboard and the credential list are in insights.py, on this blueprint.)

Every view is behind sign-in and every form carries a CSRF token. Each save is one
transaction: a bad field (or a bad image) leaves the database as it was, and the form comes
back with a message next to the field.
"""

from __future__ import annotations

from datetime import datetime, time, timezone

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import FileStorage
from wtforms import SelectChoice

from issuer.errors import Conflict, ValidationFailed
from issuer.services import (
    achievements,
    badge_designs,
    dashboard,
    exchanges,
    holder_copies,
    images,
    issuance,
    profiles,
    reminders,
    urls,
)
from issuer.services.achievements import AchievementFields, AlignmentInput
from issuer.services.profiles import ProfileFields
from issuer.services.tx import atomic
from issuer.web.admin import markdown_preview, notify, uploads
from issuer.web.admin.auth import require_admin
from issuer.web.admin.confirm import confirmed
from issuer.web.admin.designer import designer_context, fill_designer
from issuer.web.admin.forms import (
    AchievementForm,
    EmptyForm,
    IssueForm,
    NewProfileForm,
    ProfileForm,
    show_errors,
)
from issuer.web.core import deps
from issuer.web.core.security import SCRIPT_PAGE_CSP

bp = Blueprint("admin", __name__, url_prefix="/admin")

bp.before_request(require_admin)
uploads.install(bp)  # images over MAX_IMAGE_BYTES are form errors, not a bare 413


def _uploaded(form_field) -> bytes | None:
    """The uploaded bytes (at most the limit + 1, so oversize files are named as such)."""
    storage = form_field.data
    if not isinstance(storage, FileStorage) or not storage.filename:
        return None
    return storage.read(deps.max_image_bytes() + 1)


def _image_from(form_field, session, now):
    data = _uploaded(form_field)
    if data is None:
        return None
    return images.store_image(session, data, max_bytes=deps.max_image_bytes(), now=now)


def _script_page(html: str, status: int):
    """A form page that runs our own static scripts (the upload size check, the designer)."""
    response = make_response(html, status)
    response.headers["Content-Security-Policy"] = SCRIPT_PAGE_CSP
    return response


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
                image = _image_from(form.image, session, now)  # checked before a key is made
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
    return _script_page(render_template("admin/profile_new.html", form=form,
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
                    image=_image_from(form.image, session, now),
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
    return _script_page(render_template(
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


def _achievement_fields(form: AchievementForm) -> AchievementFields:
    alignments = []
    for line in (form.alignments.data or "").splitlines():
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")] + ["", "", "", ""]
        alignments.append(AlignmentInput(*parts[:4]))
    return AchievementFields(
        name=form.name.data or "",
        description=form.description.data or "",
        criteria_narrative=form.criteria_narrative.data or "",
        achievement_type=form.achievement_type.data or None,
        tags=tuple((form.tags.data or "").split(",")),
        alignments=tuple(alignments),
        private=bool(form.private.data),
    )


def _alignments_text(rows) -> str:
    lines = []
    for row in rows or ():
        parts = [row.get("target_name", ""), row.get("target_url", ""),
                 row.get("target_framework", ""), row.get("target_code", "")]
        while parts and not parts[-1]:
            parts.pop()
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def _image_source() -> str:
    """design | upload | keep; a form posted without the designer (older pages, scripts)
    keeps the image unless it uploads one."""
    return request.form.get("image_source", "keep")


def _check_achievement_form(form: AchievementForm) -> None:
    """Check the fields and the design together, so every message shows at once."""
    errors: dict[str, str] = {}
    try:
        achievements.check_fields(_achievement_fields(form))
    except ValidationFailed as error:
        errors.update(error.errors)
    if _image_source() == "design":
        try:
            badge_designs.check_design(form.design_values())
        except ValidationFailed as error:
            errors.update(error.errors)
    try:
        _reminder_setting(form)
    except ValidationFailed as error:
        errors.update(error.errors)
    if errors:
        raise ValidationFailed(errors)


def _reminder_setting(form: AchievementForm) -> reminders.Setting:
    return reminders.check_setting(form.remind_days.data, form.renewal_url.data)


def _badge_from(form: AchievementForm, session, now, *, achievement=None):
    """(uploaded image, designed badge): what the form's badge image choice asks for; an
    unchanged design stores nothing new."""
    source = _image_source()
    if source == "design":
        design = badge_designs.check_design(form.design_values())
        if design == badge_designs.design_of(achievement):
            return None, None
        return None, badge_designs.store_design(session, design,
                                                max_bytes=deps.max_image_bytes(), now=now)
    image = _image_from(form.image, session, now)
    if image is None and source == "upload" and achievement is None:
        raise ValidationFailed({"image": "Choose a PNG or SVG file, or design the badge."})
    return image, None


def _previewing() -> bool:
    """The form's *Preview* button (without scripts): show the Markdown, save nothing."""
    return request.method == "POST" and "preview_markdown" in request.form


def _unsaved(form: AchievementForm) -> tuple[list[str], int]:
    """A posted form that was not saved: a preview (200), or a form that failed its own
    checks (an expired token, a too-large image), given the services' messages too, so every
    problem shows at once and the admin fixes them in one go (422)."""
    if _previewing() and not form.errors:
        return [], 200
    try:
        _check_achievement_form(form)
    except ValidationFailed as error:
        return show_errors(form, error), 422
    return [], 422


def _achievement_page(*, form: AchievementForm, achievement, status: int, **context):
    previews = markdown_preview.previews({
        "description": form.description.data,
        "criteria_narrative": form.criteria_narrative.data,
    }) if request.method == "POST" else {}
    return _script_page(render_template(  # the designer's preview, the Markdown preview
        "admin/achievement_form.html", form=form, achievement=achievement,
        designer=designer_context(form, achievement), previews=previews, **context,
    ), status)


@bp.route("/achievements/new", methods=["GET", "POST"])
def new_achievement():
    session = deps.session()
    form = AchievementForm()
    all_profiles = profiles.all_profiles(session)
    profile_slug = request.values.get("issuer") or (all_profiles[0].slug if all_profiles else "")
    general: list[str] = []
    status = 200
    if form.validate_on_submit() and not _previewing():
        try:
            _check_achievement_form(form)
            with atomic(session):
                now = deps.now()
                profile = profiles.profile_by_slug(session, profile_slug)
                image, designed = _badge_from(form, session, now)
                achievement = achievements.create_achievement(
                    session,
                    profile=profile,
                    fields=_achievement_fields(form),
                    image=image,
                    designed=designed,
                    now=now,
                )
                reminders.save_setting(session, achievement, _reminder_setting(form), now=now)
        except ValidationFailed as error:
            general = show_errors(form, error)
            status = 422
        else:
            flash(f"Achievement “{achievement.name}” is created.")
            return redirect(url_for("admin.edit_achievement", achievement_id=achievement.id))
    elif request.method == "POST":
        general, status = _unsaved(form)
    return _achievement_page(
        form=form, achievement=None, profiles=all_profiles, profile_slug=profile_slug,
        general_errors=general, status=status,
    )


@bp.route("/achievements/<uuid:achievement_id>", methods=["GET", "POST"])
def edit_achievement(achievement_id: str):
    session = deps.session()
    achievement = achievements.get_achievement(session, achievement_id)
    form = AchievementForm()
    if request.method == "GET":
        form.name.data = achievement.name
        form.description.data = achievement.description
        form.criteria_narrative.data = achievement.criteria_narrative
        form.achievement_type.data = achievement.achievement_type or ""
        form.tags.data = ", ".join(achievement.tags or ())
        form.private.data = achievement.private
        form.alignments.data = _alignments_text(achievement.alignments)
        setting = reminders.setting_of(session, achievement)
        form.remind_days.data = str(setting.days_before or "")
        form.renewal_url.data = setting.renewal_url or ""
        fill_designer(form, achievement)
    general: list[str] = []
    status = 200
    if form.validate_on_submit() and not _previewing():
        try:
            _check_achievement_form(form)
            with atomic(session):
                now = deps.now()
                image, designed = _badge_from(form, session, now, achievement=achievement)
                achievements.update_achievement(
                    achievement,
                    fields=_achievement_fields(form),
                    image=image,
                    designed=designed,
                    now=now,
                )
                reminders.save_setting(session, achievement, _reminder_setting(form), now=now)
        except ValidationFailed as error:
            general = show_errors(form, error)
            status = 422
        else:
            flash("The achievement is saved.")
            return redirect(url_for("admin.edit_achievement", achievement_id=achievement.id))
    elif request.method == "POST":
        general, status = _unsaved(form)
    return _achievement_page(
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
    form.achievement.choices = [SelectChoice("", "— choose —")] + [
        SelectChoice(item.id, f"{item.name} ({item.profile.name})")
        for item in achievements.list_achievements(session, archived=False)
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
