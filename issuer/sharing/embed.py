"""An HTML snippet a recipient can paste into a web page to show a badge and link to it."""

from __future__ import annotations

from urllib.parse import urlsplit

from markupsafe import Markup, escape

__all__ = ["embed_html"]


def embed_html(*, image_url: str, name: str, page_url: str, issuer_name: str) -> str:
    """Self-contained HTML (inline styles, no script): the badge image, its name and issuer,
    linking to the public badge page. Every value is HTML-escaped, and both URLs must be
    absolute http(s) URLs (escaping alone would not stop a ``javascript:`` link)."""
    values = {
        "image_url": escape(_web_url(image_url, "image_url")),
        "name": escape(name),
        "page_url": escape(_web_url(page_url, "page_url")),
        "issuer_name": escape(issuer_name),
    }
    html = Markup(
        '<div class="openbadge-embed" style="display:inline-block;max-width:240px;'
        'font-family:sans-serif;text-align:center">'
        '<a href="{page_url}" rel="noopener" target="_blank" '
        'style="color:inherit;text-decoration:none">'
        '<img src="{image_url}" alt="{name}, issued by {issuer_name}" width="200" height="200" '
        'style="max-width:100%;height:auto">'
        '<div style="font-weight:bold">{name}</div>'
        "<div>{issuer_name}</div>"
        "</a></div>"
    )
    return str(html.format(**values))


def _web_url(url: str, what: str) -> str:
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{what} must be an absolute http(s) URL")
    return url
