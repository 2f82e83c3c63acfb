"""Hostile and large credentials for the processing-limit tests (issuer.dataintegrity.limits).

The hostile ones are what issue 10 reported: a 1.9 KB credential whose subject holds a clique
of 8 blank nodes (42 s of blank-node hashing before the limits), 100,000 strings in one
array, 20,000 blank nodes. The large ones are legitimate and must keep working.
"""

from __future__ import annotations

import copy
import random
from datetime import datetime, timezone
from typing import Any

import nacl.signing

from issuer.dataintegrity import multikey
from issuer.openbadges.credential import (
    Achievement, Alignment, Profile, Recipient, Result, build_credential,
)

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
KNOWS = "https://schema.org/knows"  # absolute IRIs need no context: always "defined"
NAME = "https://schema.org/name"
KEY = nacl.signing.SigningKey(b"\x11" * 32)
PUBLIC = multikey.encode_public_key(bytes(KEY.verify_key))
DID_KEY = "did:key:" + PUBLIC
HASHING_LIMIT = "urn:issuer:problem:blank-node-hashing-limit"
ARRAY_LIMIT = "urn:issuer:problem:array-length-limit"


def _credential(subject_extra: dict[str, Any], *, issuer: str = DID_KEY,
                signed: bool = True) -> dict[str, Any]:
    """An Open Badge whose subject carries ``subject_extra``; ``signed`` adds a well-formed
    proof (by a did:key, so the verifier gets as far as canonicalizing) that cannot match."""
    document: dict[str, Any] = {
        "@context": [VC_V2, OB_CONTEXT],
        "id": "urn:uuid:2fe53dc9-b2ec-4939-9b2c-0d00f6663b6c",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "X"},
        "validFrom": "2026-01-01T00:00:00Z",
        "name": "Clique",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {"id": "urn:uuid:7d0ae0c5-24b6-4f3e-8d55-5e2b0c1f8a11",
                            "type": ["Achievement"], "name": "A", "description": "D",
                            "criteria": {"narrative": "N"}},
            **subject_extra,
        },
    }
    if signed:
        document["proof"] = {
            "type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
            "created": "2026-01-01T00:00:00Z", "verificationMethod": f"{DID_KEY}#{PUBLIC}",
            "proofPurpose": "assertionMethod", "proofValue": multikey.multibase_encode(bytes(64)),
        }
    return document


def clique(size: int = 8) -> list[dict[str, Any]]:
    """``size`` blank nodes, each referring to all the others."""
    return [{"id": f"_:n{i}", KNOWS: [{"id": f"_:n{j}"} for j in range(size) if j != i]}
            for i in range(size)]


def clique_credential(size: int = 8, **options: Any) -> dict[str, Any]:
    return _credential({KNOWS: clique(size)}, **options)


def long_array_credential(length: int = 100_000, **options: Any) -> dict[str, Any]:
    return _credential({"https://schema.org/keywords": [f"s{i}" for i in range(length)]},
                       **options)


def blank_nodes_credential(count: int = 20_000, **options: Any) -> dict[str, Any]:
    return _credential({KNOWS: [{NAME: f"x{i}"} for i in range(count)]}, **options)


def large_open_badge(*, issuer_id: str = "did:web:badges.example.org", alignments: int = 50,
                     results: int = 20) -> dict[str, Any]:
    """A legitimate, unsigned Open Badge with many alignments and results."""
    return build_credential(
        credential_id="urn:uuid:5b0b8a53-4a3c-4b64-9d4c-5f1e2d3c4b5a",
        issuer=Profile(id=issuer_id, name="Example University", url="https://example.org"),
        achievement=Achievement(
            id="https://badges.example.org/achievements/data-steward", name="Data Steward",
            description="Looks after research data.", criteria_narrative="Pass the course.",
            tags=["data", "research"],
            alignments=[Alignment(f"Skill {i}", f"https://skills.example.org/{i}",
                                  target_description=f"Skill number {i}", target_code=f"S{i}",
                                  target_framework="Example Skills",
                                  target_type="ceasn:Competency")
                        for i in range(alignments)]),
        recipient=Recipient(email="ann@example.org", name="Ann", salt="pepper"),
        valid_from=datetime(2026, 1, 1, tzinfo=timezone.utc),
        results=[Result(value=str(i), status="Completed", achieved_level=f"Level {i % 4}")
                 for i in range(results)],
    )


def random_bytes(size: int, seed: int = 10) -> bytes:
    """Incompressible bytes (a status list with many bits set gzips to about its size)."""
    return random.Random(seed).randbytes(size)


def without_proof(document: dict[str, Any]) -> dict[str, Any]:
    document = copy.deepcopy(document)
    document.pop("proof", None)
    return document
