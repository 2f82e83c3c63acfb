"""Seeded RDF datasets for the RDFC-1.0 differential tests (pyld's dataset form).

Each dataset is what pyld's ``to_rdf`` returns: graph name (``"@default"``, an IRI or a
``_:`` label) → a list of distinct triples of term dicts. The shapes are the ones RDFC-1.0
finds hard or that a serializer gets wrong: many blank nodes, symmetric and isomorphic
structures (rings, cliques, twins) whose first-degree hashes collide so that Hash N-Degree
Quads must run, blank-node and IRI named graphs, literals with every character N-Quads
escapes, language tags and datatypes.
"""

from __future__ import annotations

import random
import re

from issuer.dataintegrity.canonicalize import escape_literal
from issuer.dataintegrity.rdfc import quads_from_dataset

EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
PREDICATES = [EX + "p", EX + "q", "https://www.w3.org/2018/credentials#issuer",
              "http://schema.org/name"]
# Every control character, the two ECHAR-only ones, DEL, a surrogate-pair character, the
# BMP's last ones, combining marks and right-to-left text.
SPECIAL = [chr(c) for c in range(0x20)] + ['"', "\\", "\x7f", "\u00e9", "\u0301", "\u05d0",
                                           "\ufffd", "\uffff", "\U0001f600", "\U00010000", " "]


def bnode(label: str) -> dict:
    return {"type": "blank node", "value": label}


def iri(value: str) -> dict:
    return {"type": "IRI", "value": value}


def literal(value: str, datatype: str = XSD_STRING, language: str | None = None) -> dict:
    term = {"type": "literal", "value": value, "datatype": datatype}
    if language is not None:
        term["language"] = language
    return term


def random_text(rng: random.Random) -> str:
    return "".join(rng.choice(SPECIAL) if rng.random() < 0.4 else rng.choice("abcxyz ")
                   for _ in range(rng.randint(0, 8)))


def random_literal(rng: random.Random) -> dict:
    kind = rng.random()
    if kind < 0.45:
        return literal(random_text(rng))
    if kind < 0.7:
        return literal(random_text(rng), LANGSTRING, rng.choice(["en", "en-US", "fr", "ar-EG"]))
    datatype = rng.choice([XSD + "integer", XSD + "dateTime", XSD + "boolean",
                           "https://purl.imsglobal.org/spec/vc/ob/vocab.html#Markdown"])
    return literal(rng.choice(["1", "true", "2026-01-02T03:04:05Z", random_text(rng)]), datatype)


def add(dataset: dict, graph: str, subject: dict, predicate: str, obj: dict) -> None:
    triples = dataset.setdefault(graph, [])
    triple = {"subject": subject, "predicate": iri(predicate), "object": obj}
    if triple not in triples:
        triples.append(triple)


def random_dataset(rng: random.Random, *, self_loops: bool = True) -> dict:
    """A random dataset: up to 14 blank nodes, few predicates (so hashes collide), literals,
    IRIs, named graphs. ``self_loops=False`` leaves out quads naming one blank node twice."""
    size = rng.randint(1, 14)
    nodes = [f"_:n{i}" for i in range(size)]
    graphs = ["@default"] * 4 + [EX + "g1", "_:g0", "_:n0"]
    dataset: dict = {}
    for _ in range(rng.randint(1, 30)):
        graph = rng.choice(graphs)
        subject = bnode(rng.choice(nodes)) if rng.random() < 0.8 else iri(EX + rng.choice("ab"))
        kind = rng.random()
        if kind < 0.5:
            obj = bnode(rng.choice(nodes))
        elif kind < 0.6:
            obj = iri(EX + rng.choice("abc"))
        else:
            obj = random_literal(rng)
        if not self_loops and (subject == obj or graph in (subject["value"], obj.get("value"))):
            continue
        add(dataset, graph, subject, rng.choice(PREDICATES[:2]), obj)
    return dataset


def ring(size: int, graph: str = "@default") -> dict:
    dataset: dict = {}
    for i in range(size):
        add(dataset, graph, bnode(f"_:r{i}"), EX + "p", bnode(f"_:r{(i + 1) % size}"))
    return dataset


def clique(size: int) -> dict:
    dataset: dict = {}
    for a in range(size):
        for b in range(size):
            if a != b:
                add(dataset, "@default", bnode(f"_:k{a}"), EX + "p", bnode(f"_:k{b}"))
    return dataset


def twins(rng: random.Random, copies: int) -> dict:
    """``copies`` isomorphic copies of one random blank-node structure, hanging off one IRI:
    every copy's nodes share first-degree hashes with the other copies'."""
    template = random_dataset(rng, self_loops=False).get("@default", [])
    dataset: dict = {}
    for copy_number in range(copies):
        def rename(term: dict) -> dict:
            if term["type"] != "blank node":
                return term
            return bnode(f"{term['value']}c{copy_number}")
        for triple in template:
            add(dataset, "@default", rename(triple["subject"]), triple["predicate"]["value"],
                rename(triple["object"]))
        if template:
            add(dataset, "@default", iri(EX + "root"), EX + "has",
                rename(template[0]["subject"]))
    return dataset


def merged(*datasets: dict) -> dict:
    result: dict = {}
    for dataset in datasets:
        for graph, triples in dataset.items():
            for triple in triples:
                add(result, graph, triple["subject"], triple["predicate"]["value"],
                    triple["object"])
    return result


def generated(seed: int, count: int, *, self_loops: bool = True) -> list[dict]:
    """``count`` datasets of every shape, from ``seed``."""
    rng = random.Random(seed)
    datasets = []
    for index in range(count):
        shape = index % 5
        if shape == 0:
            datasets.append(twins(rng, rng.randint(2, 3)))
        elif shape == 1:
            datasets.append(merged(ring(rng.randint(2, 6)), ring(rng.randint(2, 6), EX + "g")))
        else:
            datasets.append(random_dataset(rng, self_loops=self_loops))
    return [dataset for dataset in datasets if dataset]


def to_nquads(dataset: dict) -> str:
    """N-Quads of a dataset, literals escaped as RDFC-1.0 writes them (for rdf-canonize)."""
    return "".join(" ".join(term for term in quad if term) + " .\n"
                   for quad in quads_from_dataset(dataset))


# --- N-Quads text → the tuples of issuer.dataintegrity.rdfc ------------------------------------

_IRI = r"<((?:[^>\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*)>"
_BNODE = r"(_:[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?)"
_LITERAL = (r'"((?:[^"\\]|\\.)*)"(?:\^\^' + _IRI + r"|@([a-zA-Z]+(?:-[a-zA-Z0-9]+)*))?")
_QUAD = re.compile(
    r"\s*(?:" + _IRI + "|" + _BNODE + r")\s*" + _IRI + r"\s*(?:" + _IRI + "|" + _BNODE + "|"
    + _LITERAL + r")\s*(?:(?:" + _IRI + "|" + _BNODE + r")\s*)?\.\s*(?:#.*)?")
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.DOTALL)
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'",
          "\\": "\\"}


def _unescape(text: str) -> str:
    def one(match: re.Match) -> str:
        code = match.group(1) or match.group(2)
        return chr(int(code, 16)) if code else _ECHAR[match.group(3)]
    return _ESCAPE.sub(one, text)


def parse_nquads(text: str) -> list[tuple[str, str, str, str]]:
    """Strict enough N-Quads parsing for test files, into canonical term syntax (literals
    re-escaped as RDFC-1.0 writes them, explicit xsd:string dropped)."""
    quads = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _QUAD.fullmatch(line)
        if match is None:
            raise ValueError(f"line {number} is not an N-Quad: {line!r}")
        (s_iri, s_bnode, predicate, o_iri, o_bnode, lexical, datatype, language, g_iri,
         g_bnode) = match.groups()
        subject = f"<{_unescape(s_iri)}>" if s_iri is not None else s_bnode
        if o_iri is not None:
            obj = f"<{_unescape(o_iri)}>"
        elif o_bnode is not None:
            obj = o_bnode
        else:
            obj = '"' + escape_literal(_unescape(lexical)) + '"'
            if language is not None:
                obj += "@" + language
            elif datatype is not None and _unescape(datatype) != XSD_STRING:
                obj += f"^^<{_unescape(datatype)}>"
        graph = f"<{_unescape(g_iri)}>" if g_iri is not None else (g_bnode or "")
        quads.append((subject, f"<{_unescape(predicate)}>", obj, graph))
    return quads
