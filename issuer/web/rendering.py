"""Safe Markdown (criteria narratives) and template helpers.

Markdown is rendered with python-markdown and then cleaned with nh3 (an allowlist of tags and
attributes, links limited to http(s)/mailto and given rel="noopener noreferrer nofollow").
"""

from __future__ import annotations

import markdown as markdown_lib
import nh3
from flask import Flask
from markupsafe import Markup

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


def init_app(app: Flask) -> None:
    app.add_template_filter(render_markdown, "markdown")

    @app.template_filter("datetime")
    def _datetime(value) -> str:
        return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""
