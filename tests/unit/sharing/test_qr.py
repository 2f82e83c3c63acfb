"""QR codes: decode what we draw (zxing-cpp), for PNG and for the SVG rasterised by CairoSVG."""

from __future__ import annotations

import io
from typing import Any

import defusedxml.ElementTree as SafeET
import pytest
from PIL import Image

from issuer.sharing import qr

zxingcpp = pytest.importorskip("zxingcpp")

URL = "https://badges.example.edu/credentials/0f3b1c2e-5d4a-4e6f-8a7b-9c0d1e2f3a4b"
LONG_URL = URL + "?utm_source=qr&lang=fr-CA&q=" + "x" * 300
SVG = "{http://www.w3.org/2000/svg}"


def decode(image: Image.Image) -> list[Any]:
    return list(zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode))


def png_image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize("url", [URL, LONG_URL, "https://例え.jp/バッジ?x=1"])
@pytest.mark.parametrize("level", ["M", "Q"])
def test_png_decodes_to_the_url(url, level):
    image = png_image(qr.qr_png(url, error_correction=level))
    assert image.format == "PNG"
    (barcode,) = decode(image)
    assert barcode.text == url
    assert barcode.ec_level == level


def test_png_is_big_enough_to_print_crisply_and_has_a_quiet_zone():
    image = png_image(qr.qr_png(URL))
    modules = len(qr.qr_matrix(URL))
    assert image.width == image.height >= qr.MIN_PNG_SIZE
    scale = image.width // modules
    assert image.width == scale * modules  # whole pixels per module: no blurry edges
    assert image.mode == "1"
    border = qr.QUIET_ZONE * scale
    gray = image.convert("L")
    for x, y in [(i, j) for i in range(image.width) for j in (0, border - 1)]:
        assert gray.getpixel((x, y)) == 255 and gray.getpixel((y, x)) == 255
    assert gray.getpixel((border, border)) == 0  # the finder pattern's corner


def test_scale_sets_pixels_per_module():
    modules = len(qr.qr_matrix(URL))
    assert png_image(qr.qr_png(URL, scale=3)).width == 3 * modules
    with pytest.raises(ValueError):
        qr.qr_png(URL, scale=0)


@pytest.mark.parametrize("bad", ["", "x" * (qr.MAX_URL_LENGTH + 1)])
def test_empty_or_huge_urls_are_refused(bad):
    with pytest.raises(ValueError):
        qr.qr_png(bad)
    with pytest.raises(ValueError):
        qr.qr_svg(bad)


def test_svg_is_one_path_on_a_white_square_matching_the_module_grid():
    svg = qr.qr_svg(URL)
    root = SafeET.fromstring(svg)
    matrix = qr.qr_matrix(URL)
    size = len(matrix)
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == f"0 0 {size} {size}"
    background, path = list(root)
    assert (background.tag, background.get("fill")) == (f"{SVG}rect", "#fff")
    assert path.tag == f"{SVG}path"
    # Replay the path (M x y h w v 1 h -w z per run) and compare with the matrix.
    drawn = [[False] * size for _ in range(size)]
    for run in path.get("d").split("z")[:-1]:
        x, rest = run[1:].split(" ")
        y, width = rest.split("h")[0], rest.split("h")[1].split("v")[0]
        for column in range(int(x), int(x) + int(width)):
            drawn[int(y)][column] = True
    assert drawn == matrix
    # The same grid as the PNG.
    scale = 2
    png = png_image(qr.qr_png(URL, scale=scale)).convert("L")
    assert [[png.getpixel((x * scale, y * scale)) == 0 for x in range(size)]
            for y in range(size)] == matrix


def test_svg_rasterised_decodes_to_the_url():
    cairosvg = pytest.importorskip("cairosvg")
    png = cairosvg.svg2png(bytestring=qr.qr_svg(URL).encode("utf-8"), output_width=800)
    (barcode,) = decode(png_image(png))
    assert barcode.text == URL
