"""pyld's JSON-LD processor within processing limits, with its context processing memoised.

pyld 3.3 caches a processed context under the active context's ``_uuid``, but a type-scoped
context (``@propagate: false``, as the VC 2.0 and OB 3.0 contexts use) is processed against
a fresh clone of the active context with a new ``_uuid``, so that cache never hits: every
expansion processed ~115 term definitions again (79% of a signature's time).

:class:`LimitedProcessor` memoises ``_process_context`` on what its result depends on: the
active context (by identity: processed contexts are frozen, and the memo returns the same
objects, so a chain of contexts keeps its identity from call to call), the local context (by
its JSON text, so a document's inline context is matched by content), the flags, the base,
the processing mode and the document loader's :attr:`fingerprint
<issuer.dataintegrity.document_loader.StaticDocumentLoader.fingerprint>` (what it serves
beyond the vendored contexts; a loader without one gets no memo). The key therefore always
names one result: the memo is process-local and needs no invalidation. It is bounded (LRU)
and holds the active context it is keyed on, so an identity is never reused while its entry
lives.

A memoised result still counts the term definitions processing it once cost, so
``max_term_definitions`` refuses the same documents warm or cold: what a fresh process
refused before. (Unmemoised, pyld's own cache made later calls count less than the first:
354 then 92 definitions for the benchmark credential.)
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Any

from pyld import jsonld

from issuer.dataintegrity.limits import ProcessingLimits, check_expanded, term_definitions_exceeded
from issuer.errors import DocumentLoaderError, InputTooComplex

# pyld keeps processed contexts in process-wide LRU caches (cachetools, without locks): two
# threads expanding at once can corrupt them ("OrderedDict mutated during iteration", seen
# with thread workers issuing in parallel). JSON-LD work holds the GIL anyway, so one thread
# at a time costs no throughput. The memo below and the plan cache live under it too.
PYLD_LOCK = threading.RLock()

CONTEXT_MEMO_SIZE = 4096
# key -> (active context kept alive, processed context, term definitions it cost)
_CONTEXT_MEMO: OrderedDict[tuple, tuple[Any, Any, int]] = OrderedDict()


def clear_context_memo() -> None:
    """Forget every memoised context (tests use it to compare cold and warm runs)."""
    _CONTEXT_MEMO.clear()


def context_memo_size() -> int:
    """How many processed contexts the memo holds."""
    return len(_CONTEXT_MEMO)


def _memo_key(active_ctx: Any, local_ctx: Any, options: dict[str, Any],
              flags: tuple) -> tuple | None:
    fingerprint = getattr(options.get("documentLoader"), "fingerprint", None)
    if fingerprint is None:  # a loader whose documents we cannot name: no memo
        return None
    try:
        text = json.dumps(local_ctx, ensure_ascii=False)
    except (TypeError, ValueError):
        return None
    return (id(active_ctx), text, flags, options.get("base"), options.get("processingMode"),
            fingerprint)


class LimitedProcessor(jsonld.JsonLdProcessor):
    """pyld's JSON-LD processor within ``limits``: it counts the term definitions it processes
    (pyld 3.3 re-processes scoped contexts wherever they apply) and checks every expanded
    document before anything is made of it (``to_rdf`` expands through this method too).
    Callers hold canonicalize's pyld lock (the memo, like pyld's caches, has none)."""

    def __init__(self, limits: ProcessingLimits):
        super().__init__()
        self.limits = limits
        self.term_definitions = 0

    def expand(self, input_: Any, options: dict[str, Any]) -> list:
        expanded = super().expand(input_, options)
        check_expanded(expanded, self.limits)
        return expanded

    def _create_term_definition(self, *args: Any, **kwargs: Any) -> Any:
        self._count_term_definitions(1)
        return super()._create_term_definition(*args, **kwargs)

    def _count_term_definitions(self, count: int) -> None:
        self.term_definitions += count
        if self.term_definitions > self.limits.max_term_definitions:
            raise term_definitions_exceeded(self.limits)

    def _process_context(self, active_ctx: Any, local_ctx: Any, options: dict[str, Any],
                         override_protected: bool = False, propagate: bool = True,
                         validate_scoped: bool = True, cycles: set | None = None) -> Any:
        if cycles or not local_ctx or not isinstance(active_ctx, jsonld.frozendict):
            # inside a scoped context's validation, or a plain clone: not worth a key
            return super()._process_context(active_ctx, local_ctx, options, override_protected,
                                            propagate, validate_scoped, cycles)
        key = _memo_key(active_ctx, local_ctx, options,
                        (override_protected, propagate, validate_scoped))
        if key is None:
            return super()._process_context(active_ctx, local_ctx, options, override_protected,
                                            propagate, validate_scoped, cycles)
        hit = _CONTEXT_MEMO.get(key)
        if hit is not None:
            _CONTEXT_MEMO.move_to_end(key)
            self._count_term_definitions(hit[2])
            return hit[1]
        before = self.term_definitions
        result = super()._process_context(active_ctx, local_ctx, options, override_protected,
                                          propagate, validate_scoped, cycles)
        _CONTEXT_MEMO[key] = (active_ctx, result, self.term_definitions - before)
        if len(_CONTEXT_MEMO) > CONTEXT_MEMO_SIZE:
            _CONTEXT_MEMO.popitem(last=False)
        return result


def run_pyld(operation: str, document: Any, loader: Any,
             limits: ProcessingLimits) -> Any:
    """pyld's ``expand`` or ``to_rdf`` of a document within ``limits``, one thread at a time.
    A limit error comes out as itself, not in the JsonLdError pyld wraps it in (e.g. inside a
    scoped context)."""
    try:
        with PYLD_LOCK:
            return getattr(LimitedProcessor(limits), operation)(document, pyld_options(loader))
    except jsonld.JsonLdError as exc:
        cause = limit_error_behind(exc)
        if cause is not None:
            raise cause from None
        raise


def limit_error_behind(exc: BaseException) -> InputTooComplex | None:
    """The InputTooComplex behind an exception pyld raised (it wraps errors), if any."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, InputTooComplex):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def pyld_options(loader: Any) -> dict[str, Any]:
    # base None: pyld would otherwise resolve relative IRIs against its made-up default
    # base "http://example.org/base/", signing data no other implementation produces.
    # Kept relative, they drop out of the dataset (as in jsonld.js) and the undefined-term
    # check reports them.
    return {"documentLoader": loader, "base": None, "produceGeneralizedRdf": False}


def explain_jsonld_error(exc: BaseException) -> str:
    """A readable one-line reason for a pyld failure (it wraps our loader's refusal)."""
    seen = exc
    while seen is not None:
        if isinstance(seen, DocumentLoaderError):
            return str(seen)
        seen = seen.__cause__ or seen.__context__
    if isinstance(exc, jsonld.JsonLdError):
        details = getattr(exc, "details", None) or {}
        code = getattr(exc, "code", None) or getattr(exc, "type", "")
        message = str(exc.args[0]) if exc.args else str(exc)
        extra = f" ({details})" if details else ""
        return f"invalid JSON-LD: {code or message}{extra}"[:400]
    return f"invalid JSON-LD: {exc}"[:400]
