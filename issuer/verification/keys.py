"""Which key signed a proof: the public key and controller behind a verification-method id.

did:key ids carry their key; other ids are looked up in their controller's document (a DID
document or an issuer profile, from ``resolve_controller``), or, when that cannot be had and
the id ends in a Multikey (``#z6Mk…``, ``#zDn…``, ``#z82…``), taken from the id itself, unconfirmed (as the 1EdTech validator
does): the issuer check then says it could not confirm the key is the issuer's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from issuer.dataintegrity import multikey
from issuer.verification.results import first_line

# controller id -> its controller / DID document, or None when it cannot be had.
ControllerResolver = Callable[[str], "dict[str, Any] | None"]

VERIFICATION_KEY_TYPES = {"Multikey", "Ed25519VerificationKey2020"}
# Multikeys are at most ~70 characters (P-384); longer strings are decoded, never kept.
_CACHED_KEY_CHARS = 128


def decode_key(public_key_multibase: str) -> multikey.PublicKey:
    """:func:`multikey.decode_multikey`, memoised for the keys seen again and again (an
    issuer's key on every credential and status list): the key is a pure function of the
    string, and PublicKey is immutable. Errors are raised every time."""
    if isinstance(public_key_multibase, str) and len(public_key_multibase) <= _CACHED_KEY_CHARS:
        return _decode_cached(public_key_multibase)
    return multikey.decode_multikey(public_key_multibase)


@lru_cache(maxsize=1024)
def _decode_cached(public_key_multibase: str) -> multikey.PublicKey:
    return multikey.decode_multikey(public_key_multibase)


@dataclass(frozen=True)
class ResolvedKey:
    public_key: multikey.PublicKey  # Ed25519, P-256 or P-384
    controller: str
    # Set when the key was read from the verification method id because the controller's
    # documents could not be had: the key is not confirmed to be the controller's.
    warning: str = ""
    unconfirmed: str = ""  # why the controller's documents could not be had


class KeyResolutionError(Exception):
    """No usable key. ``unavailable``: the controller's documents could not be had (a fetch
    failed, or fetching is off), so the signature could not be checked, rather than being
    wrong."""

    def __init__(self, message: str, *, unavailable: bool = False):
        super().__init__(message)
        self.unavailable = unavailable


def resolve_key(method: Any, resolve_controller: ControllerResolver | None, *,
                relationship: str = "assertionMethod") -> ResolvedKey:
    """The public key and controller behind a verification-method id, which the controller
    must list under ``relationship`` (``authentication`` for a presentation's proof)."""
    if not isinstance(method, str) or not method:
        raise KeyResolutionError("the proof has no verificationMethod")
    if method.startswith("did:key:"):
        identifier, _, fragment = method.partition("#")
        key = identifier.removeprefix("did:key:")
        if fragment and fragment != key:
            raise KeyResolutionError("did:key fragment does not match the key")
        try:
            return ResolvedKey(decode_key(key), identifier)
        except multikey.MultikeyError as exc:
            raise KeyResolutionError(f"{method}: {exc}") from None
    controller_id, _, fragment = method.partition("#")
    if ":" not in controller_id:
        raise KeyResolutionError(f"verificationMethod {method!r} is not an absolute URL or DID")
    document = None
    lookup_error = ""
    if resolve_controller is not None:
        try:
            document = resolve_controller(controller_id)
        except Exception as exc:  # resolver failures become a readable reason
            lookup_error = first_line(exc)
    if document is not None:
        return _key_from_document(method, controller_id, document, relationship)
    if fragment.startswith(("z6Mk", "zDn", "z82")):  # Ed25519, P-256, P-384 Multikeys
        try:
            key = decode_key(fragment)
        except multikey.MultikeyError as exc:
            raise KeyResolutionError(f"{method}: {exc}") from None
        why = f" ({lookup_error})" if lookup_error else ""
        return ResolvedKey(
            key, controller_id,
            warning=f"key taken from the verification method id; {controller_id} could not be "
            f"fetched to confirm it publishes the key{why}",
            unconfirmed=lookup_error or f"{controller_id} could not be resolved",
        )
    raise KeyResolutionError(
        f"cannot resolve verification method {method}" + (f": {lookup_error}" if lookup_error else ""),
        unavailable=bool(lookup_error),
    )


def _key_from_document(method: str, controller_id: str, document: dict[str, Any],
                       relationship: str) -> ResolvedKey:
    """Find ``method`` in a controller/DID document (or a key document) and check that it is
    authorised for ``relationship``."""
    if document.get("publicKeyMultibase") and document.get("id") in (method, controller_id):
        candidates = [document]  # a key document
        assertion = [document.get("id")]
    else:
        candidates = [vm for vm in document.get("verificationMethod", []) if isinstance(vm, dict)]
        assertion = document.get(relationship, [])
        assertion = assertion if isinstance(assertion, list) else [assertion]
        candidates += [vm for vm in assertion if isinstance(vm, dict)]
    doc_id = document.get("id", controller_id)

    def full(ref: str) -> str:
        return doc_id + ref if ref.startswith("#") else ref

    for vm in candidates:
        if full(vm.get("id", "")) != method:
            continue
        authorised = {full(ref) if isinstance(ref, str) else full(ref.get("id", "")) for ref in assertion}
        if method not in authorised:
            raise KeyResolutionError(f"{method} is not listed under {relationship} by its controller")
        if vm.get("type") not in VERIFICATION_KEY_TYPES:
            raise KeyResolutionError(f"{method} has unsupported key type {vm.get('type')!r}")
        try:
            key = decode_key(vm.get("publicKeyMultibase", ""))
        except multikey.MultikeyError as exc:
            raise KeyResolutionError(f"{method}: {exc}") from None
        return ResolvedKey(key, vm.get("controller", doc_id))
    raise KeyResolutionError(f"the controller document of {controller_id} does not list {method}")
