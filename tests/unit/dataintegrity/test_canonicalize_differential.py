"""The fast canonicalization path against the reference path (pyld), byte for byte.

Thousands of generated OB 3.0 credentials (tests/credential_generator.py, seeded), copies of
them with other leaf values of the same shape (so a cached plan meets new values), and every
document of tests/vectors go through ``canonicalize`` and ``find_undefined_terms`` (fast
path where the shape allows it) and through ``canonicalize_reference`` and
``find_undefined_terms_reference`` (pyld every time): the canonical N-Quads, the undefined
terms and the errors must be identical. The fast path must actually be taken for the shapes
real credentials have. The same documents against Digital Bazaar's jsonld.js:
tests/interop/test_canonicalize_jsonld_js.py.
"""

from __future__ import annotations

import copy
import json

import pytest

from issuer.dataintegrity import jsonld_plan
from issuer.dataintegrity.canonicalize import (
    FAST_PATH_COUNTS,
    canonicalize,
    canonicalize_reference,
    find_undefined_terms,
    find_undefined_terms_reference,
)
from issuer.dataintegrity.document_loader import DEFAULT_LOADER, StaticDocumentLoader
from issuer.dataintegrity.jsonld_processor import LimitedProcessor, pyld_options
from issuer.dataintegrity.limits import ProcessingLimits
from tests.credential_generator import credentials, same_shape
from tests.helpers import EXAMPLES_CONTEXT_URL, VECTORS, W3C, load_json
from tests.hostile import large_open_badge

GENERATED = 1200
VARIANTS = 400

VECTOR_LOADER = StaticDocumentLoader({
    EXAMPLES_CONTEXT_URL: load_json(W3C / "credentials-examples-v2.jsonld"),
    "https://w3id.org/citizenship/v4rc1":
        load_json(VECTORS / "w3c-vc-di-ecdsa" / "citizenship-v4rc1.jsonld"),
})


def _outcome(function, document, **kwargs):
    try:
        return function(copy.deepcopy(document), **kwargs)
    except Exception as exc:  # the error is part of the behaviour compared
        return f"{type(exc).__name__}: {exc}"


def _compare(document, loader=DEFAULT_LOADER, limits=ProcessingLimits()) -> None:
    before = json.dumps(document, sort_keys=True)
    kwargs = {"loader": loader, "limits": limits}
    reference = (_outcome(canonicalize_reference, document, **kwargs),
                 _outcome(find_undefined_terms_reference, document, **kwargs))
    fast = (_outcome(canonicalize, document, **kwargs),
            _outcome(find_undefined_terms, document, **kwargs))
    assert fast == reference, json.dumps(document, ensure_ascii=False)[:2000]
    assert json.dumps(document, sort_keys=True) == before  # nothing modified


@pytest.fixture
def counts():
    FAST_PATH_COUNTS.update(fast=0, reference=0)
    return FAST_PATH_COUNTS


def test_generated_credentials_fast_path_equals_reference(counts):
    for document in credentials(seed=13, count=GENERATED):
        _compare(document)
    # shapes the plan compiler cannot reproduce fall back, but almost none do
    assert counts["fast"] > 0.9 * (counts["fast"] + counts["reference"]), counts


def test_same_shape_with_other_values_equals_reference(counts):
    documents = list(credentials(seed=29, count=VARIANTS // 5))
    for index, document in enumerate(documents):
        for variant in range(5):
            _compare(same_shape(document, seed=index * 10 + variant))
    assert counts["fast"] > 0.9 * (counts["fast"] + counts["reference"]), counts


def test_the_fast_path_is_taken_for_issued_credential_shapes(counts):
    # credentials as issuer.openbadges.credential.build_credential makes them
    for document in (large_open_badge(alignments=1, results=0),
                     large_open_badge(alignments=5, results=3),
                     load_json(VECTORS / "1edtech-impl-guide" / "unsigned-credential.json")):
        _compare(document)
        FAST_PATH_COUNTS.update(fast=0, reference=0)
        for seed in range(5):
            variant = same_shape(document, seed)
            canonicalize(variant)
            find_undefined_terms(variant)
        assert counts == {"fast": 10, "reference": 0}, document
    assert jsonld_plan.plan_count()[0] > 0


def _vector_documents():
    for path in sorted(VECTORS.rglob("*.json*")):
        try:
            document = json.loads(path.read_text("utf-8"))
        except (UnicodeDecodeError, ValueError):
            continue
        if isinstance(document, dict) and "@context" in document:
            yield path.relative_to(VECTORS).as_posix(), document


VECTOR_DOCUMENTS = list(_vector_documents())


def test_there_are_vectors():
    assert len(VECTOR_DOCUMENTS) > 100


def test_every_vector_document_fast_path_equals_reference(counts):
    for _name, document in VECTOR_DOCUMENTS:
        _compare(document, loader=VECTOR_LOADER)
        unsecured = {key: value for key, value in document.items() if key != "proof"}
        _compare(unsecured, loader=VECTOR_LOADER)
        if isinstance(document.get("proof"), dict):  # the proof configuration
            config = {key: value for key, value in document["proof"].items()
                      if key != "proofValue"}
            config["@context"] = document["@context"]
            _compare(config, loader=VECTOR_LOADER)
    assert counts["fast"] > 0.9 * (counts["fast"] + counts["reference"]), counts


@pytest.mark.parametrize("limits", [
    ProcessingLimits(max_array_length=3),
    ProcessingLimits(max_term_definitions=150),
    ProcessingLimits(max_quads=20),
    ProcessingLimits(max_blank_nodes=3),
])
def test_limits_refuse_alike_on_both_paths(limits):
    for document in credentials(seed=5, count=40):
        _compare(document, limits=limits)
        _compare(same_shape(document, 1), limits=limits)


def test_plans_are_kept_apart_by_the_loader_s_documents(counts):
    url = "https://example.org/my-context"
    document = {"@context": [url], "id": "urn:example:x", "name": "n"}
    one = StaticDocumentLoader({url: {"@context": {"id": "@id",
                                                   "name": "https://schema.org/name"}}})
    other = StaticDocumentLoader({url: {"@context": {"id": "@id",
                                                     "name": "https://example.org/other"}}})
    first, second = canonicalize(document, loader=one), canonicalize(document, loader=other)
    assert "<https://schema.org/name>" in first and "<https://example.org/other>" in second
    assert first == canonicalize_reference(document, loader=one)
    assert counts["fast"] == 2


def test_the_plan_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(jsonld_plan, "PLAN_CACHE_SIZE", 5)
    jsonld_plan.clear_plans()
    for document in credentials(seed=3, count=12):
        _compare(document)
    assert jsonld_plan.plan_count()[0] == 5


def test_the_term_definition_limit_is_exact_on_the_fast_path():
    # property-scoped contexts applied on several nodes: the fast path refuses at exactly the
    # count the reference expansion reaches, not one definition sooner or later
    scoped = {"@vocab": "https://example.org/v#",
              "p": {"@id": "https://example.org/v#p",
                    "@context": {f"t{i}": f"https://example.org/t{i}" for i in range(5)}}}
    document = {"@context": scoped, "@id": "urn:example:root",
                "p": [{"t1": f"v{i}", "p": {"t2": i}} for i in range(4)]}
    processor = LimitedProcessor(ProcessingLimits())
    processor.expand(copy.deepcopy(document), pyld_options(DEFAULT_LOADER))
    counted = processor.term_definitions
    assert counted > 5
    jsonld_plan.clear_plans()
    for limit in (counted - 1, counted, counted - 1):  # cold, warm and warm again
        _compare(document, limits=ProcessingLimits(max_term_definitions=limit))
    assert "InputTooComplex" in _outcome(
        canonicalize, document, limits=ProcessingLimits(max_term_definitions=counted - 1))
    assert "InputTooComplex" not in _outcome(
        canonicalize, document, limits=ProcessingLimits(max_term_definitions=counted))
