"""The site's icon: /favicon.svg (drawn for us), /favicon.png (its 180 px rendering, the
fallback and the apple-touch-icon) and /favicon.ico (browsers that ask for it by habit get
the PNG). Cached for a day by browsers and proxies, revalidated by ETag after that."""

from __future__ import annotations

from flask import Blueprint, current_app, send_from_directory

from issuer.web.core.security import SVG_CSP

bp = Blueprint("site_icons", __name__)

ONE_DAY = 86400


def _icon(filename: str, mimetype: str):
    response = send_from_directory(current_app.static_folder, filename, mimetype=mimetype,
                                   max_age=ONE_DAY, conditional=True)
    response.cache_control.public = True
    return response


@bp.get("/favicon.svg")
def favicon_svg():
    response = _icon("favicon.svg", "image/svg+xml")
    response.headers["Content-Security-Policy"] = SVG_CSP
    return response


@bp.get("/favicon.ico")
@bp.get("/favicon.png")  # registered first: url_for builds this one
def favicon_png():
    return _icon("favicon.png", "image/png")
