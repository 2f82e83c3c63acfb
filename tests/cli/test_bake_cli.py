"""``issuer bake`` and ``issuer verify`` on baked PNG / SVG images (CliRunner)."""

from __future__ import annotations

import io
import json
from datetime import datetime, timezone
from pathlib import Path

import nacl.signing
import pytest
from click.testing import CliRunner
from PIL import Image as PilImage

from issuer.cli import main
from issuer.dataintegrity import multikey
from issuer.dataintegrity.proofs import add_proof
from issuer.openbadges import baking
from issuer.openbadges.credential import Achievement, Image, Profile, Recipient, build_credential
from tests.helpers import VECTORS

BAKED = VECTORS / "baked"
# A fixed past date: verify reads the wall clock, and this credential never expires.
VALID_FROM = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
JWS = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJkaWQ6ZXhhbXBsZToxIn0.c2lnbmF0dXJl"
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4">'
       '<rect width="4" height="4"/></svg>\n')


def signed_text() -> str:
    key = nacl.signing.SigningKey(b"\x11" * 32)
    public = multikey.encode_public_key(bytes(key.verify_key))
    credential = build_credential(
        credential_id="urn:uuid:6f1c2b9e-0d1a-4c3b-8e7f-5a6b7c8d9e0f",
        issuer=Profile(id=multikey.did_key(public), name="Example University"),
        achievement=Achievement(
            id="https://badges.example.edu/achievements/bake",
            name="Baker",
            description="Bakes badges from a shell.",
            criteria_narrative="Use `issuer bake`.",
            image=Image("https://badges.example.edu/images/bake.png"),
        ),
        recipient=Recipient(email="alice@example.edu"),
        valid_from=VALID_FROM,
    )
    signed = add_proof(credential, signing_key=key,
                       verification_method=multikey.did_key_verification_method(public),
                       created=VALID_FROM)
    # Deliberately unusual formatting: baking must keep it byte for byte.
    return json.dumps(signed, indent=3, ensure_ascii=False) + "\n\n"


@pytest.fixture
def runner(tmp_path, monkeypatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    return CliRunner()


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    credential = tmp_path / "credential.json"
    credential.write_text(signed_text(), "utf-8")
    png = tmp_path / "badge.png"
    buffer = io.BytesIO()
    PilImage.new("RGB", (16, 16), (0, 120, 200)).save(buffer, format="PNG")
    png.write_bytes(buffer.getvalue())
    svg = tmp_path / "badge.svg"
    svg.write_text(SVG, "utf-8")
    jws = tmp_path / "credential.jwt"
    jws.write_text(JWS + "\n", "utf-8")
    return {"credential": credential, "png": png, "svg": svg, "jws": jws}


def invoke(runner: CliRunner, *args: str, input: bytes | str | None = None):
    return runner.invoke(main, list(args), input=input, catch_exceptions=False)


def bake(runner: CliRunner, credential: Path, image: Path, out: Path):
    return invoke(runner, "bake", str(credential), str(image), "-o", str(out))


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_bake_then_verify(runner, files, tmp_path, fmt):
    out = tmp_path / f"baked.{fmt}"
    result = invoke(runner, "bake", str(files["credential"]), str(files[fmt]), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{out}\n"
    assert result.stderr == ""
    found = baking.extract(out.read_bytes())
    assert found == baking.Extracted("json", files["credential"].read_text("utf-8"), fmt)

    verified = invoke(runner, "verify", str(out))
    assert verified.exit_code == 0, verified.output
    assert verified.stdout.startswith("VERIFIED\n")

    as_json = invoke(runner, "verify", "--json", str(out))
    assert as_json.exit_code == 0
    assert json.loads(as_json.stdout)["verified"] is True


def test_bake_from_stdin_and_verify_from_stdin(runner, files, tmp_path):
    out = tmp_path / "baked.png"
    text = files["credential"].read_bytes()
    assert invoke(runner, "bake", "-", str(files["png"]), "-o", str(out), input=text).exit_code == 0
    assert baking.extract_png(out.read_bytes()).encode("utf-8") == text
    result = invoke(runner, "verify", "-", input=out.read_bytes())
    assert result.exit_code == 0, result.output


def test_rebaking_replaces_the_credential(runner, files, tmp_path):
    once, twice = tmp_path / "once.svg", tmp_path / "twice.svg"
    assert bake(runner, files["jws"], files["svg"], once).exit_code == 0
    assert baking.extract_svg(once.read_text("utf-8")) == JWS
    assert bake(runner, files["credential"], once, twice).exit_code == 0
    assert twice.read_text("utf-8").count("<openbadges:credential") == 1
    assert invoke(runner, "verify", str(twice)).exit_code == 0


def test_a_jws_bakes_and_verify_checks_it_as_a_vc_jwt(runner, files, tmp_path):
    out = tmp_path / "jwt.png"
    assert bake(runner, files["jws"], files["png"], out).exit_code == 0
    assert baking.extract_png(out.read_bytes()) == JWS  # the final newline is not baked
    result = invoke(runner, "verify", str(out))
    assert result.exit_code == 1  # a made-up JWS: its header names no key
    assert result.stdout.startswith("NOT VERIFIED: 1 check failed: Signature\n")
    assert "[FAIL] Signature: the JOSE header names no key (kid or jwk)" in result.stdout


def test_unsigned_credential_bakes_with_a_warning(runner, files, tmp_path):
    unsigned = json.loads(files["credential"].read_text("utf-8"))
    del unsigned["proof"]
    source = tmp_path / "unsigned.json"
    source.write_text(json.dumps(unsigned), "utf-8")
    result = invoke(runner, "bake", str(source), str(files["png"]), "-o", str(tmp_path / "u.png"))
    assert result.exit_code == 0
    assert "no proof" in result.stderr


# --- the 1EdTech baked fixtures -------------------------------------------------------------


@pytest.mark.parametrize("name", ["simple-json.png", "simple-json.svg"])
def test_verify_1edtech_baked_json(runner, name):
    result = invoke(runner, "verify", str(BAKED / name))
    # The issuer's profile cannot be fetched: the signature checks out with the key of the
    # <issuer>#z6Mk... fragment, but nothing confirms that key is the issuer's.
    assert result.exit_code == 3, result.output
    assert result.stdout.startswith("NOT FULLY VERIFIED: 1 check could not be made: "
                                    "Issuer signed it\n")
    assert "[PASS] Signature" in result.stdout
    assert "warning: proof: proof 1: key taken from the verification method id" in result.stdout


@pytest.mark.parametrize(("name", "not_checked"), [
    ("simple-jwt.png", ["issuer"]), ("simple-jwt.svg", ["issuer"]),
    ("simple-jwt_v1.png", ["schema", "issuer"]),  # VC 1.1: the OB 3.0 schemas do not apply
])
def test_verify_1edtech_baked_jwt(runner, name, not_checked):
    # The RS256 signature verifies with the key in the token's jwk header, but the issuer's
    # server cannot be reached to confirm that key is the issuer's: not fully verified.
    result = invoke(runner, "verify", str(BAKED / name))
    assert result.exit_code == 3, result.output
    assert result.stdout.startswith(f"NOT FULLY VERIFIED: {len(not_checked)} check")
    assert result.stdout.splitlines()[0].endswith("Issuer signed it")
    assert "[PASS] Signature: signature valid (RS256" in result.stdout
    as_json = json.loads(invoke(runner, "verify", "--json", str(BAKED / name)).stdout)
    assert as_json["verified"] is False
    assert as_json["verdict"] == "incomplete"
    assert as_json["notChecked"] == not_checked


def test_verify_plain_jws_file(runner, files):
    result = invoke(runner, "verify", str(files["jws"]))
    assert result.exit_code == 1
    assert "[FAIL] Signature: the JOSE header names no key (kid or jwk)" in result.stdout


# --- unreadable input ----------------------------------------------------------------------


def test_verify_an_image_that_is_not_baked_exits_2(runner, files):
    for path in (files["png"], files["svg"], BAKED / "dcc-qr-oidf-noStatus-noExpiry.png"):
        result = invoke(runner, "verify", str(path))
        assert result.exit_code == 2, path
        assert result.stdout == ""
        assert "no Open Badges 3.0 credential" in result.stderr


def test_verify_an_open_badges_2_badge_offline_is_incomplete(runner, tmp_path):
    """An OB 2.0 image baked with its hosted assertion's URL is checked the OB 2.0 way
    (tests/web/test_ob2_verification.py); offline nothing can be fetched: INCOMPLETE, 3."""
    legacy = tmp_path / "ob2.svg"
    legacy.write_text('<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges='
                      '"http://openbadges.org"><openbadges:assertion verify="https://e.org/a/1"/>'
                      "</svg>", "utf-8")
    result = invoke(runner, "verify", str(legacy), "--offline")
    assert result.exit_code == 3
    assert "Open Badges 2.0 assertion" in result.stdout


def test_verify_a_corrupt_png_exits_2(runner, files, tmp_path):
    corrupt = tmp_path / "corrupt.png"
    corrupt.write_bytes(files["png"].read_bytes()[:-20])
    result = invoke(runner, "verify", str(corrupt))
    assert result.exit_code == 2
    assert "corrupt PNG" in result.stderr


@pytest.mark.parametrize("case", ["missing credential", "not a credential", "binary credential",
                                  "json array", "not an image", "corrupt png", "xml bomb"])
def test_bake_unreadable_input_exits_2(runner, files, tmp_path, case):
    credential, image = str(files["credential"]), str(files["png"])
    bad = tmp_path / "bad"
    if case == "missing credential":
        credential = str(tmp_path / "missing.json")
    elif case == "not a credential":
        bad.write_text("hello", "utf-8")
        credential = str(bad)
    elif case == "binary credential":
        bad.write_bytes(b"\xff\xfe\x00")
        credential = str(bad)
    elif case == "json array":
        bad.write_text("[1, 2]", "utf-8")
        credential = str(bad)
    elif case == "not an image":
        bad.write_text("plain text", "utf-8")
        image = str(bad)
    elif case == "corrupt png":
        bad.write_bytes(files["png"].read_bytes()[:40])
        image = str(bad)
    else:
        bad.write_text('<!DOCTYPE svg [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
                       '<svg xmlns="http://www.w3.org/2000/svg">&b;</svg>', "utf-8")
        image = str(bad)
    out = tmp_path / "out.png"
    result = invoke(runner, "bake", credential, image, "-o", str(out))
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert not out.exists()


def test_bake_needs_an_output(runner, files):
    result = invoke(runner, "bake", str(files["credential"]), str(files["png"]))
    assert result.exit_code == 2
    assert "--output" in result.stderr
