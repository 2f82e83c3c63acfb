"""Shared fixtures: a fixed "now", a frozen wall clock, and the test document loader (paths:
tests/helpers.py)."""

from __future__ import annotations

from datetime import datetime

import pytest

from issuer.dataintegrity.document_loader import StaticDocumentLoader
from tests.helpers import EXAMPLES_CONTEXT_URL, NOW, W3C, FrozenClock, load_json


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def clock(monkeypatch) -> FrozenClock:
    """The app's wall clock (issuer.clock.utc_now), frozen at the current second; move it
    with ``clock.advance(seconds=…)``."""
    from issuer import clock as wall_clock

    frozen = FrozenClock(wall_clock.utc_now())
    monkeypatch.setattr(wall_clock, "utc_now", frozen)
    return frozen


@pytest.fixture(scope="session")
def w3c_loader() -> StaticDocumentLoader:
    """The offline loader plus the W3C examples context the W3C vectors need."""
    return StaticDocumentLoader(
        {EXAMPLES_CONTEXT_URL: load_json(W3C / "credentials-examples-v2.jsonld")}
    )


# Database, app and client fixtures for the service and web tests (tests/service_fixtures.py).
from tests.service_fixtures import (  # noqa: E402,F401
    admin,
    admin_client,
    app,
    app_config,
    client,
    database_url,
    profile,
    session,
)

# The verification and sharing tests' fixtures (tests/web/verify_helpers.py).
from tests.web.verify_helpers import http_server, offline, offline_app  # noqa: E402,F401
