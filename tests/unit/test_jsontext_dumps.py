"""jsontext.dumps / dumps_bytes / document_text (orjson) write byte for byte what json.dumps
writes, for every document we have and for the values orjson would write differently; a
stored credential's bytes do not change (issue 13)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import pytest

from issuer import jsontext

VECTORS = Path(__file__).resolve().parents[1] / "vectors"


def reference(value, *, indent=False, sort_keys=False) -> str:
    if indent:
        return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=sort_keys)
    return json.dumps(value, ensure_ascii=False, sort_keys=sort_keys, separators=(",", ":"))


def assert_identical(value) -> None:
    for indent in (False, True):
        for sort_keys in (False, True):
            expected = reference(value, indent=indent, sort_keys=sort_keys)
            assert jsontext.dumps(value, indent=indent, sort_keys=sort_keys) == expected
            assert jsontext.dumps_bytes(value, indent=indent, sort_keys=sort_keys) == \
                expected.encode("utf-8")
    assert jsontext.document_text(value) == json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def test_every_vector_is_written_as_json_writes_it():
    paths = sorted([*VECTORS.rglob("*.json"), *VECTORS.rglob("*.jsonld")])
    assert len(paths) > 150
    for path in paths:
        try:
            value = json.loads(path.read_text("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue
        assert_identical(value)


class Colour(str, Enum):
    RED = "red"


@pytest.mark.parametrize("value", [
    {"text": "é😀\u2028\u2029\x7f\x00\x1f\"\\/<>&", "empty": [], "none": {}, "n": None},
    [1e-05, 1e-07, 1.5e-300, 0.0001, 1e16, 1e22, -0.0, 5e-324, 1.7976931348623157e308],
    [float("nan"), float("inf"), -float("inf")],
    {"big": 10**30, "neg": -(10**19), "max": 2**63 - 1},
    {"b": 1, "a": {"d": [3, {"c": True}], "é": 2, "Z": 0}},
    {"subclass": Colour.RED, Colour.RED: "key"},
    {"tuple": (1, "x")},
    {2: "int keys", 1: "x"},
    "a string that says null",
    [],
])
def test_values_orjson_would_write_differently_are_written_as_json_writes_them(value):
    assert_identical(value)


def test_random_floats_and_strings():
    rng = random.Random(3)
    values = [rng.uniform(-1, 1) * 10 ** rng.randint(-320, 300) for _ in range(3000)]
    values += ["".join(chr(rng.randint(0, 0x10FFFF)) for _ in range(8)) for _ in range(300)]
    values = [v for v in values if not (isinstance(v, str) and any(
        0xD800 <= ord(c) <= 0xDFFF for c in v))]
    assert_identical(values)
    assert_identical({str(i): v for i, v in enumerate(values)})


def test_a_lone_surrogate_is_written_as_json_writes_it():
    assert jsontext.dumps({"a": "\ud800"}) == '{"a":"\ud800"}'
    with pytest.raises(UnicodeEncodeError):
        jsontext.dumps_bytes({"a": "\ud800"})


def test_what_json_cannot_write_is_still_refused():
    @dataclass
    class Point:
        x: int

    with pytest.raises(TypeError):
        jsontext.dumps(Point(1))
    with pytest.raises(TypeError):
        jsontext.dumps({"when": object()})


@pytest.mark.parametrize("value", [
    {"é": "naïve 😀 \x7f \u2028", "b": [1, None, {"z": "\x00"}]},
    {"plain": "ascii only", "n": 1e-07},
])
def test_ensure_ascii_escapes_as_json_does(value):
    for indent in (False, True):
        expected = json.dumps(value, ensure_ascii=True, sort_keys=True, indent=2 if indent else None,
                              separators=None if indent else (",", ":"))
        assert jsontext.dumps(value, indent=indent, sort_keys=True, ensure_ascii=True) == expected


def test_flask_answers_are_the_bytes_flasks_own_provider_writes():
    import datetime
    import decimal
    import uuid

    from flask import Flask, jsonify
    from flask.json.provider import DefaultJSONProvider

    from issuer.web.core.rendering import JSONProvider

    value = {"when": datetime.datetime(2026, 1, 2, 3, 4, 5), "id": uuid.UUID(int=7),
             "amount": decimal.Decimal("1.50"), "name": "Zoë 😀", "list": [3, 1e-05, None]}
    for debug in (False, True):
        app = Flask("t")
        app.debug = debug
        with app.app_context():
            app.json = DefaultJSONProvider(app)
            expected = jsonify(value).get_data()
            app.json = JSONProvider(app)
            assert jsonify(value).get_data() == expected
            assert jsonify({"plain": "é", "x": [1, 2]}).get_data() == \
                DefaultJSONProvider(app).response({"plain": "é", "x": [1, 2]}).get_data()
