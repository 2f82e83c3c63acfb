"""The badge designer: design checks, the SVG each shape draws, escaping, and the PNG."""

from __future__ import annotations

import io

import defusedxml.ElementTree as SafeET
import pytest
from PIL import Image

from issuer.badgedesign.design import (
    INITIALS, SHAPES, BadgeDesign, DesignInvalid, default_design, initials, parse_design,
)
from issuer.badgedesign.icons import ICON_LABELS, icon_markup
from issuer.badgedesign.raster import render_png
from issuer.badgedesign.svg import contrast_text, render_svg
from issuer.services import images

SVG = "{http://www.w3.org/2000/svg}"
GOOD = {"shape": "shield", "background": "#1D4ED8", "accent": "#fbbf24",
        "foreground": "#ffffff", "icon": "award", "title": "  Python   Basics ",
        "ribbon": "2026"}


def _design(**changes) -> BadgeDesign:
    return parse_design({**GOOD, **changes})


def test_a_good_design_is_normalised_and_recorded():
    design = _design()
    assert (design.background, design.title) == ("#1d4ed8", "Python Basics")
    assert design.to_record() == {
        "version": 1, "shape": "shield", "background": "#1d4ed8", "accent": "#fbbf24",
        "foreground": "#ffffff", "icon": "award", "title": "Python Basics", "ribbon": "2026"}
    assert parse_design(design.to_record()) == design


@pytest.mark.parametrize(("field", "value"), [
    ("shape", "triangle"), ("shape", None), ("background", "red"), ("accent", "#fff"),
    ("foreground", "#12345g"), ("background", "#123456;x"), ("background", ["#123456"]),
    ("icon", "../../etc/passwd"), ("icon", "script"), ("icon", ["award"]), ("shape", {"a": 1}), ("icon", ""), ("title", "   "),
    ("title", "x" * 61), ("ribbon", "r" * 25),
])
def test_each_bad_value_is_named(field, value):
    with pytest.raises(DesignInvalid) as caught:
        _design(**{field: value})
    assert list(caught.value.errors) == [field]


@pytest.mark.parametrize("shape", list(SHAPES))
def test_each_shape_is_valid_svg_that_passes_our_upload_checks(shape):
    svg = render_svg(_design(shape=shape))
    root = SafeET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("viewBox") == "0 0 512 512"
    assert images.check_image(svg.encode(), max_bytes=1 << 20) == images.SVG
    text = " ".join(root.itertext())
    assert "Python" in text and "Basics" in text and "2026" in text
    assert 'fill="#1d4ed8"' in svg and 'stroke="#ffffff"' in svg


def test_text_is_escaped_and_control_characters_dropped():
    title = '<script>alert(1)</script> & "x"'
    svg = render_svg(_design(title=title, ribbon="]]><a href='j:x'>"))
    root = SafeET.fromstring(svg)  # still well-formed
    assert "<script" not in svg and "<a " not in svg
    assert not [el for el in root.iter() if el.tag in (f"{SVG}script", f"{SVG}a")]
    assert "&lt;script&gt;" in svg and "&amp;" in svg
    assert images.check_image(svg.encode(), max_bytes=1 << 20) == images.SVG
    assert _design(title="a\x00b\u2028c\x1b").title == "a b c"


def test_every_icon_loads_and_initials_replace_the_drawing():
    for name in ICON_LABELS:
        markup = icon_markup(name)
        assert markup.startswith("<") and "script" not in markup and "class=" not in markup
        SafeET.fromstring(f'<svg xmlns="http://www.w3.org/2000/svg">{markup}</svg>')
    svg = render_svg(_design(icon=INITIALS, title="Data wrangler"))
    assert ">DW</text>" in svg
    assert initials("  ") == "B" and initials("ünïcode 徽章") == "Ü徽"


def test_long_names_wrap_into_three_lines_at_most():
    svg = render_svg(_design(title="Introduction to Responsible Machine Learning in Practice"))
    assert svg.count("<tspan") == 3
    assert render_svg(_design(title="Hackathon Winner")).count("<tspan") == 2  # never "Hackatho|n"
    word = "Supercalifragilisticexpialidocious"  # too long for one line: split, nothing lost
    root = SafeET.fromstring(render_svg(_design(title=word)))
    assert "".join(span.text for span in root.iter(f"{SVG}tspan")) == word


def test_png_renders_the_design_deterministically():
    design = _design(shape="rosette")
    png = render_png(render_svg(design))
    assert png == render_png(render_svg(design))
    assert images.check_image(png, max_bytes=1 << 20) == images.PNG
    with Image.open(io.BytesIO(png)) as image:
        image = image.convert("RGBA")
        assert image.size == (512, 512)
        assert image.getpixel((2, 2))[3] == 0  # transparent corner
        red, green, blue, alpha = image.getpixel((150, 300))  # inside: the background colour
        assert alpha == 255 and blue > 180 and red < 90


def test_default_design_comes_from_the_name():
    design = default_design("Data Wrangler")
    assert design == default_design("Data Wrangler")
    assert (design.icon, design.title, design.shape) == (INITIALS, "Data Wrangler", "circle")
    assert default_design("").title == "Badge"
    colours = {default_design(name).background for name in "abcdefgh"}
    assert len(colours) > 1


def test_ribbon_text_colour_contrasts_with_the_ribbon():
    assert contrast_text("#fbbf24") == "#111827"
    assert contrast_text("#1d4ed8") == "#ffffff"
