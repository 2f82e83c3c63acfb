"""The endorsement tests never reach outside DNS (verification fetches issuers' documents)."""

from __future__ import annotations

import pytest

from tests.web.example_verdicts import offline_dns


@pytest.fixture(autouse=True)
def no_outside_dns():
    with offline_dns():
        yield
