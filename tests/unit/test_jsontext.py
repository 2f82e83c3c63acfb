"""issuer.jsontext: JSON from outside is parsed with bounds, or refused with a one-line
reason (JSONTextError), never with any other exception, whatever the text."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from issuer import jsontext
from issuer.jsontext import MAX_DEPTH, JSONTextError, TooDeep, loads

PROPERTY = settings(database=None, deadline=None, max_examples=300)


@pytest.mark.parametrize("text, reason", [
    ("[" * 10_000 + "]" * 10_000, "nested deeper than 64 levels"),
    ('{"a":' * 10_000 + "1" + "}" * 10_000, "nested deeper than 64 levels"),
    ("[" * 65 + "]" * 65, "nested deeper than 64 levels"),
    ('{"a": NaN}', "NaN is not a JSON value"),
    ('[-Infinity]', "-Infinity is not a JSON value"),
    ('{"a": 1e400}', "the number 1e400 is too large"),
    ('{"a": -1.5e999}', "the number -1.5e999 is too large"),
    ('{"a": ' + "9" * 5000 + "}", "an integer has 5000 digits; at most 4300 are taken"),
    ('{"a": -' + "9" * 4301 + "}", "an integer has 4301 digits"),
    ('{"a": 1, "a": 2}', "the member name 'a' appears twice in one object"),
    ('{"b": {"a": 1, "a": 1}}', "'a' appears twice"),
    ('{"a": "\\ud800"}', "the string at $.a holds a lone surrogate (\\ud800)"),
    ('{"a": ["x", "\\uDFFF"]}', "the string at $.a[1] holds a lone surrogate (\\udfff)"),
    ('{"\\udc00": 1}', "a member name in $ holds a lone surrogate"),
    ('{"a": "\\ude00\\ud83d"}', "lone surrogate"),  # a pair the wrong way round
    ("{'a': 1}", "Expecting property name enclosed in double quotes"),
    ('"unterminated', "Unterminated string"),
])
def test_hostile_text_is_refused_with_a_reason(text, reason):
    with pytest.raises(JSONTextError) as refused:
        loads(text)
    assert reason in str(refused.value)
    assert "\n" not in str(refused.value) and len(str(refused.value)) < 300
    with pytest.raises(JSONTextError):
        loads(text.encode("utf-8"))


def test_too_deep_says_its_limit():
    with pytest.raises(TooDeep) as refused:
        loads("[" * 100 + "]" * 100)
    assert refused.value.max_depth == MAX_DEPTH
    assert loads("[" * MAX_DEPTH + "]" * MAX_DEPTH) == eval("[" * MAX_DEPTH + "]" * MAX_DEPTH)


def test_what_is_json_we_take_parses_as_json_does():
    text = ('{"name": "Ada \\u00e9 \\ud83d\\ude00 \\u0000", "n": [1, -0, 2.5e300, '
            + "9" * 4300 + ', 1e-400], "nested": {"a": {"b": []}}, "t": true, "f": null}')
    assert loads(text) == json.loads(text)
    assert loads(text)["name"].endswith("\U0001F600 \x00")  # a surrogate pair is one character
    assert loads(b"\xef\xbb\xbf[1]") == [1]  # a UTF-8 BOM is taken


def test_nul_characters_are_refused_only_when_asked():
    assert loads('{"a": "x\\u0000"}') == {"a": "x\x00"}
    with pytest.raises(JSONTextError, match=r"the string at \$\.a holds a NUL character"):
        loads('{"a": "x\\u0000"}', allow_nul=False)
    with pytest.raises(JSONTextError, match=r"a member name in \$\.b holds a NUL"):
        loads('{"b": {"\\u0000": 1}}', allow_nul=False)
    assert loads('{"a": "\\\\u0000"}', allow_nul=False) == {"a": "\\u0000"}  # an escaped "\"


def test_messages_never_carry_a_surrogate_or_nul():
    with pytest.raises(JSONTextError) as refused:
        loads('{"\\ud800x": {"y": "\\ud801"}}')
    str(refused.value).encode("utf-8")  # printable in a log line or a page
    with pytest.raises(JSONTextError) as refused:
        loads('{"a\\u0000": {"\\ud800": 1, "\\ud800": 2}}')
    str(refused.value).encode("utf-8")


def test_a_str_holding_a_raw_surrogate_is_refused():
    with pytest.raises(JSONTextError, match="lone surrogate"):
        loads('["\ud800"]')


def test_bytes_that_are_not_utf8():
    with pytest.raises(JSONTextError, match=r"not UTF-8 text \(byte 1\)"):
        loads(b'"\xff"')


# -- properties ---------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=30,
)


@PROPERTY
@given(st.text(alphabet=st.sampled_from('[]{}":,0123456789eE.-+ \\untrufalsNIy\ud800ab'),
               max_size=200))
def test_any_text_parses_or_is_refused_with_a_reason(text):
    try:
        loads(text)
    except JSONTextError as refused:
        assert str(refused) and "\n" not in str(refused)


@PROPERTY
@given(st.binary(max_size=200))
def test_any_bytes_parse_or_are_refused_with_a_reason(data):
    try:
        loads(data)
    except JSONTextError as refused:
        assert str(refused)


@PROPERTY
@given(JSON_VALUES)
def test_plain_json_round_trips(value):
    text = json.dumps(value, ensure_ascii=False)
    try:
        parsed = loads(text)
    except JSONTextError as refused:  # only for what I-JSON leaves out
        assert "lone surrogate" in str(refused) or "digits" in str(refused)
        return
    assert parsed == value or _has_nan(value)
    assert json.dumps(parsed, ensure_ascii=False).encode("utf-8")  # always encodable


@PROPERTY
@given(st.integers(min_value=0, max_value=200), st.sampled_from(["[", '{"k":']))
def test_depth_is_bounded_for_any_nesting(levels, opener):
    closer = "]" if opener == "[" else "}"
    text = opener * levels + "0" + closer * levels
    if levels <= MAX_DEPTH:
        assert jsontext.depth(loads(text)) == levels
    else:
        with pytest.raises(TooDeep):
            loads(text)


def _has_nan(value) -> bool:
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, list):
        return any(_has_nan(item) for item in value)
    if isinstance(value, dict):
        return any(_has_nan(item) for item in value.values())
    return False
