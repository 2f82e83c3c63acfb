"""``issuer verify`` gives every shared OB 3.0 example the verdict of the table in
tests/web/example_verdicts.py (the same checks as the API and the /verify page), failing closed:
a verified row with checks that could not be made is NOT FULLY VERIFIED (exit 3)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from issuer.cli import main
from tests.helpers import NOW
from tests.web.example_verdicts import EXAMPLES, IDS, JWT, OK, UNREADABLE, failing_ids, offline_dns


@pytest.fixture(scope="module")
def runner():
    with offline_dns(), pytest.MonkeyPatch.context() as patch:
        patch.setattr("issuer.clock.utc_now", lambda: NOW)  # the clock `issuer verify` reads
        yield CliRunner()


def expected_verdict(example, checks: list[dict]) -> str:
    if example.verdict == OK:
        return "incomplete" if example.not_checked else "verified"
    if example.verdict == JWT and not any(c["status"] == "failed" for c in checks):
        return "incomplete"  # e.g. the issuer's key could not be confirmed: not checked
    return "not_verified"


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_example_verdict(runner, example):
    result = runner.invoke(main, ["verify", "--json", str(example.file)])
    if example.verdict == UNREADABLE:
        assert result.exit_code == 2
        return
    body = json.loads(result.stdout)
    verdict = expected_verdict(example, body["checks"])
    assert result.exit_code == {"verified": 0, "not_verified": 1, "incomplete": 3}[verdict], \
        result.output
    assert body["verdict"] == verdict
    assert body["verified"] is (example.verdict == OK)
    assert failing_ids(body["checks"]) == example.failed
    if example.verdict == OK:
        assert set(body["notChecked"]) == example.not_checked


@pytest.mark.parametrize("example", [e for e in EXAMPLES if e.verdict == OK][:12],
                         ids=lambda e: e.path)
def test_the_verdict_line_names_what_was_not_checked(runner, example):
    result = runner.invoke(main, ["verify", str(example.file)])
    first = result.stdout.splitlines()[0]
    if not example.not_checked:
        assert (result.exit_code, first) == (0, "VERIFIED")
        return
    assert result.exit_code == 3
    count = len(example.not_checked)
    assert first.startswith(f"NOT FULLY VERIFIED: {count} check{'s' if count > 1 else ''} "
                            "could not be made: ")
    body = json.loads(runner.invoke(main, ["verify", "--json", str(example.file)]).stdout)
    titles = [check["title"] for check in body["checks"] if check["status"] == "not_checked"]
    assert first.endswith(": " + ", ".join(titles))
