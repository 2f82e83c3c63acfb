"""Parse JSON text from outside (request bodies, uploads, fetched documents) with bounds.

Python's ``json`` accepts more than I-JSON (RFC 7493) allows, and some of it breaks whatever
touches the value next: ``NaN`` and ``Infinity`` (not JSON at all), numbers too large for a
double (``1e400`` becomes ``inf``), integers of more digits than the interpreter converts
(a ValueError deep in the scanner), the same member name twice in one object (the last one
silently wins, where another parser may keep the first), strings holding lone surrogates
(``"\\ud800"``: not Unicode text, so they cannot be hashed as UTF-8, stored in PostgreSQL or
encoded in an answer), and nesting so deep that the next recursive walk ends in a
RecursionError. :func:`loads` refuses each of these at once, with a one-line reason, so every
caller can answer with a clear error instead of a 500. ``allow_nul=False`` also refuses NUL
characters (``"\\u0000"``), which PostgreSQL cannot store in text.

:func:`dumps`, :func:`dumps_bytes` and :func:`document_text` write JSON with orjson, byte for
byte what ``json.dumps(value, ensure_ascii=False, ...)`` writes (tests/unit/test_jsontext_dumps.py):
whatever orjson would write differently (a float below 1e-4 or written with an exponent, NaN or
Infinity, which orjson writes as null, an integer beyond 64 bits, a lone surrogate, a key that
is not a string, a subclass of a JSON type) is written by ``json`` instead.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import orjson

__all__ = ["MAX_DEPTH", "MAX_INTEGER_DIGITS", "JSONTextError", "NotTaken", "TooDeep", "depth",
           "document_text", "dumps", "dumps_bytes", "loads"]

# Deeper than any credential, presentation or event we take (an Open Badge with embedded
# endorsements nests about 12 levels); far below the interpreter's recursion limit.
MAX_DEPTH = 64
# CPython's own default limit for int(str) (sys.int_info.default_max_str_digits).
MAX_INTEGER_DIGITS = 4300

# Where a lone surrogate or a NUL could come from: a \u escape in the text (for bytes decoded
# as UTF-8 the only way), or a surrogate already in a str. Only then are the strings walked.
_SUSPECT = re.compile(r"\\u[dD][89a-fA-F]|\\u0000|[\ud800-\udfff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class JSONTextError(ValueError):
    """The text is not JSON we take; ``str()`` says why in one line."""


class NotTaken(JSONTextError):
    """Valid JSON text (RFC 8259), but outside what we take: a number beyond a double, an
    over-long integer, a member name twice in one object, a lone surrogate, a refused NUL."""


class TooDeep(NotTaken):
    """Valid JSON, but nested deeper than we take."""

    def __init__(self, max_depth: int):
        self.max_depth = max_depth
        super().__init__(f"nested deeper than {max_depth} levels")


def _refuse_constant(name: str) -> Any:
    raise JSONTextError(f"{name} is not a JSON value")


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise NotTaken(f"the number {_shorten(text)} is too large (beyond a double)")
    return value


def _int(text: str) -> int:
    digits = len(text) - text.startswith("-")
    if digits > MAX_INTEGER_DIGITS:
        raise NotTaken(f"an integer has {digits} digits; at most {MAX_INTEGER_DIGITS} are "
                       "taken")
    return int(text)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) != len(pairs):
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                raise NotTaken(f"the member name {_shorten(repr(name))} appears twice in one "
                               "object")
            seen.add(name)
    return value


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def loads(data: bytes | str, *, max_depth: int = MAX_DEPTH, allow_nul: bool = True) -> Any:
    """The JSON value of ``data`` (UTF-8 bytes or text), at most ``max_depth`` levels deep,
    as I-JSON (RFC 7493) allows it; JSONTextError (or TooDeep) says why not."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise JSONTextError(f"not UTF-8 text (byte {exc.start})") from None
    try:
        value = json.loads(data, parse_constant=_refuse_constant, parse_float=_float,
                           parse_int=_int, object_pairs_hook=_object)
    except RecursionError:
        raise TooDeep(max_depth) from None
    except JSONTextError:
        raise
    except ValueError as exc:
        lines = str(exc).strip().splitlines()
        raise JSONTextError(lines[0][:200] if lines else "invalid JSON") from None
    if depth(value, limit=max_depth) > max_depth:
        raise TooDeep(max_depth)
    if _SUSPECT.search(data):
        _check_strings(value, allow_nul=allow_nul)
    return value


def _check_strings(value: Any, *, allow_nul: bool) -> None:
    """Refuse lone surrogates (and NUL unless allowed) in any member name or string, naming
    where. Iterative, and only called on shallow values (after the depth check)."""
    stack: list[tuple[Any, str]] = [(value, "$")]
    while stack:
        item, path = stack.pop()
        if isinstance(item, dict):
            for name, child in item.items():
                _check_text(name, f"a member name in {path}", allow_nul=allow_nul)
                stack.append((child, f"{path}.{_printable(_shorten(name, 60))}"))
        elif isinstance(item, list):
            stack.extend((child, f"{path}[{index}]") for index, child in enumerate(item))
        elif isinstance(item, str):
            _check_text(item, f"the string at {path}", allow_nul=allow_nul)


def _check_text(text: str, where: str, *, allow_nul: bool) -> None:
    found = _SURROGATE.search(text)
    if found:
        raise NotTaken(f"{where} holds a lone surrogate (\\u{ord(found.group()):04x}), which "
                       "is not Unicode text")
    if not allow_nul and "\x00" in text:
        raise NotTaken(f"{where} holds a NUL character (\\u0000)")


def _printable(text: str) -> str:
    """``text`` fit for a message (a log line, a page): no surrogates, no NUL."""
    return _SURROGATE.sub("\ufffd", text).replace("\x00", "\ufffd")


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


# What orjson writes unlike json: floats below 1e-4 (0.00001 for 1e-05), exponents of one digit
# (1e-7 for 1e-07), and null for NaN and Infinity. Any text with one of these (in a string too:
# only a little time is lost) is written again by json.
_ORJSON_DIFFERS = re.compile(rb"e-\d(?!\d)|0\.0000|null")
_PASSTHROUGH = orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATACLASS | \
    orjson.OPT_PASSTHROUGH_DATETIME


def _not_plain(value: Any) -> Any:
    raise TypeError(f"{value.__class__.__name__} is left to json")


def _fast(value: Any, indent: bool, sort_keys: bool) -> bytes | None:
    """orjson's text, or None when it would differ from json's."""
    option = _PASSTHROUGH | (orjson.OPT_INDENT_2 if indent else 0) | \
        (orjson.OPT_SORT_KEYS if sort_keys else 0)
    try:
        text = orjson.dumps(value, default=_not_plain, option=option)
    except TypeError:
        return None
    return None if _ORJSON_DIFFERS.search(text) else text


def dumps_bytes(value: Any, *, indent: bool = False, sort_keys: bool = False) -> bytes:
    """UTF-8 of ``json.dumps(value, ensure_ascii=False, sort_keys=sort_keys)`` with
    ``indent=2`` when ``indent``, else compact (``separators=(",", ":")``)."""
    text = _fast(value, indent, sort_keys)
    return text if text is not None else _reference(value, indent, sort_keys).encode("utf-8")


def dumps(value: Any, *, indent: bool = False, sort_keys: bool = False,
          ensure_ascii: bool = False, default: Any = None) -> str:
    """:func:`dumps_bytes` as text (which may hold a lone surrogate, as json's would).
    ``ensure_ascii`` escapes every character past ``~`` as json does; ``default`` is json's
    (for what is not a JSON type: then json writes the whole value)."""
    text = _fast(value, indent, sort_keys)
    if text is None:
        return _reference(value, indent, sort_keys, ensure_ascii=ensure_ascii, default=default)
    decoded = text.decode("utf-8")
    if ensure_ascii and not _PRINTABLE_ASCII.fullmatch(decoded):
        return _BEYOND_ASCII.sub(_escape, decoded)
    return decoded


# orjson already escapes what json escapes below a space; json's ensure_ascii escapes the rest.
_PRINTABLE_ASCII = re.compile(r"[\x00-\x7e]*")
_BEYOND_ASCII = re.compile(r"[^\x00-\x7e]")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 | (code >> 10):04x}\\u{0xDC00 | (code & 0x3FF):04x}"


def document_text(value: Any) -> str:
    """How a credential (or any JSON document) is stored and served: indented by two, one
    newline at the end: ``json.dumps(value, indent=2, ensure_ascii=False) + "\\n"``."""
    return dumps(value, indent=True) + "\n"


def _reference(value: Any, indent: bool, sort_keys: bool, *, ensure_ascii: bool = False,
               default: Any = None) -> str:
    if indent:
        return json.dumps(value, indent=2, ensure_ascii=ensure_ascii, sort_keys=sort_keys,
                          default=default)
    return json.dumps(value, ensure_ascii=ensure_ascii, sort_keys=sort_keys,
                      separators=(",", ":"), default=default)
