"""The ``issuer`` command line: keys, sign, verify (CliRunner, plus one run of the real script)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from issuer.cli import main
from issuer.dataintegrity import multikey
from issuer.openbadges.credential import (
    Achievement,
    Image,
    Profile,
    Recipient,
    build_credential,
)

# A fixed past date: the CLI's verify reads the wall clock (it is the program's edge), and a
# credential valid from 2020-01-02 with no expiry is valid whenever these tests run.
VALID_FROM = datetime(2020, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
HTTPS_ISSUER = "https://badges.example.edu/issuers/1"
DID_WEB_ISSUER = "did:web:badges.example.edu"
EMAIL = "alice@example.edu"
CHECK_IDS = ["context", "schema", "proof", "issuer", "validity", "status", "recipient"]
DID_KEY = re.compile(r"^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]+$")
KEY_TAKEN_FROM_ID = "key taken from the verification method id"


# --- small factories and helpers (the lead may move them to tests/factories.py) ---------------


def make_credential(issuer_id: str = HTTPS_ISSUER, **extra: Any) -> dict[str, Any]:
    credential = build_credential(
        credential_id="urn:uuid:3c5e0d7e-8a1b-4c1e-9d2f-7b6a5c4d3e2f",
        issuer=Profile(id=issuer_id, name="Example University",
                       image=Image("https://www.example.edu/logo.png")),
        achievement=Achievement(
            id="https://badges.example.edu/achievements/cli",
            name="Command line",
            description="Signs and verifies credentials from a shell.",
            criteria_narrative="Use `issuer sign` and `issuer verify`.",
            image=Image("https://badges.example.edu/images/cli.png"),
        ),
        recipient=Recipient(email=EMAIL),
        valid_from=VALID_FROM,
    )
    credential.update(extra)
    return credential


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, indent=2), "utf-8")
    return path


@pytest.fixture
def keys_dir(tmp_path, monkeypatch) -> Path:
    # Run from tmp_path so even a default "keys/" could never be the repository's.
    monkeypatch.chdir(tmp_path)
    return tmp_path / "test-keys"


@pytest.fixture
def runner(keys_dir) -> CliRunner:
    return CliRunner(env={"ISSUER_KEYS_DIR": str(keys_dir)})


def invoke(runner: CliRunner, *args: str, input: str | None = None):
    return runner.invoke(main, list(args), input=input, catch_exceptions=False)


def generate(runner: CliRunner, *args: str) -> str:
    result = invoke(runner, "keys", "generate", *args)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def sign_file(runner: CliRunner, path: Path, *args: str) -> dict[str, Any]:
    result = invoke(runner, "sign", str(path), *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def issuer_document(tmp_path: Path, did: str, issuer_id: str = HTTPS_ISSUER) -> Path:
    """The issuer's controller document (as its server would publish it) listing ``did``'s key,
    for ``--controller-document``: nothing is fetched in these tests."""
    document = multikey.controller_document(issuer_id, [did.removeprefix("did:key:")])
    return write_json(tmp_path / "issuer.json", document)


def secrets_in(keys_dir: Path) -> list[str]:
    return [json.loads(p.read_text("utf-8"))["secretKeyMultibase"]
            for p in keys_dir.glob("z6Mk*.json")]


# --- keys --------------------------------------------------------------------------------------


def test_keys_generate_prints_exactly_one_did_key(runner, keys_dir):
    result = invoke(runner, "keys", "generate")

    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert result.stdout == lines[0] + "\n"
    assert DID_KEY.match(lines[0])
    assert result.stderr == ""
    # The key went to ISSUER_KEYS_DIR, named after its public key.
    assert [p.name for p in keys_dir.iterdir()] == [lines[0].removeprefix("did:key:") + ".json"]


def test_keys_dir_option_wins_over_the_environment(runner, tmp_path, keys_dir):
    elsewhere = tmp_path / "elsewhere"
    did = generate(runner, "--keys-dir", str(elsewhere))
    assert (elsewhere / f"{did.removeprefix('did:key:')}.json").is_file()
    assert not keys_dir.exists()


def test_keys_list_shows_generated_keys_and_rotation(runner):
    first = generate(runner, "--controller", HTTPS_ISSUER)
    other = generate(runner)
    second = generate(runner, "--controller", HTTPS_ISSUER)

    result = invoke(runner, "keys", "list")
    assert result.exit_code == 0
    rows = {line.split("\t")[0]: line.split("\t") for line in result.stdout.splitlines()}
    assert set(rows) == {first, other, second}
    assert rows[first][2:] == ["retired", HTTPS_ISSUER]
    assert rows[second][2:] == ["active", HTTPS_ISSUER]
    assert rows[other][2:] == ["active", "-"]
    for row in rows.values():
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", row[1])


def test_keys_list_of_an_empty_directory_prints_nothing(runner):
    result = invoke(runner, "keys", "list")
    assert result.exit_code == 0
    assert result.stdout == ""


def test_secrets_never_reach_the_terminal(runner, tmp_path, keys_dir):
    outputs = []
    for args in (["keys", "generate", "--controller", HTTPS_ISSUER], ["keys", "generate"],
                 ["keys", "list"]):
        result = invoke(runner, *args)
        outputs += [result.stdout, result.stderr]
    unsigned = write_json(tmp_path / "unsigned.json", make_credential())
    result = invoke(runner, "sign", str(unsigned))
    assert result.exit_code == 0
    outputs += [result.stdout, result.stderr]
    result = invoke(runner, "sign", str(unsigned), "-o", str(tmp_path / "signed.json"))
    outputs += [result.stdout, result.stderr, (tmp_path / "signed.json").read_text("utf-8")]

    secrets = secrets_in(keys_dir)
    assert len(secrets) == 2
    for secret in secrets:
        for text in outputs:
            assert secret not in text
            assert secret[1:] not in text


# --- sign / verify round trip ------------------------------------------------------------------


def test_sign_then_verify_round_trips(runner, tmp_path):
    did = generate(runner, "--controller", HTTPS_ISSUER)
    unsigned = write_json(tmp_path / "unsigned.json", make_credential())
    signed_path = tmp_path / "signed.json"

    result = invoke(runner, "sign", str(unsigned), "-o", str(signed_path))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""  # with -o, nothing on stdout
    signed = json.loads(signed_path.read_text("utf-8"))
    assert signed["proof"][0]["verificationMethod"] == (
        f"{HTTPS_ISSUER}#{did.removeprefix('did:key:')}"
    )
    assert {k: v for k, v in signed.items() if k != "proof"} == make_credential_without_salt(
        signed)

    result = invoke(runner, "verify", str(signed_path),
                    "--controller-document", str(issuer_document(tmp_path, did)))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "VERIFIED"
    assert any(line.strip().startswith("[PASS] Signature") for line in lines)
    assert any(line.strip().startswith("[PASS] Issuer signed it") for line in lines)


def make_credential_without_salt(signed: dict[str, Any]) -> dict[str, Any]:
    """The unsigned credential as signed: same as make_credential() but for the random salt."""
    expected = make_credential()
    expected["credentialSubject"]["identifier"] = signed["credentialSubject"]["identifier"]
    return expected


def test_verify_json_lists_every_check(runner, tmp_path):
    did = generate(runner, "--controller", HTTPS_ISSUER)
    signed = write_json(tmp_path / "signed.json",
                        sign_file(runner, write_json(tmp_path / "u.json", make_credential())))

    result = invoke(runner, "verify", "--json", str(signed),
                    "--controller-document", str(issuer_document(tmp_path, did)))

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["verified"] is True
    assert report["verdict"] == "verified" and report["notChecked"] == []
    assert [check["id"] for check in report["checks"]] == CHECK_IDS
    statuses = {check["id"]: check["status"] for check in report["checks"]}
    assert statuses["proof"] == "passed"
    assert statuses["status"] == "not_applicable"
    assert report["errors"] == []


def test_one_byte_change_to_a_signed_field_fails_the_proof(runner, tmp_path):
    generate(runner, "--controller", HTTPS_ISSUER)
    signed = sign_file(runner, write_json(tmp_path / "u.json", make_credential()))
    data = json.dumps(signed, indent=2).encode("utf-8")
    signed_text = b'"Signs and verifies credentials from a shell."'
    assert data.count(signed_text) == 1  # the achievement description
    at = data.index(signed_text) + len(b'"Signs')
    assert data[at:at + 1] == b" "
    tampered = tmp_path / "tampered.json"
    tampered.write_bytes(data[:at] + b"_" + data[at + 1:])  # exactly one byte differs

    result = invoke(runner, "verify", str(tampered))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "NOT VERIFIED: 1 check failed: Signature"
    assert any(line.strip().startswith("[FAIL] Signature") for line in lines), result.stdout

    result = invoke(runner, "verify", "--json", str(tampered))
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["verified"] is False and report["verdict"] == "not_verified"
    assert {c["id"]: c["status"] for c in report["checks"]}["proof"] == "failed"
    assert [error["check"] for error in report["errors"]] == ["proof"]


def test_unsigned_credential_is_not_verified(runner, tmp_path):
    result = invoke(runner, "verify", str(write_json(tmp_path / "u.json", make_credential())))
    assert result.exit_code == 1
    assert result.stdout.startswith("NOT VERIFIED: 1 check failed: Signature\n")
    assert "the credential carries no proof" in result.stdout


@pytest.mark.parametrize("command", ["verify", "sign"])
def test_unreadable_input_exits_2(runner, tmp_path, command):
    generate(runner)
    not_json = tmp_path / "not.json"
    not_json.write_text("this is not JSON {", "utf-8")
    missing = tmp_path / "missing.json"
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")

    for source in (not_json, missing, binary):
        result = invoke(runner, command, str(source))
        assert result.exit_code == 2, (source, result.output)
        assert result.stdout == ""
        assert "cannot read a JSON credential" in result.stderr
    result = invoke(runner, command, "-", input="")
    assert result.exit_code == 2


def test_sign_refuses_json_that_is_not_an_object(runner, tmp_path):
    generate(runner)
    result = invoke(runner, "sign", str(write_json(tmp_path / "list.json", [1, 2])))
    assert result.exit_code == 2
    assert "must be a JSON object" in result.stderr


def test_stdin_with_dash_for_sign_and_verify(runner, tmp_path):
    did = generate(runner, "--controller", HTTPS_ISSUER)

    result = invoke(runner, "sign", "-", input=json.dumps(make_credential()))
    assert result.exit_code == 0, result.output
    signed_text = result.stdout
    assert json.loads(signed_text)["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"

    result = invoke(runner, "verify", "-", "--controller-document",
                    str(issuer_document(tmp_path, did)), input=signed_text)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("VERIFIED\n")


# --- verification methods ----------------------------------------------------------------------


def test_did_key_issuer_gets_a_did_key_verification_method(runner, tmp_path):
    did = generate(runner)
    generate(runner)  # a second, newer key: the issuer's own did:key must still be chosen
    z = did.removeprefix("did:key:")

    signed = sign_file(runner, write_json(tmp_path / "u.json", make_credential(did)))

    assert signed["proof"][0]["verificationMethod"] == f"did:key:{z}#{z}"
    result = invoke(runner, "verify", str(write_json(tmp_path / "s.json", signed)))
    assert result.exit_code == 0, result.output
    assert KEY_TAKEN_FROM_ID not in result.stdout  # a did:key needs no document


def test_url_issuer_gets_issuer_id_fragment_verification_method(runner, tmp_path):
    did = generate(runner)  # no controller: the fallback active key
    signed = sign_file(runner, write_json(tmp_path / "u.json", make_credential()))
    assert signed["proof"][0]["verificationMethod"] == (
        f"{HTTPS_ISSUER}#{did.removeprefix('did:key:')}"
    )


def test_sign_never_borrows_another_controllers_key(runner, tmp_path):
    generate(runner, "--controller", DID_WEB_ISSUER)  # bound to someone else
    unsigned = write_json(tmp_path / "u.json", make_credential(HTTPS_ISSUER))

    result = invoke(runner, "sign", str(unsigned))

    assert result.exit_code != 0
    assert result.stdout == ""


def test_explicit_key_option(runner, tmp_path):
    chosen = generate(runner, "--controller", HTTPS_ISSUER)
    generate(runner, "--controller", HTTPS_ISSUER)  # rotates: `chosen` is now retired
    z = chosen.removeprefix("did:key:")
    unsigned = write_json(tmp_path / "u.json", make_credential())

    for key in (z, chosen, f"{HTTPS_ISSUER}#{z}"):
        signed = sign_file(runner, unsigned, "--key", key)
        assert signed["proof"][0]["verificationMethod"] == f"{HTTPS_ISSUER}#{z}"


def test_did_key_issuer_with_another_key_is_refused(runner, tmp_path):
    generate(runner)
    other = generate(runner)
    unsigned = write_json(tmp_path / "u.json", make_credential(other))
    result = invoke(runner, "sign", str(unsigned), "--key", generate(runner))
    assert result.exit_code == 1
    assert "did:key of another key" in result.stderr


def test_sign_with_unknown_key_or_no_key_fails_clearly(runner, tmp_path):
    unsigned = write_json(tmp_path / "u.json", make_credential())
    result = invoke(runner, "sign", str(unsigned))
    assert result.exit_code == 1
    assert "no active signing key" in result.stderr
    assert result.stdout == ""

    missing = multikey.encode_public_key(bytes(32))
    result = invoke(runner, "sign", str(unsigned), "--key", missing)
    assert result.exit_code == 1
    assert f"no key {missing}" in result.stderr

    result = invoke(runner, "sign", str(unsigned), "--key", "../../etc/passwd")
    assert result.exit_code == 1
    assert "does not name an Ed25519 key" in result.stderr


def test_sign_refuses_undefined_terms_and_writes_nothing(runner, tmp_path):
    generate(runner, "--controller", HTTPS_ISSUER)
    unsigned = write_json(tmp_path / "u.json", make_credential(favouriteColour="blue"))
    out = tmp_path / "signed.json"

    result = invoke(runner, "sign", str(unsigned), "-o", str(out))

    assert result.exit_code != 0
    assert "favouriteColour" in result.stderr
    assert result.stdout == ""
    assert not out.exists()


def test_sign_with_a_corrupt_key_file_fails_cleanly(runner, tmp_path, keys_dir):
    did = generate(runner, "--controller", HTTPS_ISSUER)
    path = keys_dir / f"{did.removeprefix('did:key:')}.json"
    data = json.loads(path.read_text("utf-8"))
    data["secretKeyMultibase"] = multikey.encode_secret_key(bytes(range(32)))  # another key
    path.write_text(json.dumps(data), "utf-8")
    out = tmp_path / "signed.json"

    result = runner.invoke(main, ["sign", str(write_json(tmp_path / "u.json", make_credential())),
                                  "-o", str(out)])

    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # a handled error, not a traceback
    assert "does not hold that key" in result.stderr
    assert not out.exists()


def test_sign_to_an_unwritable_output_fails_cleanly(runner, tmp_path):
    generate(runner, "--controller", HTTPS_ISSUER)
    unsigned = write_json(tmp_path / "u.json", make_credential())

    result = runner.invoke(main, ["sign", str(unsigned), "-o", str(tmp_path / "no" / "s.json")])

    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), result.exception
    assert "s.json" in result.stderr


# --- recipient and controller documents --------------------------------------------------------


def test_email_match_and_mismatch_exit_codes(runner, tmp_path):
    did = generate(runner, "--controller", HTTPS_ISSUER)
    signed = write_json(tmp_path / "s.json",
                        sign_file(runner, write_json(tmp_path / "u.json", make_credential())))
    issuer = ("--controller-document", str(issuer_document(tmp_path, did)))

    match = invoke(runner, "verify", str(signed), *issuer, "--email", "  Alice@Example.EDU")
    assert match.exit_code == 0, match.output
    assert "[PASS] Recipient" in match.stdout

    mismatch = invoke(runner, "verify", str(signed), *issuer, "--email", "mallory@example.edu")
    assert mismatch.exit_code == 1
    assert mismatch.stdout.startswith("NOT VERIFIED: 1 check failed: Recipient\n")
    assert "[FAIL] Recipient" in mismatch.stdout


def test_controller_document_confirms_a_did_web_key(runner, tmp_path):
    did = generate(runner, "--controller", DID_WEB_ISSUER)
    z = did.removeprefix("did:key:")
    signed = sign_file(runner, write_json(tmp_path / "u.json", make_credential(DID_WEB_ISSUER)))
    assert signed["proof"][0]["verificationMethod"] == f"{DID_WEB_ISSUER}#{z}"
    signed_path = write_json(tmp_path / "s.json", signed)

    # did:web:badges.example.edu cannot be resolved here (no outside DNS): the signature
    # checks out with the key named in the verification method, but nothing confirms that
    # key is the issuer's. That is not a pass.
    without = invoke(runner, "verify", str(signed_path))
    assert without.exit_code == 3, without.output
    assert without.stdout.startswith(
        "NOT FULLY VERIFIED: 1 check could not be made: Issuer signed it\n")
    assert "[PASS] Signature" in without.stdout
    assert "[SKIP] Issuer signed it: the key was taken from the verification method id" \
        in without.stdout
    assert KEY_TAKEN_FROM_ID in without.stdout
    offline = invoke(runner, "verify", "--offline", "--json", str(signed_path))
    assert offline.exit_code == 3
    report = json.loads(offline.stdout)
    assert (report["verified"], report["verdict"], report["notChecked"]) == (
        True, "incomplete", ["issuer"])
    assert "not fetched: offline" in {c["id"]: c["detail"] for c in report["checks"]}["issuer"]

    document = write_json(tmp_path / "did.json", multikey.controller_document(DID_WEB_ISSUER, [z]))
    with_doc = invoke(runner, "verify", str(signed_path), "--controller-document", str(document))
    assert with_doc.exit_code == 0, with_doc.output
    assert with_doc.stdout.startswith("VERIFIED\n")
    assert KEY_TAKEN_FROM_ID not in with_doc.stdout
    assert "warning" not in with_doc.stdout

    report = json.loads(invoke(runner, "verify", "--json", str(signed_path),
                               "--controller-document", str(document)).stdout)
    assert report["verified"] is True
    assert report["warnings"] == []


def test_controller_document_without_the_key_fails(runner, tmp_path):
    generate(runner, "--controller", DID_WEB_ISSUER)
    signed = sign_file(runner, write_json(tmp_path / "u.json", make_credential(DID_WEB_ISSUER)))
    stranger = multikey.encode_public_key(bytes(range(32)))
    document = write_json(tmp_path / "did.json",
                          multikey.controller_document(DID_WEB_ISSUER, [stranger]))

    result = invoke(runner, "verify", str(write_json(tmp_path / "s.json", signed)),
                    "--controller-document", str(document))
    assert result.exit_code == 1
    assert "[FAIL] Signature" in result.stdout
    assert "does not list" in result.stdout


def test_missing_controller_document_is_a_usage_error(runner, tmp_path):
    generate(runner, "--controller", HTTPS_ISSUER)
    signed = write_json(tmp_path / "s.json",
                        sign_file(runner, write_json(tmp_path / "u.json", make_credential())))
    result = invoke(runner, "verify", str(signed), "--controller-document",
                    str(tmp_path / "nope.json"))
    assert result.exit_code == 2


# --- the installed console script --------------------------------------------------------------


def issuer_script() -> str:
    found = shutil.which("issuer", path=str(Path(sys.executable).parent)) or shutil.which("issuer")
    assert found, "the `issuer` console script is not installed next to this Python"
    return found


def test_installed_console_script_generates_signs_and_verifies(tmp_path):
    script = issuer_script()
    env = {**os.environ, "ISSUER_KEYS_DIR": str(tmp_path / "keys")}

    def run(*args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([script, *args], input=input, capture_output=True, text=True,
                              env=env, cwd=tmp_path, timeout=120, check=False)

    generated = run("keys", "generate")
    assert generated.returncode == 0, generated.stderr
    did = generated.stdout.strip()
    assert DID_KEY.match(did)
    assert generated.stdout.count("\n") == 1

    # A did:key issuer: everything checks out without fetching anything (a subprocess has no
    # DNS guard, so nothing here may need the network).
    signed = run("sign", "-", input=json.dumps(make_credential(did)))
    assert signed.returncode == 0, signed.stderr

    verified = run("verify", "--json", "-", input=signed.stdout)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert json.loads(verified.stdout)["verdict"] == "verified"

    unreadable = run("verify", str(tmp_path / "missing.json"))
    assert unreadable.returncode == 2
    assert "cannot read a JSON credential" in unreadable.stderr
