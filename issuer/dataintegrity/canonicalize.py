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
"""

from __future__ import annotations

import copy
import types
from typing import Any

import pyld.canon
from pyld import jsonld

from issuer.dataintegrity.document_loader import DEFAULT_LOADER, StaticDocumentLoader
from issuer.errors import DocumentLoaderError

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

# RDFC-1.0 §4.3: ECHAR for BS HT LF FF CR " \ ; UCHAR (upper-case hex) for the other
# control characters U+0000-U+001F and U+007F. Everything else is written as is.
_LITERAL_ESCAPES = {code: f"\\u{code:04X}" for code in [*range(0x20), 0x7F]}
_LITERAL_ESCAPES.update(
    {
        0x08: "\\b",
        0x09: "\\t",
        0x0A: "\\n",
        0x0C: "\\f",
        0x0D: "\\r",
        0x22: '\\"',
        0x5C: "\\\\",
    }
)


def escape_literal(value: str) -> str:
    """Escape a literal's lexical form as canonical N-Quads requires."""
    return value.translate(_LITERAL_ESCAPES)


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
    """pyld's URDNA2015 (= RDFC-1.0 with SHA-256) with RDFC-1.0 literal escaping."""

    main = _with_rdfc_serializer(pyld.canon.URDNA2015.main)
    hash_first_degree_quads = _with_rdfc_serializer(pyld.canon.URDNA2015.hash_first_degree_quads)


def _options(loader: StaticDocumentLoader) -> dict[str, Any]:
    # base None: pyld would otherwise resolve relative IRIs against its made-up default
    # base "http://example.org/base/", signing data no other implementation produces.
    # Kept relative, they drop out of the dataset (as in jsonld.js) and the undefined-term
    # check reports them.
    return {"documentLoader": loader, "base": None, "produceGeneralizedRdf": False}


def to_dataset(document: dict[str, Any], *, loader: StaticDocumentLoader = DEFAULT_LOADER) -> dict:
    """The RDF dataset of a JSON-LD document (pyld's internal form)."""
    return jsonld.to_rdf(document, _options(loader))


def canonicalize_dataset(dataset: dict) -> str:
    """RDFC-1.0 canonical N-Quads of an RDF dataset (pyld's internal form; it is consumed)."""
    return _RDFC10().main(dataset, {"format": "application/n-quads"})


def canonicalize(document: dict[str, Any], *, loader: StaticDocumentLoader = DEFAULT_LOADER) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document. The one canonicalization entry point."""
    return canonicalize_dataset(to_dataset(document, loader=loader))


def explain_jsonld_error(exc: BaseException) -> str:
    """A readable one-line reason for a pyld failure (it wraps our loader's refusal)."""
    seen = exc
    while seen is not None:
        if isinstance(seen, DocumentLoaderError):
            return str(seen)
        seen = seen.__cause__ or seen.__context__
    if isinstance(exc, jsonld.JsonLdError):
        details = getattr(exc, "details", None) or {}
        code = getattr(exc, "code", None) or getattr(exc, "type", "")
        message = str(exc.args[0]) if exc.args else str(exc)
        extra = f" ({details})" if details else ""
        return f"invalid JSON-LD: {code or message}{extra}"[:400]
    return f"invalid JSON-LD: {exc}"[:400]


# --- undefined terms ("safe mode") ------------------------------------------------------------

_UNDEFINED = "urn:issuer:undefined-term:"


def find_undefined_terms(
    document: dict[str, Any], *, loader: StaticDocumentLoader = DEFAULT_LOADER
) -> list[str]:
    """Names of properties and ``type`` values no context defines, plus relative ``id`` values.

    Expands the document with a leading ``@vocab`` that marks every term the document's own
    contexts leave undefined (expansion would otherwise drop it), then collects the marked
    names. Node ids that stay relative IRIs are reported too: RDF has no place for them, so
    they would drop out of the signed data as well. Returns a sorted list; empty means safe.
    """
    probe = copy.copy(document)
    contexts = probe.get("@context", [])
    if not isinstance(contexts, list):
        contexts = [contexts]
    # First, so a context that sets its own @vocab (defining every term) still wins.
    probe["@context"] = [{"@vocab": _UNDEFINED}, *contexts]
    expanded = jsonld.expand(probe, _options(loader))
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
