"""Verification results: one CheckResult per check, frozen, JSON-ready."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Status(str, Enum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_CHECKED = "not_checked"  # could not check (unsupported, unreachable); not a failure
    NOT_APPLICABLE = "not_applicable"  # nothing to check (no expiry date, no email given)


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

    @property
    def verified(self) -> bool:
        """True when no check failed and every required check passed (other checks that
        could not run are warnings, not failures)."""
        return not self.failed_checks

    @property
    def failed_checks(self) -> tuple[CheckResult, ...]:
        """Checks that failed, and required checks that could not be made."""
        return tuple(
            check for check in self.checks
            if check.failed or (check.id in self.required and check.status is not Status.PASSED)
        )

    @property
    def all_warnings(self) -> tuple[str, ...]:
        found = list(self.warnings)
        for check in self.checks:
            found.extend(f"{check.id}: {warning}" for warning in check.warnings)
            if check.status is Status.NOT_CHECKED:
                found.append(f"{check.id}: not checked: {check.detail}")
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
        }
