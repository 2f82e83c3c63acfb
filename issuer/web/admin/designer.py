"""The badge designer's live preview: GET /admin/designer/preview.svg?shape=…&background=…

The achievement form's script (static/badge_designer.js) points the preview image here as the
admin changes the design; the SVG is drawn by the same code that draws the saved badge, from
checked values only. Bad values answer 422 with problem details naming the fields.
"""

from __future__ import annotations

from flask import Blueprint, Response, request, url_for
from markupsafe import Markup

from issuer.badgedesign.design import SHAPES, default_design
from issuer.badgedesign.icons import ICON_LABELS, icon_markup
from issuer.badgedesign.svg import render_svg, shape_path
from issuer.errors import ValidationFailed
from issuer.services import badge_designs
from issuer.web.admin.auth import require_admin
from issuer.web.core.security import SVG_CSP

bp = Blueprint("admin_designer", __name__, url_prefix="/admin/designer")

KEYS = ("shape", "background", "accent", "foreground", "icon", "title", "ribbon")

bp.before_request(require_admin)


@bp.get("/preview.svg")
def preview():
    design = badge_designs.check_design({key: request.args.get(key, "") for key in KEYS})
    response = Response(render_svg(design), mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = SVG_CSP
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


# -- the designer in the achievement form -----------------------------------------------------


def fill_designer(form, achievement) -> None:
    """Show the saved design of ``achievement``, keep its uploaded image by default, or start
    from the designed default it has shown so far."""
    if achievement.image is not None and badge_designs.design_of(achievement) is None:
        form.image_source.data = "keep"
        return
    design = badge_designs.design_of(achievement) or default_design(achievement.name)
    form.image_source.data = "design"
    form.design_shape.data = design.shape
    form.design_background.data = design.background
    form.design_accent.data = design.accent
    form.design_foreground.data = design.foreground
    form.design_icon.data = design.icon
    form.design_title.data = "" if design.title == achievement.name else design.title
    form.design_ribbon.data = design.ribbon


def designer_context(form, achievement) -> dict:
    """What the designer's template needs: the icons (our own markup from the vendored
    files), the preview URL for the form's current values, and the badge shown now."""
    values = form.design_values()
    try:
        badge_designs.check_design(values)
    except ValidationFailed:  # the form shows the messages; the preview shows the default
        values = default_design(form.name.data or "").to_record()
        values.pop("version")
    preview = url_for("admin_designer.preview", **values)
    icons = [(name, label, Markup(icon_markup(name))) for name, label in ICON_LABELS.items()]
    shapes = [(name, label, shape_path(name, 12, 12, 10.5)) for name, label in SHAPES.items()]
    return {
        "icons": icons,
        "shapes": shapes,
        "preview_url": preview,
        "has_image": achievement is not None and achievement.image is not None,
        "designed": badge_designs.design_of(achievement) is not None,
    }
