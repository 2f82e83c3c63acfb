"""URL converters: ``<uuid:name>`` matches only our ids, canonical lower-case UUID strings.

Werkzeug's own ``uuid`` converter takes any case and hands views ``uuid.UUID`` objects; ours
is registered in its place (once, in the app factory, before any blueprint) and hands views
the string itself, as the services look rows up by it. So ``GET /credentials/issue`` no
longer matches ``GET /credentials/<id>`` (a 404 for an "unknown credential"): it matches only
the POST route there, and answers 405 with a true ``Allow`` header.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import BaseConverter

UUID_PATTERN = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


class CanonicalUUID(BaseConverter):
    regex = UUID_PATTERN
    part_isolating = True


def init_app(app: Flask) -> None:
    app.url_map.converters["uuid"] = CanonicalUUID
