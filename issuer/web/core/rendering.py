"""Safe Markdown (criteria narratives) and template helpers: filters, and the credential
state globals the admin and public templates use.

Markdown is rendered with python-markdown and then cleaned with nh3 (an allowlist of tags and
attributes, links limited to http(s)/mailto and given rel="noopener noreferrer nofollow").
"""

from __future__ import annotations

from typing import Any

import markdown as markdown_lib
import nh3
from flask import Flask, url_for
from flask.json.provider import DefaultJSONProvider
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError

from issuer import jsontext
from issuer.models import IssuedCredential
from issuer.services import profiles, status
from issuer.web.core import deps

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str | None) -> Markup:
    if not text:
        return Markup("")
    html = markdown_lib.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(cleaned)


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON (``jsonify``) written by orjson through :func:`issuer.jsontext.dumps`:
    the same bytes as Flask's own provider (sorted keys, ASCII only, compact, or indented
    by two in debug mode), faster."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        separators = kwargs.pop("separators", None)
        indent = kwargs.pop("indent", None)
        default = kwargs.pop("default", self.default)
        ensure_ascii = kwargs.pop("ensure_ascii", self.ensure_ascii)
        sort_keys = kwargs.pop("sort_keys", self.sort_keys)
        if kwargs or (indent, separators) not in ((None, (",", ":")), (2, None)):
            return super().dumps(obj, separators=separators, indent=indent, default=default,
                                 ensure_ascii=ensure_ascii, sort_keys=sort_keys, **kwargs)
        return jsontext.dumps(obj, indent=indent == 2, sort_keys=sort_keys,
                              ensure_ascii=ensure_ascii, default=default)


def init_app(app: Flask) -> None:
    app.json = JSONProvider(app)
    app.add_template_filter(render_markdown, "markdown")

    @app.template_filter("datetime")
    def _datetime(value) -> str:
        return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""

    @app.template_global("site_brand")
    def _site_brand() -> dict:
        """The header's brand: the default issuer profile's name and logo (its image, if
        any), or "Open Badges" before ``issuer init`` or when the database is out of reach
        (an error page must still render)."""
        try:
            profile = profiles.default_profile(deps.session(), required=False)
        except SQLAlchemyError:  # the header never turns a page (an error page) into a 500
            profile = None
        if profile is None:
            return {"name": "Open Badges", "logo": None}
        logo = None
        if profile.image is not None:
            svg = profile.image.content_type == "image/svg+xml"
            logo = url_for("public.image", image_id=profile.image.id,
                           extension="svg" if svg else "png")
        return {"name": profile.name, "logo": logo}

    @app.template_global("credential_state")
    def _credential_state(row: IssuedCredential) -> status.CredentialState:
        """``credential_state(row)`` in templates: .state ("active" | "revoked" |
        "suspended"), .reason, .since, .by, .has_status, .can_suspend."""
        return status.credential_state(deps.session(), row)

    @app.template_global("credential_status_history")
    def _credential_status_history(row: IssuedCredential) -> list:
        """Every revocation, suspension and reinstatement of ``row``, newest first."""
        return status.status_history(deps.session(), row)
