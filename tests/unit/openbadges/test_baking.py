"""Baking: PNG iTXt and SVG <openbadges:credential>, byte for byte, with real signed credentials
and the 1EdTech validator's baked fixtures."""

from __future__ import annotations

import base64
import io
import json
import struct
import zlib
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET
import nacl.signing
import pytest
from PIL import Image as PilImage

from issuer.dataintegrity import multikey
from issuer.dataintegrity.proofs import add_proof
from issuer.openbadges import baking
from issuer.openbadges.baking import BakingError
from issuer.openbadges.credential import Achievement, Image, Profile, Recipient, build_credential
from issuer.verification.verifier import verify_credential
from tests.helpers import NOW, VECTORS

BAKED = VECTORS / "baked"
OB_CREDENTIAL = "{https://purl.imsglobal.org/ob/v3p0}credential"
KEYWORD_AND_HEADER = b"openbadgecredential\x00\x00\x00\x00\x00"
# Any compact JWS will do for baking: its signature is never checked here.
JWS = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJkaWQ6ZXhhbXBsZToxIiwidmMiOnt9fQ.c2lnbmF0dXJl"
MINIMAL_SVG = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "<!-- a badge -->\n"
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" data-note="a > b">\n'
    '  <circle cx="5" cy="5" r="4" fill="#c00"/>\n'
    "</svg>\n"
)


# --- factories -------------------------------------------------------------------------------


def signed_credential_text(**achievement: Any) -> str:
    """A signed OpenBadgeCredential (did:key issuer) as pretty JSON text with a final newline,
    the way the issuer stores it."""
    key = nacl.signing.SigningKey(b"\x2a" * 32)
    public = multikey.encode_public_key(bytes(key.verify_key))
    issuer_id = multikey.did_key(public)
    values: dict[str, Any] = dict(
        id="https://badges.example.edu/achievements/baking",
        name="Bäking 101 — Zoë's badge",
        description="Bakes a credential into an image.",
        criteria_narrative="Bake, then verify.",
        image=Image("https://badges.example.edu/images/baking.png"),
    )
    unsigned = build_credential(
        credential_id="urn:uuid:0f3b1c2e-5d4a-4e6f-8a7b-9c0d1e2f3a4b",
        issuer=Profile(id=issuer_id, name="Example University"),
        achievement=Achievement(**{**values, **achievement}),
        recipient=Recipient(email="zoe@example.edu", salt="pepper"),
        valid_from=NOW.replace(year=2026, month=1),
    )
    signed = add_proof(unsigned, signing_key=key,
                       verification_method=multikey.did_key_verification_method(public),
                       created=NOW.replace(year=2026, month=1))
    return json.dumps(signed, indent=2, ensure_ascii=False) + "\n"


@pytest.fixture(scope="module")
def credential() -> str:
    return signed_credential_text()


def png_bytes(size: tuple[int, int] = (32, 24)) -> bytes:
    image = PilImage.new("RGBA", size, (200, 30, 30, 255))
    image.putpixel((3, 4), (0, 0, 255, 128))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def chunks(png: bytes) -> list[tuple[bytes, bytes, int]]:
    """(type, data, crc) of every chunk, read independently of the module under test."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    found, position = [], 8
    while position < len(png):
        (length,) = struct.unpack(">I", png[position:position + 4])
        ctype = png[position + 4:position + 8]
        data = png[position + 8:position + 8 + length]
        (crc,) = struct.unpack(">I", png[position + 8 + length:position + 12 + length])
        found.append((ctype, data, crc))
        position += 12 + length
    return found


def raw_chunk(ctype: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(ctype + data))


def with_chunk_after_ihdr(png: bytes, chunk: bytes) -> bytes:
    return png[:33] + chunk + png[33:]  # 8 signature + 25 IHDR


def credential_chunks(png: bytes) -> list[bytes]:
    return [data for ctype, data, _ in chunks(png)
            if ctype == b"iTXt" and data.startswith(b"openbadgecredential\x00")]


def credential_elements(svg: str) -> list[Any]:
    return list(SafeET.fromstring(svg).iter(OB_CREDENTIAL))


def assert_verified(text: str) -> None:
    result = verify_credential(json.loads(text), now=NOW)
    assert result.verified, result.to_dict()


# --- PNG -------------------------------------------------------------------------------------


def test_png_round_trip_is_byte_exact_and_verifies(credential):
    baked = baking.bake_png(png_bytes(), credential)
    extracted = baking.extract_png(baked)
    assert extracted == credential
    assert extracted.encode("utf-8") == credential.encode("utf-8")
    assert_verified(extracted)
    assert baking.extract(baked) == baking.Extracted("json", credential, "png")


def test_png_chunk_layout_byte_by_byte(credential):
    original = png_bytes()
    baked = baking.bake_png(original, credential)
    text = credential.encode("utf-8")
    data = KEYWORD_AND_HEADER + text
    # signature, IHDR (unchanged), then our chunk: length, type, data, CRC.
    assert baked[:33] == original[:33]
    assert baked[33:37] == struct.pack(">I", len(data))
    assert baked[37:41] == b"iTXt"
    assert baked[41:41 + 19] == b"openbadgecredential"
    assert baked[60:65] == b"\x00\x00\x00\x00\x00"  # NUL, flag 0, method 0, NUL, NUL
    assert baked[65:65 + len(text)] == text
    end = 65 + len(text)
    assert baked[end:end + 4] == struct.pack(">I", zlib.crc32(b"iTXt" + data))
    # ... and the rest is the original file, chunk for chunk.
    assert baked[end + 4:] == original[33:]


def test_png_every_crc_is_valid_and_other_chunks_are_kept(credential):
    original = png_bytes()
    baked = baking.bake_png(original, credential)
    for ctype, data, crc in chunks(baked):
        assert zlib.crc32(ctype + data) == crc, ctype
    assert [c for c in chunks(baked) if c[0] != b"iTXt"] == chunks(original)
    assert [c[0] for c in chunks(baked)][:2] == [b"IHDR", b"iTXt"]


def test_pillow_opens_the_baked_png_and_sees_the_same_pixels_and_text(credential):
    original = png_bytes()
    baked = PilImage.open(io.BytesIO(baking.bake_png(original, credential)))
    baked.load()
    reference = PilImage.open(io.BytesIO(original))
    assert baked.format == "PNG"
    assert baked.size == reference.size
    assert baked.tobytes() == reference.tobytes()
    assert baked.text["openbadgecredential"] == credential


def test_baking_twice_leaves_one_chunk_with_the_new_credential(credential):
    first = baking.bake_png(png_bytes(), JWS)
    second = baking.bake_png(first, credential)
    assert credential_chunks(second) == [KEYWORD_AND_HEADER + credential.encode("utf-8")]
    assert baking.extract_png(second) == credential
    assert baking.bake_png(second, credential) == second  # idempotent


def test_rebaking_the_1edtech_png_moves_the_single_chunk_after_ihdr(credential):
    fixture = (BAKED / "simple-json.png").read_bytes()
    assert [c[0] for c in chunks(fixture)][-2:] == [b"iTXt", b"IEND"]  # theirs sits at the end
    rebaked = baking.bake_png(fixture, credential)
    assert len(credential_chunks(rebaked)) == 1
    assert chunks(rebaked)[1][0] == b"iTXt"
    assert baking.extract_png(rebaked) == credential
    assert len(rebaked) == len(fixture) - len(credential_chunks(fixture)[0]) + len(
        KEYWORD_AND_HEADER + credential.encode("utf-8"))


def test_a_jws_is_baked_as_is():
    baked = baking.bake_png(png_bytes(), JWS)
    assert credential_chunks(baked) == [KEYWORD_AND_HEADER + JWS.encode("ascii")]
    assert baking.extract(baked) == baking.Extracted("jwt", JWS, "png")


def test_a_compressed_itxt_from_another_baker_is_read_and_replaced(credential):
    compressed = raw_chunk(
        b"iTXt", b"openbadgecredential\x00\x01\x00en\x00\x00" + zlib.compress(JWS.encode()))
    png = with_chunk_after_ihdr(png_bytes(), compressed)
    assert baking.extract_png(png) == JWS
    rebaked = baking.bake_png(png, credential)
    assert credential_chunks(rebaked) == [KEYWORD_AND_HEADER + credential.encode("utf-8")]


def test_an_unbaked_png_and_a_dcc_qr_code_carry_no_credential():
    assert baking.extract_png(png_bytes()) is None
    qr = (BAKED / "dcc-qr-oidf-noStatus-noExpiry.png").read_bytes()
    assert baking.extract_png(qr) is None
    assert baking.extract(qr) is None
    with pytest.raises(BakingError, match="not baked"):
        baking.extract_credential(qr)


@pytest.mark.parametrize("ctype, data", [
    (b"tEXt", b"openbadges\x00https://example.org/assertions/1"),
    (b"iTXt", b"openbadges\x00\x00\x00\x00\x00https://example.org/assertions/1"),
])
def test_an_open_badges_2_png_is_extracted_as_such(ctype, data):
    """extract() is for OB 3.0 only; extract_credential() also reads an OB 2.0 bake (here the
    OB 1.0 way: the hosted assertion's URL), for issuer.verification.ob2."""
    png = with_chunk_after_ihdr(png_bytes(), raw_chunk(ctype, data))
    assert baking.extract(png) is None
    assert baking.legacy_assertion(png) == "https://example.org/assertions/1"
    assert baking.extract_credential(png) == baking.Extracted(
        "url", "https://example.org/assertions/1", "png")


def _corrupt_pngs() -> dict[str, bytes]:
    good = png_bytes()
    bad_crc = bytearray(good)
    bad_crc[30] ^= 0xFF  # inside IHDR's CRC-covered data
    return {
        "not a PNG": b"GIF89a\x01\x00\x01\x00",
        "empty": b"",
        "signature only": good[:8],
        "truncated": good[:-20],
        "bad CRC": bytes(bad_crc),
        "no IHDR first": good[:8] + raw_chunk(b"tEXt", b"a\x00b") + good[8:],
        "chunk length past the end": good[:8] + b"\x7f\xff\xff\xff" + good[12:],
        "invalid chunk type": good[:8] + raw_chunk(b"I1DR", b"x") + good[8:],
    }


@pytest.mark.parametrize("name", list(_corrupt_pngs()))
def test_corrupt_or_non_png_input_is_refused_cleanly(name, credential):
    data = _corrupt_pngs()[name]
    with pytest.raises(BakingError):
        baking.bake_png(data, credential)
    with pytest.raises(BakingError):
        baking.extract_png(data)


@pytest.mark.parametrize("text", ["hello", "[1, 2]", '{"unterminated": ', "a.b", ""])
def test_only_a_json_object_or_a_compact_jws_can_be_baked(text):
    with pytest.raises(BakingError):
        baking.bake_png(png_bytes(), text)
    with pytest.raises(BakingError):
        baking.bake_svg(MINIMAL_SVG, text)


# --- SVG -------------------------------------------------------------------------------------


def test_svg_round_trip_is_byte_exact_and_verifies(credential):
    baked = baking.bake_svg(MINIMAL_SVG, credential)
    assert baking.extract_svg(baked) == credential
    assert_verified(baking.extract_svg(baked))
    assert baking.extract(baked.encode("utf-8")) == baking.Extracted("json", credential, "svg")


def test_svg_layout_namespace_on_root_and_element_right_after_the_start_tag(credential):
    baked = baking.bake_svg(MINIMAL_SVG, credential)
    start = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" data-note="a > b"'
    namespace = ' xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"'
    element = f"<openbadges:credential><![CDATA[{credential}]]></openbadges:credential>"
    assert f"{start}{namespace}>{element}\n  <circle" in baked
    # Every other byte is the original's.
    assert baked.replace(namespace, "", 1).replace(element, "", 1) == MINIMAL_SVG
    root = SafeET.fromstring(baked)
    assert root[0].tag == OB_CREDENTIAL
    assert root[0].get("verify") is None


def test_a_jws_goes_in_the_verify_attribute_of_an_empty_element():
    baked = baking.bake_svg(MINIMAL_SVG, JWS)
    assert f'<openbadges:credential verify="{JWS}"/>' in baked
    assert baking.extract_svg(baked) == JWS
    assert baking.extract(baked.encode()) == baking.Extracted("jwt", JWS, "svg")


def test_baking_an_svg_twice_leaves_one_element_with_the_new_credential(credential):
    once = baking.bake_svg(MINIMAL_SVG, JWS)
    twice = baking.bake_svg(once, credential)
    assert len(credential_elements(twice)) == 1
    assert baking.extract_svg(twice) == credential
    assert twice.count('xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"') == 1
    assert baking.bake_svg(twice, credential) == twice  # idempotent
    assert baking.bake_svg(twice, JWS) == once


def test_rebaking_the_1edtech_svg_replaces_its_credential(credential):
    fixture = (BAKED / "simple-json.svg").read_text("utf-8")
    rebaked = baking.bake_svg(fixture, credential)
    assert len(credential_elements(rebaked)) == 1
    assert baking.extract_svg(rebaked) == credential
    assert rebaked.count("xmlns:openbadges=") == 1  # theirs was already declared: kept
    assert fixture.split("<g>", 1)[1] == rebaked.split("<g>", 1)[1]


def test_cdata_terminator_inside_the_credential_is_split_across_sections():
    text = signed_credential_text(description="Escapes ]]> and <![CDATA[ in XML, and ]]]]>.")
    baked = baking.bake_svg(MINIMAL_SVG, text)
    assert "]]]]><![CDATA[>" in baked
    assert baking.extract_svg(baked) == text
    assert_verified(baking.extract_svg(baked))


def test_carriage_returns_survive_the_svg_byte_for_byte():
    text = signed_credential_text().replace("\n", "\r\n")
    baked = baking.bake_svg(MINIMAL_SVG, text)
    assert baking.extract_svg(baked) == text
    assert_verified(baking.extract_svg(baked))


def test_self_closing_and_prefixed_svg_roots():
    empty = baking.bake_svg('<svg xmlns="http://www.w3.org/2000/svg"/>', JWS)
    assert empty == ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges='
                     f'"https://purl.imsglobal.org/ob/v3p0"><openbadges:credential verify="{JWS}"/>'
                     "</svg>")
    prefixed = baking.bake_svg("<s:svg xmlns:s='http://www.w3.org/2000/svg'><s:g/></s:svg>", JWS)
    assert baking.extract_svg(prefixed) == JWS
    assert prefixed.endswith("<s:g/></s:svg>")


@pytest.mark.parametrize("svg", [
    "not xml at all",
    "<html><body>hello</body></html>",
    '<svg xmlns="http://www.w3.org/2000/svg"><g></svg>',
    '<svg xmlns="http://example.org/not-svg"/>',
    "",
])
def test_not_an_svg_is_refused(svg):
    with pytest.raises(BakingError):
        baking.bake_svg(svg, JWS)
    with pytest.raises(BakingError):
        baking.extract_svg(svg)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE svg [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&lol9;</text></svg>"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&secret;</text></svg>"""


@pytest.mark.parametrize("svg", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "xxe"])
def test_entity_tricks_are_refused(svg):
    with pytest.raises(BakingError, match="entity"):
        baking.bake_svg(svg, JWS)
    with pytest.raises(BakingError, match="entity"):
        baking.extract(svg.encode())


def test_the_1edtech_doctype_without_entities_is_fine():
    fixture = (BAKED / "simple-jwt.svg").read_text("utf-8")
    assert "<!DOCTYPE svg PUBLIC" in fixture
    assert baking.extract_svg(baking.bake_svg(fixture, JWS)) == JWS


def test_an_open_badges_2_svg_is_recognised_and_not_overwritten():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
           '<openbadges:assertion verify="https://example.org/assertions/1"/></svg>')
    assert baking.extract(svg.encode()) is None
    assert baking.legacy_assertion(svg.encode()) == "https://example.org/assertions/1"
    with pytest.raises(BakingError, match="Open Badges 2.0"):
        baking.bake_svg(svg, JWS)


def test_characters_xml_cannot_carry_are_refused():
    with pytest.raises(BakingError, match="XML"):
        baking.bake_svg(MINIMAL_SVG, '{"name": "\ufffe"}')


# --- the 1EdTech validator fixtures ----------------------------------------------------------


@pytest.mark.parametrize("name", ["simple-json.png", "simple-json.svg"])
def test_1edtech_json_fixtures_extract_and_verify(name):
    found = baking.extract((BAKED / name).read_bytes())
    assert found is not None
    assert (found.kind, found.container) == ("json", name[-3:])
    credential = json.loads(found.text)
    assert "OpenBadgeCredential" in credential["type"]
    # vm is <issuer>#z6Mk..., so the key comes from the fragment: verified, with a warning.
    result = verify_credential(credential, now=NOW)
    assert result.verified, result.to_dict()


def test_1edtech_png_text_is_exactly_the_chunk_text():
    data = (BAKED / "simple-json.png").read_bytes()
    (chunk,) = credential_chunks(data)
    assert chunk.startswith(KEYWORD_AND_HEADER)
    assert baking.extract_png(data) == chunk[len(KEYWORD_AND_HEADER):].decode("utf-8")


@pytest.mark.parametrize("name", ["simple-jwt.png", "simple-jwt.svg",
                                  "simple-jwt_v1.png", "simple-jwt_v1.svg"])
def test_1edtech_jwt_fixtures_extract_a_compact_jws(name):
    found = baking.extract((BAKED / name).read_bytes())
    assert found is not None
    assert (found.kind, found.container) == ("jwt", name[-3:])
    assert found.text.count(".") == 2 and found.text.strip() == found.text
    header = json.loads(base64.urlsafe_b64decode(found.text.split(".")[0] + "=="))
    assert header["alg"] == "RS256"
    payload = baking.decode_jwt_payload(found.text)
    vc = payload.get("vc", payload)  # _v1 wraps the VC in a "vc" claim
    assert "OpenBadgeCredential" in vc["type"]
    issuer = vc["issuer"]
    assert payload["iss"] == (issuer["id"] if isinstance(issuer, dict) else issuer)


# --- extract() on any file, and helpers ------------------------------------------------------


def test_extract_sniffs_plain_json_and_jws_files(credential):
    assert baking.extract(credential.encode()) == baking.Extracted("json", credential, "json")
    assert baking.extract(b"\xef\xbb\xbf" + credential.encode()).text == credential
    assert baking.extract(JWS.encode() + b"\n") == baking.Extracted("jwt", JWS, "jws")


@pytest.mark.parametrize("data", [b"", b"hello", b"\xff\xfe\x00garbage", b"GIF89a"])
def test_extract_refuses_unknown_files(data):
    with pytest.raises(BakingError):
        baking.extract(data)


@pytest.mark.parametrize("token", ["not a jws", "a.b.c", "a." + base64.urlsafe_b64encode(
    b"[1]").decode().rstrip("=") + ".c"])
def test_decode_jwt_payload_refuses_what_is_not_a_jws_of_a_json_object(token):
    with pytest.raises(BakingError):
        baking.decode_jwt_payload(token)


def test_bake_dispatches_on_the_image_format(credential):
    png = baking.bake(png_bytes(), credential)
    assert baking.extract_png(png) == credential
    svg = baking.bake(("\ufeff" + MINIMAL_SVG).encode("utf-8"), credential)
    assert svg.startswith(b"\xef\xbb\xbf<?xml")  # the byte order mark is kept
    assert baking.extract(svg).text == credential
    with pytest.raises(BakingError, match="neither a PNG nor an SVG"):
        baking.bake(b"plain text", credential)
    latin1 = MINIMAL_SVG.replace("UTF-8", "ISO-8859-1").encode("latin-1")
    with pytest.raises(BakingError, match="only UTF-8"):
        baking.bake(latin1, credential)


def test_the_module_is_pure():
    source = Path(baking.__file__).read_text("utf-8")
    assert "flask" not in source.lower() and "sqlalchemy" not in source.lower()
