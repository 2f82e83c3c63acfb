"""Open Badges 3.0 issuer.

Importing ``issuer`` (or the core packages under it) loads no web framework: ``create_app``
imports Flask only when called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> "Flask":
    """The Flask application (see issuer.web.app.create_app)."""
    from issuer.web.app import create_app as _create_app

    return _create_app(test_config)
