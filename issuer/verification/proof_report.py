"""The ``proof`` check's result from every proof's outcome (a proof set, perhaps chained).

The rule: every proof must verify. A proof of a suite this verifier does not implement (and a
chain link resting on one) cannot be judged: it is *not checked*, a warning, not a failure
(as in Digital Bazaar's and 1EdTech's verifiers, which skip proof types they do not know).
So the check passes when no proof failed and at least one verified; fails when any proof
failed (a bad signature, a key that cannot be resolved, a chain whose previous proof is
missing or invalid), with one problem per failed proof; and is not checked when nothing could
be checked. The detail names each proof's outcome when there is more than one.

:func:`run_proof_set` checks every proof of a document (a credential's, with proofPurpose
assertionMethod; a presentation's, with authentication), resolving each key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from issuer.dataintegrity import proofs
from issuer.dataintegrity.cryptosuites import SUPPORTED
from issuer.dataintegrity.document_loader import StaticDocumentLoader
from issuer.dataintegrity.limits import LIMIT_TYPES, ProcessingLimits
from issuer.dataintegrity.proofs import ProofOutcome
from issuer.verification import keys
from issuer.verification import problem_types as pt
from issuer.verification.results import CheckResult, Problem, Status


def describe(outcome: ProofOutcome) -> str:
    """``proof 2 (urn:uuid:…, ecdsa-rdfc-2019, chained to urn:uuid:…)``."""
    facts = [outcome.proof_id] if outcome.proof_id else []
    facts.append(outcome.cryptosuite or outcome.proof_type or "no type")
    if outcome.previous_proof:
        facts.append("chained to " + ", ".join(outcome.previous_proof))
    return f"proof {outcome.index + 1} ({', '.join(facts)})"


def _line(outcome: ProofOutcome) -> str:
    if outcome.verified:
        return f"{describe(outcome)}: verified"
    if not outcome.supported:
        reason = outcome.reason.removeprefix("not checked: ")
        return f"{describe(outcome)}: not checked: {reason}"
    return f"{describe(outcome)}: {outcome.reason}"


def _problem(outcome: ProofOutcome) -> Problem:
    if outcome.problem_type and outcome.problem_type != pt.CRYPTOGRAPHIC_SECURITY_ERROR:
        return Problem(outcome.problem_type, "Proof not verified", _line(outcome))
    return Problem(pt.CRYPTOGRAPHIC_SECURITY_ERROR, "Invalid signature", _line(outcome))


def proof_check_result(
    check_id: str,
    title: str,
    outcomes: Sequence[ProofOutcome],
    key_warnings: Mapping[int, str],
) -> CheckResult:
    """The check's result; ``key_warnings`` maps a proof's index to a warning about its key
    (kept for proofs that verified)."""
    verified = [o for o in outcomes if o.verified]
    failed = [o for o in outcomes if not o.verified and o.supported]
    unchecked = [o for o in outcomes if not o.verified and not o.supported]
    warnings = [_line(o) for o in unchecked]
    warnings += [f"proof {o.index + 1}: {key_warnings[o.index]}" for o in verified
                 if key_warnings.get(o.index)]
    lines = "; ".join(_line(o) for o in outcomes)
    if failed:
        detail = "; ".join(_line(o) for o in failed)
        if len(outcomes) > 1:
            detail = f"{len(failed)} of {len(outcomes)} proofs failed: {lines}"
        return CheckResult(check_id, title, Status.FAILED, detail,
                           problems=tuple(_problem(o) for o in failed), warnings=tuple(warnings))
    if not verified:
        detail = f"no proof of a kind this verifier supports ({SUPPORTED})"
        return CheckResult(check_id, title, Status.NOT_CHECKED, detail, warnings=tuple(warnings),
                           problems=(Problem(pt.UNSUPPORTED_PROOF, "Unsupported proof", detail),))
    suites = ", ".join(sorted({o.cryptosuite or o.proof_type or "?" for o in verified}))
    detail = f"signature valid ({suites})"
    if len(outcomes) > 1:
        detail = (f"{len(verified)} of {len(outcomes)} proofs verified ({suites}): {lines}")
    return CheckResult(check_id, title, Status.PASSED, detail, warnings=tuple(warnings))


@dataclass
class ProofSetRun:
    """Every proof's outcome, the key found for each, the proofs whose key could not be had
    (why), and the first proof over a processing limit (after which nothing was checked)."""

    outcomes: list[ProofOutcome] = field(default_factory=list)
    found: dict[int, keys.ResolvedKey] = field(default_factory=dict)
    unavailable: dict[int, str] = field(default_factory=dict)
    over_limit: ProofOutcome | None = None


def run_proof_set(
    document: dict[str, Any],
    resolve_controller: keys.ControllerResolver | None,
    *,
    loader: StaticDocumentLoader,
    limits: ProcessingLimits,
    proof_purpose: str = proofs.ASSERTION_METHOD,
) -> ProofSetRun:
    """Check each proof of ``document`` on its own (its key resolved and listed by its
    controller under ``proof_purpose``), then settle the chains (proofs.verify_proof_set)."""
    run = ProofSetRun()

    def verify(index: int, proof: Any) -> ProofOutcome:
        if run.over_limit is not None:  # no other proof would fare better
            return proofs.outcome_of(index, proof, verified=False, supported=False,
                                     reason="not checked (over a processing limit)")
        if not proofs.is_supported(proof):
            kind = (proof.get("cryptosuite") or proof.get("type")
                    if isinstance(proof, dict) else None)
            return proofs.outcome_of(index, proof, verified=False, supported=False,
                                     reason=f"{kind!r} proofs are not supported")
        try:
            run.found[index] = keys.resolve_key(proof.get("verificationMethod"),
                                                resolve_controller, relationship=proof_purpose)
        except keys.KeyResolutionError as exc:
            if exc.unavailable:  # could not be checked, rather than wrong
                run.unavailable[index] = str(exc)
                return proofs.outcome_of(index, proof, verified=False, supported=False,
                                         reason=f"the signing key could not be had: {exc}")
            return proofs.outcome_of(index, proof, verified=False, supported=True,
                                     reason=str(exc), problem_type=pt.INVALID_VERIFICATION_METHOD)
        outcome = proofs.verify_one(document, index, proof, run.found[index].public_key,
                                    loader=loader, limits=limits, proof_purpose=proof_purpose)
        if outcome.problem_type in LIMIT_TYPES:
            run.over_limit = outcome
        return outcome

    run.outcomes = proofs.verify_proof_set(document, verify)
    return run


def proof_set_result(check_id: str, title: str, run: ProofSetRun) -> CheckResult:
    """The check's result for a run without a proof over a processing limit."""
    result = proof_check_result(check_id, title, run.outcomes,
                                {index: key.warning for index, key in run.found.items()})
    if result.status is Status.NOT_CHECKED and run.unavailable:
        result = CheckResult(check_id, title, Status.NOT_CHECKED,
                             "the signing key could not be had: "
                             + "; ".join(run.unavailable.values()), warnings=result.warnings)
    return result
