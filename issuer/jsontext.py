"""Parse JSON text from outside (request bodies, uploads, fetched documents) with bounds.

Python's ``json`` accepts ``NaN`` and ``Infinity`` (not JSON) and recurses once per nesting
level, so a small body of 10,000 ``[`` ends in a RecursionError deep inside whatever touches
the value next. :func:`loads` refuses both at once, with a readable reason, so every caller
can answer with a clear error instead of a 500.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["MAX_DEPTH", "JSONTextError", "TooDeep", "depth", "loads"]

# Deeper than any credential, presentation or event we take (an Open Badge with embedded
# endorsements nests about 12 levels); far below the interpreter's recursion limit.
MAX_DEPTH = 64


class JSONTextError(ValueError):
    """The text is not JSON we take; ``str()`` says why in one line."""


class TooDeep(JSONTextError):
    """Valid JSON, but nested deeper than we take."""

    def __init__(self, max_depth: int):
        self.max_depth = max_depth
        super().__init__(f"nested deeper than {max_depth} levels")


def _refuse_constant(name: str) -> Any:
    raise JSONTextError(f"{name} is not a JSON value")


def loads(data: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """The JSON value of ``data`` (UTF-8 bytes or text), at most ``max_depth`` levels deep."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise JSONTextError(f"not UTF-8 text (byte {exc.start})") from None
    try:
        value = json.loads(data, parse_constant=_refuse_constant)
    except RecursionError:
        raise TooDeep(max_depth) from None
    except JSONTextError:
        raise
    except ValueError as exc:
        lines = str(exc).strip().splitlines()
        raise JSONTextError(lines[0][:200] if lines else "invalid JSON") from None
    if depth(value, limit=max_depth) > max_depth:
        raise TooDeep(max_depth)
    return value


def depth(value: Any, *, limit: int = MAX_DEPTH) -> int:
    """How many levels of arrays and objects ``value`` has (a scalar is 0); counting stops
    just past ``limit``. Iterative: safe on any input."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        level += 1
        if level > deepest:
            deepest = level
            if deepest > limit:
                return deepest
        stack.extend((child, level) for child in children if isinstance(child, (dict, list)))
    return deepest
