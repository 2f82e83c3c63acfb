"""Expansion plans: how pyld expands one *shape* of JSON-LD document, compiled once.

A document's shape is everything JSON-LD expansion's structure depends on: its keys, its
``@context`` values, its ``type`` values (they select type-scoped contexts) and the JSON kind
of every other value, but not the leaf values themselves. Documents of one shape expand
alike up to their leaves, so the plan of a shape is derived once, from the reference path:
pyld expands the first document of that shape while :class:`_RecordingProcessor` notes the
active context every node object was expanded with, and :func:`compile_plan` turns that into
per-node instructions (predicate IRIs, the term definitions that expand leaf values,
precomputed ``rdf:type`` objects). :mod:`issuer.dataintegrity.fast_rdf` then writes the
quads of any document of that shape directly, expanding the leaves with pyld's own value
functions, so value-dependent behaviour is pyld's exactly.

What the compiler does not reproduce exactly (``@list``, ``@graph``, maps, ``@reverse``,
``@nest``, ``@included``, keyword aliases other than ``id``/``type``, blank-node types, ...)
makes the shape :data:`FALLBACK`: such documents take the reference path. Plans live in a
bounded LRU keyed on the shape itself and the loader's content fingerprint, so a key always
names one plan (process-local, nothing to invalidate).
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from pyld import jsonld

from issuer.dataintegrity.jsonld_processor import LimitedProcessor, pyld_options

PLAN_CACHE_SIZE = 512
FALLBACK = "fallback"
_TYPE_KEYS = ("type", "@type")
_KEYWORDS_HANDLED = ("@id", "@type")
_PLAN_CACHE: OrderedDict[tuple, Any] = OrderedDict()
# datatypes pyld's _object_to_rdf treats specially for string values
_SPECIAL_DATATYPES = ("http://www.w3.org/2001/XMLSchema#double",
                      "http://www.w3.org/2001/XMLSchema#string",
                      "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
                      "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON")


class Unsupported(Exception):
    """The plan compiler cannot reproduce this part of the shape exactly."""


def shape_of(value: Any) -> Any:
    """The shape key of a JSON value (see the module docstring)."""
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            if key == "@context":
                items.append((key, json.dumps(item, ensure_ascii=False)))
            elif key in _TYPE_KEYS and _is_type_value(item):
                items.append((key, ("t", item if isinstance(item, str) else tuple(item))))
            else:
                items.append((key, shape_of(item)))
        return ("d", tuple(items))
    if isinstance(value, list):
        return ("l", tuple(shape_of(item) for item in value))
    return type(value).__name__


def _is_type_value(value: Any) -> bool:
    return isinstance(value, str) or (
        isinstance(value, list) and all(isinstance(item, str) for item in value))


@dataclass
class Property:
    key: str
    predicate: str  # absolute IRI (or blank node label) of the expanded key
    term_ctx: Any
    coercion: Any  # the term's @type (None, "@id", "@vocab", "@json" or a datatype IRI)
    plain: bool  # string values are plain xsd:string literals (no coercion, language, direction)
    value: Any  # the value plan: "s" scalar, None, NodePlan, ValueObject, ListPlan or a list
    container: str | None = None  # "@list" or "@graph" (a simple graph container)
    datatype: str | None = None  # string values are "value"^^<datatype> (pyld's result)


@dataclass
class ListPlan:
    """The items of an ``@list`` (an array within one is a list of its own)."""
    items: list[Any]


@dataclass
class ValueObject:
    """A value object (``{"@value": ...}``): pyld's ``_expand`` is replayed on it."""
    args: tuple  # (active_ctx, active_property, inside_list, inside_index, type_scoped_ctx)


@dataclass
class NodePlan:
    ctx: Any
    id_key: str | None = None
    types: list[str] = field(default_factory=list)  # expanded type IRIs, in order
    type_count: int = 0
    properties: list[Property] = field(default_factory=list)


@dataclass
class Plan:
    root: NodePlan
    options: dict[str, Any]
    term_definitions: int


class _RecordingProcessor(LimitedProcessor):
    """The reference expansion, noting the arguments each object was expanded with."""

    def __init__(self, limits: Any):
        super().__init__(limits)
        self.expand_args: dict[int, tuple] = {}
        self.object_args: dict[int, tuple] = {}
        self.options: dict[str, Any] | None = None
        self.root: Any = None  # pyld expands a deep copy of the document: this one
        self.kept: list[Any] = []  # keeps recorded elements alive (their ids stay theirs)

    def _expand(self, active_ctx, active_property, element, options, inside_list=False,
                inside_index=False, type_scoped_ctx=None):
        if self.root is None:
            self.root = element
        if isinstance(element, dict):
            self.kept.append(element)
            self.expand_args[id(element)] = (active_ctx, active_property, inside_list,
                                             inside_index, type_scoped_ctx)
            self.options = options
        return super()._expand(active_ctx, active_property, element, options, inside_list,
                               inside_index, type_scoped_ctx)

    def _expand_object(self, active_ctx, active_property, expanded_active_property, element,
                       expanded_parent, options, inside_list=False, type_key=None,
                       type_scoped_ctx=None):
        if id(element) in self.object_args:  # the same object expanded twice: not a tree
            raise Unsupported("object expanded twice")
        self.object_args[id(element)] = (active_ctx, type_scoped_ctx, inside_list)
        return super()._expand_object(active_ctx, active_property, expanded_active_property,
                                      element, expanded_parent, options, inside_list,
                                      type_key, type_scoped_ctx)


def compile_plan(document: dict[str, Any], loader: Any, limits: Any) -> Any:
    """The plan of ``document``'s shape, or FALLBACK. Runs the reference expansion once (under
    the caller's pyld lock); its limit errors come out as they would on the reference path."""
    recorder = _RecordingProcessor(limits)
    try:
        recorder.expand(document, pyld_options(loader))
    except Unsupported:
        return FALLBACK
    term_definitions = recorder.term_definitions  # what the reference expansion counted
    # the compiler's own context look-ups are not the document's to pay for
    recorder.limits = dataclasses.replace(limits, max_term_definitions=math.inf)
    try:
        if not isinstance(recorder.root, dict) or shape_of(recorder.root) != shape_of(document):
            return FALLBACK  # not the copy of the document pyld expanded
        root = _Compiler(recorder).node(recorder.root)
    except Unsupported:
        return FALLBACK
    return Plan(root, recorder.options or {}, term_definitions)


class _Compiler:
    def __init__(self, recorder: _RecordingProcessor):
        self.rec = recorder
        self.options = recorder.options

    def node(self, element: dict[str, Any]) -> NodePlan:
        args = self.rec.object_args.get(id(element))
        if args is None:
            raise Unsupported("object not expanded as a node")
        ctx, type_scoped_ctx, inside_list = args
        rec = self.rec
        plan = NodePlan(ctx)
        for key, value in sorted(element.items()):
            if key == "@context":
                continue
            expanded = rec._expand_iri(ctx, key, vocab=True)
            if expanded is None or not (jsonld._is_absolute_iri(expanded)
                                        or jsonld._is_keyword(expanded)):
                continue  # dropped, as pyld drops it
            if jsonld._is_keyword(expanded):
                if expanded not in _KEYWORDS_HANDLED:
                    raise Unsupported(expanded)
                if expanded == "@id":
                    if not isinstance(value, str):
                        raise Unsupported("@id not a string")
                    plan.id_key = key
                    continue
                if key not in _TYPE_KEYS or not _is_type_value(value):
                    raise Unsupported("type alias or type value")
                values = [value] if isinstance(value, str) else value
                plan.type_count += len(values)
                for type_value in values:
                    iri = rec._expand_iri(type_scoped_ctx, type_value, vocab=True,
                                          base=self.options.get("base"))
                    if iri.startswith("_:"):
                        raise Unsupported("blank node type")
                    if jsonld._is_absolute_iri(iri) and iri not in plan.types:
                        plan.types.append(iri)
                continue
            plan.properties.append(self.property(ctx, key, expanded, value))
        return plan

    def property(self, ctx: Any, key: str, predicate: str, value: Any) -> Property:
        mapping = ctx["mappings"].get(key)
        if mapping and mapping.get("reverse"):
            raise Unsupported("@reverse")
        container = jsonld.JsonLdProcessor.arrayify(
            jsonld.JsonLdProcessor.get_context_value(ctx, key, "@container"))
        kinds = [item for item in container if item not in (None, "@set")]
        if kinds not in ([], ["@list"], ["@graph"]):
            raise Unsupported(f"container {container}")
        kind = kinds[0] if kinds else None
        term_ctx = ctx
        scoped = jsonld.JsonLdProcessor.get_context_value(ctx, key, "@context")
        if scoped is not None:
            term_ctx = self.rec._process_context(ctx, scoped, self.options, propagate=True,
                                                 override_protected=True)
        get = jsonld.JsonLdProcessor.get_context_value
        if get(ctx, key, "@type") == "@json":
            return Property(key, predicate, term_ctx, "@json", False, "json")
        coercion = get(term_ctx, key, "@type")
        plain = (coercion is None and get(term_ctx, key, "@language") is None
                 and get(term_ctx, key, "@direction") is None)
        if kind == "@list":
            plan = None if value is None else self.list_items(value)
        else:
            plan = self.value(value)
            if kind == "@graph" and not self.graph_values(plan):
                raise Unsupported("graph container of other than non-empty node objects")
        datatype = coercion if isinstance(coercion, str) and not (
            coercion.startswith("@") or coercion in _SPECIAL_DATATYPES) else None
        return Property(key, predicate, term_ctx, coercion, plain, plan, kind, datatype)

    def list_items(self, value: Any) -> ListPlan:
        items = value if isinstance(value, list) else [value]
        return ListPlan([self.list_items(item) if isinstance(item, list) else self.value(item)
                         for item in items])

    def graph_values(self, plan: Any) -> bool:
        if isinstance(plan, list):
            return all(self.graph_values(item) for item in plan)
        return plan is None or (isinstance(plan, NodePlan) and bool(
            plan.properties or plan.types or plan.id_key))

    def value(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if isinstance(value, dict):
            if id(value) in self.rec.object_args and not self._is_value_object(value):
                return self.node(value)
            args = self.rec.expand_args.get(id(value))
            if args is None or not self._is_value_object(value):
                raise Unsupported("object that is neither node nor value")
            return ValueObject(args)
        return None if value is None else "s"

    def _is_value_object(self, value: dict[str, Any]) -> bool:
        args = self.rec.object_args.get(id(value))
        if args is None:
            return False
        keys = {self.rec._expand_iri(args[0], key, vocab=True) for key in value}
        if "@value" in keys:
            if not keys <= {"@value", "@type", "@language", "@direction", "@index"}:
                raise Unsupported("value object keys")
            return True
        return False


def plan_for(document: dict[str, Any], loader: Any, limits: Any) -> Any:
    """The cached plan of ``document``'s shape (compiling it on a miss), or FALLBACK."""
    fingerprint = getattr(loader, "fingerprint", None)
    if fingerprint is None:  # a loader whose documents we cannot name: no shared plans
        return FALLBACK
    key = (shape_of(document), fingerprint)
    plan = _PLAN_CACHE.get(key)
    if plan is not None:
        _PLAN_CACHE.move_to_end(key)
        return plan
    plan = compile_plan(document, loader, limits)
    _PLAN_CACHE[key] = plan
    if len(_PLAN_CACHE) > PLAN_CACHE_SIZE:
        _PLAN_CACHE.popitem(last=False)
    return plan


def clear_plans() -> None:
    _PLAN_CACHE.clear()


def plan_count() -> tuple[int, int]:
    """(plans cached, of which fallback)."""
    return len(_PLAN_CACHE), sum(plan is FALLBACK for plan in _PLAN_CACHE.values())
