"""Processing limits: every limit refuses what is over it, with its problem type, before the
work it would cost; what is under it canonicalizes exactly as before."""

from __future__ import annotations

import dataclasses
import math
import random
import time

import pyld.canon
import pytest
from pyld.nquads import parse_nquads

from issuer.dataintegrity import limits as lim
from issuer.dataintegrity.canonicalize import (
    canonicalize,
    canonicalize_dataset,
    find_undefined_terms,
)
from issuer.dataintegrity.limits import DEFAULT_LIMITS, ProcessingLimits
from issuer.errors import InputTooComplex, InvalidRequest
from tests.hostile import clique, clique_credential, large_open_badge, without_proof

CONTEXT = {"k": "https://schema.org/k", "r": "https://schema.org/r"}
# A context no loader serves: had any JSON-LD work started, it would fail on this first.
UNLOADABLE = "https://contexts.example.org/never-fetched.jsonld"


def doc(context=CONTEXT, **body):
    return {"@context": context, "@id": "urn:example:root", **body}


def refused(call, *args, **kwargs) -> InputTooComplex:
    with pytest.raises(InputTooComplex) as caught:
        call(*args, **kwargs)
    return caught.value


def test_limits_are_a_frozen_dataclass_with_documented_defaults():
    assert DEFAULT_LIMITS == ProcessingLimits()
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_LIMITS.max_values = 1  # type: ignore[misc]
    assert (DEFAULT_LIMITS.max_work_factor, DEFAULT_LIMITS.max_deep_iterations) == (1, None)
    assert issubclass(InputTooComplex, InvalidRequest) and InputTooComplex.status == 422


# -- 1. the parsed JSON, before any JSON-LD work --------------------------------------------

# Each limit: (a document, the tightest limits it passes, its problem type). One less fails.
JSON_CASES = {
    # root 1, {"r": 2, {"r": 3 (the @context object is at depth 2)
    "max_depth": (doc(r={"r": {"k": "x"}}), ProcessingLimits(max_depth=3),
                  lim.NESTING_DEPTH_LIMIT),
    # root, @context object and its 2 strings, @id, the array and its 10 strings: 16
    "max_values": (doc(k=[str(i) for i in range(10)]), ProcessingLimits(max_values=16),
                   lim.VALUE_COUNT_LIMIT),
    "max_array_length": (doc(k=["a", "b", "c", "d"]), ProcessingLimits(max_array_length=4),
                         lim.ARRAY_LENGTH_LIMIT),
    "max_string_length": (doc(k="x" * 30), ProcessingLimits(max_string_length=30),
                          lim.STRING_LENGTH_LIMIT),
}


@pytest.mark.parametrize("limit", JSON_CASES)
def test_each_json_limit_is_exact(limit):
    document, limits, problem_type = JSON_CASES[limit]
    lim.check_json(document, limits)
    assert canonicalize(document, limits=limits)
    tighter = dataclasses.replace(limits, **{limit: getattr(limits, limit) - 1})
    error = refused(lim.check_json, document, tighter)
    assert (error.limit, error.problem_type, error.maximum) == \
        (limit, problem_type, getattr(tighter, limit))


@pytest.mark.parametrize("limit", JSON_CASES)
@pytest.mark.parametrize("entry", [canonicalize, find_undefined_terms])
def test_json_limits_refuse_before_any_json_ld_work(limit, entry):
    document, limits, problem_type = JSON_CASES[limit]
    document = {**document, "@context": UNLOADABLE}  # JSON-LD work would fail on it first
    tight = dataclasses.replace(limits, **{limit: 1})
    assert refused(entry, document, limits=tight).problem_type == problem_type


def test_object_keys_count_as_strings():
    error = refused(lim.check_json, {"k" * 20: 1}, ProcessingLimits(max_string_length=8))
    assert error.problem_type == lim.STRING_LENGTH_LIMIT


def test_the_error_names_where_the_limit_was_hit():
    error = refused(lim.check_json, {"a": [{"b": list(range(5))}]},
                    ProcessingLimits(max_array_length=4))
    assert "$.a[0].b has 5 values; at most 4" in str(error)


def test_a_hostile_document_is_refused_in_a_fraction_of_its_size():
    # 100,000 strings: pyld alone needs minutes for this array. The JSON check stops at once.
    started = time.perf_counter()
    error = refused(canonicalize, doc(k=[f"s{i}" for i in range(100_000)]))
    assert time.perf_counter() - started < 1
    assert error.problem_type == lim.ARRAY_LENGTH_LIMIT
    deep: dict = {"k": "x"}
    for _ in range(10_000):  # deeper than Python's recursion limit: the walk is iterative
        deep = {"r": deep}
    assert refused(canonicalize, doc(**deep)).problem_type == lim.NESTING_DEPTH_LIMIT


# -- 2. the expanded document: nodes with one id merge --------------------------------------


def test_values_merged_from_objects_with_one_id_are_counted_together():
    # 16 objects x 250 values: every array is short, but JSON-LD merges them into one node
    # whose one property has 4,000 values (4.6 s in pyld's duplicate check).
    merged = doc(r=[{"@id": "urn:example:x", "k": [f"s{j}-{i}" for j in range(250)]}
                    for i in range(16)])
    error = refused(canonicalize, merged)
    assert error.problem_type == lim.ARRAY_LENGTH_LIMIT
    assert "property <https://schema.org/k> of node <urn:example:x>" in str(error)
    distinct = doc(r=[{"@id": f"urn:example:x{i}", "k": [f"s{j}" for j in range(10)]}
                      for i in range(16)])
    assert canonicalize(distinct, limits=ProcessingLimits(max_array_length=16))


def test_reverse_properties_count_on_the_node_they_point_at():
    context = {**CONTEXT, "isKnownBy": {"@reverse": "https://schema.org/r"}}
    people = [{"@id": f"urn:example:p{i}", "isKnownBy": {"@id": "urn:example:star"}}
              for i in range(5)]
    document = {"@context": context, "@id": "urn:example:root", "r": people[:3],
                "https://schema.org/s": people[3:]}  # no array longer than 3
    error = refused(canonicalize, document, limits=ProcessingLimits(max_array_length=4))
    assert "property <https://schema.org/r> of node <urn:example:star>" in str(error)
    assert canonicalize(document, limits=ProcessingLimits(max_array_length=5))


def test_lists_are_not_merged_values():
    document = doc(k={"@list": [str(i) for i in range(10)]})
    assert canonicalize(document, limits=ProcessingLimits(max_array_length=10))


# -- contexts: term definitions processed while expanding -----------------------------------


def scoped_context_document(terms: int, nodes: int) -> dict:
    scoped = {f"t{i}": f"https://schema.org/t{i}" for i in range(terms)}
    context = {**CONTEXT, "T": {"@id": "https://schema.org/T", "@context": scoped}}
    return {"@context": context, "@id": "urn:example:root",
            "r": [{"@type": "T", "t1": f"v{i}"} for i in range(nodes)]}


@pytest.mark.parametrize("entry", [canonicalize, find_undefined_terms])
def test_a_scoped_context_applied_over_and_over_is_refused(entry):
    # 40 KB of JSON, 100,000 term definitions (each node re-processes the scoped context).
    error = refused(entry, scoped_context_document(500, 200))
    assert error.problem_type == lim.TERM_DEFINITION_LIMIT
    small = ProcessingLimits(max_term_definitions=50)
    assert refused(entry, scoped_context_document(10, 10), limits=small).limit == \
        "max_term_definitions"
    assert entry(scoped_context_document(10, 10), limits=ProcessingLimits(
        max_term_definitions=500)) is not None


# -- 3. the dataset: quads and blank nodes ---------------------------------------------------


def test_quad_limit():
    document = doc(k=[str(i) for i in range(10)])  # 10 statements
    assert canonicalize(document, limits=ProcessingLimits(max_quads=10)).count("\n") == 10
    error = refused(canonicalize, document, limits=ProcessingLimits(max_quads=9))
    assert (error.limit, error.problem_type) == ("max_quads", lim.QUAD_COUNT_LIMIT)


def test_blank_node_limit():
    document = doc(r=[{"k": str(i)} for i in range(4)])  # 4 blank nodes
    assert canonicalize(document, limits=ProcessingLimits(max_blank_nodes=4))
    error = refused(canonicalize, document, limits=ProcessingLimits(max_blank_nodes=3))
    assert (error.limit, error.problem_type) == ("max_blank_nodes", lim.BLANK_NODE_COUNT_LIMIT)


def test_20000_blank_nodes_are_refused_at_once():
    started = time.perf_counter()
    error = refused(canonicalize, doc(r=[{"k": f"v{i}"} for i in range(20_000)]))
    assert time.perf_counter() - started < 1
    assert error.problem_type == lim.ARRAY_LENGTH_LIMIT


# -- the Hash N-Degree Quads budget (rdf-canonize's maxWorkFactor) --------------------------

TWO_CYCLE = "_:a <http://example.org/p> _:b .\n_:b <http://example.org/p> _:a .\n"


def canon(nquads: str, **limits) -> str:
    return canonicalize_dataset(parse_nquads(nquads), limits=ProcessingLimits(**limits))


def test_the_8_clique_is_refused_within_a_second():
    started = time.perf_counter()
    error = refused(canonicalize, without_proof(clique_credential(8)))
    assert time.perf_counter() - started < 1  # the bound; it was 42 s
    assert (error.limit, error.problem_type) == ("max_work_factor", lim.BLANK_NODE_HASHING_LIMIT)
    assert "8 indistinguishable blank nodes" in str(error)


def test_the_budget_counts_runs_as_rdf_canonize_does():
    # Two blank nodes pointing at each other: 2 non-unique nodes, so a budget of 2 runs by
    # default; labelling them takes 4 (rdf-canonize 5.0.0 refuses it alike, see
    # tests/interop/test_rdfc_limits.py).
    assert refused(canon, TWO_CYCLE).problem_type == lim.BLANK_NODE_HASHING_LIMIT
    assert refused(canon, TWO_CYCLE, max_deep_iterations=3).maximum == 3
    assert canon(TWO_CYCLE, max_deep_iterations=4) == \
        "_:c14n0 <http://example.org/p> _:c14n1 .\n_:c14n1 <http://example.org/p> _:c14n0 .\n"
    assert canon(TWO_CYCLE, max_work_factor=2) == canon(TWO_CYCLE, max_deep_iterations=4)
    assert canon(TWO_CYCLE, max_work_factor=math.inf) == canon(TWO_CYCLE, max_deep_iterations=4)


def test_work_factor_zero_allows_no_n_degree_hashing_but_unique_nodes_pass():
    assert canon('_:a <http://example.org/p> "1" .\n_:b <http://example.org/p> "2" .\n',
                 max_work_factor=0)
    assert refused(canon, '_:a <http://example.org/p> "1" .\n_:b <http://example.org/p> "1" .\n',
                   max_work_factor=0).maximum == 0


def test_identical_blank_nodes_under_distinct_parents_pass_with_the_default_budget():
    # Identical results, alignments or identifiers of one achievement or subject.
    document = doc(r=[{"k": str(i), "r": [{"k": "same"}, {"k": "same"}, {"k": "same"}]}
                      for i in range(3)])
    assert canonicalize(document).count("_:c14n") > 0


def test_identical_subtrees_that_hold_identical_nodes_are_over_the_default_budget():
    # Two indistinguishable parents, each with two indistinguishable children: every
    # permutation of the children is explored from each parent (10 runs for 6 nodes).
    # rdf-canonize refuses it alike by default.
    document = doc(r=[{"r": [{"k": "same"}, {"k": "same"}]}, {"r": [{"k": "same"}, {"k": "same"}]}])
    assert refused(canonicalize, document).problem_type == lim.BLANK_NODE_HASHING_LIMIT
    assert canonicalize(document, limits=ProcessingLimits(max_work_factor=2))


def test_a_large_legitimate_open_badge_is_within_every_limit():
    credential = large_open_badge(alignments=50, results=20)
    assert find_undefined_terms(credential) == []
    assert canonicalize(credential).count("\n") > 450


def random_graph(rng: random.Random) -> str:
    nodes = [f"_:n{i}" for i in range(rng.randint(2, 6))]
    objects = [*nodes, "<http://example.org/x>", '"v"']
    lines = {f"{rng.choice(nodes)} <http://example.org/p{rng.randint(0, 1)}> "
             f"{rng.choice(objects)} ."
             for _ in range(rng.randint(2, 12))}
    return "\n".join(sorted(lines)) + "\n"


def test_our_blank_node_hashing_gives_pyld_s_result():
    # We abandon a permutation as soon as its path sorts after the chosen one (as
    # rdf-canonize does); pyld also compares lengths. The canonical form must not change.
    rng = random.Random(2026)
    for _ in range(200):
        nquads = random_graph(rng)
        theirs = pyld.canon.URDNA2015().main(parse_nquads(nquads),
                                             {"format": "application/n-quads"})
        assert canon(nquads, max_work_factor=math.inf) == theirs, nquads


def test_clique_refusals_and_acceptances_by_size():
    assert canonicalize(doc(r=clique(2)), limits=ProcessingLimits(max_work_factor=math.inf))
    for size in (3, 5, 8, 12):
        assert refused(canonicalize, doc(r=clique(size))).problem_type == \
            lim.BLANK_NODE_HASHING_LIMIT
