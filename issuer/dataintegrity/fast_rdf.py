"""The fast path: RDF quads written straight from a document and its shape's plan.

:func:`document_quads` walks a JSON-LD document alongside the plan of its shape
(:mod:`issuer.dataintegrity.jsonld_plan`) and writes the quads pyld's ``to_rdf`` would make,
as tuples of four strings in N-Quads term syntax: ``(subject, predicate, object, graph)``,
subject ``<iri>`` or ``_:label``, object ``<iri>``, ``_:label``, ``"escaped"^^<datatype>``,
``"escaped"@lang`` or ``"escaped"`` (xsd:string), literal escaping per RDFC-1.0, graph ``""``
for the default graph. Leaf values go through pyld's own functions (``_expand_iri``,
``_expand_value``, ``_object_to_rdf``), except plain strings, which are written directly.
Values of one property of one node are de-duplicated as pyld's node map does, and counted as
:func:`~issuer.dataintegrity.limits.check_expanded` counts them.

:func:`document_undefined_terms` walks the same way with the plan of the "safe mode" probe
(the document behind a leading ``@vocab``) and collects what
``canonicalize.find_undefined_terms`` collects.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import json
import math
from collections import defaultdict
from typing import Any

from pyld import jsonld
from pyld.identifier_issuer import IdentifierIssuer

from issuer.dataintegrity.jsonld_plan import ListPlan, NodePlan, Plan, ValueObject
from issuer.dataintegrity.jsonld_processor import LimitedProcessor
from issuer.dataintegrity.limits import ProcessingLimits, merged_values_exceeded, term_definitions_exceeded

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE, RDF_FIRST, RDF_REST, RDF_NIL = (f"<{_RDF}{name}>" for name in
                                          ("type", "first", "rest", "nil"))
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
UNDEFINED = "urn:issuer:undefined-term:"
_is_absolute_iri = jsonld._is_absolute_iri


class NotExact(Exception):
    """This document cannot be written exactly from the plan: take the reference path."""


# pyld's value functions (_expand_iri, _expand_value, _object_to_rdf) keep no state in the
# processor; one instance serves every call (under the pyld lock, as all pyld work here).
_PYLD = jsonld.JsonLdProcessor()


@functools.lru_cache(maxsize=64)
def _unlimited(limits: ProcessingLimits) -> ProcessingLimits:
    return dataclasses.replace(limits, max_term_definitions=math.inf)


class _Walker:
    def __init__(self, plan: Plan, limits: ProcessingLimits, escape, collect: bool):
        if plan.term_definitions > limits.max_term_definitions:
            raise term_definitions_exceeded(limits)
        self.proc = _PYLD
        self.replayer: LimitedProcessor | None = None  # for value objects, made when needed
        self.options = plan.options
        self.base = plan.options.get("base")
        self.limits = limits
        self.escape = escape
        self.collect = collect
        self.undefined: set[str] = set()
        self.quads: list[tuple[str, str, str, str]] = []
        self.blank: dict[str, str] = {}
        self.counter = 0
        self.lists = itertools.count()
        self.counts: dict[tuple, int] = defaultdict(int)
        self.seen: dict[tuple, set] = defaultdict(set)
        self.issuer = IdentifierIssuer("_:x")

    def fresh(self) -> str:
        self.counter += 1
        return f"_:b{self.counter - 1}"

    def iri_term(self, iri: str) -> str | None:
        if iri.startswith("_:"):
            label = self.blank.get(iri)
            if label is None:
                label = self.blank[iri] = self.fresh()
            return label
        return "<" + iri + ">" if _is_absolute_iri(iri) else None

    def expand_id(self, ctx: Any, value: str) -> str:
        """pyld's _expand_iri(ctx, value, base) (not vocab-relative), which returns an IRI
        whose scheme part is followed by "//", or a blank node label, as it is."""
        prefix, colon, suffix = value.partition(":")
        if colon and prefix and (prefix == "_" or suffix.startswith("//")):
            return value
        return self.proc._expand_iri(ctx, value, base=self.base)

    def check_id(self, iri: str) -> None:
        if iri.startswith(UNDEFINED):
            self.undefined.add("value " + iri[len(UNDEFINED):])
        elif ":" not in iri:
            self.undefined.add(f"id {iri!r} (not an absolute IRI)")

    def count(self, node_key: Any, prop: str, added: int) -> None:
        slot = (node_key, prop)
        self.counts[slot] += added
        if self.counts[slot] > self.limits.max_array_length:
            raise merged_values_exceeded(node_key, prop, self.counts[slot], self.limits)

    def node(self, element: dict[str, Any], plan: NodePlan,
             graph: str = "") -> tuple[Any, str | None]:
        if plan.id_key is not None:
            raw = element[plan.id_key]
            if not isinstance(raw, str):
                raise NotExact("@id")
            iri = self.expand_id(plan.ctx, raw)
            if not isinstance(iri, str):  # e.g. a keyword-like "@x": pyld's own handling
                raise NotExact("@id")
            if self.collect:
                self.check_id(iri)
            node_key, subject = iri, self.iri_term(iri)
        else:
            subject = self.fresh()
            node_key = ("anonymous", subject)
        if plan.type_count:
            self.count(node_key, "@type", plan.type_count)
            if self.collect:
                self.undefined.update("type " + iri[len(UNDEFINED):] for iri in plan.types
                                      if iri.startswith(UNDEFINED))
            elif subject is not None:
                seen = self.seen[(graph, node_key, "@type")]
                for iri in plan.types:
                    if iri not in seen:
                        seen.add(iri)
                        self.quads.append((subject, RDF_TYPE, "<" + iri + ">", graph))
        for prop in plan.properties:
            items: list[tuple[Any, str | None]] = []
            if prop.container == "@list":
                if prop.value is not None:
                    terms = self.list_terms(prop, element[prop.key], prop.value, graph)
                    items.append((("list", next(self.lists)), terms))  # never equal
            else:
                self.values(prop, element[prop.key], prop.value, items, graph)
            self.count(node_key, prop.predicate, len(items))
            if self.collect:  # pyld drops a key whose value expands to null
                value = element[prop.key]
                kept = items or isinstance(value, list) or (
                    prop.value == "json")
                if kept and prop.predicate.startswith(UNDEFINED):
                    self.undefined.add(prop.predicate[len(UNDEFINED):])
                continue
            if subject is None or prop.predicate.startswith("_:"):
                continue
            seen = self.seen[(graph, node_key, prop.predicate)]
            predicate = "<" + prop.predicate + ">"
            for dedupe_key, obj in items:
                if isinstance(obj, list):  # an @list: its rdf:first/rest chain
                    obj = self.chain(obj, graph)
                if dedupe_key not in seen:
                    seen.add(dedupe_key)
                    if obj is not None:
                        self.quads.append((subject, predicate, obj, graph))
        return node_key, subject

    def list_terms(self, prop: Any, value: Any, plan: ListPlan, graph: str) -> list:
        """The objects of an @list's items, in order (a nested list as a list)."""
        value = value if isinstance(value, list) else [value]
        if len(value) != len(plan.items):
            raise NotExact("shape")
        terms: list[Any] = []
        for item, item_plan in zip(value, plan.items):
            if isinstance(item_plan, ListPlan):
                terms.append(self.list_terms(prop, item, item_plan, graph))
                continue
            items: list[tuple[Any, str | None]] = []
            self.values(prop, item, item_plan, items, graph)
            for _key, obj in items:
                if obj is None and not self.collect:  # pyld would write an unnamed item
                    raise NotExact("list item")
                terms.append(obj)
        return terms

    def chain(self, terms: list, graph: str) -> str:
        """pyld's _list_to_rdf: the head of an rdf:first/rest chain over ``terms``."""
        if not terms:
            return RDF_NIL
        head = node = self.fresh()
        for index, term in enumerate(terms):
            if isinstance(term, list):
                term = self.chain(term, graph)
            following = self.fresh() if index + 1 < len(terms) else RDF_NIL
            self.quads.append((node, RDF_FIRST, term, graph))
            self.quads.append((node, RDF_REST, following, graph))
            node = following
        return head

    def values(self, prop: Any, value: Any, plan: Any, items: list, graph: str) -> None:
        if isinstance(plan, list):
            if not isinstance(value, list) or len(value) != len(plan):
                raise NotExact("shape")
            for item, item_plan in zip(value, plan):
                self.values(prop, item, item_plan, items, graph)
        elif plan is None:
            return
        elif plan == "s":
            if type(value) is str:
                if prop.plain:
                    items.append((("v", False, value, None, None, None),
                                  '"' + self.escape(value) + '"'))
                    return
                if prop.datatype is not None and not self.collect:
                    items.append((("v", False, value, prop.datatype, None, None),
                                  '"' + self.escape(value) + '"^^<' + prop.datatype + ">"))
                    return
            expanded = self.proc._expand_value(prop.term_ctx, prop.key, value, self.options)
            if expanded is not None:
                items.append(self.item(expanded))
        elif plan == "json":
            items.append(self.item({"@type": "@json", "@value": value}))
        elif isinstance(plan, NodePlan):
            if prop.container == "@graph":  # the node in a named graph of its own
                name = self.fresh()
                self.node(value, plan, name)
                items.append((("id", name), name))
                return
            node_key, subject = self.node(value, plan, graph)
            items.append((("id", node_key), subject))
        elif isinstance(plan, ValueObject):
            ctx, active_property, inside_list, inside_index, type_scoped = plan.args
            if self.replayer is None:  # the plan has counted the contexts' definitions
                self.replayer = LimitedProcessor(_unlimited(self.limits))
            expanded = self.replayer._expand(ctx, active_property, value, self.options,
                                         inside_list=inside_list, inside_index=inside_index,
                                         type_scoped_ctx=type_scoped)
            if expanded is not None:
                if not isinstance(expanded, dict) or "@value" not in expanded:
                    raise NotExact("value object")
                items.append(self.item(expanded))
        else:
            raise NotExact(repr(plan))

    def item(self, item: dict[str, Any]) -> tuple[Any, str | None]:
        if "@id" in item:
            iri = item["@id"]
            if not isinstance(iri, str):
                raise NotExact("@id value")
            if self.collect:
                self.check_id(iri)
            return ("id", iri), self.iri_term(iri)
        datatype = item.get("@type")
        if self.collect and isinstance(datatype, str) and datatype.startswith(UNDEFINED):
            self.undefined.add("datatype " + datatype[len(UNDEFINED):])
        value = item["@value"]
        if isinstance(value, (dict, list)):
            value = ("json", json.dumps(value, sort_keys=True))
        dedupe_key = ("v", isinstance(value, bool), value, datatype, item.get("@language"),
                      item.get("@index"))
        if self.collect:
            return dedupe_key, None
        obj = self.proc._object_to_rdf(item, self.issuer, [], self.options)
        if obj is None or obj["type"] != "literal":
            raise NotExact("literal")
        text = '"' + self.escape(obj["value"]) + '"'
        if obj["datatype"] == _RDF_LANGSTRING:
            if obj.get("language"):
                text += "@" + obj["language"]
        elif obj["datatype"] != _XSD_STRING:
            text += "^^<" + obj["datatype"] + ">"
        return dedupe_key, text


def document_quads(document: dict[str, Any], plan: Plan, limits: ProcessingLimits,
                   escape) -> list[tuple[str, str, str, str]]:
    """The quads of ``document`` (of ``plan``'s shape). Raises NotExact, or InputTooComplex
    when a limit the reference expansion checks is exceeded."""
    walker = _Walker(plan, limits, escape, collect=False)
    walker.node(document, plan.root)
    return walker.quads


def document_undefined_terms(probe: dict[str, Any], plan: Plan,
                             limits: ProcessingLimits) -> list[str]:
    """What find_undefined_terms reports for the probe document of ``plan``'s shape."""
    walker = _Walker(plan, limits, lambda text: text, collect=True)
    walker.node(probe, plan.root)
    return sorted(walker.undefined)
