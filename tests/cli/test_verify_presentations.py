"""``issuer verify`` on presentations: --challenge / --domain, each credential reported, the
same exit codes as credentials (0 verified, 1 not verified, 2 usage, 3 not fully checked)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from issuer.cli import main
from issuer.dataintegrity import multikey
from issuer.dataintegrity.proofs import add_proof
from issuer.vcjose import envelope
from tests.helpers import NOW
from tests.web.presentation_helpers import (
    CHALLENGE,
    DOMAIN,
    HOLDER_KEY,
    signed_presentation,
    unsigned_presentation,
    vp_jwt,
)
from tests.web.verify_helpers import VALID_FROM, signed

HOLDER_WEB = "did:web:holder.example"
HOLDER_PUBLIC = multikey.encode_public_key(bytes(HOLDER_KEY.verify_key))


@pytest.fixture
def runner():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("issuer.clock.utc_now", lambda: NOW)
        yield CliRunner()


def write(tmp_path, document, name="vp.json"):
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return str(path)


def run(runner, *args):
    return runner.invoke(main, ["verify", *args])


def test_a_presentation_with_its_challenge_and_domain_verifies(runner, tmp_path):
    path = write(tmp_path, signed_presentation([signed(), signed(name="Bo")]))
    result = run(runner, "--offline", "--challenge", CHALLENGE, "--domain", DOMAIN, path)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "VERIFIED"
    assert "  [PASS] Challenge: the proof was made for the challenge" in result.stdout
    assert any(line.startswith("  credential 2 (urn:uuid:") and line.endswith("VERIFIED")
               for line in lines)
    assert "    [PASS] Signature: signature valid (eddsa-rdfc-2022)" in result.stdout


@pytest.mark.parametrize("args, check", [
    (["--challenge", "not-the-one", "--domain", DOMAIN], "Challenge"),
    (["--challenge", CHALLENGE, "--domain", "replay.example"], "Domain"),
])
def test_a_wrong_challenge_or_domain_is_not_verified(runner, tmp_path, args, check):
    result = run(runner, "--offline", *args, write(tmp_path, signed_presentation()))
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == f"NOT VERIFIED: 1 check failed: {check}"


def test_json_report_has_a_result_per_credential(runner, tmp_path):
    tampered = signed()
    tampered["credentialSubject"]["achievement"]["name"] = "Forged"
    path = write(tmp_path, signed_presentation([signed(), tampered]))
    result = run(runner, "--offline", "--json", "--challenge", CHALLENGE, path)
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["verdict"] == "not_verified"
    assert [r["verdict"] for r in report["credentialResults"]] == ["verified", "not_verified"]


def test_a_vp_jwt_file_and_an_enveloped_presentation(runner, tmp_path):
    token = vp_jwt()
    for document in (token, envelope.enveloped_presentation(token)):
        result = run(runner, "--offline", "--challenge", CHALLENGE, "--domain", DOMAIN,
                     write(tmp_path, document))
        assert result.exit_code == 0, result.output
        assert "  [PASS] Holder signed it" in result.stdout


def test_unsigned_only_with_the_flag(runner, tmp_path):
    path = write(tmp_path, unsigned_presentation([signed()]))
    assert run(runner, "--offline", path).exit_code == 1
    assert run(runner, "--offline", "--unsigned-presentation", path).exit_code == 0


def test_presentation_flags_on_a_credential_are_a_usage_error(runner, tmp_path):
    result = run(runner, "--challenge", CHALLENGE, write(tmp_path, signed()))
    assert result.exit_code == 2
    assert "is a credential, not a presentation" in result.stderr
    result = run(runner, "--email", "ann@example.org", write(tmp_path, signed_presentation()))
    assert result.exit_code == 2


def did_web_presentation():
    return add_proof(unsigned_presentation([signed()], holder=HOLDER_WEB),
                     signing_key=HOLDER_KEY, verification_method=f"{HOLDER_WEB}#{HOLDER_PUBLIC}",
                     created=VALID_FROM, proof_purpose="authentication", challenge=CHALLENGE)


def holder_document(*relationships):
    document = multikey.controller_document(HOLDER_WEB, [HOLDER_PUBLIC])
    method = document["verificationMethod"][0]["id"]
    document.pop("assertionMethod")
    return {**document, **{name: [method] for name in relationships}}


def test_a_did_web_holder_is_bound_through_its_did_document(runner, tmp_path):
    path = write(tmp_path, did_web_presentation())
    listed = write(tmp_path, holder_document("authentication"), "did.json")
    result = run(runner, "--offline", "--challenge", CHALLENGE, "--controller-document",
                 listed, path)
    assert result.exit_code == 0, result.output
    assert "[PASS] Holder signed it: signed with a key of the holder did:web:holder.example" \
        in result.stdout
    # a key the holder lists only for assertions does not authenticate it
    assertion_only = write(tmp_path, holder_document("assertionMethod"), "did2.json")
    result = run(runner, "--offline", "--controller-document", assertion_only, path)
    assert result.exit_code == 1
    assert "not listed under authentication" in result.stdout


def test_a_did_web_holder_whose_document_cannot_be_had_is_not_fully_verified(runner, tmp_path):
    result = run(runner, "--offline", "--challenge", CHALLENGE,
                 write(tmp_path, did_web_presentation()))
    assert result.exit_code == 3, result.output
    assert result.stdout.startswith("NOT FULLY VERIFIED")
    assert "Holder signed it" in result.stdout.splitlines()[0]
