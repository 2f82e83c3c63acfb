"""Offline JSON-LD document loader: serves the vendored contexts and nothing else.

The W3C and 1EdTech contexts live in ``issuer/contexts`` (one URL -> one file, byte-exact,
mapped by ``index.json``). Signing and verifying never touch the network: any URL that is
not in the map, or in the extra documents a caller passes in, is refused with a clear error.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from typing import Any

from issuer.errors import DocumentLoaderError

_CONTEXTS = "issuer.contexts"


@lru_cache(maxsize=1)
def context_files() -> dict[str, str]:
    """URL -> file name of every vendored context."""
    return json.loads(resources.files(_CONTEXTS).joinpath("index.json").read_text("utf-8"))


@lru_cache(maxsize=None)
def context_bytes(url: str) -> bytes:
    """The exact bytes of a vendored context (raises KeyError if not vendored)."""
    return resources.files(_CONTEXTS).joinpath(context_files()[url]).read_bytes()


@lru_cache(maxsize=None)
def _parsed_context(url: str) -> Any:
    return json.loads(context_bytes(url))


def _strip_fragment(url: str) -> str:
    return url.split("#", 1)[0]


class StaticDocumentLoader:
    """A pyld document loader over the vendored contexts plus optional extra documents.

    ``extra`` maps exact URLs to already-parsed JSON documents (a test vector's example
    context, a DID document resolved by the caller). Every other URL raises
    DocumentLoaderError; nothing is fetched.
    """

    def __init__(self, extra: Mapping[str, Any] | None = None):
        self._extra = dict(extra or {})
        self._fingerprint: str | None = None

    @property
    def fingerprint(self) -> str:
        """What this loader serves beyond the vendored contexts, as a short content hash
        ("" for none): two loaders with the same fingerprint answer every URL alike, so
        results derived from their documents may be shared (canonicalize's caches)."""
        if self._fingerprint is None:
            self._fingerprint = "" if not self._extra else hashlib.sha256(
                json.dumps(self._extra, ensure_ascii=False,
                           default=repr).encode("utf-8")).hexdigest()
        return self._fingerprint

    def with_documents(self, extra: Mapping[str, Any]) -> "StaticDocumentLoader":
        return StaticDocumentLoader({**self._extra, **extra})

    def load(self, url: str) -> Any:
        """The parsed document for ``url`` (fragment ignored)."""
        base = _strip_fragment(url)
        if base in self._extra:
            return self._extra[base]
        if base in context_files():
            return _parsed_context(base)
        raise DocumentLoaderError(
            f"refusing to load {url!r}: not a vendored JSON-LD context "
            "(documents are never fetched from the network while signing or verifying)"
        )

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        document = self.load(url)
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": document,
        }


DEFAULT_LOADER = StaticDocumentLoader()
