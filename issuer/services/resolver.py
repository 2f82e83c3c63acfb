"""Resolve controllers of verification methods: did:key locally, did:web and http(s) issuer
profiles over the network (through the safe fetcher), with a small TTL cache.

``make_controller_resolver(local=..., policy=...)`` returns the ``resolve_controller`` callable
that :func:`issuer.verification.verifier.verify_credential` takes. ``local(id)`` answers for
this server's own issuers without a network round trip.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from issuer.dataintegrity import multikey
from issuer.services.fetch import FetchError, FetchPolicy, NotFetched, fetch

Local = Callable[[str], "dict[str, Any] | None"]


def did_web_url(did: str) -> str:
    """The HTTPS URL of a did:web document (W3C did:web method §3.2)."""
    if not did.startswith("did:web:"):
        raise ValueError(f"not a did:web: {did}")
    parts = did[len("did:web:"):].split(":")
    if not parts[0]:
        raise ValueError(f"did:web without a host: {did}")
    host = unquote(parts[0])
    if "/" in host or "@" in host:
        raise ValueError(f"invalid did:web host in {did}")
    path = "/".join(unquote(part) for part in parts[1:])
    return f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"


class TTLCache:
    """A small thread-safe LRU with expiry, for public documents only (never secrets)."""

    def __init__(self, *, max_entries: int = 512, ttl: float = 300.0):
        self._data: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.max_entries, self.ttl = max_entries, ttl

    def get(self, key: str) -> Any:
        with self._lock:
            item = self._data.get(key)
            if item is None or item[0] < time.monotonic():
                self._data.pop(key, None)
                return None
            self._data.move_to_end(key)
            return item[1]

    def put(self, key: str, value: Any) -> None:
        with self._lock:
            self._data[key] = (time.monotonic() + self.ttl, value)
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)


_SHARED_CACHE = TTLCache()


def make_controller_resolver(
    *,
    local: Local | None = None,
    policy: FetchPolicy = FetchPolicy(),
    cache: TTLCache | None = _SHARED_CACHE,
    network: bool = True,
) -> Callable[[str], dict[str, Any] | None]:
    """``resolve_controller(id)`` -> the controller document, or None when unknown.

    Raises FetchError (with a reason) when a network resolution was tried and failed, and
    NotFetched when it would have been tried but ``network`` is off; the verifier turns
    either into a readable check result.
    """

    def resolve(controller_id: str) -> dict[str, Any] | None:
        if local is not None:
            document = local(controller_id)
            if document is not None:
                return document
        if controller_id.startswith("did:key:"):
            return multikey.did_key_document(controller_id.removeprefix("did:key:"))
        if controller_id.startswith("did:web:"):
            url = did_web_url(controller_id)
        elif controller_id.startswith(("https://", "http://")):
            url = controller_id
        else:
            return None
        if not network:
            raise NotFetched(url)
        cached = cache.get(url) if cache is not None else None
        if cached is not None:
            return cached
        document = fetch(url, policy=policy,
                         accept="application/did+json, application/ld+json, application/json").json()
        if not isinstance(document, dict):
            raise FetchError(f"{url} is not a JSON object")
        if controller_id.startswith("did:") and document.get("id") != controller_id:
            raise FetchError(f"the DID document at {url} is for {document.get('id')!r}")
        if cache is not None:
            cache.put(url, document)
        return document

    return resolve
