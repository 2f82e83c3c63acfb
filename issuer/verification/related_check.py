"""The ``relatedResource`` check (VC DM 2.0 §5.3): every listed resource's digest must match
the resource.

Malformed entries (no id, duplicate ids, no digest or a malformed one) fail. Each resource
is then retrieved: a vendored JSON-LD context from its exact bytes, anything else through
the ``fetch_resource(url, media_type) -> bytes`` the caller injects (None, or a fetch that
raises: "not checked"). A digest that does not match fails; the check passes only when every
resource was retrieved and matched.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from issuer.dataintegrity.document_loader import context_bytes, context_files
from issuer.vcdm import related, rules
from issuer.verification import problem_types as pt
from issuer.verification.results import CheckResult, Problem, Status, first_line

RELATED_RESOURCE = ("relatedResource", "Related resources")
# What a check may retrieve per credential at most (each fetch is bounded by its policy),
# and the seconds it may spend fetching: no new fetch starts after them.
MAX_RESOURCES = 10
FETCH_BUDGET_SECONDS = 10.0
ResourceFetcher = Callable[[str, "str | None"], bytes]


def _failed(detail: str, problem_type: str, title: str) -> CheckResult:
    cid, name = RELATED_RESOURCE
    return CheckResult(cid, name, Status.FAILED, detail,
                       problems=(Problem(problem_type, title, detail),))


def check_related_resource(credential: Any,
                           fetch_resource: ResourceFetcher | None) -> CheckResult:
    cid, title = RELATED_RESOURCE
    if not isinstance(credential, dict) or "relatedResource" not in credential:
        return CheckResult(cid, title, Status.NOT_APPLICABLE, "the credential lists no related "
                           "resources")
    malformed = list(rules.rule_related_resource(credential, rules.version(credential)))
    if malformed:
        return _failed("; ".join(str(v) for v in malformed), pt.MALFORMED_VALUE_ERROR,
                       "Malformed related resource")
    value = credential["relatedResource"]
    entries = value if isinstance(value, list) else [value]
    if len(entries) > MAX_RESOURCES:
        return CheckResult(cid, title, Status.NOT_CHECKED,
                           f"{len(entries)} related resources; at most {MAX_RESOURCES} are "
                           "retrieved")
    matched, unretrieved = [], []
    started = time.monotonic()
    for entry in entries:
        url = entry["id"]
        try:
            if url in context_files():
                body = context_bytes(url)
            elif fetch_resource is None:
                unretrieved.append(f"{url} (not fetched)")
                continue
            elif time.monotonic() - started > FETCH_BUDGET_SECONDS:
                unretrieved.append(f"{url} (not fetched: {FETCH_BUDGET_SECONDS:.0f} s spent "
                                   "fetching the others)")
                continue
            else:
                body = fetch_resource(url, entry.get("mediaType"))
        except Exception as exc:  # noqa: BLE001 - any failure to retrieve is "not checked"
            unretrieved.append(f"{url} ({first_line(exc)})")
            continue
        wrong = list(related.mismatches(entry, body))
        if wrong:
            return _failed(f"the {' and '.join(wrong)} of {url} does not match the resource",
                           pt.RELATED_RESOURCE_MISMATCH, "Related resource does not match")
        matched.append(url)
    if unretrieved:
        return CheckResult(cid, title, Status.NOT_CHECKED,
                           "could not retrieve " + "; ".join(unretrieved)
                           + (f"; {len(matched)} matched" if matched else ""))
    return CheckResult(cid, title, Status.PASSED,
                       f"{len(matched)} related resource{'s' if len(matched) != 1 else ''} "
                       "match their digests")
