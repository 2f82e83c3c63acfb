"""options.checks (issuer.verification.selection): the named checks decide, with the
credential's structure and its signature bound to the issuer always among them."""

import pytest

from issuer.verification.results import CheckResult, Status, VerificationResult
from issuer.verification.selection import UnknownCheck, selected_checks


def result(**statuses):
    checks = tuple(CheckResult(name.replace("_", "-"), name, status, f"{name} {status.value}")
                   for name, status in statuses.items())
    return VerificationResult(checks)


def test_the_signature_and_its_binding_always_decide():
    assert selected_checks([]) == ("context", "schema", "proof", "jwt-claims", "issuer")
    assert selected_checks(["expiration", "credentialStatus", "validity"]) == (
        "context", "schema", "proof", "jwt-claims", "issuer", "validity", "status")
    for failing in ("context", "schema", "issuer", "jwt_claims"):
        statuses = dict(context=Status.PASSED, schema=Status.PASSED, proof=Status.PASSED,
                        jwt_claims=Status.PASSED, issuer=Status.PASSED)
        statuses[failing] = Status.FAILED
        assert not result(**statuses).select(selected_checks(["proof"])).verified, failing


def test_a_check_left_out_is_a_warning_and_does_not_decide():
    whole = result(proof=Status.PASSED, issuer=Status.PASSED, validity=Status.FAILED,
                   status=Status.NOT_CHECKED)
    assert not whole.verified and whole.verdict.value == "not_verified"
    chosen = whole.select(selected_checks(["proof"]))
    assert chosen.verified and chosen.verdict.value == "verified"
    assert chosen.to_dict()["errors"] == []
    assert "validity: failed, but not among options.checks: validity failed" in \
        chosen.to_dict()["warnings"]
    assert whole.select(selected_checks(["proof", "status"])).verdict.value == "incomplete"


@pytest.mark.parametrize("value", ["proof", [None], [{}], ["proof"] * 40])
def test_not_a_list_of_names(value):
    with pytest.raises(UnknownCheck):
        selected_checks(value)
