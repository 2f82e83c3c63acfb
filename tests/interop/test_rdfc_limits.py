"""The blank-node hashing budget against Digital Bazaar's rdf-canonize 5.0.0 (rdfc.mjs).

The same N-Quads go to both sides. With the default limits (rdf-canonize: maxWorkFactor 1)
each side accepts exactly what the other accepts and writes the same canonical N-Quads; and
for every graph the smallest number of Hash N-Degree Quads runs that suffices is the same
(our max_deep_iterations = its maxDeepIterations), so the two count alike.

Self-loops (``_:a <p> _:a``) are left out: pyld 3.3 lists such a quad twice for its blank
node, so those graphs hash differently from rdf-canonize regardless of any limit.
"""

from __future__ import annotations

import math
import random

import pytest
from pyld.nquads import parse_nquads, serialize_nquads

from issuer.dataintegrity.canonicalize import canonicalize_dataset, to_dataset
from issuer.dataintegrity.limits import ProcessingLimits
from issuer.errors import InputTooComplex
from issuer.openbadges.credential import Alignment
from tests.hostile import clique_credential, large_open_badge, without_proof

pytestmark = pytest.mark.interop

P, Q = "<http://example.org/p>", "<http://example.org/q>"


def edges(pairs, predicate=P) -> str:
    return "".join(f"_:n{a} {predicate} _:n{b} .\n" for a, b in pairs)


def clique(size: int) -> str:
    return edges([(a, b) for a in range(size) for b in range(size) if a != b])


def ring(size: int) -> str:
    return edges([(i, (i + 1) % size) for i in range(size)])


def random_graph(rng: random.Random) -> str:
    size = rng.randint(2, 7)
    lines = set()
    for _ in range(rng.randint(2, 14)):
        subject, obj = rng.sample(range(size), 2)  # no self-loops (see the docstring)
        kind = rng.random()
        target = f"_:n{obj}" if kind < 0.7 else ('"v"' if kind < 0.85 else "<http://example.org/x>")
        lines.add(f"_:n{subject} {rng.choice((P, Q))} {target} .\n")
    return "".join(sorted(lines))


def nquads_of(document: dict) -> str:
    return serialize_nquads(to_dataset(document))


def identical_alignments(count: int) -> dict:
    credential = large_open_badge(alignments=0, results=0)
    credential["credentialSubject"]["achievement"]["alignment"] = \
        [Alignment("Same", "https://skills.example.org/same").to_json()] * count
    return credential


GRAPHS = {
    "two-cycle": edges([(0, 1), (1, 0)]),
    "3-clique": clique(3),
    "4-clique": clique(4),
    "5-clique": clique(5),
    "3-ring": ring(3),
    "6-ring": ring(6),
    "path": edges([(0, 1), (1, 2), (2, 3)]),
    "identical leaves": edges([(0, 1), (0, 2), (0, 3)]) + '_:n0 <http://example.org/q> "root" .\n',
    "identical pairs of leaves": edges([(0, 1), (0, 2), (3, 4), (3, 5)]),
    "bipartite K(2,3)": edges([(a, b) for a in (0, 1) for b in (2, 3, 4)]),
    "8-clique credential": nquads_of(without_proof(clique_credential(8))),
    "large open badge": nquads_of(large_open_badge(alignments=50, results=20)),
    "identical alignments": nquads_of(identical_alignments(3)),
}
RANDOM = random.Random(20261201)
GRAPHS.update({f"random-{i}": random_graph(RANDOM) for i in range(60)})


def ours(nquads: str, limits: ProcessingLimits = ProcessingLimits()) -> str | None:
    """Our canonical N-Quads, or None when the budget refuses the graph."""
    try:
        return canonicalize_dataset(parse_nquads(nquads), limits=limits)
    except InputTooComplex:
        return None


def smallest_budget(nquads: str) -> int:
    for runs in range(0, 5000):
        if ours(nquads, ProcessingLimits(max_deep_iterations=runs)) is not None:
            return runs
    raise AssertionError("needs more than 5,000 runs")


def test_default_limits_accept_and_refuse_what_rdf_canonize_does(rdfc):
    names = list(GRAPHS)
    theirs = rdfc([{"nquads": GRAPHS[name]} for name in names])
    accepted = refused = 0
    for name, answer in zip(names, theirs):
        mine = ours(GRAPHS[name])
        if "error" in answer:
            assert "Maximum deep iterations exceeded" in answer["error"], (name, answer)
            assert mine is None, f"{name}: rdf-canonize refuses it, we accept it"
            refused += 1
        else:
            assert mine == answer["canonical"], f"{name}: different canonical form"
            accepted += 1
    assert accepted > 10 and refused > 5  # both outcomes are exercised
    for name in ("large open badge", "identical alignments", "identical leaves"):
        assert ours(GRAPHS[name]) is not None, name
    # rdf-canonize's default is strict: two indistinguishable blank nodes that point at each
    # other, or a chain of them, are refused too.
    for name in ("two-cycle", "path", "3-clique", "8-clique credential"):
        assert ours(GRAPHS[name]) is None, name


def test_both_count_hash_n_degree_quads_runs_alike(rdfc):
    names = [name for name in GRAPHS if name not in ("large open badge", "8-clique credential")]
    needed = {name: smallest_budget(GRAPHS[name]) for name in names}
    cases = []
    for name in names:
        cases.append({"nquads": GRAPHS[name], "maxDeepIterations": needed[name]})
        if needed[name] > 0:
            cases.append({"nquads": GRAPHS[name], "maxDeepIterations": needed[name] - 1})
    answers = iter(rdfc(cases))
    for name in names:
        enough = next(answers)
        assert "canonical" in enough, (name, needed[name], enough)
        assert enough["canonical"] == ours(GRAPHS[name], ProcessingLimits(max_work_factor=math.inf))
        if needed[name] > 0:
            assert "error" in next(answers), f"{name}: rdf-canonize needs fewer than {needed[name]}"
    assert max(needed.values()) > 10
