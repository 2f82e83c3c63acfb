"""The status check for Bitstring Status List entries, for any issuer's credentials.

https://www.w3.org/TR/vc-bitstring-status-list/#validate-algorithm
The list credential is fetched through an injected ``fetch`` (the web layer serves our own
lists locally and fetches others over HTTPS with limits), verified like any credential, and
must come from the credential's issuer. Only a set bit in a valid list of the same issuer
fails the check; everything that prevents a decision is "not checked", with why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from issuer.errors import join_messages
from issuer.statuslist import bitstring
from issuer.verification import checks
from issuer.verification import problem_types as pt
from issuer.verification.results import CheckResult, Problem, Status, first_line

Fetch = Callable[[str], Any]
# (credential, purpose) -> a reason to show for a set bit (our own credentials), or None.
Explain = Callable[[dict[str, Any], str], "str | None"]

SUPPORTED_TYPES = {bitstring.ENTRY_TYPE}
REVOKED = pt.OURS + "revoked"
SUSPENDED = pt.OURS + "suspended"


@dataclass(frozen=True)
class _Finding:
    status: Status
    message: str
    purpose: str = ""


def make_status_checker(
    *,
    fetch: Fetch,
    verify_list: Callable[[dict[str, Any]], Any],
    explain: Explain | None = None,
) -> checks.StatusChecker:
    """A status checker for :func:`issuer.verification.verifier.verify_credential`.

    ``verify_list(list_credential)`` returns a VerificationResult for the list credential
    (the caller verifies it without a status checker, so lists are not checked recursively).
    """

    def check(credential: dict[str, Any]) -> CheckResult:
        cid, title = checks.STATUS
        raw = credential.get("credentialStatus")
        entries = raw if isinstance(raw, list) else [raw]
        lists: dict[str, Any] = {}
        findings = [_check_entry(entry, credential, fetch, verify_list, lists) for entry in entries]
        set_bits = [f for f in findings if f.status is Status.FAILED]
        if set_bits:
            problems = []
            details = []
            for finding in set_bits:
                reason = explain(credential, finding.purpose) if explain else None
                text = finding.message + (f": {reason}" if reason else "")
                details.append(text)
                kind = REVOKED if finding.purpose == "revocation" else SUSPENDED
                problems.append(Problem(kind, "Revoked" if kind == REVOKED else "Suspended", text))
            return CheckResult(cid, title, Status.FAILED, join_messages(details),
                               problems=tuple(problems))
        unknown = [f for f in findings if f.status is Status.NOT_CHECKED]
        if unknown:
            return CheckResult(cid, title, Status.NOT_CHECKED, "; ".join(f.message for f in unknown))
        return CheckResult(cid, title, Status.PASSED, "; ".join(f.message for f in findings))

    return check


def _check_entry(entry: Any, credential: dict[str, Any], fetch: Fetch, verify_list, lists) -> _Finding:
    if not isinstance(entry, dict):
        return _Finding(Status.NOT_CHECKED, "credentialStatus is not an object")
    kind = entry.get("type")
    if kind not in SUPPORTED_TYPES:
        return _Finding(Status.NOT_CHECKED, f"status type {kind!r} is not supported")
    purpose = entry.get("statusPurpose")
    url = entry.get("statusListCredential")
    try:
        index = int(str(entry.get("statusListIndex")), 10)
    except ValueError:
        return _Finding(Status.NOT_CHECKED, "statusListIndex is not a base-10 integer")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return _Finding(Status.NOT_CHECKED, "statusListCredential is not an http(s) URL")
    if int(entry.get("statusSize", 1) or 1) != 1:
        return _Finding(Status.NOT_CHECKED, "multi-bit status entries (statusSize > 1) are not supported")
    if url not in lists:
        try:
            lists[url] = fetch(url)
        except Exception as exc:
            lists[url] = exc
    listed = lists[url]
    if isinstance(listed, Exception):
        return _Finding(Status.NOT_CHECKED, f"could not fetch the status list {url}: {first_line(listed)}")
    if not isinstance(listed, dict):
        return _Finding(Status.NOT_CHECKED, f"the status list {url} is not a JSON object")
    result = verify_list(listed)
    if not result.verified:
        reasons = "; ".join(f"{c.id}: {c.detail}" for c in result.failed_checks)
        return _Finding(Status.NOT_CHECKED, f"the status list {url} does not verify ({reasons})")
    if checks.issuer_id(listed) != checks.issuer_id(credential):
        return _Finding(Status.NOT_CHECKED,
                        f"the status list {url} is issued by {checks.issuer_id(listed)}, "
                        f"not by the credential's issuer")
    subject = listed.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    if not isinstance(subject, dict) or subject.get("type") != bitstring.LIST_TYPE:
        return _Finding(Status.NOT_CHECKED, f"{url} is not a BitstringStatusList")
    if subject.get("statusPurpose") != purpose and purpose not in (subject.get("statusPurpose") or []):
        return _Finding(Status.NOT_CHECKED, f"the status list {url} is for {subject.get('statusPurpose')!r}, "
                                            f"not {purpose!r}")
    try:
        bits = bitstring.decode_list(subject.get("encodedList"))
        is_set = bitstring.get_bit(bits, index)
    except bitstring.StatusListError as exc:
        return _Finding(Status.NOT_CHECKED, f"{url}: {exc}")
    if is_set:
        word = {"revocation": "revoked", "suspension": "suspended"}.get(purpose, f"flagged ({purpose})")
        return _Finding(Status.FAILED, f"{word} by the issuer", purpose)
    word = {"revocation": "not revoked", "suspension": "not suspended"}.get(purpose, f"no {purpose}")
    return _Finding(Status.PASSED, word, purpose)
