"""RDF Dataset Canonicalization (RDFC-1.0) of JSON-LD documents, and the undefined-term check.

Two jobs, both behind small functions so the engine can be replaced later:

* :func:`canonicalize` turns a JSON-LD document into canonical N-Quads exactly as
  RDFC-1.0 (https://www.w3.org/TR/rdf-canon/) specifies. pyld 3.3 implements the algorithm
  (as URDNA2015) but escapes literals the N-Triples way, writing U+0000-U+001F (other than
  tab, LF, CR) and U+007F raw, where RDFC-1.0 §4.3 ("Canonical N-Quads") requires ``\\b``,
  ``\\f`` or ``\\uXXXX``. The same escaping feeds the blank-node hashes, so we run pyld's
  algorithm with a serializer that escapes as RDFC-1.0 requires, without patching pyld.
* :func:`find_undefined_terms` is the "safe mode" pyld lacks: JSON-LD silently drops
  properties and ``type`` values that no context defines, so they would go unsigned.

Both work within :class:`~issuer.dataintegrity.limits.ProcessingLimits` (``limits=``): input
over a limit raises :class:`~issuer.errors.InputTooComplex` before the work it would cost,
and blank-node hashing stops when its budget is spent (RDFC-1.0 §4 "poison graphs").
"""

from __future__ import annotations

import copy
import hashlib
import types
from typing import Any

import pyld.canon
from pyld import jsonld
from pyld.identifier_issuer import IdentifierIssuer

from issuer.dataintegrity.document_loader import DEFAULT_LOADER, StaticDocumentLoader
from issuer.dataintegrity import fast_rdf, jsonld_plan
from issuer.dataintegrity.jsonld_processor import (  # explain_jsonld_error: re-exported
    PYLD_LOCK,
    explain_jsonld_error,  # noqa: F401
    limit_error_behind,
    run_pyld,
)
from issuer.dataintegrity.limits import (
    DEFAULT_LIMITS,
    ProcessingLimits,
    check_dataset,
    check_json,
    deep_iteration_budget,
    hashing_budget_spent,
)
from issuer.dataintegrity import rdfc
from issuer.dataintegrity.nquads import (  # re-exported: the names callers know
    HASH_ALGORITHMS,
    SHA256,
    SHA384,
    escape_literal,
)
from issuer.errors import InputTooComplex

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _term(component: dict[str, str]) -> str:
    if component["type"] == "IRI":
        return "<" + component["value"] + ">"
    return component["value"]  # blank node: _:label


def serialize_nquad(quad: dict[str, Any], graph_name: str | None = None) -> str:
    """One quad in canonical N-Quads form (same signature as pyld's serializer)."""
    obj = quad["object"]
    if obj["type"] in ("IRI", "blank node"):
        obj_text = _term(obj)
    else:
        obj_text = '"' + escape_literal(obj["value"]) + '"'
        if obj["datatype"] == _RDF_LANGSTRING:
            if obj.get("language"):
                obj_text += "@" + obj["language"]
        elif obj["datatype"] != _XSD_STRING:
            obj_text += "^^<" + obj["datatype"] + ">"
    line = _term(quad["subject"]) + " " + _term(quad["predicate"]) + " " + obj_text
    graph = quad.get("name", {"value": graph_name})["value"]
    if graph is not None:
        line += " " + (graph if graph.startswith("_:") else "<" + graph + ">")
    return line + " .\n"


def _with_rdfc_serializer(function: types.FunctionType) -> types.FunctionType:
    """A copy of a pyld.canon function whose global ``serialize_nquad`` is ours."""
    namespace = dict(vars(pyld.canon), serialize_nquad=serialize_nquad)
    return types.FunctionType(
        function.__code__, namespace, function.__name__, function.__defaults__, function.__closure__
    )


class _RDFC10(pyld.canon.URDNA2015):
    """pyld's URDNA2015 (= RDFC-1.0 with SHA-256) with RDFC-1.0 literal escaping, and a
    budget on Hash N-Degree Quads runs counted as Digital Bazaar's rdf-canonize counts them."""

    main = _with_rdfc_serializer(pyld.canon.URDNA2015.main)
    hash_first_degree_quads = _with_rdfc_serializer(pyld.canon.URDNA2015.hash_first_degree_quads)

    def __init__(self, limits: ProcessingLimits = DEFAULT_LIMITS, hash_algorithm: str = SHA256):
        super().__init__()
        self.limits = limits
        self.hash_algorithm = hash_algorithm
        self.non_unique: int | None = None  # known at the first Hash N-Degree Quads run
        self.budget = 0.0
        self.remaining = 0.0

    def create_hash(self):
        """RDFC-1.0's hash function, SHA-256 unless told (ecdsa-rdfc-2019 P-384: SHA-384)."""
        return hashlib.new(self.hash_algorithm)

    def hash_n_degree_quads(self, id_: str, issuer: IdentifierIssuer) -> dict[str, Any]:
        """RDFC-1.0 §4.8 Hash N-Degree Quads, one run of the budget (recursive runs count).

        The first run comes in step 6 of §4.4.3, when exactly the blank nodes with a unique
        first-degree hash hold canonical labels: the rest are rdf-canonize's "non-unique"
        count, from which the budget follows (:func:`deep_iteration_budget`).
        """
        if self.non_unique is None:
            self.non_unique = len(self.blank_node_info) - len(self.canonical_issuer.existing)
            self.budget = self.remaining = deep_iteration_budget(self.non_unique, self.limits)
        if self.remaining <= 0:
            raise hashing_budget_spent(self.budget, self.non_unique, self.limits)
        self.remaining -= 1
        return self._hash_n_degree_quads(id_, issuer)

    def _hash_n_degree_quads(self, id_: str, issuer: IdentifierIssuer) -> dict[str, Any]:
        # pyld's steps, except that a permutation is abandoned as soon as its path sorts
        # after the chosen path (rdf-canonize does the same; the spec also compares lengths,
        # but a path that already sorts after the chosen one can only stay after it). Same
        # result, and the same number of recursive runs as rdf-canonize, so the budget
        # accepts what rdf-canonize accepts.
        hash_to_related = self.create_hash_to_related(id_, issuer)  # steps 1-3
        md = self.create_hash()
        for related_hash, blank_nodes in sorted(hash_to_related.items()):  # step 5
            md.update(related_hash.encode("utf8"))
            chosen_path, chosen_issuer = "", None
            for permutation in pyld.canon.permutations(blank_nodes):  # 5.4
                issuer_copy = _copy_issuer(issuer)
                path, recursion_list, abandoned = "", [], False
                for related in permutation:  # 5.4.4
                    if self.canonical_issuer.has_id(related):
                        path += self.canonical_issuer.get_id(related)
                    else:
                        if not issuer_copy.has_id(related):
                            recursion_list.append(related)
                        path += issuer_copy.get_id(related)
                    if chosen_path and path > chosen_path:
                        abandoned = True
                        break
                if abandoned:
                    continue
                for related in recursion_list:  # 5.4.5
                    result = self.hash_n_degree_quads(related, issuer_copy)
                    path += issuer_copy.get_id(related) + "<" + result["hash"] + ">"
                    issuer_copy = result["issuer"]
                    if chosen_path and path > chosen_path:
                        abandoned = True
                        break
                if abandoned:
                    continue
                if not chosen_path or path < chosen_path:  # 5.4.6
                    chosen_path, chosen_issuer = path, issuer_copy
            md.update(chosen_path.encode("utf8"))  # 5.5
            issuer = chosen_issuer  # 5.6
        return {"hash": md.hexdigest(), "issuer": issuer}


def _copy_issuer(issuer: IdentifierIssuer) -> IdentifierIssuer:
    """A copy of an identifier issuer (what pyld does with copy.deepcopy, ~10x faster)."""
    copy_ = IdentifierIssuer(issuer.prefix)
    copy_.counter = issuer.counter
    copy_.existing = dict(issuer.existing)
    copy_.order = list(issuer.order)
    return copy_


def to_dataset(
    document: dict[str, Any],
    *,
    loader: StaticDocumentLoader = DEFAULT_LOADER,
    limits: ProcessingLimits = DEFAULT_LIMITS,
) -> dict:
    """The RDF dataset of a JSON-LD document (pyld's internal form).

    The document is checked against ``limits`` as JSON, then expanded and checked again
    (merged nodes) before it is turned into RDF, a step that costs the square of the largest
    property's number of values in pyld."""
    check_json(document, limits)
    return run_pyld("to_rdf", document, loader, limits)


def canonicalize_dataset(dataset: dict, *, limits: ProcessingLimits = DEFAULT_LIMITS,
                         hash_algorithm: str = SHA256) -> str:
    """RDFC-1.0 canonical N-Quads of an RDF dataset (pyld's internal form; it is consumed)."""
    check_dataset(dataset, limits)
    if hash_algorithm not in HASH_ALGORITHMS:
        raise ValueError(f"RDFC-1.0 hash {hash_algorithm!r} is not one of {HASH_ALGORITHMS}")
    return _RDFC10(limits, hash_algorithm).main(dataset, {"format": "application/n-quads"})


def canonicalize(
    document: dict[str, Any],
    *,
    loader: StaticDocumentLoader = DEFAULT_LOADER,
    limits: ProcessingLimits = DEFAULT_LIMITS,
    hash_algorithm: str = SHA256,
) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document. The one canonicalization entry point.

    ``hash_algorithm`` is RDFC-1.0's hash parameter: "sha256" (the default, and what
    eddsa-rdfc-2022 uses) or "sha384" (ecdsa-rdfc-2019 with P-384 keys). It decides the order
    of blank-node labels. Raises InputTooComplex when the document is over one of ``limits``."""
    check_json(document, limits)
    quads = _fast("quads", document, loader, limits)
    if quads is None:
        return canonicalize_reference(document, loader=loader, limits=limits,
                                      hash_algorithm=hash_algorithm)
    return canonical_nquads(quads, limits=limits, hash_algorithm=hash_algorithm)


def canonicalize_reference(
    document: dict[str, Any],
    *,
    loader: StaticDocumentLoader = DEFAULT_LOADER,
    limits: ProcessingLimits = DEFAULT_LIMITS,
    hash_algorithm: str = SHA256,
) -> str:
    """:func:`canonicalize` the general way: pyld's expansion and ``to_rdf``, every call. The
    reference the fast path is tested against, and what it falls back to."""
    dataset = to_dataset(document, loader=loader, limits=limits)
    check_dataset(dataset, limits)
    return canonical_nquads(rdfc.quads_from_dataset(dataset), limits=limits,
                            hash_algorithm=hash_algorithm)


def canonical_nquads(quads: list[tuple[str, str, str, str]], *,
                     hash_algorithm: str = SHA256,
                     limits: ProcessingLimits = DEFAULT_LIMITS) -> str:
    """RDFC-1.0 canonical N-Quads of quads in N-Quads term syntax (see fast_rdf), labelled by
    :func:`issuer.dataintegrity.rdfc.canonical_nquads` with RDFC-1.0's (and rdf-canonize's)
    count of a quad that names one blank node twice: counted once. pyld counts it twice
    (:func:`canonicalize_dataset`, kept as a test reference), which would sign such a
    graph in a way Digital Bazaar's and DCC's verifiers cannot check."""
    return rdfc.canonical_nquads(quads, hash_algorithm=hash_algorithm, limits=limits,
                                 pyld_self_loops=False)


def document_quads(document: dict[str, Any], *, loader: StaticDocumentLoader = DEFAULT_LOADER,
                   limits: ProcessingLimits = DEFAULT_LIMITS
                   ) -> list[tuple[str, str, str, str]] | None:
    """The fast path's quads of a document (N-Quads terms, see fast_rdf), or None when its
    shape takes the reference path."""
    check_json(document, limits)
    return _fast("quads", document, loader, limits)


FAST_PATH_COUNTS = {"fast": 0, "reference": 0}
"""Calls of canonicalize and find_undefined_terms answered by the fast path and by the
reference path in this process (tests assert the fast path is taken)."""


def _fast(kind: str, document: Any, loader: StaticDocumentLoader,
          limits: ProcessingLimits) -> Any:
    """The fast path's quads (``kind`` "quads") or undefined terms ("undefined") of a
    document checked with check_json, or None when its shape takes the reference path.
    Limit errors are raised as the reference path raises them."""
    if not isinstance(document, dict):
        FAST_PATH_COUNTS["reference"] += 1
        return None
    with PYLD_LOCK:
        try:
            plan = jsonld_plan.plan_for(document, loader, limits)
        except InputTooComplex:
            raise
        except Exception as exc:  # invalid JSON-LD: the reference path says why
            cause = limit_error_behind(exc)
            if cause is not None:
                raise cause from None
            plan = None
        try:
            if plan is None or plan is jsonld_plan.FALLBACK:
                result = None
            elif kind == "quads":
                result = fast_rdf.document_quads(document, plan, limits, escape_literal)
            else:
                result = fast_rdf.document_undefined_terms(document, plan, limits)
        except InputTooComplex:
            raise
        except Exception:  # noqa: BLE001 (NotExact, or a value pyld itself refuses: the
            result = None  # reference path answers, or raises the reference's error)
        FAST_PATH_COUNTS["reference" if result is None else "fast"] += 1
    return result


# --- undefined terms ("safe mode") ------------------------------------------------------------

_UNDEFINED = fast_rdf.UNDEFINED


def find_undefined_terms(
    document: dict[str, Any],
    *,
    loader: StaticDocumentLoader = DEFAULT_LOADER,
    limits: ProcessingLimits = DEFAULT_LIMITS,
) -> list[str]:
    """Names of properties and ``type`` values no context defines, plus relative ``id`` values.

    Expands the document with a leading ``@vocab`` that marks every term the document's own
    contexts leave undefined (expansion would otherwise drop it), then collects the marked
    names. Node ids that stay relative IRIs are reported too: RDF has no place for them, so
    they would drop out of the signed data as well. Returns a sorted list; empty means safe.
    Raises InputTooComplex, before expanding, when the JSON is over one of ``limits``.
    """
    check_json(document, limits)
    probe = _probe(document)
    found = _fast("undefined", probe, loader, limits)
    if found is not None:
        return found
    return find_undefined_terms_reference(document, loader=loader, limits=limits)


def _probe(document: dict[str, Any]) -> dict[str, Any]:
    probe = copy.copy(document)
    contexts = probe.get("@context", [])
    if not isinstance(contexts, list):
        contexts = [contexts]
    # First, so a context that sets its own @vocab (defining every term) still wins.
    probe["@context"] = [{"@vocab": _UNDEFINED}, *contexts]
    return probe


def find_undefined_terms_reference(
    document: dict[str, Any],
    *,
    loader: StaticDocumentLoader = DEFAULT_LOADER,
    limits: ProcessingLimits = DEFAULT_LIMITS,
) -> list[str]:
    """:func:`find_undefined_terms` the general way (pyld's expansion of the probe)."""
    check_json(document, limits)
    expanded = run_pyld("expand", _probe(document), loader, limits)
    found: set[str] = set()
    _collect_undefined(expanded, found)
    return sorted(found)


def _collect_undefined(node: Any, found: set[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _collect_undefined(item, found)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key.startswith(_UNDEFINED):
            found.add(key[len(_UNDEFINED) :])
        elif key == "@type" and "@value" not in node:
            for type_iri in value if isinstance(value, list) else [value]:
                if type_iri.startswith(_UNDEFINED):
                    found.add("type " + type_iri[len(_UNDEFINED) :])
        elif key == "@type" and isinstance(value, str) and value.startswith(_UNDEFINED):
            found.add("datatype " + value[len(_UNDEFINED) :])
        elif key == "@id" and isinstance(value, str) and value.startswith(_UNDEFINED):
            found.add("value " + value[len(_UNDEFINED) :])
        elif key == "@id" and isinstance(value, str) and ":" not in value:
            found.add(f"id {value!r} (not an absolute IRI)")
        if key != "@value":
            _collect_undefined(value, found)
