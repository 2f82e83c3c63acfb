"""/credentials/<id>/qr.png and /qr.svg: a QR code of the public page URL, decodable, crisp at
print size, cacheable."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from issuer.sharing import qr
from tests.service_fixtures import BASE_URL, issue_credential, make_achievement

zxingcpp = pytest.importorskip("zxingcpp")


@pytest.fixture
def credential_id(app, profile):
    return issue_credential(app, make_achievement(app))


def _decode(image: Image.Image) -> list[str]:
    return [code.text for code in
            zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def test_png_decodes_to_the_public_page_url(client, credential_id):
    response = client.get(f"/credentials/{credential_id}/qr.png")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    with Image.open(io.BytesIO(response.data)) as image:
        image.load()
        assert image.format == "PNG"
        # At least 600 px, a whole number of pixels per module: ~5 cm at 300 dpi, sharp edges.
        assert image.width == image.height >= qr.MIN_PNG_SIZE
        modules = len(qr.qr_matrix(f"{BASE_URL}/credentials/{credential_id}"))
        assert image.width % modules == 0
        assert _decode(image) == [f"{BASE_URL}/credentials/{credential_id}"]
        # Printed small (2 cm at 300 dpi ≈ 236 px) it still scans.
        small = image.convert("L").resize((236, 236), Image.Resampling.BOX)
        assert _decode(small) == [f"{BASE_URL}/credentials/{credential_id}"]


def test_svg_is_vector_and_decodes_to_the_same_url(client, credential_id):
    cairosvg = pytest.importorskip("cairosvg")
    response = client.get(f"/credentials/{credential_id}/qr.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert 'shape-rendering="crispEdges"' in response.get_data(as_text=True)
    assert "sandbox" in response.headers["Content-Security-Policy"]
    png = cairosvg.svg2png(bytestring=response.data, output_width=800, output_height=800)
    with Image.open(io.BytesIO(png)) as image:
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.convert("RGBA").split()[-1])
        assert _decode(flat) == [f"{BASE_URL}/credentials/{credential_id}"]


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_cache_headers_and_etag(client, credential_id, fmt):
    response = client.get(f"/credentials/{credential_id}/qr.{fmt}")
    assert response.headers["Cache-Control"] == "public, max-age=86400"
    assert response.headers["ETag"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"  # public, like the page
    again = client.get(f"/credentials/{credential_id}/qr.{fmt}",
                       headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_the_url_follows_the_configured_base_url(app, client, credential_id):
    app.config["BASE_URL"] = "https://badges.example.edu/sub"
    with Image.open(io.BytesIO(client.get(f"/credentials/{credential_id}/qr.png").data)) as image:
        assert _decode(image) == [f"https://badges.example.edu/sub/credentials/{credential_id}"]


def test_unknown_credentials_have_no_qr_code(client, profile):
    assert client.get("/credentials/00000000-0000-4000-8000-000000000000/qr.png").status_code == 404
    assert client.get("/credentials/nope/qr.svg").status_code == 404
