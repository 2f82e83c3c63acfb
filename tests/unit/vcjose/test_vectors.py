"""Published VC-JWTs: the 1EdTech OB 3.0 spec examples and the W3C vc-jose-cose test suite's
JOSE inputs (tests/vectors/README.md names their sources)."""

from datetime import datetime, timezone

import pytest

from issuer.vcjose import compact, envelope
from issuer.vcjose.claims import interpret
from issuer.vcjose.verify import verify_jws
from issuer.verification.results import Status
from tests.helpers import VECTORS, load_json

ONE_EDTECH = VECTORS / "1edtech-vc-jwt"
W3C = VECTORS / "w3c-vc-jose-cose"
SPEC_EXAMPLES = sorted(ONE_EDTECH.glob("*.vc-jwt.jws"))
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def text(path):
    return path.read_text("utf-8").strip()


def test_all_eight_spec_examples_are_here():
    assert len(SPEC_EXAMPLES) == 8


@pytest.mark.parametrize("path", SPEC_EXAMPLES, ids=lambda p: p.name[:2])
def test_spec_examples_verify_but_their_issuers_do_not_publish_the_keys(path):
    """RS256 with the key in a jwk header: the signature verifies; that the key is the
    issuer's cannot be confirmed (example.edu publishes nothing), so not verified."""
    result = verify_jws(text(path), now=NOW)
    assert (result.shape, result.kind) == ("ob-3.0", "vc")
    assert result.proof.status is Status.PASSED, result.proof.detail
    assert result.claims_check.status is Status.PASSED, result.claims_check.detail
    assert result.binding.status is Status.NOT_CHECKED
    assert "could not be consulted" in result.binding.detail
    assert not result.verified
    assert any("nbf" in warning for warning in result.claims_check.warnings)
    assert "iss" not in result.document and "jti" not in result.document
    assert {"OpenBadgeCredential", "EndorsementCredential"} & set(result.document["type"])


@pytest.mark.parametrize("path", SPEC_EXAMPLES[:2], ids=lambda p: p.name[:2])
def test_spec_examples_verify_when_the_issuer_lists_the_key(path):
    parsed = compact.parse(text(path))
    issuer = parsed.payload["iss"]
    method = {"id": f"{issuer}#key-1", "type": "JsonWebKey", "controller": issuer,
              "publicKeyJwk": parsed.header["jwk"]}
    document = {"id": issuer, "verificationMethod": [method], "assertionMethod": [method["id"]]}
    result = verify_jws(text(path), now=NOW,
                        resolve_controller=lambda i: document if i == issuer else None)
    assert result.verified, result.result().to_dict()


def test_the_validators_vc_1_1_jwt_names_no_key():
    token = text(ONE_EDTECH / "simple.jwt")
    parsed = compact.parse(token)
    reading = interpret(parsed.payload, compact.HeaderInfo("RS256", None, False))
    assert (reading.shape, reading.kind, reading.problems) == ("vc-1.1", "vc", ())
    result = verify_jws(token, now=NOW)
    assert result.proof.status is Status.FAILED
    assert "names no key" in result.proof.detail


def test_a_did_velocity_kid_cannot_be_resolved():
    result = verify_jws(text(ONE_EDTECH / "velocity.jwt"), now=NOW,
                        resolve_controller=lambda identifier: None)
    assert result.proof.status is Status.FAILED
    assert "cannot resolve did:velocity" in result.proof.detail


# --- W3C vc-jose-cose test suite -------------------------------------------------------------

METHODS = load_json(W3C / "verification-methods.json")
SUITE_ISSUER = "https://example.issuer/vc-jose-cose"
SUITE_NOW = datetime(2024, 12, 16, tzinfo=timezone.utc)  # inside the presentations' exp


def suite_resolver(name):
    """The suite hands each implementation one verification method; its controller document
    is the one that lists it."""
    method = METHODS[name]
    document = {"id": method["controller"], "verificationMethod": [method],
                "assertionMethod": [method["id"]], "authentication": [method["id"]]}
    return lambda identifier: document if identifier == document["id"] else None


@pytest.mark.parametrize("name, method, verified", [
    ("credential-jose-minimal", "p256", True),              # suite test 6
    ("credential-issuer-match-signed", "ed25519", True),    # 8
    ("credential-jose-unknown-extensions", "ed25519", False),  # 9 (ES512, other key)
    ("credential-jose-bad-signature", "ed25519", False),    # 12
    ("credential-jose-bad-media-type", "ed25519", False),   # 13
    ("credential-jose-vc-vp-claims", "ed25519", False),     # 15
])
def test_the_w3c_suite_credentials(name, method, verified):
    result = verify_jws(text(W3C / f"{name}.txt"), now=SUITE_NOW, expect="vc",
                        resolve_controller=suite_resolver(method))
    assert result.verified is verified, result.result().to_dict()


@pytest.mark.parametrize("name, method, verified", [
    ("presentation-jose-multiple", "p384", True),            # suite test 7
    ("presentation-jose-bad-media-type", "ed25519", False),  # 14
])
def test_the_w3c_suite_presentations(name, method, verified):
    result = verify_jws(text(W3C / f"{name}.txt"), now=SUITE_NOW, expect="vp",
                        resolve_controller=suite_resolver(method))
    assert result.verified is verified, result.result().to_dict()


def test_the_credentials_inside_the_suites_presentation_verify_on_their_own():
    result = verify_jws(text(W3C / "presentation-jose-multiple.txt"), now=SUITE_NOW,
                        expect="vp", resolve_controller=suite_resolver("p384"))
    inner, other = [], []
    for entry in result.document["verifiableCredential"]:
        try:
            inner.append(envelope.open_envelope(entry))
        except envelope.EnvelopeError as exc:
            other.append(str(exc))
    assert [e.media_type for e in inner] == ["application/vc+jwt"]
    assert other and all("only JWS" in reason for reason in other)  # SD-JWT, COSE
    first = verify_jws(inner[0].token, now=SUITE_NOW, expect="vc",
                       resolve_controller=suite_resolver("p256"))
    assert first.verified, first.result().to_dict()


def test_the_suites_presentation_with_a_bad_credential_has_an_envelope_we_cannot_open():
    """Suite test 16: the presentation itself verifies; its one credential is no data: URL."""
    result = verify_jws(text(W3C / "presentation-jose-bad-credential.txt"), now=SUITE_NOW,
                        expect="vp", resolve_controller=suite_resolver("ed25519"))
    with pytest.raises(envelope.EnvelopeError, match="not a data: URL"):
        envelope.open_envelope(result.document["verifiableCredential"][0])
