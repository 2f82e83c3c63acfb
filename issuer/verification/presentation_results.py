"""What verifying a presentation asks for and answers: :class:`PresentationOptions` (the
challenge and domain the verifier gave the holder, whether an unsigned presentation is
acceptable) and :class:`PresentationResult` (the presentation's checks, one
:class:`CredentialResult` per credential, and the VC-API answer built from them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from issuer.verification.results import Verdict, VerificationResult

__all__ = ["CredentialResult", "PresentationOptions", "PresentationResult"]


@dataclass(frozen=True)
class PresentationOptions:
    """What the verifier asked for: the ``challenge`` and ``domain`` it gave the holder, and
    whether a presentation without a proof is acceptable (then only its credentials count)."""

    challenge: str | None = None
    domain: str | None = None
    allow_unsigned: bool = False


@dataclass(frozen=True)
class CredentialResult:
    index: int
    credential_id: str | None
    result: VerificationResult

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"index": self.index}
        if self.credential_id:
            data["credentialId"] = self.credential_id
        return {**data, **self.result.to_dict(), "verdict": self.result.verdict.value}


@dataclass(frozen=True)
class PresentationResult:
    """The presentation's checks (``presentation``; its ``credentials`` check sums up the
    credentials) and one result per credential."""

    presentation: VerificationResult
    credentials: tuple[CredentialResult, ...] = ()
    enveloped: bool = False

    @property
    def verified(self) -> bool:
        return self.presentation.verified

    @property
    def verdict(self) -> Verdict:
        return self.presentation.verdict

    @property
    def checks(self) -> tuple[Any, ...]:
        return self.presentation.checks

    def to_dict(self) -> dict[str, Any]:
        """The VC-API verify-presentation answer: ``verified``, ``presentationResult``,
        ``credentialResults``, and ``checks``, ``warnings`` and ``errors`` of the whole (the
        credentials' prefixed with ``credential N``)."""
        own = self.presentation.to_dict()
        warnings = list(own["warnings"])
        errors = list(own["errors"])
        for item in self.credentials:
            answer = item.result.to_dict()
            warnings += [f"credential {item.index + 1}: {w}" for w in answer["warnings"]]
            errors += [{**e, "credential": item.index} for e in answer["errors"]]
        return {
            "verified": self.verified,
            "presentationResult": {**own, "verdict": self.verdict.value},
            "credentialResults": [item.to_dict() for item in self.credentials],
            "checks": own["checks"],
            "warnings": warnings,
            "errors": errors,
        }
