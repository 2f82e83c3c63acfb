"""A keyed pseudo-random permutation of ``[0, size)``: where the n-th credential of a status list
gets its index.

Bitstring Status List v1.0 §"Privacy Considerations" asks issuers to assign indexes at random, so
that an index says nothing about when a credential was issued or who received the one before.
Each list has a secret 32-byte key and a counter; credential number ``position`` (0, 1, 2, …)
gets ``index_at(key, position, size)``. Because this is a permutation, indexes are unique by
construction (never reused, even after a revocation), allocation is O(1) with no scan of the
used indexes, and the list is full exactly when the counter reaches ``size``.

Construction: a balanced Feistel network (4 rounds, HMAC-SHA-256 round function; Luby-Rackoff)
over ``[0, 4**k)``, the smallest even power of two that holds ``size``, with cycle walking
(re-apply until the value falls below ``size``), which turns a permutation of the larger
domain into one of ``[0, size)`` (Black & Rogaway, "Ciphers with Arbitrary Finite Domains").
For 131,072 entries the domain is 2**18, so cycle walking takes two steps on average.
"""

from __future__ import annotations

import hashlib
import hmac

ROUNDS = 4
KEY_BYTES = 32
MIN_SIZE = 2


def _half_bits(size: int) -> int:
    bits = max(2, (size - 1).bit_length())
    return (bits + 1) // 2


def _round(key: bytes, round_number: int, value: int, half_bits: int) -> int:
    message = round_number.to_bytes(1, "big") + value.to_bytes(8, "big")
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") & ((1 << half_bits) - 1)


def _feistel(key: bytes, value: int, half_bits: int) -> int:
    mask = (1 << half_bits) - 1
    left, right = value >> half_bits, value & mask
    for round_number in range(ROUNDS):
        left, right = right, left ^ _round(key, round_number, right, half_bits)
    return (left << half_bits) | right


def index_at(key: bytes, position: int, size: int) -> int:
    """The index that the ``position``-th allocation of a list of ``size`` entries gets.

    For a fixed key and size, positions ``0 .. size-1`` map one-to-one onto ``0 .. size-1``.
    """
    if len(key) != KEY_BYTES:
        raise ValueError(f"the permutation key must be {KEY_BYTES} bytes")
    if size < MIN_SIZE:
        raise ValueError(f"a permuted range holds at least {MIN_SIZE} values")
    if not 0 <= position < size:
        raise ValueError(f"position {position} is outside 0..{size - 1}")
    half_bits = _half_bits(size)
    value = _feistel(key, position, half_bits)
    while value >= size:  # cycle walking: terminates, since position itself is < size
        value = _feistel(key, value, half_bits)
    return value
