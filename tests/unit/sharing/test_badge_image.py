"""Badge images made here (the designed default, a PNG in an SVG wrapper): valid,
deterministic, and acceptable to our own image checks."""

from __future__ import annotations

import base64
import io

import defusedxml.ElementTree as SafeET
import pytest
from PIL import Image

from issuer.services import images
from issuer.sharing.badge_image import PNG_SIZE, badge_png, badge_svg, png_in_svg
from tests.service_fixtures import png_bytes


def test_png_is_a_square_transparent_badge_and_deterministic():
    data = badge_png("Python Basics")
    assert data == badge_png("Python Basics")
    assert images.check_image(data, max_bytes=1 << 20) == images.PNG
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (PNG_SIZE, PNG_SIZE)
        assert image.mode == "RGBA" and image.getpixel((0, 0))[3] == 0


@pytest.mark.parametrize("name", ["Python Basics", "<script>&amp;", "a\x00b\u2028c", "x" * 500,
                                  "", "Ünïcödé 徽章"])
def test_svg_is_safe_xml_with_the_name(name):
    svg = badge_svg(name)
    root = SafeET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert images.check_image(svg.encode(), max_bytes=1 << 20) == images.SVG
    text = "".join(root.itertext())
    assert "<script" not in svg
    if name.startswith("Python"):
        assert "Python Basics" in text
    assert len(text) < 200  # long names are cut to the designer's limit
    if name.startswith("Python"):
        assert ">PB</text>" in svg  # the initials


def test_names_pick_different_colours():
    backgrounds = {SafeET.fromstring(badge_svg(name)).findall(
        "{http://www.w3.org/2000/svg}path")[2].get("fill") for name in "abcdef"}
    assert len(backgrounds) > 1


def test_png_in_svg_shows_the_png_itself():
    png = png_bytes((40, 30), "teal")
    svg = png_in_svg(png, title="A & <b>")
    root = SafeET.fromstring(svg)
    assert (root.get("width"), root.get("height")) == ("40", "30")
    image = root.find("{http://www.w3.org/2000/svg}image")
    assert base64.b64decode(image.get("href").removeprefix("data:image/png;base64,")) == png
    assert "A &amp; &lt;b&gt;" in svg
