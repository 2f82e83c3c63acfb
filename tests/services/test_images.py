"""Image uploads: only real PNGs and inert SVGs get in."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from issuer.errors import InvalidImage
from issuer.services.images import PNG, SVG, check_image
from tests.service_fixtures import SAFE_SVG, png_bytes

LIMIT = 64 * 1024


def test_png_is_accepted():
    assert check_image(png_bytes(), max_bytes=LIMIT) == PNG


def test_plain_svg_is_accepted():
    assert check_image(SAFE_SVG, max_bytes=LIMIT) == SVG


def test_svg_with_internal_reference_and_gradient_is_accepted():
    svg = (b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
           b'xmlns:xlink="http://www.w3.org/1999/xlink"><defs><linearGradient id="g">'
           b'<stop offset="0" stop-color="red"/></linearGradient><circle id="c" r="3"/></defs>'
           b'<use xlink:href="#c" fill="url(#g)"/></svg>')
    assert check_image(svg, max_bytes=LIMIT) == SVG


def _message(data: bytes, limit: int = LIMIT) -> str:
    with pytest.raises(InvalidImage) as info:
        check_image(data, max_bytes=limit)
    return info.value.errors["image"]


def test_oversized_file_is_refused_with_the_limit():
    assert "limit is 1 KiB" in _message(png_bytes((300, 300), "red") + b"\0" * 2048, limit=1024)


def test_empty_file_is_refused():
    assert "empty" in _message(b"")


def test_truncated_png_is_refused():
    assert "damaged" in _message(png_bytes()[:40])


def test_png_with_too_many_pixels_is_refused():
    buffer = io.BytesIO()
    Image.new("1", (5000, 5000)).save(buffer, format="PNG")
    assert "too large" in _message(buffer.getvalue(), limit=10 * 1024 * 1024)


def test_jpeg_is_refused():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="JPEG")
    assert "Only PNG and SVG" in _message(buffer.getvalue())


def test_text_file_is_refused():
    assert "Only PNG and SVG" in _message(b"hello world")


@pytest.mark.parametrize(
    ("svg", "reason"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "<script>"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "event handlers"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
         b'<a x:href="javascript:alert(1)"><text>x</text></a></svg>', "own elements"),
        (b'<svg xmlns="http://www.w3.org/2000/svg">'
         b'<use href="https://evil.example/x.svg#a"/></svg>',
         "own elements"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject/></svg>', "foreignObject"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://e.example/a.css);'
         b'</style></svg>', "external"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(https://e.example/p)"/>'
         b'</svg>', "external"),
        (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]>'
         b'<svg xmlns="http://www.w3.org/2000/svg"><text>&a;</text></svg>', "DOCTYPE"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><set attributeName="href" to="x"/></svg>',
         "<set>"),
        (b'<html xmlns="http://www.w3.org/1999/xhtml"/>', "Only PNG and SVG"),
        (b'<svg><circle r="1"/></svg>', "root element is not <svg>"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><circle', "not well-formed"),
    ],
    ids=["script", "onload", "javascript-href", "external-use", "foreignObject", "css-import",
         "css-url", "entities", "animation", "not-svg", "no-namespace", "broken"],
)
def test_unsafe_or_broken_svg_is_refused(svg, reason):
    assert reason in _message(svg)
