"""Verify every endorsement embedded in a credential, each as its own result (OB 3.0
§"Verification": "verify each embedded endorsement the same way").

Endorsements sit in the credential itself, in its issuer Profile and in the achievement of
each credentialSubject: ``endorsement`` (embedded EndorsementCredentials, Data Integrity) and
``endorsementJwt`` (compact JWS). Each gets the full check list of a credential (contexts,
schema, signature, issuer binding, dates, status) through the caller's verifier, with the
same lookups, plus one check of its own: it must endorse the thing it is embedded in
(``credentialSubject.id`` = that node's ``id``).

The results are reported next to the credential's and never change its verdict: a failed
endorsement is shown as failed, a check that could not be made leaves it "not fully
verified", never passed. Endorsements inside endorsements are not followed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from issuer.clock import format_datetime
from issuer.openbadges.endorsement import EndorsementInfo, credential_of, describe
from issuer.verification import problem_types as pt
from issuer.verification.results import (
    CheckResult,
    Problem,
    Status,
    VerificationResult,
    Verdict,
)

MAX_VERIFIED = 32  # endorsements verified per credential; more are reported as not checked
ENDORSED = ("endorsed", "Endorses what it is attached to")
WHERE_TITLES = {"credential": "the credential", "issuer": "the issuer",
                "achievement": "the achievement"}


@dataclass(frozen=True)
class EndorsementResult:
    """One embedded endorsement: where it is, what it says, and its own verification."""

    where: str  # "credential" | "issuer" | "achievement"
    path: str  # JSON path of the endorsement in the credential
    form: str  # "ldp" (embedded credential) | "jwt" (compact JWS)
    info: EndorsementInfo
    result: VerificationResult

    @property
    def verdict(self) -> Verdict:
        return self.result.verdict

    def to_dict(self) -> dict[str, Any]:
        info = self.info
        data: dict[str, Any] = {
            "where": self.where,
            "path": self.path,
            "format": self.form,
            "id": info.credential_id,
            "endorser": {"id": info.endorser_id, "name": info.endorser_name,
                         "url": info.endorser_url},
            "endorsed": info.subject_id,
            "endorsementComment": info.comment,
            "validFrom": format_datetime(info.valid_from) if info.valid_from else None,
            "verdict": self.verdict.value,
        }
        data.update(self.result.to_dict())
        return data


def embedded(credential: Any) -> Iterator[tuple[str, str, Any, str, Any]]:
    """(where, JSON path, id of the node it is embedded in, form, endorsement) for each
    endorsement in ``credential`` (a JSON object), in document order."""
    if not isinstance(credential, dict):
        return
    nodes: list[tuple[str, str, Any]] = [("credential", "$", credential)]
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        nodes.append(("issuer", "$.issuer", issuer))
    subjects = credential.get("credentialSubject")
    listed = subjects if isinstance(subjects, list) else [subjects]
    for index, subject in enumerate(listed):
        if isinstance(subject, dict) and isinstance(subject.get("achievement"), dict):
            base = (f"$.credentialSubject[{index}]" if isinstance(subjects, list)
                    else "$.credentialSubject")
            nodes.append(("achievement", base + ".achievement", subject["achievement"]))
    for where, path, node in nodes:
        for name, form in (("endorsement", "ldp"), ("endorsementJwt", "jwt")):
            values = node.get(name)
            if values is None:
                continue
            values = values if isinstance(values, list) else [values]
            for index, value in enumerate(values):
                yield where, f"{path}.{name}[{index}]", node.get("id"), form, value


def _endorsed_check(info: EndorsementInfo, owner_id: Any, where: str) -> CheckResult:
    cid, title = ENDORSED
    if not info.is_endorsement:
        detail = "it is not an EndorsementCredential (its type lacks EndorsementCredential)"
    elif not isinstance(owner_id, str):
        return CheckResult(cid, title, Status.NOT_CHECKED,
                           f"{WHERE_TITLES[where]} it is attached to has no id to compare")
    elif info.subject_id == owner_id:
        return CheckResult(cid, title, Status.PASSED,
                           f"endorses {WHERE_TITLES[where]} ({owner_id})")
    else:
        detail = (f"it endorses {info.subject_id or 'nothing (no credentialSubject.id)'}, "
                  f"not {WHERE_TITLES[where]} it is attached to ({owner_id})")
    return CheckResult(cid, title, Status.FAILED, detail,
                       problems=(Problem(pt.MALFORMED_VALUE_ERROR, title, detail),))


def _not_checked(reason: str) -> VerificationResult:
    return VerificationResult((CheckResult("proof", "Signature", Status.NOT_CHECKED, reason),))


def verify_embedded(credential: Any, verify_one: Callable[[Any], VerificationResult]
                    ) -> tuple[EndorsementResult, ...]:
    """Every embedded endorsement verified by ``verify_one`` (the caller's verifier of one
    credential, with its lookups, not following endorsements), at most MAX_VERIFIED."""
    if isinstance(credential, str):  # a compact JWS credential: its payload's endorsements
        credential = credential_of(credential)
    found: list[EndorsementResult] = []
    for count, (where, path, owner_id, form, value) in enumerate(embedded(credential)):
        info = describe(value)
        if count >= MAX_VERIFIED:
            result = _not_checked(f"not checked: only the first {MAX_VERIFIED} endorsements "
                                  "of a credential are verified")
        elif form == "jwt" and not isinstance(value, str):
            result = VerificationResult((CheckResult(
                "proof", "Signature", Status.FAILED, "an endorsementJwt entry must be a "
                "compact JWS string", problems=(Problem(pt.PARSING_ERROR, "Signature",
                                                        "not a compact JWS string"),)),))
        elif form == "ldp" and not isinstance(value, dict):
            result = VerificationResult((CheckResult(
                "proof", "Signature", Status.FAILED, "an endorsement entry must be an "
                "embedded credential (a JSON object)", problems=(Problem(
                    pt.PARSING_ERROR, "Signature", "not a JSON object"),)),))
        else:
            own = verify_one(value)
            result = VerificationResult(
                (*own.checks, _endorsed_check(info, owner_id, where)),
                warnings=own.warnings, required=own.required)
        found.append(EndorsementResult(where, path, form, info, result))
    return tuple(found)
