"""Every CLI test runs without outside DNS (tests.web.example_verdicts.offline_dns): `issuer
verify` fetches issuers' documents and status lists by default, and the tests must never reach
the real network. Local addresses still resolve, for the tests' own servers."""

from __future__ import annotations

import pytest

from tests.web.example_verdicts import offline_dns


@pytest.fixture(autouse=True)
def no_outside_dns():
    with offline_dns():
        yield
