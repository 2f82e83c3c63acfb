"""The achievement form's parts beside its views (pages.py): reading the form into the
services' fields, checking everything at once (fields, design, reminder setting), the badge
image choice, the no-script Markdown preview, and rendering the page under the CSP that lets
our own scripts run (the designer, the Markdown preview, the upload size check)."""

from __future__ import annotations

from flask import make_response, render_template, request
from werkzeug.datastructures import FileStorage

from issuer.errors import ValidationFailed
from issuer.services import achievements, badge_designs, images, reminders
from issuer.services.achievements import AchievementFields, AlignmentInput
from issuer.web.admin import markdown_preview
from issuer.web.admin.designer import designer_context, fill_designer
from issuer.web.admin.forms import AchievementForm, show_errors
from issuer.web.core import deps
from issuer.web.core.security import SCRIPT_PAGE_CSP


def uploaded(form_field) -> bytes | None:
    """The uploaded bytes (at most the limit + 1, so oversize files are named as such)."""
    storage = form_field.data
    if not isinstance(storage, FileStorage) or not storage.filename:
        return None
    return storage.read(deps.max_image_bytes() + 1)


def image_from(form_field, session, now):
    data = uploaded(form_field)
    if data is None:
        return None
    return images.store_image(session, data, max_bytes=deps.max_image_bytes(), now=now)


def script_page(html: str, status: int):
    """A form page that runs our own static scripts (the upload size check, the designer)."""
    response = make_response(html, status)
    response.headers["Content-Security-Policy"] = SCRIPT_PAGE_CSP
    return response


def fields_of(form: AchievementForm) -> AchievementFields:
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


def alignments_text(rows) -> str:
    lines = []
    for row in rows or ():
        parts = [row.get("target_name", ""), row.get("target_url", ""),
                 row.get("target_framework", ""), row.get("target_code", "")]
        while parts and not parts[-1]:
            parts.pop()
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def image_source() -> str:
    """design | upload | keep; a form posted without the designer (older pages, scripts)
    keeps the image unless it uploads one."""
    return request.form.get("image_source", "keep")


def check_form(form: AchievementForm) -> None:
    """Check the fields and the design together, so every message shows at once."""
    errors: dict[str, str] = {}
    try:
        achievements.check_fields(fields_of(form))
    except ValidationFailed as error:
        errors.update(error.errors)
    if image_source() == "design":
        try:
            badge_designs.check_design(form.design_values())
        except ValidationFailed as error:
            errors.update(error.errors)
    try:
        reminder_setting(form)
    except ValidationFailed as error:
        errors.update(error.errors)
    if errors:
        raise ValidationFailed(errors)


def reminder_setting(form: AchievementForm) -> reminders.Setting:
    return reminders.check_setting(form.remind_days.data, form.renewal_url.data)


def badge_from(form: AchievementForm, session, now, *, achievement=None):
    """(uploaded image, designed badge): what the form's badge image choice asks for; an
    unchanged design stores nothing new."""
    source = image_source()
    if source == "design":
        design = badge_designs.check_design(form.design_values())
        if design == badge_designs.design_of(achievement):
            return None, None
        return None, badge_designs.store_design(session, design,
                                                max_bytes=deps.max_image_bytes(), now=now)
    image = image_from(form.image, session, now)
    if image is None and source == "upload" and achievement is None:
        raise ValidationFailed({"image": "Choose a PNG or SVG file, or design the badge."})
    return image, None


def previewing() -> bool:
    """The form's *Preview* button (without scripts): show the Markdown, save nothing."""
    return request.method == "POST" and "preview_markdown" in request.form


def unsaved(form: AchievementForm) -> tuple[list[str], int]:
    """A posted form that was not saved: a preview (200), or a form that failed its own
    checks (an expired token, a too-large image), given the services' messages too, so every
    problem shows at once and the admin fixes them in one go (422)."""
    if previewing() and not form.errors:
        return [], 200
    try:
        check_form(form)
    except ValidationFailed as error:
        return show_errors(form, error), 422
    return [], 422


def page(*, form: AchievementForm, achievement, status: int, **context):
    previews = markdown_preview.previews({
        "description": form.description.data,
        "criteria_narrative": form.criteria_narrative.data,
    }) if request.method == "POST" else {}
    return script_page(render_template(  # the designer's preview, the Markdown preview
        "admin/achievement_form.html", form=form, achievement=achievement,
        designer=designer_context(form, achievement), previews=previews, **context,
    ), status)


def fill(form: AchievementForm, achievement, session) -> None:
    """The form as ``achievement`` is saved (the edit page's GET)."""
    form.name.data = achievement.name
    form.description.data = achievement.description
    form.criteria_narrative.data = achievement.criteria_narrative
    form.achievement_type.data = achievement.achievement_type or ""
    form.tags.data = ", ".join(achievement.tags or ())
    form.private.data = achievement.private
    form.alignments.data = alignments_text(achievement.alignments)
    setting = reminders.setting_of(session, achievement)
    form.remind_days.data = str(setting.days_before or "")
    form.renewal_url.data = setting.renewal_url or ""
    fill_designer(form, achievement)
