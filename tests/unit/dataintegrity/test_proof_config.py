"""The templated proof configuration (issuer.dataintegrity.proof_config) against JSON-LD.

Every generated configuration is canonicalized twice: by canonical_proof_configuration (the
template where it applies) and by canonicalize (the general path, the reference). The two
must give the same string, or the same error. The generator mixes the configurations our
signer makes with odd ones: IRIs of every kind (relative, compact, blank, with spaces or
Unicode), arrays for domain and previousProof, Unicode and control characters in challenge
and nonce, unknown purposes, numbers, missing and extra fields, other contexts.
"""

from __future__ import annotations

import json
import random

import pytest

from issuer.dataintegrity import ecdsa_rdfc_2019, eddsa_rdfc_2022
from issuer.dataintegrity.canonicalize import canonicalize
from issuer.dataintegrity.document_loader import DEFAULT_LOADER, context_bytes
from issuer.dataintegrity.limits import ProcessingLimits
from issuer.dataintegrity.proof_config import (
    VC1,
    VC2,
    canonical_proof_configuration,
    template_nquads,
)
from issuer.errors import InputTooComplex

OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB301 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json"
DI2 = "https://w3id.org/security/data-integrity/v2"
CONTEXTS = [
    [VC2], VC2, [VC2, OB3], [VC2, OB3, "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"],
    [VC1, DI2], [VC1, DI2, OB301], [VC1], [DI2], [OB3], [VC2, "https://example.org/unknown"],
    [VC2, {"@vocab": "https://example.org/v#"}], [VC2, {"@language": "en"}],
]
IRIS = ["did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#z6Mkha",
        "https://issuer.example/keys/1", "http://h.example/k#1", "urn:uuid:9b2b",
        "https:noslash", "key-1", "#key-1", "sec:key", "_:b1", "did:example:ä#k",
        "https://a.example/with space", "https://a.example/<x>", "", "xsd:foo",
        "mailto:a@example.org", "did:key:z6Mk\u0000", "urn:", "https:", "http://",
        "did:a:b?c=d&e#f", "https://ex.org/%20", "https://ex.org/\u200b", "https://ex.org/\u00a0",
        "https://ex.org/\u2028", "HTTPS://EX.ORG/", "https://ex.org/../a/./b",
        "https://ex.org/\U0001f600"]
TEXT = ["abc", "ünïcödé ✓", "😀 astral", "quote \" backslash \\", "tab\tnl\ncr\r",
        "\u0000\u0007\u001f\u007f", "", "\u202eRTL"]
PURPOSES = ["assertionMethod", "authentication", "capabilityInvocation",
            "capabilityDelegation", "keyAgreement", "other", "https://w3id.org/security#x"]


def random_config(rng: random.Random) -> dict:
    def an_iri() -> str:
        return rng.choice(IRIS[:5] if rng.random() < 0.7 else IRIS)

    config: dict = {"type": "DataIntegrityProof" if rng.random() < 0.9 else
                    rng.choice(["Ed25519Signature2020", ["DataIntegrityProof"]])}
    if rng.random() < 0.3:
        config["id"] = an_iri()
    optional = {
        "created": lambda: rng.choice(["2026-01-02T03:04:05Z", "2026-01-02T03:04:05.123+01:00",
                                       "not a date", rng.choice(TEXT)]),
        "expires": lambda: "2027-01-02T03:04:05Z",
        "cryptosuite": lambda: rng.choice(["eddsa-rdfc-2022", "ecdsa-rdfc-2019", "x\"y"]),
        "verificationMethod": an_iri,
        "proofPurpose": lambda: rng.choice(PURPOSES[:5] if rng.random() < 0.8 else PURPOSES),
        "challenge": lambda: rng.choice(TEXT),
        "domain": lambda: rng.choice([rng.choice(TEXT), [rng.choice(TEXT) for _ in range(3)],
                                      []]),
        "nonce": lambda: rng.choice(TEXT),
        "previousProof": lambda: rng.choice([an_iri(), [an_iri(), an_iri()]]),
    }
    for key, make in optional.items():
        if rng.random() < 0.75:
            config[key] = make()
    odd = rng.random()
    if odd < 0.05:
        config["challenge"] = 42
    elif odd < 0.1:
        config["extra"] = "x"
    elif odd < 0.13:
        config["domain"] = [["nested"]]
    elif odd < 0.16:
        config["nonce"] = None
    config["@context"] = rng.choice(CONTEXTS) if rng.random() < 0.5 else [VC2, OB3]
    return config


def general(config: dict, **kwargs) -> str:
    try:
        return canonicalize(config, **kwargs)
    except Exception as exc:  # the same failure is what the template path must give
        return f"error {type(exc).__name__}: {exc}"


def fast(config: dict, **kwargs) -> str:
    try:
        return canonical_proof_configuration(config, **kwargs)
    except Exception as exc:
        return f"error {type(exc).__name__}: {exc}"


@pytest.mark.parametrize("seed", [1, 2])
def test_generated_configurations_match_the_general_path(seed):
    rng = random.Random(seed)
    templated = 0
    for _ in range(250):
        config = random_config(rng)
        assert fast(config) == general(config), json.dumps(config)
        templated += template_nquads(config, DEFAULT_LOADER, ProcessingLimits()) is not None
    assert templated > 60  # the template really answered for many of them


def test_our_signers_configurations_are_templated():
    for context in ([VC2, OB3], [VC1, DI2]):
        for options in ({"type": "DataIntegrityProof", "created": "2026-01-02T03:04:05Z",
                         "verificationMethod": "https://issuer.example/i#key",
                         "cryptosuite": "eddsa-rdfc-2022", "proofPurpose": "assertionMethod"},
                        {"type": "DataIntegrityProof", "id": "urn:uuid:2",
                         "created": "2026-01-02T03:04:05Z", "verificationMethod": "did:key:z#z",
                         "cryptosuite": "ecdsa-rdfc-2019", "proofPurpose": "authentication",
                         "challenge": "c", "domain": ["a", "b"], "previousProof": "urn:uuid:1"}):
            config = {**options, "@context": context}
            assert template_nquads(config, DEFAULT_LOADER, ProcessingLimits()) is not None
            assert canonical_proof_configuration(config) == canonicalize(config)
            assert canonical_proof_configuration(config, hash_algorithm="sha384") == \
                canonicalize(config, hash_algorithm="sha384")


def test_a_loader_serving_another_context_is_not_templated():
    vc2 = json.loads(context_bytes(VC2))
    vc2["@context"]["DataIntegrityProof"]["@context"]["challenge"] = "https://example.org/c"
    loader = DEFAULT_LOADER.with_documents({VC2: vc2})
    config = {"type": "DataIntegrityProof", "challenge": "x", "@context": [VC2]}
    assert template_nquads(config, loader, ProcessingLimits()) is None
    assert "<https://example.org/c>" in canonical_proof_configuration(config, loader=loader)


def test_limits_are_those_of_the_general_path():
    config = {"type": "DataIntegrityProof", "challenge": "x" * 50, "@context": [VC2]}
    limits = ProcessingLimits(max_string_length=10)
    with pytest.raises(InputTooComplex) as fast_error:
        canonical_proof_configuration(config, limits=limits)
    with pytest.raises(InputTooComplex) as general_error:
        canonicalize(config, limits=limits)
    assert fast_error.value.problem_type == general_error.value.problem_type
    assert fast(config, limits=ProcessingLimits(max_quads=1)) == general(
        config, limits=ProcessingLimits(max_quads=1))


def test_the_suites_use_it():
    document = {"@context": [VC2, OB3]}
    options = {"type": "DataIntegrityProof", "created": "2026-01-02T03:04:05Z",
               "verificationMethod": "did:key:z#z", "proofPurpose": "assertionMethod",
               "proofValue": "zabc"}
    eddsa = eddsa_rdfc_2022.proof_configuration(
        document, {**options, "cryptosuite": "eddsa-rdfc-2022"}, loader=DEFAULT_LOADER)
    unsigned = {key: value for key, value in options.items() if key != "proofValue"}
    assert eddsa == canonicalize(
        {**unsigned, "cryptosuite": "eddsa-rdfc-2022", "@context": document["@context"]})
    assert "proofValue" not in eddsa and "multibase" not in eddsa
    ecdsa = ecdsa_rdfc_2019.proof_configuration(
        document, {**options, "cryptosuite": "ecdsa-rdfc-2019"}, curve=ecdsa_rdfc_2019.P384,
        loader=DEFAULT_LOADER)
    assert ecdsa.count("\n") == 5 and "ecdsa-rdfc-2019" in ecdsa
