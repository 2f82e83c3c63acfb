"""relatedResource (VC DM 2.0 §5.3): the shape rules, the digest formats, and the digests
compared with what we hold (vendored contexts) or serve (a real local HTTP server)."""

import base64
import hashlib

import base58
import pytest

from issuer.dataintegrity.document_loader import context_bytes
from issuer.services.fetch import FetchPolicy
from issuer.services.related_resources import check_related_resources
from issuer.vcdm import related, rules
from tests.web.verify_helpers import http_server  # noqa: F401 (fixture)

V2 = "https://www.w3.org/ns/credentials/v2"
V2_BYTES = context_bytes(V2)


def sri(data: bytes, alg: str = "sha384") -> str:
    return f"{alg}-" + base64.b64encode(hashlib.new(alg, data).digest()).decode()


def multibase(data: bytes, code: int = 0x12, alg: str = "sha256", base: str = "u") -> str:
    digest = hashlib.new(alg, data).digest()
    raw = bytes([code, len(digest)]) + digest
    if base == "z":
        return "z" + base58.b58encode(raw).decode()
    return "u" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def credential(related_resource) -> dict:
    return {"@context": [V2], "type": ["VerifiableCredential"], "issuer": "did:example:issuer",
            "credentialSubject": {"id": "did:example:subject"},
            "relatedResource": related_resource}


def rule_ids(document) -> list[str]:
    return [v.rule for v in rules.validate(document)]


def test_well_formed_entries_pass_the_rules():
    assert rule_ids(credential({"id": V2, "digestSRI": sri(V2_BYTES)})) == []
    assert rule_ids(credential([
        {"id": V2, "mediaType": "application/ld+json", "digestMultibase": multibase(V2_BYTES),
         "digestSRI": f"{sri(V2_BYTES, 'sha256')} {sri(V2_BYTES, 'sha512')}"},
        {"id": "https://example.org/logo.png",
         "digestMultibase": multibase(b"png", 0x16, "sha3_256", "z")},
    ])) == []


@pytest.mark.parametrize("value, rule", [
    ([V2], "relatedResource-object"),
    ([], "relatedResource-empty"),
    ([{"digestSRI": sri(V2_BYTES)}], "relatedResource-id"),
    ([{"id": "not a url", "digestSRI": sri(V2_BYTES)}], "relatedResource-id"),
    ([{"id": V2, "digestSRI": sri(V2_BYTES)}, {"id": V2, "digestMultibase": multibase(V2_BYTES)}],
     "relatedResource-duplicate"),
    ([{"id": V2}], "relatedResource-digest"),
    ([{"id": V2, "digestSRI": sri(V2_BYTES), "mediaType": 5}], "relatedResource-mediaType"),
])
def test_malformed_entries_are_refused_by_name(value, rule):
    assert rule_ids(credential(value)) == [rule]


@pytest.mark.parametrize("entry, message", [
    ({"digestSRI": "sha384-_rCVIV7fSXXTNIvpiq26jRDyj8JG8TDjij-tD0ewLk4JpnXEz6a5AeeY_1qQ0d0P"},
     "is not sha256-, sha384- or sha512- followed by a base64 digest"),
    ({"digestSRI": "md5-" + base64.b64encode(b"x" * 16).decode()}, "is not sha256-"),
    ({"digestSRI": "sha256-" + base64.b64encode(b"x" * 20).decode()}, "has 32 bytes, not 20"),
    ({"digestSRI": ""}, "must be a string"),
    # a bare sha-256 digest, without the multihash header (what the DM 2.0 suite sends)
    ({"digestMultibase": "uM4RgWQc3RUDtjJCSgTJtTfvpZ7SPEg_LNO0ESlovQC0"}, "multihash header"),
    ({"digestMultibase": "m" + base64.b64encode(b"\x12\x20" + b"x" * 32).decode()},
     "must start with u"),
    ({"digestMultibase": "u" + base64.urlsafe_b64encode(b"\x12\x20" + b"x" * 31).decode()
      .rstrip("=")}, "multihash length"),
    ({"digestMultibase": "u+++"}, "not valid base64url"),
    ({"digestMultibase": "z0OIl"}, "not valid base58btc"),
])
def test_malformed_digests_are_refused_with_the_reason(entry, message):
    with pytest.raises(related.DigestError, match=message):
        related.digests(entry)
    violations = rules.validate(credential([{"id": V2, **entry}]))
    assert [v.rule for v in violations] == ["relatedResource-digest-format"]


def test_mismatches_name_the_digest_that_does_not_match():
    entry = {"id": V2, "digestSRI": sri(V2_BYTES), "digestMultibase": multibase(b"other")}
    assert list(related.mismatches(entry, V2_BYTES)) == ["digestMultibase (sha256)"]
    assert list(related.mismatches({"digestSRI": sri(V2_BYTES)}, V2_BYTES)) == []


def test_a_vendored_context_is_compared_with_its_exact_bytes():
    policy = FetchPolicy()
    good = credential([{"id": V2, "digestSRI": sri(V2_BYTES),
                        "digestMultibase": multibase(V2_BYTES)}])
    assert check_related_resources(good, base_url="https://badges.example", policy=policy) == []
    # the DM 2.0 suite's digest: of the July 2024 draft of the context, not the Recommendation
    stale = credential([{"id": V2, "digestSRI": "sha384-NSOcNpmdIVUxIJGvGUoe22FjTWrXiaXlsZ8q"
                                               "6912LdnR3KraQO2n75Ica4wK4Qeg"}])
    [violation] = check_related_resources(stale, base_url="https://badges.example",
                                          policy=policy)
    assert violation.rule == "relatedResource-digest-mismatch"
    assert violation.detail == f"the digestSRI (sha384) of {V2} does not match the resource"
    # someone else's resource is theirs to vouch for: not fetched, not refused
    theirs = credential([{"id": "https://elsewhere.example/x", "digestSRI": sri(b"x")}])
    assert check_related_resources(theirs, base_url="https://badges.example",
                                   policy=policy) == []


def test_a_resource_of_ours_is_fetched_and_compared(http_server):  # noqa: F811
    url = http_server.serve("/media/logo.png", b"\x89PNG logo", "image/png")
    policy = FetchPolicy(allow_private=True)
    good = credential([{"id": url, "mediaType": "image/png",
                        "digestSRI": sri(b"\x89PNG logo", "sha256")}])
    assert check_related_resources(good, base_url=http_server.base, policy=policy) == []
    assert http_server.seen[-1] == ("/media/logo.png", "image/png")
    wrong = credential([{"id": url, "digestMultibase": multibase(b"another logo")}])
    [violation] = check_related_resources(wrong, base_url=http_server.base, policy=policy)
    assert violation.rule == "relatedResource-digest-mismatch"
    missing = credential([{"id": http_server.base + "/nothing", "digestSRI": sri(b"x")}])
    [violation] = check_related_resources(missing, base_url=http_server.base, policy=policy)
    assert violation.rule == "relatedResource-unreachable"
    assert "answered HTTP 404" in violation.detail
