"""Integrity of related resources (VC DM 2.0 §5.3): ``relatedResource`` digests.

``digestSRI`` is a Subresource Integrity hash expression (``sha256-``, ``sha384-`` or
``sha512-`` and the standard base64 of the digest; several, space-separated, are allowed).
``digestMultibase`` is a multibase-encoded multihash (Data Integrity 1.0 §2.6): ``u``
(base64url, no padding) or ``z`` (base58btc), then the multihash code and length of
sha2-256/384/512 or sha3-256/384/512 and the digest. Pure: parsing and comparing only;
which resources can be had to compare against is the caller's business.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterator
from typing import Any

import base58

# SRI algorithm -> hashlib name; multihash code -> hashlib name.
SRI_ALGORITHMS = {"sha256": "sha256", "sha384": "sha384", "sha512": "sha512"}
MULTIHASH_CODES = {0x12: "sha256", 0x20: "sha384", 0x13: "sha512",
                   0x16: "sha3_256", 0x15: "sha3_384", 0x14: "sha3_512"}
MAX_DIGEST_CHARS = 512
_SRI = re.compile(r"^(?P<alg>sha256|sha384|sha512)-(?P<value>[A-Za-z0-9+/]+={0,2})"
                  r"(?:\?[\x21-\x7e]*)?$")


class DigestError(ValueError):
    """A digestSRI / digestMultibase value that is not well-formed."""


def _strings(value: Any, name: str) -> list[str]:
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, str) and v for v in values):
        raise DigestError(f"{name} must be a string (or an array of strings)")
    if any(len(v) > MAX_DIGEST_CHARS for v in values):
        raise DigestError(f"{name} is longer than {MAX_DIGEST_CHARS} characters")
    return values


def parse_sri(value: Any) -> list[tuple[str, bytes]]:
    """The (hashlib algorithm, digest) pairs of a digestSRI value; DigestError if malformed."""
    found = []
    for text in _strings(value, "digestSRI"):
        for expression in text.split():
            match = _SRI.match(expression)
            if match is None:
                raise DigestError(f"digestSRI {expression[:80]!r} is not sha256-, sha384- or "
                                  "sha512- followed by a base64 digest")
            algorithm = SRI_ALGORITHMS[match.group("alg")]
            try:
                digest = base64.b64decode(match.group("value"), validate=True)
            except (binascii.Error, ValueError):
                raise DigestError(f"digestSRI {expression[:80]!r}: the digest is not base64") \
                    from None
            if len(digest) != hashlib.new(algorithm).digest_size:
                raise DigestError(f"digestSRI {expression[:80]!r}: a {match.group('alg')} "
                                  f"digest has {hashlib.new(algorithm).digest_size} bytes, "
                                  f"not {len(digest)}")
            found.append((algorithm, digest))
    if not found:
        raise DigestError("digestSRI is empty")
    return found


def _multibase(text: str) -> bytes:
    prefix, rest = text[:1], text[1:]
    try:
        if prefix == "u":
            if not re.fullmatch(r"[A-Za-z0-9_-]+", rest):
                raise ValueError
            return base64.urlsafe_b64decode(rest + "=" * (-len(rest) % 4))
        if prefix == "z":
            return base58.b58decode(rest)
    except (binascii.Error, ValueError):
        raise DigestError(f"digestMultibase {text[:80]!r} is not valid "
                          f"{'base64url' if prefix == 'u' else 'base58btc'}") from None
    raise DigestError(f"digestMultibase {text[:80]!r} must start with u (base64url) or z "
                      "(base58btc)")


def parse_multibase(value: Any) -> list[tuple[str, bytes]]:
    """The (hashlib algorithm, digest) pairs of a digestMultibase value; DigestError if
    malformed (including a bare digest without its multihash header)."""
    found = []
    for text in _strings(value, "digestMultibase"):
        data = _multibase(text)
        if len(data) < 2 or data[0] not in MULTIHASH_CODES:
            raise DigestError(f"digestMultibase {text[:80]!r} is not a multihash of sha2-256/"
                              "384/512 or sha3-256/384/512 (a bare digest lacks the "
                              "multihash header)")
        algorithm = MULTIHASH_CODES[data[0]]
        size = hashlib.new(algorithm).digest_size
        if data[1] != size or len(data) != 2 + size:
            raise DigestError(f"digestMultibase {text[:80]!r}: the multihash length does not "
                              f"match its {algorithm} digest")
        found.append((algorithm, data[2:]))
    return found


def digests(entry: dict[str, Any]) -> list[tuple[str, str, bytes]]:
    """(property, algorithm, digest) of every digest an entry gives; DigestError if one is
    malformed."""
    found = []
    if "digestSRI" in entry:
        found += [("digestSRI", a, d) for a, d in parse_sri(entry["digestSRI"])]
    if "digestMultibase" in entry:
        found += [("digestMultibase", a, d) for a, d in parse_multibase(entry["digestMultibase"])]
    return found


def mismatches(entry: dict[str, Any], body: bytes) -> Iterator[str]:
    """The digests of ``entry`` that ``body`` (the resource's bytes) does not match."""
    for name, algorithm, digest in digests(entry):
        if hashlib.new(algorithm, body).digest() != digest:
            yield f"{name} ({algorithm.replace('_', '-')})"
