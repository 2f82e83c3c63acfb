"""The canonical N-Quads of a proof configuration, from a template when its form is known.

A proof configuration (vc-di-eddsa §3.3.5, vc-di-ecdsa §3.2.5) is the proof options with the
document's ``@context``: one node of a handful of simple properties. Through JSON-LD it costs a
full expansion of the document's contexts; its canonical form is, however, one line per value:

    _:c14n0 <http://purl.org/dc/terms/created> "…"^^<…XMLSchema#dateTime> .
    _:c14n0 <…22-rdf-syntax-ns#type> <https://w3id.org/security#DataIntegrityProof> .
    …

(the subject is the proof's ``id`` when it has one). :func:`canonical_proof_configuration`
writes those lines directly when

* ``type`` is ``DataIntegrityProof`` and every other key is one of :data:`PREDICATES`, each
  value a string or a list of strings (``id``: one string);
* IRI values (``id``, ``verificationMethod``, ``previousProof``) are absolute ``did:``,
  ``urn:``, ``http:`` or ``https:`` IRIs without spaces or characters N-Quads cannot hold;
  ``proofPurpose`` values are the five the Data Integrity context names;
* ``@context`` is a list of vendored context URLs (or one), the first VC 2.0 or VC 1.1, which
  the loader serves as vendored, and for which the template was checked once against the
  general path (:func:`_template_holds`: probes with every field, IRI scheme and purpose;
  a later context that changed any of them, e.g. with a default ``@language``, fails it);

and otherwise canonicalizes through JSON-LD (:func:`issuer.dataintegrity.canonicalize
.canonicalize`), the reference. tests/unit/dataintegrity/test_proof_config.py compares the two
on generated configurations.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from issuer.dataintegrity.canonicalize import canonicalize
from issuer.dataintegrity.nquads import escape_literal
from issuer.dataintegrity.document_loader import DEFAULT_LOADER, StaticDocumentLoader
from issuer.dataintegrity.limits import DEFAULT_LIMITS, ProcessingLimits, check_json

SEC = "https://w3id.org/security#"
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
VC2 = "https://www.w3.org/ns/credentials/v2"
VC1 = "https://www.w3.org/2018/credentials/v1"
_TYPE_LINE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <" + SEC + "DataIntegrityProof>"
# key → (predicate, how a value is written): "iri", "purpose" or the literal's datatype ("" for
# xsd:string, written without one).
PREDICATES = {
    "created": ("<http://purl.org/dc/terms/created>", XSD_DATETIME),
    "expires": ("<" + SEC + "expiration>", XSD_DATETIME),
    "cryptosuite": ("<" + SEC + "cryptosuite>", SEC + "cryptosuiteString"),
    "verificationMethod": ("<" + SEC + "verificationMethod>", "iri"),
    "proofPurpose": ("<" + SEC + "proofPurpose>", "purpose"),
    "challenge": ("<" + SEC + "challenge>", ""),
    "domain": ("<" + SEC + "domain>", ""),
    "nonce": ("<" + SEC + "nonce>", ""),
    "previousProof": ("<" + SEC + "previousProof>", "iri"),
}
PURPOSES = {
    "assertionMethod": SEC + "assertionMethod",
    "authentication": SEC + "authenticationMethod",
    "capabilityInvocation": SEC + "capabilityInvocationMethod",
    "capabilityDelegation": SEC + "capabilityDelegationMethod",
    "keyAgreement": SEC + "keyAgreementMethod",
}
_IRI = re.compile(r"(?:did|urn|https?):[^\s<>\"{}|\\^`\x00-\x20\x7f]*")
_SCHEMES = ("did:probe:a", "urn:probe:b", "http:probe", "https:probe")

_checked: dict[tuple[str, ...], bool] = {}  # context URLs → does the template hold for them
_checked_lock = threading.Lock()


def canonical_proof_configuration(
    proof_config: dict[str, Any],
    *,
    loader: StaticDocumentLoader = DEFAULT_LOADER,
    limits: ProcessingLimits = DEFAULT_LIMITS,
    hash_algorithm: str = "sha256",
) -> str:
    """RDFC-1.0 canonical N-Quads of a proof configuration (with its ``@context``): the same
    string :func:`~issuer.dataintegrity.canonicalize.canonicalize` returns, by template when
    the configuration has the simple known form (module docstring), else through it."""
    lines = template_nquads(proof_config, loader, limits)
    if lines is None:
        return canonicalize(proof_config, loader=loader, limits=limits,
                            hash_algorithm=hash_algorithm)
    return lines


def template_nquads(proof_config: dict[str, Any], loader: StaticDocumentLoader,
              limits: ProcessingLimits) -> str | None:
    """The canonical N-Quads by template, or None when the template does not apply."""
    if proof_config.get("type") != "DataIntegrityProof":
        return None
    contexts = _context_urls(proof_config.get("@context"), loader)
    if contexts is None:
        return None
    lines = _lines(proof_config)
    if lines is None or len(lines) > limits.max_quads:
        return None
    if not _template_holds(contexts):
        return None
    check_json(proof_config, limits)  # the general path's first check, with its errors
    return "".join(sorted(lines))


def _context_urls(context: Any, loader: StaticDocumentLoader) -> tuple[str, ...] | None:
    urls = tuple(context) if isinstance(context, list) else (context,)
    if not urls or urls[0] not in (VC2, VC1):
        return None
    for url in urls:
        if not isinstance(url, str):
            return None
        try:  # the loader serves the vendored document (not one a caller put in its place)
            if loader.load(url) is not DEFAULT_LOADER.load(url):
                return None
        except Exception:  # not vendored: the general path gives the loader's error
            return None
    return urls


def _lines(proof_config: dict[str, Any]) -> set[str] | None:
    """The N-Quads lines of the configuration (a set: JSON-LD drops repeated values)."""
    subject = "_:c14n0"
    if "id" in proof_config:
        proof_id = proof_config["id"]
        if not isinstance(proof_id, str) or not _IRI.fullmatch(proof_id):
            return None
        subject = "<" + proof_id + ">"
    lines = {f"{subject} {_TYPE_LINE} .\n"}
    for key, value in proof_config.items():
        if key in ("@context", "type", "id"):
            continue
        known = PREDICATES.get(key)
        if known is None:
            return None
        predicate, kind = known
        values = value if isinstance(value, list) else [value]
        for item in values:
            if not isinstance(item, str):
                return None
            if kind == "iri":
                if not _IRI.fullmatch(item):
                    return None
                obj = "<" + item + ">"
            elif kind == "purpose":
                if item not in PURPOSES:
                    return None
                obj = "<" + PURPOSES[item] + ">"
            elif kind:
                obj = '"' + escape_literal(item) + '"^^<' + kind + ">"
            else:
                obj = '"' + escape_literal(item) + '"'
            lines.add(f"{subject} {predicate} {obj} .\n")
    return lines


def _template_holds(contexts: tuple[str, ...]) -> bool:
    """Whether the template writes what the general path writes under these (vendored)
    contexts: checked once per process and context list, on probes that use every key, every
    IRI scheme and every purpose, with and without an ``id``."""
    known = _checked.get(contexts)
    if known is not None:
        return known
    holds = True
    for index, purpose in enumerate(PURPOSES):
        scheme = _SCHEMES[index % len(_SCHEMES)]
        probe: dict[str, Any] = {
            "@context": list(contexts), "type": "DataIntegrityProof",
            "created": "2000-01-01T00:00:00Z", "expires": "probe \"é\"\n",
            "cryptosuite": "probe-suite", "verificationMethod": scheme + "#key",
            "proofPurpose": purpose, "challenge": "probe", "domain": ["probe.example", "b"],
            "nonce": "probe\u0000", "previousProof": [_SCHEMES[(index + 1) % len(_SCHEMES)]],
        }
        if index % 2:
            probe["id"] = _SCHEMES[(index + 2) % len(_SCHEMES)]
        try:
            holds = holds and canonicalize(probe) == "".join(sorted(_lines(probe) or ()))
        except Exception:  # the contexts do not even process: never by template
            holds = False
    with _checked_lock:
        _checked[contexts] = holds
    return holds
