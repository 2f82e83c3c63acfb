"""Verify any credential without a database: controller documents and status lists from the
caller's lookups first (documents given by hand, this server's own), then, unless offline,
from their servers through the safe fetcher (issuer.services.fetch).

``issuer verify`` calls :func:`verify_standalone` directly; the web layer goes through
:func:`issuer.services.verification.verify_document`, which adds this server's database.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from issuer.services.fetch import FetchError, FetchPolicy, HttpStatusError, NotFetched, fetch
from issuer.verification import ob2
from issuer.services.resolver import make_controller_resolver
from issuer.verification import list_cache
from issuer.verification.presentation import (
    PresentationOptions,
    PresentationResult,
    verify_presentation,
)
from issuer.verification.results import VerificationResult
from issuer.verification.status import Explain, make_status_checker
from issuer.verification.verifier import verify_credential

# id or URL -> the document, or None when the lookup does not know it.
Lookup = Callable[[str], "dict[str, Any] | None"]

# Documents fetched for verification (credentials by URL, DID documents, issuer profiles,
# status lists) may be at most this big.
MAX_DOCUMENT_BYTES = 2 * 1024 * 1024


def fetch_policy(*, allow_private: bool = False) -> FetchPolicy:
    """Fetching for verification: public addresses only unless ``allow_private``
    (ISSUER_VERIFY_FETCH_PRIVATE); at most MAX_DOCUMENT_BYTES, 3 redirects, 10 seconds."""
    return FetchPolicy(allow_private=allow_private, max_bytes=MAX_DOCUMENT_BYTES, max_redirects=3)


def _verifiers(
    *, now: datetime, policy: FetchPolicy, network: bool, controllers: Lookup | None,
    status_lists: Lookup | None, explain: Explain | None, recipient_email: str | None,
) -> tuple[Callable[[str], dict[str, Any] | None], Callable[[Any], VerificationResult]]:
    """The controller resolver, and a verifier of one credential with every lookup."""
    resolve = make_controller_resolver(local=controllers, policy=policy, network=network)

    def fetch_list(url: str) -> Any:
        if status_lists is not None:
            given = status_lists(url)
            if given is not None:
                return given
        if not network:
            raise NotFetched(url)
        return fetch(url, policy=policy).json()

    def verify_list(list_credential: dict[str, Any]) -> VerificationResult:
        # once per list content and controller answers, not once per credential checked
        return list_cache.verify_list(list_credential, now=now, resolve_controller=resolve)

    def fetch_resource(url: str, media_type: str | None) -> bytes:
        """A relatedResource, to compare with its digest."""
        if not network:
            raise NotFetched(url)
        return fetch(url, policy=policy, accept=media_type or "*/*").body

    checker = make_status_checker(fetch=fetch_list, verify_list=verify_list, explain=explain)

    def verify_one(document: Any) -> VerificationResult:
        return verify_credential(document, now=now, resolve_controller=resolve,
                                 recipient_email=recipient_email, status_checker=checker,
                                 fetch_resource=fetch_resource)

    return resolve, verify_one


def verify_standalone(
    document: Any,
    *,
    now: datetime,
    policy: FetchPolicy,
    network: bool = True,
    controllers: Lookup | None = None,
    status_lists: Lookup | None = None,
    explain: Explain | None = None,
    recipient_email: str | None = None,
) -> VerificationResult:
    """Verify ``document`` as of ``now``; never raises for a bad credential.

    ``controllers(id)`` and ``status_lists(url)`` answer before the network; with ``network``
    off, whatever they do not answer is not fetched, and the checks that needed it are
    "not checked" (see VerificationResult.verdict). ``explain(credential, purpose)`` gives the
    reason shown for a set status bit.
    """
    if ob2.is_ob2(document):  # an Open Badges 2.0 assertion: verified the OB 2.0 way
        return ob2.verify_ob2(document, fetch_json=_ob2_fetcher(policy, network=network),
                              now=now, recipient_email=recipient_email)
    _resolve, verify_one = _verifiers(
        now=now, policy=policy, network=network, controllers=controllers,
        status_lists=status_lists, explain=explain, recipient_email=recipient_email)
    return verify_one(document)


# What an Open Badges 2.0 verifier asks for: the documents are JSON-LD.
OB2_ACCEPT = "application/ld+json, application/json;q=0.9"


# An OB 2.0 badge may need six documents (the hosted assertion twice, BadgeClass, Issuer, key,
# revocation list); together they get 1.5 times one fetch's deadline, not a deadline each.
OB2_DEADLINE_FACTOR = 1.5


def _ob2_fetcher(policy: FetchPolicy, *, network: bool) -> ob2.FetchJson:
    """fetch_json for issuer.verification.ob2: the safe fetcher, with HTTP 410 as Gone, and
    every fetch of one verification within OB2_DEADLINE_FACTOR times the policy's deadline."""
    ends = time.monotonic() + policy.deadline * OB2_DEADLINE_FACTOR

    def fetch_json(url: str) -> Any:
        if not network:
            raise ob2.Unavailable("not fetched: offline", offline=True)
        remaining = ends - time.monotonic()
        if remaining <= 0.5:
            raise ob2.Unavailable("not fetched: the other documents took the time allowed")
        bounded = replace(policy, deadline=min(policy.deadline, remaining),
                          connect_timeout=min(policy.connect_timeout, remaining),
                          read_timeout=min(policy.read_timeout, remaining))
        try:
            return fetch(url, policy=bounded, accept=OB2_ACCEPT).json()
        except HttpStatusError as exc:
            if exc.http_status == 410:
                raise ob2.Gone(str(exc)) from None
            raise ob2.Unavailable(str(exc)) from None
        except FetchError as exc:
            raise ob2.Unavailable(str(exc)) from None

    return fetch_json


def verify_standalone_presentation(
    document: Any,
    *,
    now: datetime,
    policy: FetchPolicy,
    options: PresentationOptions = PresentationOptions(),
    network: bool = True,
    controllers: Lookup | None = None,
    status_lists: Lookup | None = None,
    explain: Explain | None = None,
) -> PresentationResult:
    """Verify a presentation and every credential in it, with the lookups of
    :func:`verify_standalone` (the holder's keys resolved like an issuer's: did:key here,
    did:web and profiles through the safe fetcher)."""
    resolve, verify_one = _verifiers(
        now=now, policy=policy, network=network, controllers=controllers,
        status_lists=status_lists, explain=explain, recipient_email=None)
    return verify_presentation(document, now=now, verify_credential=verify_one,
                               options=options, resolve_controller=resolve)
