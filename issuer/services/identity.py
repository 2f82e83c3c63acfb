"""Issuer identity: did:web derived from ISSUER_BASE_URL, and the DID documents we host.

did:web method spec (https://w3c-ccg.github.io/did-method-web/#create-register): the host's
port colon is percent-encoded and path segments become ``:``-separated. The default profile's
DID is the base URL itself (``did:web:localhost%3A5000``, document at /.well-known/did.json,
or at <path>/did.json when the base URL has a path); other profiles add ``:issuers:<slug>``
(document at /issuers/<slug>/did.json).
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from issuer.dataintegrity import multikey

DID_WEB_PREFIX = "did:web:"
DID_KEY_PREFIX = "did:key:"


def did_web(base_url: str, path_segments: tuple[str, ...] = ()) -> str:
    """The did:web for ``base_url`` plus extra path segments."""
    parts = urlsplit(base_url)
    if not parts.hostname:
        raise ValueError(f"not a URL with a host: {base_url!r}")
    host = parts.hostname.lower()
    if parts.port is not None:
        host += f":{parts.port}"
    segments = [segment for segment in parts.path.split("/") if segment] + list(path_segments)
    return DID_WEB_PREFIX + quote(host, safe="") + "".join(
        ":" + quote(segment, safe="") for segment in segments
    )


def profile_did_web(base_url: str, *, slug: str, is_default: bool) -> str:
    return did_web(base_url) if is_default else did_web(base_url, ("issuers", slug))


def did_web_document_url(did: str) -> str:
    """Where a did:web document lives (https, as the method requires)."""
    if not did.startswith(DID_WEB_PREFIX):
        raise ValueError(f"not a did:web: {did!r}")
    from urllib.parse import unquote

    host, *path = did.removeprefix(DID_WEB_PREFIX).split(":")
    location = "/".join([unquote(host), *path]) if path else unquote(host) + "/.well-known"
    return f"https://{location}/did.json"


def did_document(did: str, public_key_multibases: list[str]) -> dict:
    """The DID document: every key (active and retired) as a Multikey under
    verificationMethod and assertionMethod, ids ``<did>#<publicKeyMultibase>``."""
    if did.startswith(DID_KEY_PREFIX):
        return multikey.did_key_document(did.removeprefix(DID_KEY_PREFIX))
    return multikey.controller_document(did, public_key_multibases)
