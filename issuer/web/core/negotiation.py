"""Content negotiation: JSON-LD for machines, HTML for people."""

from __future__ import annotations

from flask import Request

JSON_TYPES = ("application/vc+ld+json", "application/ld+json", "application/json")


def json_type_wanted(request: Request, offered: tuple[str, ...] = JSON_TYPES) -> str | None:
    """The JSON media type to answer with, or None for HTML.

    JSON only when the Accept header names one of the JSON types itself (a ``*/*`` wildcard
    is not enough) with a quality at least that of text/html.
    """
    best_type, best_quality = None, 0.0
    html_quality = 0.0
    for value, quality in request.accept_mimetypes:
        value = value.lower()
        if value == "text/html":
            html_quality = max(html_quality, quality)
        elif value in offered and quality > best_quality:
            best_type, best_quality = value, quality
    if best_type is None or best_quality < html_quality:
        return None
    return best_type
