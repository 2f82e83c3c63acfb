"""Generated OB 3.0 credentials: our canonicalize (fast path where the shape allows it)
against Digital Bazaar's jsonld.js canonize (RDFC-1.0), byte for byte.

Two checks: the fast path's quads, canonicalized by rdf-canonize, are exactly jsonld.js's
canonical form of the document (so the expansion is exact, for every document); and our
canonical N-Quads equal jsonld.js's but for a few known RDFC-1.0 differences on the very same
quads (at most 1 %): besides the self-loops below, rdf-canonize sorts N-Quads by UTF-16 code
units (JavaScript's sort) where RDFC-1.0 requires Unicode code point order (w3c/rdf-canon#33),
so lines that first differ at a character in U+E000-U+FFFF (e.g. U+FEFF) against an astral
one (e.g. U+1F600) sort, and hash, differently there. We follow the spec.

The document loader on both sides answers only our vendored contexts. Numbers the two
languages read differently are made portable first: JSON ``1.0`` is a float in Python
(xsd:double ``1.0E0`` in pyld, as in JSON-LD's Python test suite) but the integer 1 in
JavaScript, and integers past 2**53 lose digits in JavaScript. Such numbers are rewritten
(:func:`_portable`) before both sides see the document. Two known differences of pyld 3.3
from jsonld.js and rdf-canonize, which the reference path shares, are left out: a
non-numeric string typed xsd:double (pyld keeps "abc", jsonld.js writes "NaN"), and graphs
with a blank-node self-loop (``_:a <p> _:a``, e.g. an issuer whose parentOrg is itself;
pyld lists that quad twice for its blank node, so it hashes differently; see
tests/interop/test_rdfc_limits.py).
"""

from __future__ import annotations

import json

import pytest

from issuer.dataintegrity.canonicalize import FAST_PATH_COUNTS, canonicalize, document_quads
from issuer.dataintegrity.document_loader import context_files, context_bytes
from tests.credential_generator import credentials, same_shape

pytestmark = pytest.mark.interop

DOCUMENTS = 200


def _portable(value):
    """``value`` with numbers both languages read alike: integral floats below 1e21 become
    integers, integers past 2**53 become 2**53."""
    if isinstance(value, dict):
        return {key: _portable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_portable(item) for item in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
        return 2**53
    if value == "abc":  # only ever drawn for the xsd:double-typed "weight"
        return "1.25"
    return value


def _self_loop(canonical: str) -> bool:
    for line in canonical.splitlines():
        terms = line.split(" ")
        if terms[0].startswith("_:") and terms[0] == terms[-2]:
            return True
    return False


def _ours(document):
    try:
        return {"canonical": canonicalize(document)}
    except Exception as exc:  # invalid JSON-LD: jsonld.js must refuse it too
        return {"error": str(exc)}


def _nquads(document) -> str | None:
    try:
        quads = document_quads(document)
    except Exception:  # noqa: BLE001 (refused: compared through canonicalize)
        return None
    if quads is None:
        return None
    return "".join(f"{s} {p} {o} {g + ' ' if g else ''}.\n" for s, p, o, g in quads)


def test_generated_credentials_match_jsonld_js(jsonld_js):
    contexts = {url: json.loads(context_bytes(url)) for url in context_files()}
    documents = [document for index, document in enumerate(credentials(seed=71, count=DOCUMENTS))
                 for document in (document, same_shape(document, index))]
    documents = [_portable(document) for document in documents]
    FAST_PATH_COUNTS.update(fast=0, reference=0)
    ours = [_ours(document) for document in documents]
    assert FAST_PATH_COUNTS["fast"] > 0.9 * len(documents), FAST_PATH_COUNTS
    nquads = [_nquads(document) for document in documents]
    theirs = jsonld_js(contexts, documents, nquads)
    # 1. our fast path's quads are jsonld.js's dataset: rdf-canonize gives both one form
    fast = [(document, other) for document, other, text in zip(documents, theirs, nquads)
            if text is not None]
    assert len(fast) > 0.9 * len(documents)
    wrong = [(document, other) for document, other in fast
             if other.get("nquads") != other.get("canonical")]
    assert not wrong, json.dumps(wrong[0], ensure_ascii=False)[:3000]
    # 2. our canonical N-Quads are jsonld.js's, but for the known RDFC-1.0 differences
    compared = [(document, mine, other) for document, mine, other in
                zip(documents, ours, theirs)
                if not _self_loop(mine.get("canonical", ""))]
    assert len(compared) > 0.9 * len(documents)
    mismatches = [(document, mine, other) for document, mine, other in compared
                  if ("error" in mine) != ("error" in other)
                  or mine.get("canonical") != other.get("canonical")]
    assert len(mismatches) <= 0.01 * len(documents), \
        json.dumps(mismatches[0], ensure_ascii=False)[:3000]
