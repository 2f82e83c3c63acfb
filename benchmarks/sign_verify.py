"""Throughput of signing, verifying and canonicalizing a realistic Open Badges 3.0 credential.

Usage: python benchmarks/sign_verify.py [--seconds N]

Prints credentials/second for
  sign          issuer.dataintegrity.proofs.add_proof (undefined-term check + RDFC-1.0 of the
                document and of the proof configuration + Ed25519 signature)
  verify        issuer.verification.verifier.verify_credential (all checks: contexts and
                undefined terms, both JSON Schemas, proof, issuer, validity, status, recipient)
  canonicalize  issuer.dataintegrity.canonicalize.canonicalize of the unsigned credential only
Each is run repeatedly for N seconds (default 3) after one warm-up call. Nothing touches the
network; keys live in memory; the dates are fixed, so every run signs the same bytes.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from importlib.metadata import version

import nacl.signing

from issuer.dataintegrity import multikey
from issuer.dataintegrity.canonicalize import canonicalize
from issuer.dataintegrity.proofs import add_proof
from issuer.openbadges.credential import (
    Achievement,
    Alignment,
    Image,
    Profile,
    Recipient,
    build_credential,
)
from issuer.verification.verifier import verify_credential

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
ISSUER_ID = "https://badges.example.edu/issuers/565049"
SEED = bytes(range(32))


def realistic_credential() -> dict:
    """Issuer profile with image, achievement with criteria and image, hashed email recipient."""
    return build_credential(
        credential_id="urn:uuid:91537dba-56cb-11ec-bf63-0242ac130002",
        issuer=Profile(
            id=ISSUER_ID,
            name="Example University",
            url="https://www.example.edu/",
            email="badges@example.edu",
            image=Image("https://www.example.edu/logo.png", caption="Example University logo"),
        ),
        achievement=Achievement(
            id="https://badges.example.edu/achievements/data-integrity-101",
            name="Data Integrity 101",
            description="Understands how Data Integrity proofs protect a credential.",
            criteria_narrative="Sign and verify a credential with eddsa-rdfc-2022.",
            achievement_type="Badge",
            image=Image("https://badges.example.edu/images/di-101.png"),
            tags=("cryptography", "verifiable credentials"),
            alignments=(
                Alignment(target_name="Digital signatures",
                          target_url="https://example.org/frameworks/security/signatures"),
            ),
        ),
        recipient=Recipient(email="alice@example.edu", salt="benchmark-salt"),
        valid_from=NOW,
        valid_until=NOW + timedelta(days=365),
    )


def measure(function: Callable[[], object], seconds: float) -> tuple[float, int]:
    """(calls per second, calls) over at least ``seconds`` of wall time."""
    function()  # warm-up: loads and caches the contexts and schemas
    calls = 0
    start = time.perf_counter()
    while True:
        function()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return calls / elapsed, calls


def environment_line() -> str:
    cpu = platform.processor() or platform.machine()
    return (
        f"machine: {platform.system()} {platform.release()} {platform.machine()} ({cpu}), "
        f"{os.cpu_count()} CPUs | python {platform.python_version()} "
        f"({platform.python_implementation()}) | pyld {version('pyld')} | "
        f"pynacl {version('pynacl')} | jsonschema {version('jsonschema')}"
    )


def parse_seconds(description: str, argv: list[str] | None) -> argparse.Namespace:
    """The command line of a timed benchmark: ``--seconds`` per measurement (positive)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seconds", type=float, default=3.0,
                        help="how long to run each measurement (default 3)")
    args = parser.parse_args(argv)
    if args.seconds <= 0:
        parser.error("--seconds must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_seconds(__doc__.splitlines()[0], argv)

    signing_key = nacl.signing.SigningKey(SEED)
    public_key_multibase = multikey.encode_public_key(bytes(signing_key.verify_key))
    method = f"{ISSUER_ID}#{public_key_multibase}"
    controller = multikey.controller_document(ISSUER_ID, [public_key_multibase])
    unsigned = realistic_credential()

    def sign() -> dict:
        return add_proof(unsigned, signing_key=signing_key, verification_method=method,
                         created=NOW)

    signed = sign()

    def verify() -> object:
        return verify_credential(signed, now=NOW + timedelta(days=1),
                                 resolve_controller={ISSUER_ID: controller}.get,
                                 recipient_email="alice@example.edu")

    check = verify()
    if not check.verified:  # a benchmark of a failing path would measure the wrong thing
        print(f"error: the benchmark credential does not verify: {check.to_dict()}",
              file=sys.stderr)
        return 1

    print(environment_line())
    print(f"credential: {len(canonicalize(unsigned).splitlines())} N-Quads unsigned, "
          f"{args.seconds:g} s per measurement")
    for name, unit, function in (
        ("sign", "credentials/s", sign),
        ("verify", "credentials/s", verify),
        ("canonicalize", "documents/s", lambda: canonicalize(unsigned)),
    ):
        rate, calls = measure(function, args.seconds)
        print(f"{name:<13} {rate:9.1f} {unit:<14} ({calls} calls, {1000 / rate:.2f} ms each)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
