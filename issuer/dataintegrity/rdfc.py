"""RDFC-1.0 (https://www.w3.org/TR/rdf-canon/) over quads given as N-Quads terms: the fast path.

:func:`canonical_nquads` does what :func:`issuer.dataintegrity.canonicalize.canonicalize_dataset`
does (pyld's URDNA2015 with RDFC-1.0 escaping and the Hash N-Degree Quads budget), byte for
byte, without pyld's dictionaries: every term is already the string N-Quads writes, so a
first-degree hash is string substitution (``_:a`` / ``_:z``) and one sort, and the canonical
form is one more substitution and one sort. Credentials usually have a handful of blank nodes
whose first-degree hashes are all unique: then no Hash N-Degree Quads run is needed at all.
When some are not unique, Hash N-Degree Quads (§4.8) runs here too, exactly as the reference
runs it (same permutation order, same early abandoning of a path that sorts after the chosen
one), so it spends the budget of :mod:`issuer.dataintegrity.limits` run for run and refuses
a poison graph with the same InputTooComplex.

One quirk of the reference is kept by default, for byte-identity with it: pyld lists a quad
once per blank-node *position* it holds, so a quad naming the same blank node twice
(``_:x <p> _:x``, or ``_:g`` as subject and graph) counts twice in that blank node's hashes.
RDFC-1.0 (§4.4.3 step 2.1: a reference to the quad for each blank node in it) and
rdf-canonize list it once, and such datasets then canonicalize differently (118 of 171
generated ones with such quads). ``pyld_self_loops=False`` follows the spec and rdf-canonize
instead (tests/interop/test_rdfc_differential.py). Our own credentials never hold such a quad
(it needs an explicit ``_:`` id referring to itself).

:func:`quads_from_dataset` turns pyld's dataset form (``to_rdf`` output) into the tuples.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from pyld.canon import permutations

from issuer.dataintegrity.nquads import HASH_ALGORITHMS, escape_literal
from issuer.dataintegrity.limits import (
    DEFAULT_LIMITS,
    ProcessingLimits,
    check_blank_node_count,
    check_quad_count,
    deep_iteration_budget,
    hashing_budget_spent,
)

Quad = tuple[str, str, str, str]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_HASHES = {"sha256": hashlib.sha256, "sha384": hashlib.sha384}
assert set(_HASHES) == set(HASH_ALGORITHMS)


def _line(s: str, p: str, o: str, g: str) -> str:
    return f"{s} {p} {o} {g} .\n" if g else f"{s} {p} {o} .\n"


def canonical_nquads(
    quads: Iterable[Quad],
    *,
    hash_algorithm: str = "sha256",
    limits: ProcessingLimits = DEFAULT_LIMITS,
    pyld_self_loops: bool = True,
) -> str:
    """RDFC-1.0 canonical N-Quads of a dataset given as quads; the same string as the pyld path.

    The tuple contract: each quad is ``(subject, predicate, object, graph)``, four ``str``
    already in canonical N-Quads term syntax, with no surrounding whitespace:

    * subject: ``<iri>`` or ``_:label``;
    * predicate: ``<iri>``;
    * object: ``<iri>``, ``_:label``, or a literal ``"lexical"`` (xsd:string: no datatype
      written), ``"lexical"@lang`` (rdf:langString) or ``"lexical"^^<datatype>``, where
      ``lexical`` is already escaped by :func:`issuer.dataintegrity.canonicalize.escape_literal`
      (RDFC-1.0 §4.3; so it holds no raw ``"``, ``\\``, LF, CR or control character);
    * graph: ``""`` for the default graph, else ``<iri>`` or ``_:label``.

    IRIs are written as is (N-Quads does not escape them, nor does the reference). Labels are
    any ``_:`` labels; they only need to be consistent within the call. Duplicate quads count
    once (a dataset is a set). Terms are not validated: a caller passing anything else gets
    the canonical form of that anything else.

    ``hash_algorithm`` is RDFC-1.0's hash parameter, "sha256" or "sha384". Raises
    InputTooComplex over ``limits.max_quads`` or ``limits.max_blank_nodes``, or when
    labelling the blank nodes would take more Hash N-Degree Quads runs than the budget
    (:func:`issuer.dataintegrity.limits.deep_iteration_budget`) allows.
    ``pyld_self_loops``: count a quad that names one blank node twice once per position, as
    pyld (the reference) does (default), or once, as RDFC-1.0 and rdf-canonize do (module
    docstring).
    """
    new_hash = _HASHES.get(hash_algorithm)
    if new_hash is None:
        raise ValueError(f"RDFC-1.0 hash {hash_algorithm!r} is not one of {HASH_ALGORITHMS}")
    quads = list(dict.fromkeys(quads))
    check_quad_count(len(quads), limits)
    # blank node -> indexes of its quads, once per position it holds (the reference's count)
    info: dict[str, list[int]] = {}
    plain: list[str] = []  # lines of quads without blank nodes: they never change
    for index, (s, p, o, g) in enumerate(quads):
        found = False
        if s[0] == "_":
            info.setdefault(s, []).append(index)
            found = True
        if o[0] == "_":
            if pyld_self_loops or o != s:
                info.setdefault(o, []).append(index)
            found = True
        if g[:1] == "_":
            if pyld_self_loops or (g != s and g != o):
                info.setdefault(g, []).append(index)
            found = True
        if not found:
            plain.append(_line(s, p, o, g))
    if not info:
        plain.sort()
        return "".join(plain)
    check_blank_node_count(len(info), limits)
    state = _State(quads, info, new_hash, limits)
    canonical = state.label()
    lines = plain
    for s, p, o, g in quads:
        if s[0] == "_" or o[0] == "_" or g[:1] == "_":
            lines.append(_line(canonical.get(s, s), p, canonical.get(o, o),
                               canonical.get(g, g)))
    lines.sort()
    return "".join(lines)


class _State:
    """One canonicalization: the blank nodes' quads, their first-degree hashes, the
    canonical issuer (an insertion-ordered dict label → c14n label) and the budget."""

    def __init__(self, quads: list[Quad], info: dict[str, list[int]], new_hash: Any,
                 limits: ProcessingLimits):
        self.quads = quads
        self.info = info
        self.new_hash = new_hash
        self.limits = limits
        self.first_degree: dict[str, str] = {}
        self.canonical: dict[str, str] = {}
        self.remaining = 0.0
        self.budget = 0.0
        self.non_unique = 0

    def hash_first_degree(self, node: str) -> str:
        """§4.6 Hash First Degree Quads."""
        lines = []
        quads = self.quads
        for index in self.info[node]:
            s, p, o, g = quads[index]
            if s[0] == "_":
                s = "_:a" if s == node else "_:z"
            if o[0] == "_":
                o = "_:a" if o == node else "_:z"
            if g:
                if g[0] == "_":
                    g = "_:a" if g == node else "_:z"
                lines.append(f"{s} {p} {o} {g} .\n")
            else:
                lines.append(f"{s} {p} {o} .\n")
        lines.sort()
        return self.new_hash("".join(lines).encode()).hexdigest()

    def label(self) -> dict[str, str]:
        """§4.4 steps 3-6: every blank node's canonical label."""
        first_degree = self.first_degree
        by_hash: dict[str, list[str]] = {}
        for node in self.info:
            digest = first_degree[node] = self.hash_first_degree(node)
            by_hash.setdefault(digest, []).append(node)
        canonical = self.canonical
        shared = []
        for digest in sorted(by_hash):
            nodes = by_hash[digest]
            if len(nodes) == 1:
                canonical[nodes[0]] = f"_:c14n{len(canonical)}"
            else:
                shared.append(nodes)
        if not shared:
            return canonical
        self.non_unique = len(self.info) - len(canonical)
        self.budget = self.remaining = deep_iteration_budget(self.non_unique, self.limits)
        for nodes in shared:  # step 6, in hash order
            results = []
            for node in nodes:
                if node in canonical:
                    continue
                results.append(self.hash_n_degree(node, {node: "_:b0"}))
            results.sort(key=lambda result: result[0])
            for _digest, issuer in results:
                for existing in issuer:
                    if existing not in canonical:
                        canonical[existing] = f"_:c14n{len(canonical)}"
        return canonical

    def hash_related(self, related: str, predicate: str, issuer: dict[str, str],
                     position: str) -> str:
        """§4.7 Hash Related Blank Node."""
        label = (self.canonical.get(related) or issuer.get(related)
                 or self.first_degree[related])
        if position == "g":
            return self.new_hash((position + label).encode()).hexdigest()
        return self.new_hash((position + predicate + label).encode()).hexdigest()

    def hash_n_degree(self, node: str, issuer: dict[str, str]) -> tuple[str, dict[str, str]]:
        """§4.8 Hash N-Degree Quads, one run of the budget (recursive runs count), with the
        reference's permutation order and early abandoning."""
        if self.remaining <= 0:
            raise hashing_budget_spent(self.budget, self.non_unique, self.limits)
        self.remaining -= 1
        related_by_hash: dict[str, list[str]] = {}
        quads = self.quads
        for index in self.info[node]:  # steps 1-3
            s, p, o, g = quads[index]
            for component, position in ((s, "s"), (o, "o"), (g, "g")):
                if component[:1] == "_" and component != node:
                    digest = self.hash_related(component, p, issuer, position)
                    related_by_hash.setdefault(digest, []).append(component)
        canonical = self.canonical
        md = self.new_hash()
        for related_hash in sorted(related_by_hash):  # step 5
            md.update(related_hash.encode())
            chosen_path, chosen_issuer = "", None
            for permutation in permutations(related_by_hash[related_hash]):  # 5.4
                issuer_copy = dict(issuer)
                path, recursion_list, abandoned = "", [], False
                for related in permutation:  # 5.4.4
                    label = canonical.get(related)
                    if label is None:
                        label = issuer_copy.get(related)
                        if label is None:
                            recursion_list.append(related)
                            label = issuer_copy[related] = f"_:b{len(issuer_copy)}"
                    path += label
                    if chosen_path and path > chosen_path:
                        abandoned = True
                        break
                if abandoned:
                    continue
                for related in recursion_list:  # 5.4.5
                    result_hash, result_issuer = self.hash_n_degree(related, issuer_copy)
                    path += issuer_copy[related] + "<" + result_hash + ">"
                    issuer_copy = result_issuer
                    if chosen_path and path > chosen_path:
                        abandoned = True
                        break
                if abandoned:
                    continue
                if not chosen_path or path < chosen_path:  # 5.4.6
                    chosen_path, chosen_issuer = path, issuer_copy
            md.update(chosen_path.encode())  # 5.5
            issuer = chosen_issuer  # 5.6
        return md.hexdigest(), issuer


# --- pyld's dataset form → quads --------------------------------------------------------------


def _term(component: dict[str, Any]) -> str:
    if component["type"] == "IRI":
        return "<" + component["value"] + ">"
    if component["type"] == "blank node":
        return component["value"]
    text = '"' + escape_literal(component["value"]) + '"'
    if component["datatype"] == _RDF_LANGSTRING:
        return text + "@" + component["language"] if component.get("language") else text
    if component["datatype"] != _XSD_STRING:
        return text + "^^<" + component["datatype"] + ">"
    return text


def quads_from_dataset(dataset: dict[str, list[dict[str, Any]]]) -> list[Quad]:
    """The quads of an RDF dataset in pyld's form (graph name, ``"@default"`` for the default
    graph → triples of ``{"type", "value", "datatype"?, "language"?}`` dicts), as
    :func:`canonical_nquads` takes them; literals escaped as the reference serializer does."""
    quads = []
    for name, triples in dataset.items():
        graph = "" if name == "@default" else (name if name.startswith("_:") else f"<{name}>")
        for triple in triples:
            quads.append((_term(triple["subject"]), "<" + triple["predicate"]["value"] + ">",
                          _term(triple["object"]), graph))
    return quads
