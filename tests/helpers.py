"""Paths and small helpers shared by the tests (fixtures live in conftest.py)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
VECTORS = TESTS / "vectors"
W3C = VECTORS / "w3c-vc-di-eddsa"
W3C_ECDSA = VECTORS / "w3c-vc-di-ecdsa"
PROOF_SET_CHAIN = W3C / "proof-set-chain"
IMPL_GUIDE = VECTORS / "1edtech-impl-guide"
FIXTURES = VECTORS / "fixtures"
OB3_EXAMPLES = VECTORS / "examples"  # public OB 3.0 examples (tests/vectors/README.md)
EXAMPLES_CONTEXT_URL = "https://www.w3.org/ns/credentials/examples/v2"
# A fixed "now" for every date-dependent test.
NOW = datetime(2026, 11, 22, 12, 0, 0, tzinfo=timezone.utc)


def load_json(path: Path):
    return json.loads(Path(path).read_text("utf-8"))


class FrozenClock:
    """What ``issuer.clock.utc_now`` answers in a test (the ``clock`` fixture installs it):
    a fixed instant, moved on only by :meth:`advance`."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def save_screenshot(browser, tmp_path: Path, name: str) -> None:
    """A browser test's screenshot: into the test's tmp_path, and ISSUER_SCREENSHOT_DIR too
    when that is set (to look at them after the run)."""
    import os

    browser.save_screenshot(str(tmp_path / name))
    keep = os.environ.get("ISSUER_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(Path(keep) / name))
