"""W3C Bitstring Status List v1.0: the bitstring, its encoding, and the list credential.

https://www.w3.org/TR/vc-bitstring-status-list/
Index 0 is the left-most bit (the most significant bit of the first byte).
``encodedList`` = ``u`` (multibase base64url, no padding) + base64url(GZIP(bitstring)).
Pure functions; publication and allocation live in the services layer.
"""

from __future__ import annotations

import base64
import binascii
import gzip
from datetime import datetime
from typing import Any

from issuer.clock import format_datetime

MIN_LIST_LENGTH = 131_072  # bits (16 KiB): the spec's minimum, for group privacy
ENTRY_TYPE = "BitstringStatusListEntry"
LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
LIST_TYPE = "BitstringStatusList"
PURPOSES = ("revocation", "suspension")
VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
# Decompressed lists larger than this are refused (a zip bomb guard: 16 MiB = 134M entries).
MAX_DECODED_BYTES = 16 * 1024 * 1024


class StatusListError(ValueError):
    """An encodedList or status entry is malformed."""


def new_bitstring(length: int = MIN_LIST_LENGTH) -> bytearray:
    if length < MIN_LIST_LENGTH or length % 8:
        raise ValueError(f"a status list holds at least {MIN_LIST_LENGTH} entries, a multiple of 8")
    return bytearray(length // 8)


def get_bit(bitstring: bytes, index: int) -> bool:
    if not 0 <= index < len(bitstring) * 8:
        raise StatusListError(f"statusListIndex {index} is outside the list (0..{len(bitstring) * 8 - 1})")
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))


def set_bit(bitstring: bytearray, index: int, value: bool) -> None:
    if not 0 <= index < len(bitstring) * 8:
        raise StatusListError(f"index {index} is outside the list")
    mask = 0x80 >> (index % 8)
    if value:
        bitstring[index // 8] |= mask
    else:
        bitstring[index // 8] &= ~mask & 0xFF


def encode_list(bitstring: bytes) -> str:
    """``u`` + base64url-no-pad(GZIP(bitstring)). mtime 0 keeps the output reproducible."""
    compressed = gzip.compress(bytes(bitstring), compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def decode_list(encoded: str) -> bytes:
    """The bitstring of an ``encodedList``. Accepts the multibase ``u`` prefix or none (as
    early implementations emitted); refuses anything that does not decompress."""
    if not isinstance(encoded, str) or not encoded:
        raise StatusListError("encodedList is missing")
    text = encoded[1:] if encoded.startswith("u") else encoded
    try:
        compressed = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
        with gzip.GzipFile(fileobj=_Reader(compressed)) as handle:
            data = handle.read(MAX_DECODED_BYTES + 1)
    except (ValueError, OSError, EOFError, binascii.Error) as exc:
        raise StatusListError(f"encodedList is not base64url GZIP data: {exc}") from None
    if not data:
        raise StatusListError("encodedList is empty")
    if len(data) > MAX_DECODED_BYTES:
        raise StatusListError("encodedList decompresses to more than 16 MiB")
    return data


class _Reader:
    """Minimal file object over bytes (gzip.GzipFile wants .read)."""

    def __init__(self, data: bytes):
        self._data = memoryview(data)
        self._pos = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else min(len(self._data), self._pos + size)
        chunk = bytes(self._data[self._pos:end])
        self._pos = end
        return chunk


def status_entry(*, list_url: str, index: int, purpose: str) -> dict[str, Any]:
    """A ``BitstringStatusListEntry`` for a credential (statusListIndex as a base-10 string)."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown status purpose {purpose!r}")
    return {
        "id": f"{list_url}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def list_credential(
    *,
    list_url: str,
    issuer: dict[str, Any] | str,
    purpose: str,
    bitstring: bytes,
    valid_from: datetime,
    valid_until: datetime | None = None,
) -> dict[str, Any]:
    """An unsigned ``BitstringStatusListCredential`` whose id is the URL it is served at."""
    credential: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
        "issuer": issuer,
        "validFrom": format_datetime(valid_from),
    }
    if valid_until is not None:
        credential["validUntil"] = format_datetime(valid_until)
    credential["credentialSubject"] = {
        "id": f"{list_url}#list",
        "type": LIST_TYPE,
        "statusPurpose": purpose,
        "encodedList": encode_list(bitstring),
    }
    return credential
