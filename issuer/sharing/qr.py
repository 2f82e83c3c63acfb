"""QR codes for a credential's share or verification URL, as PNG and as vector SVG.

Open Badges 3.0 does not specify QR codes; a QR of the public URL (never of the credential
itself) is a project choice. Error correction M (15 %) by default, Q (25 %) on request, and the
4-module quiet zone ISO/IEC 18004 requires. Black on an opaque white background, so the code
still scans on a dark page.
"""

from __future__ import annotations

import io
import math
from typing import Literal

import qrcode
import qrcode.constants
import qrcode.image.pil

__all__ = ["MIN_PNG_SIZE", "QUIET_ZONE", "qr_matrix", "qr_png", "qr_svg"]

QUIET_ZONE = 4  # modules of white around the symbol
MIN_PNG_SIZE = 600  # px: crisp when printed at about 5 cm / 2 in at 300 dpi
MAX_URL_LENGTH = 2048

ErrorCorrection = Literal["M", "Q"]
_LEVELS = {"M": qrcode.constants.ERROR_CORRECT_M, "Q": qrcode.constants.ERROR_CORRECT_Q}


def _code(url: str, error_correction: ErrorCorrection, box_size: int = 1) -> qrcode.QRCode:
    if not isinstance(url, str) or not url:
        raise ValueError("the URL must be a non-empty string")
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(f"the URL is longer than {MAX_URL_LENGTH} characters")
    if error_correction not in _LEVELS:
        raise ValueError("error_correction must be 'M' or 'Q'")
    code = qrcode.QRCode(
        error_correction=_LEVELS[error_correction],
        box_size=box_size,
        border=QUIET_ZONE,
        image_factory=qrcode.image.pil.PilImage,
    )
    code.add_data(url)
    code.make(fit=True)
    return code


def qr_matrix(url: str, *, error_correction: ErrorCorrection = "M") -> list[list[bool]]:
    """The module grid, quiet zone included (True = dark)."""
    return [list(row) for row in _code(url, error_correction).get_matrix()]


def qr_png(url: str, *, scale: int | None = None, error_correction: ErrorCorrection = "M") -> bytes:
    """A 1-bit PNG of the QR code for ``url``; ``scale`` is pixels per module, by default the
    smallest whole number that makes the image at least MIN_PNG_SIZE pixels wide."""
    modules = len(qr_matrix(url, error_correction=error_correction))
    if scale is None:
        scale = max(1, math.ceil(MIN_PNG_SIZE / modules))
    if not isinstance(scale, int) or not 1 <= scale <= 100:
        raise ValueError("scale must be an integer from 1 to 100 pixels per module")
    image = _code(url, error_correction, box_size=scale).make_image()
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def qr_svg(url: str, *, error_correction: ErrorCorrection = "M") -> str:
    """A scalable SVG of the QR code for ``url``: one path, one unit per module, drawn on a
    white square, with crisp edges (no anti-aliasing seams between modules)."""
    matrix = qr_matrix(url, error_correction=error_correction)
    size = len(matrix)
    runs: list[str] = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" viewBox="0 0 {size} {size}" '
        f'width="{size * 8}" height="{size * 8}" shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/>'
        "</svg>\n"
    )


def qr_svg_data_uri(url: str) -> str:
    """:func:`qr_svg` as a ``data:image/svg+xml;base64,…`` URI, for an ``<img>`` inline (for
    URLs that must not be put in another request, such as a wallet link with its challenge)."""
    import base64

    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(url).encode()).decode()
