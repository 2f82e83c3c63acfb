"""Hand-written JSON-LD documents for the value-dependent corners of the fast path: each is
canonicalized (and probed for undefined terms) on both paths with identical results, and the
path taken is the one expected: the plan compiler reproduces it, or it falls back."""

from __future__ import annotations

import pytest

from issuer.dataintegrity import jsonld_plan
from issuer.dataintegrity.canonicalize import (
    FAST_PATH_COUNTS,
    canonicalize,
    canonicalize_reference,
    find_undefined_terms,
    find_undefined_terms_reference,
)

V = "https://example.org/v#"
CONTEXT = {
    "@vocab": V, "ex": "https://example.org/ns/", "id": "@id", "type": "@type",
    "link": {"@id": V + "link", "@type": "@id"},
    "kind": {"@id": V + "kind", "@type": "@vocab"},
    "when": {"@id": V + "when", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"},
    "size": {"@id": V + "size", "@type": "http://www.w3.org/2001/XMLSchema#double"},
    "fr": {"@id": V + "fr", "@language": "fr"},
    "rtl": {"@id": V + "rtl", "@direction": "rtl"},
    "data": {"@id": V + "data", "@type": "@json"},
    "seq": {"@id": V + "seq", "@container": "@list"},
    "box": {"@id": V + "box", "@container": "@graph"},
    "names": {"@id": V + "names", "@container": "@language"},
    "parent": {"@reverse": V + "child"},
    "Thing": {"@id": V + "Thing", "@context": {"scoped": V + "scoped"}},
}

FAST = [
    {"id": "ex:a", "link": ["ex:b", "_:x", "relative", "https://example.org/c", "did:ex:1"]},
    {"id": "_:x", "link": "_:x", "p": {"id": "_:x", "q": 1}},
    {"id": "relative", "p": "dropped with its node", "q": {"r": "kept"}},
    {"p": [0, -0.0, 1.5, 1e21, 10**21, 2**70, -7, 2.5e-7, 1.0, True, False, None]},
    {"p": ["a", ["b", ["c", None]], [], "a", {"@value": "a"}]},
    {"when": "2026-01-02T03:04:05Z", "size": ["1.50", "abc", 3, 2.0]},
    {"fr": "bonjour", "rtl": "שלום", "p": {"@value": "x", "@language": "EN-us",
                                           "@direction": "ltr"}},
    {"p": {"@value": "1", "@type": "ex:custom"}, "q": {"@value": 5, "@type": V + "Int"}},
    {"data": {"b": [1, 2.5, None], "a": "\u00e9"}, "kind": ["Thing", "ex:K", "other"]},
    {"seq": ["a", ["b", "c"], {"q": 1}, 2, None], "p": {"seq": []}},
    {"seq": "one", "p": {"seq": [["x"], ["y", "z"]], "q": 2}},
    {"box": {"q": "in a named graph", "r": {"s": 1}}, "p": "default graph"},
    {"type": ["Thing", "ex:T", "Undefined"], "scoped": "via the type-scoped context"},
    {"p": "\x00\x1f\x7f\"\\\t\n\r\U0001F600 e\u0301 עברית"},
    {"id": "ex:same", "p": [{"id": "ex:same", "p": "merged"}, "merged"]},
    {"p": {}, "q": [{}, {}]},
]
FALLBACK = [
    {"id": "@keywordlike", "p": 1},
    {"link": ["@keywordlike", "ex:ok"], "kind": "@also"},
    {"names": {"en": "hello", "fr": "bonjour"}},
    {"parent": {"id": "ex:p"}},
    {"@graph": [{"id": "ex:a", "p": 1}]},
    {"type": "_:blankType", "p": 1},
    {"p": {"@list": ["explicit list object"]}},
    {"@included": [{"id": "ex:b", "p": 1}]},
]


def _outcome(function, document):
    try:
        return function(document)
    except Exception as exc:  # a refusal is compared too
        return f"{type(exc).__name__}: {exc}"


def _run(document):
    document = {"@context": CONTEXT, **document}
    for fast, reference in ((canonicalize, canonicalize_reference),
                            (find_undefined_terms, find_undefined_terms_reference)):
        assert _outcome(fast, document) == _outcome(reference, document)


@pytest.fixture(autouse=True)
def fresh():
    jsonld_plan.clear_plans()
    FAST_PATH_COUNTS.update(fast=0, reference=0)


@pytest.mark.parametrize("document", FAST)
def test_fast_path_is_exact(document):
    _run(document)
    assert FAST_PATH_COUNTS == {"fast": 2, "reference": 0}


@pytest.mark.parametrize("document", FALLBACK)
def test_what_the_plan_cannot_reproduce_takes_the_reference_path(document):
    _run(document)
    assert FAST_PATH_COUNTS["reference"] >= 1


NO_VOCAB = {"id": "@id", "type": "@type", "name": "https://schema.org/name",
            "link": {"@id": "https://schema.org/link", "@type": "@vocab"},
            "Known": "https://schema.org/Known"}
UNDEFINED_CASES = [
    {"id": "relative", "type": ["Known", "Unknown"], "name": "x", "extra": {"deep": 1}},
    {"link": ["Known", "unknownValue", "https://example.org/x"], "when": "2026"},
    {"name": [{"@value": "x", "@language": "en"}, {"@value": 1, "@type": "Undefined"}]},
    {"name": {"@value": "x", "@type": "Undefined"}, "extra": None, "more": []},
    {"name": [{"id": "_:b", "inner": "x"}, {"id": "did:example:1"}], "type": "Known"},
]


@pytest.mark.parametrize("document", UNDEFINED_CASES)
def test_undefined_terms_without_a_vocab_are_found_on_the_fast_path(document):
    document = {"@context": NO_VOCAB, **document}
    # (a relative datatype is invalid JSON-LD without the probe's @vocab: canonicalize
    # refuses it on both paths, the reference's error)
    assert _outcome(canonicalize, document) == _outcome(canonicalize_reference, document)
    FAST_PATH_COUNTS.update(fast=0, reference=0)
    assert find_undefined_terms(document) == find_undefined_terms_reference(document)
    assert find_undefined_terms(document)  # something to report in each
    assert FAST_PATH_COUNTS == {"fast": 2, "reference": 0}
