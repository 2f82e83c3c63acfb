"""Verification results: one CheckResult per check, frozen, JSON-ready."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from issuer.verification.problem_types import UNSUPPORTED_PROOF


class Status(str, Enum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_CHECKED = "not_checked"  # could not check (unsupported, unreachable); not a failure
    NOT_APPLICABLE = "not_applicable"  # nothing to check (no expiry date, no email given)


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (at most 300 characters), for a detail."""
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else exc.__class__.__name__


class Verdict(str, Enum):
    """The answer as a whole, for callers that must not mistake "could not check" for a pass."""

    VERIFIED = "verified"  # every check passed or did not apply
    NOT_VERIFIED = "not_verified"  # a check failed, or no signature of a supported kind
    INCOMPLETE = "incomplete"  # nothing failed, but some check could not be made


@dataclass(frozen=True)
class Problem:
    """A problem detail (RFC 9457 shape): a type URI, a short title and a readable detail."""

    type: str
    title: str
    detail: str

    def to_dict(self) -> dict[str, str]:
        return {"type": self.type, "title": self.title, "detail": self.detail}


@dataclass(frozen=True)
class CheckResult:
    id: str
    title: str
    status: Status
    detail: str = ""
    problems: tuple[Problem, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        return self.status is Status.FAILED

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "status": self.status.value,
            "detail": self.detail,
        }
        if self.problems:
            data["problems"] = [problem.to_dict() for problem in self.problems]
        if self.warnings:
            data["warnings"] = list(self.warnings)
        return data


@dataclass(frozen=True)
class VerificationResult:
    checks: tuple[CheckResult, ...]
    warnings: tuple[str, ...] = field(default=())
    # Checks that must pass, not merely not fail: a credential none of whose signatures
    # could be checked is not verified.
    required: tuple[str, ...] = ("proof",)
    # The checks that decide the verdict (options.checks, issuer.verification.selection);
    # None: all of them. A failed check outside them is a warning.
    selected: tuple[str, ...] | None = None
    # What verification learnt about the badge from documents it fetched (an Open Badges 2.0
    # assertion names its BadgeClass and Issuer by URL): name, description, image_url,
    # issuer_name, issuer_id. For display only; never part of the verdict.
    about: dict[str, Any] | None = field(default=None, compare=False)
    # Each embedded endorsement's own result (issuer.verification.endorsements); reported
    # beside this one's checks, never deciding its verdict.
    endorsements: tuple[Any, ...] = ()

    def select(self, check_ids: tuple[str, ...] | None) -> VerificationResult:
        return replace(self, selected=check_ids)

    def _deciding(self, check: CheckResult) -> bool:
        return self.selected is None or check.id in self.selected

    @property
    def verified(self) -> bool:
        """True when no check failed and every required check passed (other checks that
        could not run are warnings, not failures)."""
        return not self.failed_checks

    @property
    def failed_checks(self) -> tuple[CheckResult, ...]:
        """Checks that failed, and required checks that could not be made."""
        return tuple(
            check for check in self.checks if self._deciding(check) and (
                check.failed or (check.id in self.required and check.status is not Status.PASSED))
        )

    @property
    def not_checked(self) -> tuple[CheckResult, ...]:
        """Checks that could not be made (a document not fetched, something unsupported)."""
        return tuple(check for check in self.checks if check.status is Status.NOT_CHECKED)

    @property
    def verdict(self) -> Verdict:
        """Stricter than :attr:`verified`: a check that could not be made is never a pass.

        NOT_VERIFIED when a check failed or the signatures are of a kind nobody here can
        check; else INCOMPLETE when any check could not be made (e.g. the issuer's keys or a
        status list could not be fetched: asking again, or with the documents, may settle
        it); else VERIFIED.
        """
        unsupported = any(problem.type == UNSUPPORTED_PROOF
                          for check in self.failed_checks for problem in check.problems)
        if unsupported or any(check.failed and self._deciding(check) for check in self.checks):
            return Verdict.NOT_VERIFIED
        deciding = [check for check in self.not_checked if self._deciding(check)]
        return Verdict.INCOMPLETE if deciding else Verdict.VERIFIED

    @property
    def all_warnings(self) -> tuple[str, ...]:
        found = list(self.warnings)
        for check in self.checks:
            found.extend(f"{check.id}: {warning}" for warning in check.warnings)
            if check.status is Status.NOT_CHECKED:
                found.append(f"{check.id}: not checked: {check.detail}")
            elif check.failed and not self._deciding(check):
                found.append(f"{check.id}: failed, but not among options.checks: "
                             f"{check.detail}")
        return tuple(found)

    def check(self, check_id: str) -> CheckResult:
        for check in self.checks:
            if check.id == check_id:
                return check
        raise KeyError(check_id)

    def to_dict(self) -> dict[str, Any]:
        """The VC-API verify response shape: verified, checks, warnings, errors."""
        return {
            "verified": self.verified,
            "checks": [check.to_dict() for check in self.checks],
            "warnings": list(self.all_warnings),
            "errors": [
                {"check": check.id, "detail": check.detail,
                 "problems": [problem.to_dict() for problem in check.problems]}
                for check in self.failed_checks
            ],
            **({"endorsements": [item.to_dict() for item in self.endorsements]}
               if self.endorsements else {}),
        }
