"""An achievement's badge image at a stable address, whatever it is made of:
GET /achievements/<id>/badge.png and /badge.svg (public).

The uploaded or designed image in that format, a PNG wrapped in SVG, or, for an achievement
without an image, its designed default (initials and name), so no page shows a blank slot.
Templates use ``badge_url(achievement)``.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, request, url_for

from issuer.models import Achievement
from issuer.services import achievements, render_cache
from issuer.web.core import deps
from issuer.web.core.security import SVG_CSP
from issuer.web.public import caching

bp = Blueprint("badges", __name__)

def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_global(badge_url)


def badge_url(achievement: Achievement, extension: str = "svg") -> str:
    """Where a page shows the badge of ``achievement``: its stored image when it has one,
    else its designed default."""
    image = achievement.image
    if image is not None:
        stored = "svg" if image.content_type == "image/svg+xml" else "png"
        return url_for("public.image", image_id=image.id, extension=stored)
    return url_for("badges.badge", achievement_id=achievement.id, extension=extension)


@bp.get("/achievements/<uuid:achievement_id>/badge.<any(png, svg):extension>")
def badge(achievement_id: str, extension: str):
    session = deps.session()
    found = achievements.get_achievement(session, str(achievement_id))
    image = render_cache.achievement_badge(session, found, fmt=extension, now=deps.now())
    response = Response(image.data, mimetype=image.content_type)
    response.headers["Cache-Control"] = caching.CHANGING_IMAGE  # the image or name may change
    response.headers["Content-Security-Policy"] = SVG_CSP
    response.set_etag(image.sha256)
    return response.make_conditional(request)
