"""Processing limits on untrusted JSON-LD: bounded work, refused with a clear error.

RDFC-1.0 (https://www.w3.org/TR/rdf-canon/, §4 "Dangerous and poison graphs") warns that
blank-node hashing is exponential in the worst case: a credential of 1.9 KB whose subject
holds 8 blank nodes that all refer to each other kept a worker busy for 42 s. Plain size
hurts too: pyld's JSON-LD → RDF step compares every value of a property with every other
(it drops duplicates), so 100,000 strings in one array, or 20,000 blank nodes, take minutes.

Every limit lives in :class:`ProcessingLimits`. An engine honours them in three places,
cheapest first, so over-limit input is refused before the expensive work:

1. :func:`check_json`, on the document as parsed JSON, before any JSON-LD work:
   ``max_depth``, ``max_values``, ``max_array_length``, ``max_string_length``.
   While expanding, ``max_term_definitions`` caps context processing: pyld processes a
   type-scoped context again for every node of that type, so one inline context of 500
   terms used by 200 nodes costs 100,000 term definitions (2.4 s) in a 40 KB document.
2. :func:`check_expanded`, on the expanded document, before it becomes RDF:
   ``max_array_length`` again, for the values one property of one node gathers once nodes
   with the same ``@id`` are merged (16 objects with one id and 250 values each make one
   property of 4,000 values, which pyld dedupes in 4.6 s).
3. :func:`check_dataset`, on the RDF dataset, before canonicalization: ``max_quads``,
   ``max_blank_nodes``; and during canonicalization the Hash N-Degree Quads budget,
   :func:`deep_iteration_budget`, with the semantics of Digital Bazaar's ``rdf-canonize``
   (``maxWorkFactor``, ``maxDeepIterations``, defaults 1 and unset): at most
   ``n ** max_work_factor`` runs of Hash N-Degree Quads in all, recursive runs included,
   where ``n`` is the number of blank nodes whose first-degree hash is not unique. Counted
   the way rdf-canonize counts, whatever that library accepts by default is accepted here,
   and nothing more: its default is strict (two indistinguishable blank nodes pointing at
   each other are refused; identical alignments or results of one achievement pass).

``max_proofs`` is the verifier's (issuer.verification.checks): each proof costs two
canonicalizations. ``max_presentation_credentials`` bounds the credentials of one
presentation (issuer.verification.presentation), :func:`for_presentation` the size of the
presentation as a whole.

Each limit has its own problem-type URI (listed again in the problem-type catalog,
:mod:`issuer.verification.problem_types`); exceeding one raises
:class:`issuer.errors.InputTooComplex` carrying it. The defaults are generous for real
credentials (an Open Badge with 50 alignments and 20 results is ~700 JSON values, ~500 quads
and ~80 blank nodes; a status list credential is one long ``encodedList`` string) and keep
the worst input below them under half a second of CPU in pyld (0.36 s for the worst shape
benchmarks/hostile_input.py knows). A faster canonicalization engine keeps these three checks and
the budget's count, and may raise the size limits; the README's "Processing limits" table
lists them all.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from issuer.errors import InputTooComplex

_PROBLEM = "urn:issuer:problem:"
# One problem type per limit (RFC 9457 ``type``), named after the limit.
NESTING_DEPTH_LIMIT = _PROBLEM + "nesting-depth-limit"
VALUE_COUNT_LIMIT = _PROBLEM + "value-count-limit"
ARRAY_LENGTH_LIMIT = _PROBLEM + "array-length-limit"
STRING_LENGTH_LIMIT = _PROBLEM + "string-length-limit"
TERM_DEFINITION_LIMIT = _PROBLEM + "term-definition-limit"
QUAD_COUNT_LIMIT = _PROBLEM + "quad-count-limit"
BLANK_NODE_COUNT_LIMIT = _PROBLEM + "blank-node-count-limit"
BLANK_NODE_HASHING_LIMIT = _PROBLEM + "blank-node-hashing-limit"
PROOF_COUNT_LIMIT = _PROBLEM + "proof-count-limit"
CREDENTIAL_COUNT_LIMIT = _PROBLEM + "credential-count-limit"
LIMIT_TYPES = frozenset({
    NESTING_DEPTH_LIMIT, VALUE_COUNT_LIMIT, ARRAY_LENGTH_LIMIT, STRING_LENGTH_LIMIT,
    TERM_DEFINITION_LIMIT, QUAD_COUNT_LIMIT, BLANK_NODE_COUNT_LIMIT, BLANK_NODE_HASHING_LIMIT,
    PROOF_COUNT_LIMIT, CREDENTIAL_COUNT_LIMIT,
})


@dataclass(frozen=True)
class ProcessingLimits:
    """How much of a JSON-LD document we are willing to process (see the module docstring).

    Pass another instance as ``limits=`` to the canonicalization, signing and verification
    functions (tests do); everything else uses :data:`DEFAULT_LIMITS`.
    """

    # Objects and arrays nested in each other (the document itself is depth 1). An Open
    # Badge with an embedded endorsement credential is about 10 deep.
    max_depth: int = 32
    # JSON values in the document: every object, array, string, number, boolean and null.
    # The 1EdTech "complete" example has 553.
    max_values: int = 5_000
    # Items of one array; and values of one property of one node after merging nodes with the
    # same id. Bounds pyld's quadratic duplicate check (19 × 255 values: 0.36 s of CPU).
    max_array_length: int = 256
    # Characters of one string (object keys included): a data: URL of a 768 KiB image fits.
    max_string_length: int = 1_048_576
    # Term definitions one JSON-LD expansion may process (contexts, scoped ones each time they
    # apply). An Open Badge with 50 alignments needs ~930.
    max_term_definitions: int = 20_000
    # RDF quads of the dataset to canonicalize.
    max_quads: int = 10_000
    # Distinct blank nodes of that dataset.
    max_blank_nodes: int = 1_000
    # rdf-canonize's maxWorkFactor: n ** factor Hash N-Degree Quads runs for n non-unique
    # blank nodes (0: none allowed; math.inf: no limit).
    max_work_factor: float = 1
    # rdf-canonize's maxDeepIterations: an exact number of runs, overriding the work factor.
    max_deep_iterations: int | None = None
    # Proofs on one document a verifier will check (each costs two canonicalizations).
    max_proofs: int = 8
    # Credentials in one presentation a verifier will check. Each is verified under these
    # limits; the presentation's own proof covers them all, so it is checked under the size
    # limits (values, term definitions, quads, blank nodes) times 1 + that many credentials.
    max_presentation_credentials: int = 8


DEFAULT_LIMITS = ProcessingLimits()


def for_presentation(limits: ProcessingLimits, credentials: int) -> ProcessingLimits:
    """The limits for a presentation holding ``credentials`` credentials (at most
    ``max_presentation_credentials``): the size limits of one document, times one plus that
    many, since its proof covers every credential in it. The other limits stay."""
    factor = 1 + max(0, min(credentials, limits.max_presentation_credentials))
    return dataclasses.replace(
        limits, max_values=limits.max_values * factor,
        max_term_definitions=limits.max_term_definitions * factor,
        max_quads=limits.max_quads * factor, max_blank_nodes=limits.max_blank_nodes * factor)


# --- 1. the parsed JSON -------------------------------------------------------------------


def _path(trail: tuple | None) -> str:
    """``$.a.b[2]`` from a (parent trail, key) chain."""
    keys = []
    while trail is not None:
        trail, key = trail
        keys.append(f"[{key}]" if isinstance(key, int) else f".{key}")
    return "$" + "".join(reversed(keys))


def check_json(document: Any, limits: ProcessingLimits = DEFAULT_LIMITS) -> None:
    """Raise InputTooComplex if the parsed JSON is too deep, too large, has too long an array
    or too long a string. Iterative, and it stops at the first limit, so any input is cheap."""
    values = 0
    stack: list[tuple[Any, int, tuple | None]] = [(document, 1, None)]
    while stack:
        value, depth, trail = stack.pop()
        values += 1
        if values > limits.max_values:
            raise InputTooComplex(
                f"the document has more than {limits.max_values:,} JSON values "
                "(objects, arrays, strings, numbers); that is more than this service processes",
                limit="max_values", maximum=limits.max_values, problem_type=VALUE_COUNT_LIMIT)
        if isinstance(value, str):
            _check_string(value, trail, limits)
            continue
        if not isinstance(value, (dict, list)):
            continue
        if depth > limits.max_depth:
            raise InputTooComplex(
                f"{_path(trail)} is nested {depth} levels deep; at most {limits.max_depth} "
                "levels of objects and arrays are processed",
                limit="max_depth", maximum=limits.max_depth, problem_type=NESTING_DEPTH_LIMIT)
        if isinstance(value, list):
            if len(value) > limits.max_array_length:
                raise _array_too_long(_path(trail), len(value), limits)
            stack.extend((item, depth + 1, (trail, index)) for index, item in enumerate(value))
        else:
            for key, item in value.items():
                _check_string(key, trail, limits)
                stack.append((item, depth + 1, (trail, key)))


def _check_string(value: str, trail: tuple | None, limits: ProcessingLimits) -> None:
    if len(value) > limits.max_string_length:
        raise InputTooComplex(
            f"a string at {_path(trail)} has {len(value):,} characters; at most "
            f"{limits.max_string_length:,} are processed",
            limit="max_string_length", maximum=limits.max_string_length,
            problem_type=STRING_LENGTH_LIMIT)


def term_definitions_exceeded(limits: ProcessingLimits) -> InputTooComplex:
    """The error for a JSON-LD expansion that processed too many term definitions."""
    return InputTooComplex(
        f"the document's @context definitions take more than {limits.max_term_definitions:,} "
        "term definitions to process (contexts applied again and again, e.g. type-scoped "
        "ones on many nodes); that is more than this service processes",
        limit="max_term_definitions", maximum=limits.max_term_definitions,
        problem_type=TERM_DEFINITION_LIMIT)


def _array_too_long(where: str, length: int, limits: ProcessingLimits) -> InputTooComplex:
    return InputTooComplex(
        f"{where} has {length:,} values; at most {limits.max_array_length:,} values of one "
        "property are processed",
        limit="max_array_length", maximum=limits.max_array_length, problem_type=ARRAY_LENGTH_LIMIT)


# --- 2. the expanded document --------------------------------------------------------------


def check_expanded(expanded: Any, limits: ProcessingLimits = DEFAULT_LIMITS) -> None:
    """Raise InputTooComplex if one property of one node would gather more than
    ``max_array_length`` values once JSON-LD merges the node objects that share an ``@id``
    (JSON-LD expanded form: every value is an array, every key an IRI or keyword)."""
    counts: Counter = Counter()
    anonymous = itertools.count()
    stack = [expanded]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
            continue
        if not isinstance(item, dict) or "@value" in item:
            continue
        if "@list" in item:  # list items are kept in order, never deduplicated
            stack.append(item["@list"])
            continue
        node_id = item.get("@id")
        node = node_id if isinstance(node_id, str) else next(anonymous)
        for key, values in item.items():
            values = values if isinstance(values, list) else [values]
            if key == "@reverse" and isinstance(item[key], dict):
                for prop, referrers in item[key].items():
                    for referrer in referrers if isinstance(referrers, list) else [referrers]:
                        ref_id = referrer.get("@id") if isinstance(referrer, dict) else None
                        target = ref_id if isinstance(ref_id, str) else next(anonymous)
                        _count(counts, (target, prop), 1, limits)
                        stack.append(referrer)
            elif key in ("@graph", "@included"):
                stack.extend(values)
            elif key == "@type" or not key.startswith("@"):
                _count(counts, (node, key), len(values), limits)
                if key != "@type":
                    stack.extend(values)


def _count(counts: Counter, slot: tuple, added: int, limits: ProcessingLimits) -> None:
    counts[slot] += added
    if counts[slot] > limits.max_array_length:
        raise merged_values_exceeded(*slot, counts[slot], limits)


def merged_values_exceeded(node: Any, prop: str, count: int,
                           limits: ProcessingLimits) -> InputTooComplex:
    """The error for ``count`` values of property ``prop`` of one node (its id, or anything
    else for a blank node), over ``max_array_length``."""
    where = f"property <{prop}> of " + (f"node <{node}>" if isinstance(node, str)
                                        else "a blank node")
    return _array_too_long(where, count, limits)


# --- 3. the RDF dataset and the blank-node hashing -----------------------------------------


def check_dataset(
    dataset: dict[str, list[dict]], limits: ProcessingLimits = DEFAULT_LIMITS
) -> None:
    """Raise InputTooComplex if the RDF dataset (pyld's form: graph name → triples) has too
    many quads or blank nodes to canonicalize."""
    quads = sum(len(triples) for triples in dataset.values())
    check_quad_count(quads, limits)
    blank = {name for name in dataset if name.startswith("_:")}
    for triples in dataset.values():
        for triple in triples:
            for position in ("subject", "object"):
                if triple[position]["type"] == "blank node":
                    blank.add(triple[position]["value"])
    check_blank_node_count(len(blank), limits)


def check_quad_count(quads: int, limits: ProcessingLimits = DEFAULT_LIMITS) -> None:
    """Raise InputTooComplex for a dataset of more than ``max_quads`` quads."""
    if quads > limits.max_quads:
        raise InputTooComplex(
            f"the document makes {quads:,} RDF statements; at most {limits.max_quads:,} "
            "are canonicalized",
            limit="max_quads", maximum=limits.max_quads, problem_type=QUAD_COUNT_LIMIT)


def check_blank_node_count(blank_nodes: int, limits: ProcessingLimits = DEFAULT_LIMITS) -> None:
    """Raise InputTooComplex for a dataset of more than ``max_blank_nodes`` blank nodes."""
    if blank_nodes > limits.max_blank_nodes:
        raise InputTooComplex(
            f"the document has {blank_nodes:,} blank nodes (objects without an id); at most "
            f"{limits.max_blank_nodes:,} are canonicalized",
            limit="max_blank_nodes", maximum=limits.max_blank_nodes,
            problem_type=BLANK_NODE_COUNT_LIMIT)


def deep_iteration_budget(non_unique: int, limits: ProcessingLimits = DEFAULT_LIMITS) -> float:
    """How many Hash N-Degree Quads runs canonicalization may make in all, for ``non_unique``
    blank nodes left without a canonical label after the first-degree hashes (as
    rdf-canonize computes ``maxDeepIterations`` from ``maxWorkFactor``)."""
    if limits.max_deep_iterations is not None and limits.max_deep_iterations >= 0:
        return limits.max_deep_iterations
    if limits.max_work_factor == 0:
        return 0
    if math.isinf(limits.max_work_factor):
        return math.inf
    return non_unique ** limits.max_work_factor


def hashing_budget_spent(
    budget: float, non_unique: int, limits: ProcessingLimits
) -> InputTooComplex:
    """The error for a spent Hash N-Degree Quads budget."""
    return InputTooComplex(
        f"the document's {non_unique:,} indistinguishable blank nodes are linked so densely "
        f"that labelling them needs more than {budget:,.0f} rounds of blank-node hashing "
        f"(work factor {limits.max_work_factor:g}): a 'poison graph' (RDFC-1.0 §4) this "
        "service does not canonicalize",
        limit="max_work_factor", maximum=budget, problem_type=BLANK_NODE_HASHING_LIMIT)
