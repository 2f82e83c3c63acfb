"""Bake an Open Badges 3.0 credential into a PNG or SVG image, and take it out again.

Open Badges 3.0 § "Baked Badges" (https://www.imsglobal.org/spec/ob/v3p0/#baking):

* PNG: one uncompressed ``iTXt`` chunk with keyword ``openbadgecredential`` whose text is the
  credential JSON (embedded proof) or its compact JWS (VC-JWT). Compression MUST NOT be used and
  the chunk MUST NOT appear twice, so baking an already baked PNG replaces the chunk.
* SVG: ``xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"`` on the root ``<svg>`` and,
  directly after its start tag, ``<openbadges:credential>`` holding the JSON in CDATA, or an
  empty element with ``verify="<compact JWS>"``.

The credential text is carried byte for byte (signed JSON is never re-serialised). Images are
edited surgically: every other PNG chunk and every other byte of an SVG is kept as it was.
SVG input is parsed with defusedxml first, so entity bombs and external entities are refused.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
import struct
import zlib
from dataclasses import dataclass
from typing import Any, Literal
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from issuer import jsontext
from issuer.errors import InvalidRequest

__all__ = [
    "BakingError",
    "Extracted",
    "OB_NAMESPACE",
    "PNG_KEYWORD",
    "bake",
    "bake_png",
    "bake_svg",
    "check_credential",
    "credential_kind",
    "decode_jwt_payload",
    "extract",
    "extract_credential",
    "extract_png",
    "extract_svg",
    "is_png",
    "legacy_assertion",
]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD = b"openbadgecredential"
LEGACY_PNG_KEYWORD = b"openbadges"  # Open Badges 1.0 / 2.0 (tEXt or iTXt)
OB_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
OB_PREFIX = "openbadges"
LEGACY_NAMESPACE = "http://openbadges.org"  # Open Badges 2.0 <openbadges:assertion>
SVG_NAMESPACE = "http://www.w3.org/2000/svg"

# A compressed iTXt written by someone else is inflated up to this size, no further.
MAX_INFLATED_TEXT = 16 * 1024 * 1024

Kind = Literal["json", "jwt", "url"]  # "url": an OB 1.0/2.0 bake of a hosted assertion's URL
Container = Literal["png", "svg", "json", "jws"]

COMPACT_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$")
# Characters XML 1.0 cannot carry at all (not even as character references).
NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
XML_ENCODING = re.compile(r"""<\?xml[^>]*?\sencoding\s*=\s*["']([^"']+)["']""")
# A complete start tag; quoted attribute values may contain '>'.
START_TAG = re.compile(
    rb"<(?P<name>[^\s/>]+)(?P<attrs>(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(?P<end>/?>)"
)


class BakingError(InvalidRequest):
    """The image (or the credential) cannot be baked or read."""

    title = "Cannot bake or read the badge image"
    status = 422


@dataclass(frozen=True)
class Extracted:
    """A credential found in a file: ``kind`` says how it is secured ('json': embedded proof,
    'jwt': a compact JWS), ``container`` where it was found ('png', 'svg', or a plain
    'json' / 'jws' file). ``text`` is exactly what the file carries."""

    kind: Kind
    text: str
    container: Container


# --- shared ---------------------------------------------------------------------------------


def credential_kind(text: str) -> Kind:
    """'json' for a JSON object text, 'jwt' for a compact JWS; BakingError otherwise."""
    stripped = text.strip()
    if stripped.startswith("{"):
        return "json"
    if COMPACT_JWS.match(stripped):
        return "jwt"
    raise BakingError("the credential is neither a JSON object nor a compact JWS")


def check_credential(credential: str) -> Kind:
    """The credential's kind, after checking it is a JSON object text or a compact JWS."""
    if not isinstance(credential, str):
        raise TypeError("the credential must be text (str)")
    kind = credential_kind(credential)
    if kind == "json":
        try:
            parsed = jsontext.loads(credential)
        except jsontext.JSONTextError as exc:
            raise BakingError(f"the credential is not valid JSON: {exc}") from None
        if not isinstance(parsed, dict):
            raise BakingError("the credential must be a JSON object")
    return kind


def decode_jwt_payload(jws: str) -> dict[str, Any]:
    """The payload of a compact JWS, decoded but NOT VERIFIED: for display only.

    Nothing here checks the signature; never trust what this returns.
    """
    token = jws.strip()
    if not COMPACT_JWS.match(token):
        raise BakingError("not a compact JWS (expected header.payload.signature)")
    segment = token.split(".")[1]
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        payload = jsontext.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise BakingError(f"the JWS payload is not base64url-encoded JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise BakingError("the JWS payload is not a JSON object")
    return payload


# --- PNG ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Chunk:
    type: bytes
    data: bytes
    raw: bytes  # length + type + data + CRC, exactly as read


def is_png(data: bytes) -> bool:
    return data.startswith(PNG_SIGNATURE)


def _chunks(image: bytes) -> tuple[list[_Chunk], bytes]:
    """Every chunk, CRC-checked, up to and including IEND; and any bytes after IEND."""
    if not is_png(image):
        raise BakingError("not a PNG image (the PNG signature is missing)")
    chunks: list[_Chunk] = []
    position = len(PNG_SIGNATURE)
    while True:
        if position + 8 > len(image):
            raise BakingError("corrupt PNG: truncated (no IEND chunk)")
        length, ctype = struct.unpack(">I4s", image[position:position + 8])
        end = position + 12 + length
        if length > 0x7FFFFFFF or end > len(image):
            raise BakingError(f"corrupt PNG: chunk {ctype!r} runs past the end of the file")
        if not ctype.isalpha() or not ctype.isascii():
            raise BakingError(f"corrupt PNG: invalid chunk type {ctype!r}")
        data = image[position + 8:position + 8 + length]
        (crc,) = struct.unpack(">I", image[end - 4:end])
        if zlib.crc32(ctype + data) != crc:
            raise BakingError(f"corrupt PNG: bad CRC in chunk {ctype.decode('ascii')}")
        if not chunks and ctype != b"IHDR":
            raise BakingError("corrupt PNG: the first chunk is not IHDR")
        chunks.append(_Chunk(ctype, data, image[position:end]))
        position = end
        if ctype == b"IEND":
            return chunks, image[position:]


def _chunk(ctype: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(ctype + data))


def _itxt(data: bytes) -> tuple[bytes, str] | None:
    """(keyword, text) of an iTXt chunk, inflating compressed text; None if malformed."""
    keyword, sep, rest = data.partition(b"\x00")
    if not sep or len(rest) < 2:
        return None
    flag, method, rest = rest[0], rest[1], rest[2:]
    _language, sep1, rest = rest.partition(b"\x00")
    _translated, sep2, text = rest.partition(b"\x00")
    if not (sep1 and sep2):
        return None
    if flag == 1:
        if method != 0:
            raise BakingError(f"iTXt chunk {keyword!r} uses unknown compression method {method}")
        inflater = zlib.decompressobj()
        try:
            text = inflater.decompress(text, MAX_INFLATED_TEXT)
        except zlib.error as exc:
            raise BakingError(f"corrupt compressed iTXt chunk {keyword!r}: {exc}") from None
        if inflater.unconsumed_tail:
            raise BakingError(f"compressed iTXt chunk {keyword!r} inflates to over 16 MiB")
    elif flag != 0:
        raise BakingError(f"iTXt chunk {keyword!r} has an invalid compression flag {flag}")
    try:
        return keyword, text.decode("utf-8")
    except UnicodeDecodeError:
        raise BakingError(f"iTXt chunk {keyword!r} is not UTF-8 text") from None


def _is_credential_chunk(chunk: _Chunk) -> bool:
    return chunk.type == b"iTXt" and chunk.data.partition(b"\x00")[0] == PNG_KEYWORD


def bake_png(image_bytes: bytes, credential: str) -> bytes:
    """The PNG with ``credential`` in one uncompressed ``openbadgecredential`` iTXt chunk,
    right after IHDR. A credential baked earlier is replaced; other chunks are kept as is."""
    check_credential(credential)
    chunks, trailer = _chunks(image_bytes)
    # keyword, NUL, compression flag 0, method 0, empty language tag + NUL, empty
    # translated keyword + NUL, then the text, uncompressed.
    data = PNG_KEYWORD + b"\x00\x00\x00\x00\x00" + credential.encode("utf-8")
    kept = [chunk.raw for chunk in chunks[1:] if not _is_credential_chunk(chunk)]
    return b"".join([PNG_SIGNATURE, chunks[0].raw, _chunk(b"iTXt", data), *kept, trailer])


def extract_png(image_bytes: bytes) -> str | None:
    """The text of the first ``openbadgecredential`` iTXt chunk, or None when there is none."""
    chunks, _ = _chunks(image_bytes)
    for chunk in chunks:
        if _is_credential_chunk(chunk):
            found = _itxt(chunk.data)
            if found is None:
                raise BakingError("corrupt PNG: malformed openbadgecredential iTXt chunk")
            return found[1]
    return None


def _legacy_png(image_bytes: bytes) -> str | None:
    for chunk in _chunks(image_bytes)[0]:
        if chunk.type == b"iTXt":
            found = _itxt(chunk.data)
            if found and found[0] == LEGACY_PNG_KEYWORD:
                return found[1]
        elif chunk.type == b"tEXt":
            keyword, _, text = chunk.data.partition(b"\x00")
            if keyword == LEGACY_PNG_KEYWORD:
                return text.decode("latin-1")
    return None


# --- SVG ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _SvgLayout:
    """Byte offsets (in the UTF-8 encoding of the text) found by one parse."""

    root: re.Match[bytes]  # the root start tag
    credentials: tuple[tuple[int, int], ...]  # [start, end) of each OB 3.0 credential element


def _parse_svg(svg_text: str) -> Any:
    """The root element, parsed safely; BakingError for non-XML, non-SVG or hostile input."""
    if not isinstance(svg_text, str):
        raise TypeError("the SVG must be text (str)")
    try:
        root = SafeET.fromstring(svg_text)
    except DefusedXmlException as exc:
        raise BakingError(f"refusing an SVG with entity declarations or external references: "
                          f"{exc.__class__.__name__}") from None
    except (ParseError, ValueError) as exc:
        raise BakingError(f"not an SVG image (not well-formed XML: {exc})") from None
    if root.tag not in (f"{{{SVG_NAMESPACE}}}svg", "svg"):
        raise BakingError(f"not an SVG image (the root element is {root.tag!r})")
    return root


def _credential_element(root: Any) -> Any | None:
    return next(iter(root.iter(f"{{{OB_NAMESPACE}}}credential")), None)


def _svg_layout(svg_text: str) -> _SvgLayout:
    """Locate the root start tag and the credential elements (input already vetted by
    defusedxml; entity declarations are refused here too, as a second line)."""
    encoded = svg_text.encode("utf-8")
    parser = expat.ParserCreate(namespace_separator="}")
    starts: list[int] = []
    found: list[tuple[int, int]] = []
    open_credentials: list[int] = []

    def refuse(*_: Any) -> None:
        raise BakingError("refusing an SVG with entity declarations")

    def start(name: str, _attrs: Any) -> None:
        starts.append(parser.CurrentByteIndex)
        if name == f"{OB_NAMESPACE}}}credential":
            open_credentials.append(parser.CurrentByteIndex)

    def end(name: str) -> None:
        if name != f"{OB_NAMESPACE}}}credential":
            return
        begin = open_credentials.pop()
        tag = START_TAG.match(encoded, begin)
        if tag is None:
            raise BakingError("cannot locate the openbadges:credential start tag")
        if tag.group("end") == b"/>":
            found.append((begin, tag.end()))
        else:
            close = encoded.index(b">", parser.CurrentByteIndex) + 1
            found.append((begin, close))

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    try:
        parser.Parse(svg_text, True)  # str: offsets are into its UTF-8 encoding
    except expat.ExpatError as exc:
        raise BakingError(f"not an SVG image (not well-formed XML: {exc})") from None
    root = START_TAG.match(encoded, starts[0])
    if root is None:
        raise BakingError("cannot locate the root <svg> start tag")
    # Nested credential elements are removed with their parent; keep only the outermost.
    outer = [span for span in found
             if not any(o[0] < span[0] and span[1] <= o[1] for o in found)]
    return _SvgLayout(root, tuple(sorted(outer)))


def _namespace_declaration(start_tag: bytes) -> bytes | None:
    match = re.search(
        rb"\sxmlns:" + OB_PREFIX.encode() + rb"\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", start_tag
    )
    if match is None:
        return None
    return match.group(1) if match.group(1) is not None else match.group(2)


def _cdata(text: str) -> str:
    """CDATA section(s) whose character data is exactly ``text``: ']]>' is split across two
    sections and CR is written as a character reference (a parser would turn a literal CR
    into LF)."""
    sections = text.replace("]]>", "]]]]><![CDATA[>").replace("\r", "]]>&#13;<![CDATA[")
    return f"<![CDATA[{sections}]]>"


def bake_svg(svg_text: str, credential: str) -> str:
    """The SVG with ``credential`` in ``<openbadges:credential>`` directly after the root start
    tag (JSON in CDATA; a compact JWS in the ``verify`` attribute). A credential baked earlier
    is replaced; every other byte of the SVG is kept."""
    kind = check_credential(credential)
    if NOT_XML_CHAR.search(credential):
        raise BakingError("the credential contains characters XML cannot carry")
    _parse_svg(svg_text)
    encoded = svg_text.encode("utf-8")
    layout = _svg_layout(svg_text)
    tag = layout.root
    declared = _namespace_declaration(tag.group(0))
    if declared is not None and declared.decode("utf-8") != OB_NAMESPACE:
        raise BakingError(
            f"the SVG binds the prefix {OB_PREFIX!r} to {declared.decode('utf-8')!r} "
            "(an Open Badges 2.0 baked image?); use an unbaked image"
        )
    qname = f"{OB_PREFIX}:credential"
    if kind == "jwt":
        element = f'<{qname} verify="{credential.strip()}"/>'
    else:
        element = f"<{qname}>{_cdata(credential)}</{qname}>"
    start_tag = tag.group(0)
    if declared is None:
        split = tag.end("attrs") - tag.start()
        start_tag = (start_tag[:split] + f' xmlns:{OB_PREFIX}="{OB_NAMESPACE}"'.encode("utf-8")
                     + start_tag[split:])
    closing = b""
    if tag.group("end") == b"/>":  # <svg .../> : open it so that it can hold the credential
        start_tag = start_tag[:-2].rstrip() + b">"
        closing = b"</" + tag.group("name") + b">"
    # Cut out the old credential element(s), then insert the new one.
    body = bytearray(encoded[tag.end():])
    for begin, end in reversed(layout.credentials):
        del body[begin - tag.end():end - tag.end()]
    result = (encoded[:tag.start()] + start_tag + element.encode("utf-8") + closing
              + bytes(body)).decode("utf-8")
    # Post-condition: exactly one credential element, carrying exactly this credential.
    elements = list(_parse_svg(result).iter(f"{{{OB_NAMESPACE}}}credential"))
    if len(elements) != 1 or _element_text(elements[0]) != (
            credential.strip() if kind == "jwt" else credential):
        raise BakingError("internal error: the baked SVG does not carry the credential")
    return result


def extract_svg(svg_text: str) -> str | None:
    """The credential in the first ``<openbadges:credential>`` element: its ``verify``
    attribute (a compact JWS) or else its character data (CDATA JSON), verbatim; or None."""
    element = _credential_element(_parse_svg(svg_text))
    return None if element is None else _element_text(element)


def _element_text(element: Any) -> str:
    verify = element.get("verify")
    if verify is not None:
        return verify.strip()
    return "".join(element.itertext())


def _legacy_svg(svg_text: str) -> str | None:
    element = next(iter(_parse_svg(svg_text).iter(f"{{{LEGACY_NAMESPACE}}}assertion")), None)
    if element is None:
        return None
    return element.get("verify") or "".join(element.itertext()).strip()


# --- any file -------------------------------------------------------------------------------


def _as_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BakingError("not a PNG, and not UTF-8 text (SVG, JSON or JWS)") from None


def _looks_like_xml(text: str) -> bool:
    return text.lstrip().startswith("<")


def extract(data: bytes) -> Extracted | None:
    """The credential in a baked PNG or SVG, or in a plain JSON / compact JWS file.

    None when an image carries no Open Badges 3.0 credential (see :func:`legacy_assertion`
    for Open Badges 2.0 images); BakingError when the file is none of these formats.
    """
    if is_png(data):
        text, container = extract_png(data), "png"
    else:
        text = _as_text(data)
        if _looks_like_xml(text):
            text, container = extract_svg(text), "svg"
        else:
            container = "jws" if COMPACT_JWS.match(text.strip()) else "json"
            if container == "json" and not text.strip().startswith("{"):
                raise BakingError("not a PNG or SVG image, a JSON credential or a compact JWS")
    if text is None:
        return None
    kind = credential_kind(text)
    text = text.strip() if kind == "jwt" else text
    return Extracted(kind, text, container)  # type: ignore[arg-type]


def extract_credential(data: bytes) -> Extracted:
    """Like :func:`extract`, but a file without an Open Badges 3.0 credential is read for an
    Open Badges 2.0 (or 1.x) assertion baked the older way (PNG keyword ``openbadges``, SVG
    ``<openbadges:assertion>``): its JSON ('json'), its JWS ('jwt') or, in an OB 1.0-style
    bake, the hosted assertion's URL ('url'). BakingError when the file carries neither."""
    found = extract(data)
    if found is not None:
        return found
    legacy = legacy_assertion(data)
    if legacy is not None:
        text = legacy.strip()
        container: Container = "png" if is_png(data) else "svg"
        if text.lower().startswith(("https://", "http://")) and not any(c.isspace() for c in text):
            return Extracted("url", text, container)
        try:
            return Extracted(credential_kind(text), text, container)
        except BakingError:
            raise BakingError("the image carries an Open Badges 2.0 assertion that is neither "
                              "JSON, a JWS nor a URL") from None
    raise BakingError("the image carries no Open Badges 3.0 credential and no Open Badges 2.0 "
                      "assertion (it is not baked)")


def legacy_assertion(data: bytes) -> str | None:
    """The Open Badges 1.0/2.0 assertion baked into a PNG or SVG (keyword ``openbadges`` /
    element ``{http://openbadges.org}assertion``), verbatim, or None."""
    if is_png(data):
        return _legacy_png(data)
    text = _as_text(data)
    return _legacy_svg(text) if _looks_like_xml(text) else None


def bake(image: bytes, credential: str) -> bytes:
    """Bake into a PNG or an SVG (UTF-8), whichever ``image`` is; same format out."""
    if is_png(image):
        return bake_png(image, credential)
    text = _as_text(image)
    if not _looks_like_xml(text):
        raise BakingError("the image is neither a PNG nor an SVG")
    declared = XML_ENCODING.match(text)
    if declared and declared.group(1).lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise BakingError(f"the SVG declares encoding {declared.group(1)!r}; "
                          "only UTF-8 SVG images can be baked")
    bom = codecs.BOM_UTF8 if image.startswith(codecs.BOM_UTF8) else b""
    return bom + bake_svg(text, credential).encode("utf-8")
