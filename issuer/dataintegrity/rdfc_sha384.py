"""RDFC-1.0 with SHA-384 as its hash function, which ecdsa-rdfc-2019 requires for P-384 keys.

https://www.w3.org/TR/vc-di-ecdsa/#canon-and-hash: "For P-384 keys, SHA-2 with 384-bits of
output MUST be used, specified via the RDFC-1.0 implementation-specific parameter." The hash
decides the order of blank-node labels, so a document with blank nodes canonicalizes
differently (the W3C P-384 "employ" vector shows it; Digital Bazaar does the same).

:func:`issuer.dataintegrity.canonicalize.canonicalize` is the one entry point for SHA-256 and
takes no hash parameter yet, so this module runs pyld's algorithm with SHA-384 and the same
RDFC-1.0 literal escaping (its public ``serialize_nquad``). The dataset comes from the same
``to_dataset``. Blank-node hashing is bounded here on its own: every Hash N-Degree Quads run
and every permutation it tries costs one unit of :data:`WORK_BUDGET` (poison graphs, RDFC-1.0
§4). When ``canonicalize()`` grows a hash parameter, this module should become a call to it.
"""

from __future__ import annotations

import hashlib
import types
from contextvars import ContextVar
from typing import Any

import pyld.canon

from issuer.dataintegrity.canonicalize import serialize_nquad, to_dataset
from issuer.dataintegrity.document_loader import DEFAULT_LOADER, StaticDocumentLoader
from issuer.dataintegrity.processing_errors import PROOF_TRANSFORMATION_ERROR, ProofError

WORK_BUDGET = 20_000  # Hash N-Degree Quads runs + permutations; a credential needs a handful

_remaining: ContextVar[list[int]] = ContextVar("rdfc_sha384_work")  # [budget, remaining]


def _spend() -> None:
    budget = _remaining.get()
    budget[1] -= 1
    if budget[1] < 0:
        raise ProofError(
            f"the document's blank nodes take more than {budget[0]} steps of RDFC-1.0 "
            "blank-node hashing (a poison graph?)", PROOF_TRANSFORMATION_ERROR,
        )


def _counted_permutations(elements: list[str]):
    for permutation in pyld.canon.permutations(elements):
        _spend()
        yield permutation


_NAMESPACE = dict(vars(pyld.canon), serialize_nquad=serialize_nquad,
                  permutations=_counted_permutations)


def _rebound(function: types.FunctionType) -> types.FunctionType:
    """A copy of a pyld.canon method that uses our serializer and counted permutations."""
    return types.FunctionType(function.__code__, _NAMESPACE, function.__name__,
                              function.__defaults__, function.__closure__)


class _RDFC10SHA384(pyld.canon.URDNA2015):
    main = _rebound(pyld.canon.URDNA2015.main)
    hash_first_degree_quads = _rebound(pyld.canon.URDNA2015.hash_first_degree_quads)
    _hash_n_degree_quads = _rebound(pyld.canon.URDNA2015.hash_n_degree_quads)

    def create_hash(self):
        return hashlib.sha384()

    def hash_n_degree_quads(self, id_: str, issuer: Any) -> dict[str, Any]:
        _spend()
        return self._hash_n_degree_quads(id_, issuer)


def canonicalize_sha384(
    document: dict[str, Any], *, loader: StaticDocumentLoader = DEFAULT_LOADER,
    work_budget: int = WORK_BUDGET,
) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document, with SHA-384 as the hash function.
    Raises ProofError (PROOF_TRANSFORMATION_ERROR) when blank-node hashing is over budget."""
    dataset = to_dataset(document, loader=loader)
    token = _remaining.set([work_budget, work_budget])
    try:
        return _RDFC10SHA384().main(dataset, {"format": "application/n-quads"})
    finally:
        _remaining.reset(token)
