"""Issuing: the digests of ``relatedResource`` entries we can retrieve must match.

VC DM 2.0 §5.3. :mod:`issuer.vcdm.rules` has already checked the shape (ids, well-formed
digests); here the resources we hold are compared with their digests: the vendored JSON-LD
contexts (their exact bytes) and anything under this server's base URL (fetched from it, as
any verifier would, through the safe fetcher). Other resources are the issuer's to vouch
for: a verifier retrieves and compares them.
"""

from __future__ import annotations

import time
from typing import Any

from issuer.dataintegrity.document_loader import context_bytes, context_files
from issuer.services.fetch import FetchError, FetchPolicy, fetch
from issuer.vcdm import related
from issuer.vcdm.rules import Violation

# Resources of our own fetched per credential at most (each fetch is bounded by the policy),
# and the seconds spent fetching after which no new fetch starts.
MAX_OWN_FETCHES = 10
FETCH_BUDGET_SECONDS = 10.0


def _entries(credential: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    value = credential.get("relatedResource")
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [("$.relatedResource" + (f"[{index}]" if isinstance(value, list) else ""), item)
            for index, item in enumerate(items) if isinstance(item, dict)]


def is_ours(url: str, base_url: str) -> bool:
    return url == base_url or url.startswith(base_url.rstrip("/") + "/")


def check_related_resources(credential: dict[str, Any], *, base_url: str,
                            policy: FetchPolicy) -> list[Violation]:
    """Violations for each held resource whose digest does not match (or that is ours but
    could not be retrieved). Call after :func:`issuer.vcdm.rules.validate` passed."""
    found: list[Violation] = []
    fetched = 0
    started = time.monotonic()
    for path, entry in _entries(credential):
        url = entry.get("id")
        if not isinstance(url, str):
            continue
        if url in context_files():
            body = context_bytes(url)
        elif is_ours(url, base_url):
            fetched += 1
            if fetched > MAX_OWN_FETCHES or \
                    time.monotonic() - started > FETCH_BUDGET_SECONDS:
                found.append(Violation("relatedResource-too-many", path,
                                       f"at most {MAX_OWN_FETCHES} related resources of this "
                                       f"server are checked per credential, within "
                                       f"{FETCH_BUDGET_SECONDS:.0f} seconds"))
                break
            try:
                body = fetch(url, policy=policy,
                             accept=entry.get("mediaType") or "*/*").body
            except FetchError as exc:
                found.append(Violation("relatedResource-unreachable", path + ".id",
                                       f"{url} is on this server but could not be retrieved "
                                       f"to check its digest: {exc}"))
                continue
        else:
            continue
        wrong = list(related.mismatches(entry, body))
        if wrong:
            found.append(Violation("relatedResource-digest-mismatch", path,
                                   f"the {' and '.join(wrong)} of {url} does not match the "
                                   "resource"))
    return found
