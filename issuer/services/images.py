"""Uploaded images: PNG checked with Pillow, SVG checked for anything active or external.

Only two formats are accepted. A PNG must decode, stay within the size and pixel limits and
not be a decompression bomb. An SVG must be UTF-8 XML with an <svg> root and nothing that can
run code or fetch something (no DOCTYPE/entities, scripts, event handlers, foreignObject,
animation, external href or url() references). The bytes are stored unchanged.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
import warnings
from datetime import datetime
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as SafeElementTree
from defusedxml import DefusedXmlException
from PIL import Image as PILImage
from sqlalchemy.orm import Session

from issuer.errors import InvalidImage
from issuer.models import StoredImage

PNG = "image/png"
SVG = "image/svg+xml"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_PIXELS = 4096 * 4096
SVG_NS = "http://www.w3.org/2000/svg"
FORBIDDEN_SVG_ELEMENTS = frozenset(
    {"script", "foreignobject", "iframe", "embed", "object", "audio", "video", "handler",
     "listener", "animate", "animatemotion", "animatetransform", "set", "discard", "image"}
)
_SAFE_HREF = re.compile(r"^#[A-Za-z_][\w.-]*$")
_URL_REF = re.compile(r"url\(\s*(?!['\"]?#)", re.IGNORECASE)


def check_image(data: bytes, *, max_bytes: int) -> str:
    """The content type of an acceptable image; raises InvalidImage with a readable reason."""
    if not data:
        raise InvalidImage("The file is empty.")
    if len(data) > max_bytes:
        raise InvalidImage(
            f"The image is {len(data) // 1024} KiB; the limit is {max_bytes // 1024} KiB."
        )
    if data.startswith(PNG_SIGNATURE):
        _check_png(data)
        return PNG
    _check_svg(data)
    return SVG


def _check_png(data: bytes) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(io.BytesIO(data)) as image:
                if image.format != "PNG":
                    raise InvalidImage("The file is not a PNG image.")
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise InvalidImage(f"The image is {width}×{height} pixels; that is too large.")
                image.verify()
            with PILImage.open(io.BytesIO(data)) as image:
                image.load()  # verify() skips pixel data; decoding catches truncated files
    except InvalidImage:
        raise
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        raise InvalidImage("The image has too many pixels.") from None
    except Exception:  # Pillow raises many types for broken files
        raise InvalidImage("The PNG file is damaged or cannot be read.") from None


def _check_svg(data: bytes) -> None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidImage("Only PNG and SVG images are accepted.") from None
    head = text.lstrip("\ufeff \t\r\n")
    if not (head.startswith("<?xml") or head.startswith("<svg") or head.startswith("<!--")):
        raise InvalidImage("Only PNG and SVG images are accepted.")
    lowered = text.lower()
    if "<!doctype" in lowered or "<!entity" in lowered:
        raise InvalidImage("SVG files with a DOCTYPE or entities are not accepted.")
    try:
        root = SafeElementTree.fromstring(text, forbid_dtd=True)
    except DefusedXmlException:
        raise InvalidImage("SVG files with a DOCTYPE or entities are not accepted.") from None
    except ParseError:
        raise InvalidImage("The SVG file is not well-formed XML.") from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise InvalidImage("The file is not an SVG image (its root element is not <svg>).")
    for element in root.iter():
        name = _local(element.tag).lower()
        if name in FORBIDDEN_SVG_ELEMENTS:
            raise InvalidImage(f"SVG images may not contain <{_local(element.tag)}> elements.")
        if name == "style" and element.text and _unsafe_css(element.text):
            raise InvalidImage("SVG styles may not load external resources.")
        for attribute, value in element.attrib.items():
            local = _local(attribute).lower()
            if local.startswith("on"):
                raise InvalidImage("SVG images may not contain event handlers.")
            if local == "href" and not _SAFE_HREF.match(value.strip()):
                raise InvalidImage("SVG images may only link to their own elements (href=\"#…\").")
            if "javascript:" in value.lower().replace(" ", "") or _unsafe_css(value):
                raise InvalidImage("SVG images may not reference scripts or external resources.")


def _unsafe_css(text: str) -> bool:
    lowered = text.lower()
    return "@import" in lowered or bool(_URL_REF.search(text)) or "expression(" in lowered


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def store_image(session: Session, data: bytes, *, max_bytes: int, now: datetime) -> StoredImage:
    """Check and add an image to the session (the caller commits)."""
    content_type = check_image(data, max_bytes=max_bytes)
    image = StoredImage(
        id=secrets.token_hex(16),
        content_type=content_type,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        created_at=now,
    )
    session.add(image)
    return image


AVATAR_SIZE = 400  # pixels, square: sharp at the sizes pages and cards show it
AVATAR_FORMATS = frozenset({"PNG", "JPEG", "WEBP", "GIF"})


def avatar_png(data: bytes, *, max_bytes: int) -> bytes:
    """A member's picture, re-encoded: decoded by Pillow (PNG, JPEG, WebP or GIF, within
    the size and pixel limits, not a decompression bomb), turned upright by its EXIF
    orientation, cropped to a centred square of at most AVATAR_SIZE pixels and saved as a
    fresh PNG, so no metadata of the upload (EXIF location, camera, comments) survives and no
    byte of it is served as it came. Raises InvalidImage with a readable reason."""
    if not data:
        raise InvalidImage("The file is empty.")
    if len(data) > max_bytes:
        raise InvalidImage(
            f"The image is {len(data) // 1024} KiB; the limit is {max_bytes // 1024} KiB.")
    from PIL import ImageOps

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(io.BytesIO(data)) as image:
                if image.format not in AVATAR_FORMATS:
                    raise InvalidImage("Use a PNG, JPEG, WebP or GIF picture.")
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise InvalidImage(f"The image is {width}×{height} pixels; that is too large.")
                image.seek(0)
                image.load()
                upright = ImageOps.exif_transpose(image)
                mode = "RGBA" if upright.mode in ("RGBA", "LA", "P", "PA") else "RGB"
                converted = upright.convert(mode)
    except InvalidImage:
        raise
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        raise InvalidImage("The image has too many pixels.") from None
    except PILImage.UnidentifiedImageError:
        raise InvalidImage("Use a PNG, JPEG, WebP or GIF picture.") from None
    except Exception:  # Pillow raises many types for broken files
        raise InvalidImage("The picture is damaged or cannot be read.") from None
    side = min(converted.size)
    size = min(side, AVATAR_SIZE)
    square = ImageOps.fit(converted, (size, size), method=PILImage.Resampling.LANCZOS)
    out = io.BytesIO()
    square.save(out, format="PNG", optimize=True)  # no exif, no text chunks: nothing carried
    return out.getvalue()


def store_avatar(session: Session, data: bytes, *, max_bytes: int, now: datetime) -> StoredImage:
    """Check, re-encode (:func:`avatar_png`) and add a member's picture (the caller commits)."""
    png = avatar_png(data, max_bytes=max_bytes)
    image = StoredImage(id=secrets.token_hex(16), content_type=PNG, data=png,
                        sha256=hashlib.sha256(png).hexdigest(), created_at=now)
    session.add(image)
    return image
