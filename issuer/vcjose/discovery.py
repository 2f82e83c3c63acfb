"""Key discovery (VC-JOSE-COSE §4): the public key a JOSE header names, who controls it, and
for which verification relationships its controller lists it.

* ``kid`` a ``did:key`` (Ed25519 ``z6Mk…`` or P-256 ``zDn…``): decoded here, nothing fetched.
* ``kid`` any other absolute URL or DID URL: the controller document comes from
  ``resolve_controller`` (did:web, an issuer profile, a controller document); the key is a
  ``JsonWebKey`` (``publicKeyJwk``) or ``Multikey`` verification method in it.
* ``kid`` a bare name (a JWK thumbprint, ``key-1``): only with an ``iss``, whose controller
  document must list a method of that fragment, ``kid`` or thumbprint (VC-JOSE-COSE §4.2:
  without ``iss`` an issuer's ``kid`` must be an absolute URL).
* no ``kid`` but a ``jwk``: the key travels in the token; it is the issuer's only when the
  issuer's own document lists the same key (compared by RFC 7638 thumbprint).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jwcrypto import jwk

from issuer.vcjose import jwks
from issuer.verification import problem_types as pt

__all__ = ["ASSERTION", "AUTHENTICATION", "FoundKey", "KeyDiscoveryError", "find_key",
           "method_key"]

Resolver = Callable[[str], "dict[str, Any] | None"]
ASSERTION = "assertionMethod"
AUTHENTICATION = "authentication"
RELATIONSHIPS = (ASSERTION, AUTHENTICATION)
JWK_METHODS = {"JsonWebKey", "JsonWebKey2020"}
MULTIKEY_METHODS = {"Multikey", "Ed25519VerificationKey2020"}


class KeyDiscoveryError(Exception):
    def __init__(self, detail: str, problem_type: str = pt.INVALID_VERIFICATION_METHOD):
        super().__init__(detail)
        self.problem_type = problem_type


@dataclass(frozen=True)
class FoundKey:
    """A verification key and what is known of it.

    ``controller`` None: nobody confirmed whose key it is (a ``jwk`` header whose issuer
    document could not be had); ``relationships``: under which of assertionMethod /
    authentication the controller lists it; ``refuted``: the issuer's document was read and
    does not list this key.
    """

    key: jwk.JWK
    method_id: str | None
    controller: str | None
    relationships: tuple[str, ...] = ()
    note: str = ""
    refuted: bool = False


def method_key(method: dict[str, Any]) -> jwk.JWK:
    """The public key of a verification method (JsonWebKey or Multikey)."""
    kind = method.get("type")
    try:
        if kind in JWK_METHODS:
            return jwks.public_jwk(method.get("publicKeyJwk"))
        if kind in MULTIKEY_METHODS:
            return jwks.jwk_from_multikey(method.get("publicKeyMultibase", ""))
    except jwks.JwkError as exc:
        raise KeyDiscoveryError(f"{method.get('id')}: {exc}") from None
    raise KeyDiscoveryError(f"{method.get('id')} has unsupported key type {kind!r} "
                            "(JsonWebKey or Multikey)")


def _did_key(identifier: str) -> FoundKey:
    did, _, fragment = identifier.partition("#")
    multibase = did.removeprefix("did:key:")
    if fragment and fragment != multibase:
        raise KeyDiscoveryError("the did:key fragment does not match the key",
                                pt.INVALID_VERIFICATION_METHOD_URL)
    try:
        key = jwks.jwk_from_multikey(multibase)
    except jwks.JwkError as exc:
        raise KeyDiscoveryError(f"{did}: {exc}") from None
    return FoundKey(key, f"{did}#{multibase}", did, RELATIONSHIPS)


def _resolve(resolve: Resolver | None, identifier: str) -> dict[str, Any] | None:
    if resolve is None:
        return None
    try:
        document = resolve(identifier)
    except Exception as exc:  # a resolver failure becomes the reason
        text = str(exc).strip().splitlines()
        raise KeyDiscoveryError(f"cannot resolve {identifier}: "
                                f"{text[0][:300] if text else exc.__class__.__name__}") from None
    return document if isinstance(document, dict) else None


def _methods(document: dict[str, Any]) -> list[dict[str, Any]]:
    found = [vm for vm in document.get("verificationMethod", []) or [] if isinstance(vm, dict)]
    for relationship in RELATIONSHIPS:
        listed = document.get(relationship, []) or []
        found += [vm for vm in (listed if isinstance(listed, list) else [listed])
                  if isinstance(vm, dict)]
    return found


def _absolute(document: dict[str, Any], reference: str) -> str:
    base = document.get("id", "")
    return base + reference if reference.startswith("#") and isinstance(base, str) else reference


def _relationships(document: dict[str, Any], method_id: str) -> tuple[str, ...]:
    found = []
    for relationship in RELATIONSHIPS:
        listed = document.get(relationship, []) or []
        for entry in listed if isinstance(listed, list) else [listed]:
            ref = entry.get("id", "") if isinstance(entry, dict) else entry
            if isinstance(ref, str) and _absolute(document, ref) == method_id:
                found.append(relationship)
                break
    return tuple(found)


def _found(document: dict[str, Any], method: dict[str, Any], resolve: Resolver | None,
           key: jwk.JWK | None = None) -> FoundKey:
    """The key of ``method`` (found in ``document``), with its controller's relationships;
    a key document (the method itself) sends us to its controller's document."""
    method_id = _absolute(document, method.get("id", ""))
    key = key if key is not None else method_key(method)
    doc_id = document.get("id")
    controller = method.get("controller", doc_id)
    if not isinstance(controller, str):
        raise KeyDiscoveryError(f"{method_id} names no controller")
    if controller == doc_id and document is not method:
        return FoundKey(key, method_id, controller, _relationships(document, method_id))
    controller_document = _resolve(resolve, controller)
    if controller_document is None:
        return FoundKey(key, method_id, controller, (),
                        note=f"the controller document of {controller} could not be had")
    return FoundKey(key, method_id, controller,
                    _relationships(controller_document, method_id))


def _by_kid(kid: str, resolve: Resolver | None) -> FoundKey:
    base = kid.partition("#")[0]
    document = _resolve(resolve, base)
    if document is None:
        raise KeyDiscoveryError(f"cannot resolve {base} to find the key {kid}")
    if document.get("id") == kid and ("publicKeyJwk" in document
                                      or "publicKeyMultibase" in document):
        return _found(document, document, resolve)  # a key document
    for method in _methods(document):
        if _absolute(document, method.get("id", "")) == kid:
            return _found(document, method, resolve)
    raise KeyDiscoveryError(f"the document of {base} does not list the key {kid}")


def _by_name(kid: str, issuer: str, resolve: Resolver | None) -> FoundKey:
    """A bare ``kid`` among the methods of ``issuer``'s document."""
    if issuer.startswith("did:key:"):
        found = _did_key(issuer)
        if kid in (found.method_id.partition("#")[2], jwks.thumbprint(found.key)):
            return found
        raise KeyDiscoveryError(f"kid {kid!r} is not the key of {issuer}")
    document = _resolve(resolve, issuer)
    if document is None:
        raise KeyDiscoveryError(f"cannot resolve {issuer} to find the key {kid!r}")
    for method in _methods(document):
        method_id = _absolute(document, method.get("id", ""))
        jwk_value = method.get("publicKeyJwk")
        if method_id.partition("#")[2] == kid or method_id == kid or (
                isinstance(jwk_value, dict) and jwk_value.get("kid") == kid):
            return _found(document, method, resolve)
    for method in _methods(document):
        try:
            key = method_key(method)
        except KeyDiscoveryError:
            continue
        if jwks.thumbprint(key) == kid:
            return _found(document, method, resolve, key)
    raise KeyDiscoveryError(f"the document of {issuer} lists no key {kid!r}")


def _by_jwk(key: jwk.JWK, issuer: str | None, resolve: Resolver | None) -> FoundKey:
    """A ``jwk`` header key, confirmed (or not) by the issuer's own document."""
    if issuer is None:
        return FoundKey(key, None, None, note="the key travels in the token and the "
                                               "document names no issuer to confirm it")
    if issuer.startswith("did:key:"):
        found = _did_key(issuer)
        if jwks.same_key(found.key, key):
            return found
        return FoundKey(key, None, None, refuted=True,
                        note=f"the key in the jwk header is not the key of {issuer}")
    try:
        document = _resolve(resolve, issuer)
    except KeyDiscoveryError as exc:
        return FoundKey(key, None, None, note=f"the key travels in the token; {exc}")
    if document is None:
        return FoundKey(key, None, None, note="the key travels in the token, and the "
                        f"published keys of {issuer} could not be consulted")
    for method in _methods(document):
        try:
            if jwks.same_key(method_key(method), key):
                return _found(document, method, resolve, key)
        except KeyDiscoveryError:
            continue
    return FoundKey(key, None, None, refuted=True,
                    note=f"the document of {issuer} does not list the key in the jwk header")


def find_key(header: dict[str, Any], *, issuer: str | None, iss: str | None,
             resolve_controller: Resolver | None) -> FoundKey:
    """The key the (already checked) header names. ``issuer``: the issuer's (or holder's)
    id from the document; ``iss``: the ``iss`` claim or header, when present."""
    kid = header.get("kid")
    header_key = jwks.public_jwk(header["jwk"]) if "jwk" in header else None
    if kid is None:
        if header_key is None:
            raise KeyDiscoveryError("the JOSE header names no key (kid or jwk)")
        return _by_jwk(header_key, iss or issuer, resolve_controller)
    if kid.startswith("did:key:"):
        found = _did_key(kid)
    elif ":" in kid.partition("#")[0]:
        found = _by_kid(kid, resolve_controller)
    elif iss is not None:
        found = _by_name(kid, iss, resolve_controller)
    else:
        raise KeyDiscoveryError(
            f"kid {kid!r} is not an absolute URL, and there is no iss to say whose key it "
            "is (VC-JOSE-COSE §4.2)", pt.INVALID_VERIFICATION_METHOD_URL)
    if header_key is not None and not jwks.same_key(header_key, found.key):
        raise KeyDiscoveryError("the jwk header is not the key kid names")
    return found
