"""The memo of processed contexts (jsonld_processor): warm results equal cold ones, byte for
byte, the term-definition limit refuses the same documents warm or cold, and loaders that
serve different documents for one URL never share an entry."""

import copy

import pytest

from issuer.dataintegrity import jsonld_processor
from issuer.dataintegrity.canonicalize import (
    canonicalize_reference as canonicalize,
    find_undefined_terms_reference as find_undefined_terms,
)
from issuer.dataintegrity.document_loader import StaticDocumentLoader
from issuer.dataintegrity.limits import ProcessingLimits
from issuer.errors import InputTooComplex
from tests.helpers import IMPL_GUIDE, W3C, load_json


@pytest.fixture
def cold():
    jsonld_processor.clear_context_memo()
    yield
    jsonld_processor.clear_context_memo()


def test_warm_results_equal_cold_ones(cold, w3c_loader):
    documents = [(load_json(IMPL_GUIDE / "unsigned-credential.json"), None),
                 (load_json(W3C / "unsigned.json"), w3c_loader)]
    for document, loader in documents:
        kwargs = {"loader": loader} if loader else {}
        jsonld_processor.clear_context_memo()
        first = canonicalize(copy.deepcopy(document), **kwargs), find_undefined_terms(
            document, **kwargs)
        assert jsonld_processor.context_memo_size() > 0  # the memo was used
        second = canonicalize(copy.deepcopy(document), **kwargs), find_undefined_terms(
            document, **kwargs)
        assert first == second


def _scoped(terms: int, nodes: int) -> dict:
    scoped = {f"t{i}": f"https://schema.org/t{i}" for i in range(terms)}
    context = {"@vocab": "https://schema.org/", "T": {"@id": "https://schema.org/T",
                                                      "@context": scoped}}
    return {"@context": context, "@id": "urn:example:root",
            "r": [{"@type": "T", "t1": f"v{i}"} for i in range(nodes)]}


def test_the_term_definition_limit_refuses_alike_warm_or_cold(cold):
    small = ProcessingLimits(max_term_definitions=50)
    for _ in range(3):  # cold, then warm twice
        with pytest.raises(InputTooComplex) as caught:
            canonicalize(_scoped(10, 10), limits=small)
        assert caught.value.limit == "max_term_definitions"
        assert canonicalize(_scoped(10, 10), limits=ProcessingLimits(max_term_definitions=500))


def test_loaders_with_different_documents_do_not_share_results(cold):
    url = "https://example.org/my-context"
    document = {"@context": url, "@id": "urn:example:x", "name": "n"}
    one = StaticDocumentLoader({url: {"@context": {"name": "https://schema.org/name"}}})
    other = StaticDocumentLoader({url: {"@context": {"name": "https://example.org/other"}}})
    assert "<https://schema.org/name>" in canonicalize(document, loader=one)
    assert "<https://example.org/other>" in canonicalize(document, loader=other)
    assert one.fingerprint != other.fingerprint != ""
