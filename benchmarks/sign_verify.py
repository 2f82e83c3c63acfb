"""Throughput of signing, verifying and canonicalizing a realistic Open Badges 3.0 credential,
ours and Digital Bazaar's in the same run.

Usage: python benchmarks/sign_verify.py [--seconds N] [--no-node]

Prints calls per second of wall time and per CPU-second for
  sign          issuer.dataintegrity.proofs.add_proof (undefined-term check + RDFC-1.0 of the
                document and of the proof configuration + Ed25519 signature)
  verify        issuer.verification.verifier.verify_credential (all checks: contexts and
                undefined terms, both JSON Schemas, proof, issuer, validity, status, recipient)
  canonicalize  issuer.dataintegrity.canonicalize.canonicalize of the unsigned credential only
    to_dataset  its JSON-LD → RDF half (pyld expansion and toRDF)
    rdfc-pyld   its RDFC-1.0 half, pyld's URDNA2015 (canonicalize_dataset; includes unpickling
                a fresh copy of the dataset, which that function consumes)
    rdfc-fast   the same RDFC-1.0 by issuer.dataintegrity.rdfc.canonical_nquads on its quads
  ed25519-*     the raw signature (PyNaCl) on 64 bytes: the ceiling of sign and verify
then the same for Digital Bazaar's stack (tests/interop/dbvc_bench.mjs: @digitalbazaar/vc,
data-integrity, eddsa-rdfc-2022-cryptosuite, jsonld.canonize) on the same credential for the
same seconds, and the ratio ours / theirs per CPU-second. Each is run repeatedly for N seconds
(default 3) after one warm-up call. Nothing touches the network; keys live in memory; the
dates are fixed, so every run signs the same bytes. The load average is printed before and
after: on a shared machine CPU-seconds are the figure to compare.
"""

from __future__ import annotations

import argparse
import json
import pickle
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from importlib.metadata import version

import nacl.signing

from issuer.dataintegrity import multikey
from issuer.dataintegrity.canonicalize import canonicalize, canonicalize_dataset, to_dataset
from issuer.dataintegrity.rdfc import canonical_nquads, quads_from_dataset
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


def measure_cpu(function: Callable[[], object], seconds: float) -> dict[str, float]:
    """``{"calls", "wall", "cpu"}`` over at least ``seconds`` of wall time (CPU: this
    process's user + system seconds, as dbvc_bench.mjs counts them)."""
    function()
    calls = 0
    start, cpu_start = time.perf_counter(), time.process_time()
    while True:
        function()
        calls += 1
        wall = time.perf_counter() - start
        if wall >= seconds:
            return {"calls": calls, "wall": wall, "cpu": time.process_time() - cpu_start}


def load_line() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average: {one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} CPUs)"


NODE_BENCH = Path(__file__).resolve().parents[1] / "tests" / "interop" / "dbvc_bench.mjs"


def digital_bazaar(request: dict, seconds: float) -> dict | str:
    """dbvc_bench.mjs's figures, or why there are none."""
    if shutil.which("node") is None or not (NODE_BENCH.parent / "node_modules").is_dir():
        return "node or tests/interop/node_modules missing (npm ci --prefix tests/interop)"
    process = subprocess.run(["node", str(NODE_BENCH)], input=json.dumps(
        {**request, "seconds": seconds}), capture_output=True, text=True, check=False,
        timeout=60 + 10 * seconds)
    if process.returncode != 0:
        return "dbvc_bench.mjs failed: " + process.stderr.strip()[-600:]
    return json.loads(process.stdout)


def _rates(figures: dict[str, float]) -> tuple[float, float]:
    return figures["calls"] / figures["wall"], figures["calls"] / max(figures["cpu"], 1e-9)


def environment_line() -> str:
    cpu = platform.processor() or platform.machine()
    return (
        f"machine: {platform.system()} {platform.release()} {platform.machine()} ({cpu}), "
        f"{os.cpu_count()} CPUs | python {platform.python_version()} "
        f"({platform.python_implementation()}) | pyld {version('pyld')} | "
        f"pynacl {version('pynacl')} | jsonschema {version('jsonschema')}"
    )


def seconds_parser(description: str) -> argparse.ArgumentParser:
    """The command line of a timed benchmark: ``--seconds`` per measurement."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seconds", type=float, default=3.0,
                        help="how long to run each measurement (default 3)")
    return parser


def parse_seconds(description: str, argv: list[str] | None,
                  parser: argparse.ArgumentParser | None = None) -> argparse.Namespace:
    """Parse a timed benchmark's command line (``seconds_parser``'s, or ``parser``);
    ``--seconds`` must be positive."""
    parser = parser or seconds_parser(description)
    args = parser.parse_args(argv)
    if args.seconds <= 0:
        parser.error("--seconds must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    parser = seconds_parser(__doc__.splitlines()[0])
    parser.add_argument("--no-node", action="store_true",
                        help="leave out Digital Bazaar's figures (no Node.js run)")
    args = parse_seconds("", argv, parser)

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
    print(load_line())
    print(f"credential: {len(canonicalize(unsigned).splitlines())} N-Quads unsigned, "
          f"{args.seconds:g} s per measurement")
    data = bytes(64)
    signature = signing_key.sign(data).signature
    verify_key = signing_key.verify_key
    dataset = pickle.dumps(to_dataset(unsigned))  # canonicalize_dataset consumes its input
    quads = quads_from_dataset(to_dataset(unsigned))
    ours = {}
    for name, function in (
        ("sign", sign),
        ("verify", verify),
        ("canonicalize", lambda: canonicalize(unsigned)),
        ("  to_dataset", lambda: to_dataset(unsigned)),
        ("  rdfc-pyld", lambda: canonicalize_dataset(pickle.loads(dataset))),
        ("  rdfc-fast", lambda: canonical_nquads(quads)),
        ("ed25519-sign", lambda: signing_key.sign(data)),
        ("ed25519-verify", lambda: verify_key.verify(data, signature)),
    ):
        ours[name] = measure_cpu(function, args.seconds)
    theirs: dict | str = "not run (--no-node)"
    if not args.no_node:
        theirs = digital_bazaar({
            "credential": unsigned, "signed": signed,
            "publicKeyMultibase": public_key_multibase,
            "secretKeyMultibase": multikey.encode_secret_key(bytes(signing_key)),
            "verificationMethod": method, "controller": controller,
            "date": signed["proof"][0]["created"]}, args.seconds)
    node_names = {"sign": "sign", "verify": "verify", "canonicalize": "canonicalize",
                  "ed25519-sign": "ed25519Sign", "ed25519-verify": "ed25519Verify"}
    if isinstance(theirs, dict):
        print(f"digital bazaar: node {theirs['node']}, @digitalbazaar/vc + data-integrity + "
              "eddsa-rdfc-2022-cryptosuite, jsonld.canonize (tests/interop/dbvc_bench.mjs)")
    else:
        print(f"digital bazaar: {theirs}")
    print(f"{'':<15} {'ours/s':>9} {'ours/cpu-s':>11} {'ms cpu':>7} | {'DB/s':>9} "
          f"{'DB/cpu-s':>9} {'ms cpu':>7} | ratio per cpu-s")
    for name, figures in ours.items():
        rate, per_cpu = _rates(figures)
        line = f"{name:<15} {rate:9.1f} {per_cpu:11.1f} {1000 / per_cpu:7.3f}"
        if isinstance(theirs, dict) and name in node_names:
            their_rate, their_cpu = _rates(theirs[node_names[name]])
            line += (f" | {their_rate:9.1f} {their_cpu:9.1f} {1000 / their_cpu:7.3f} | "
                     f"{per_cpu / their_cpu:.2f}x")
        print(line)
    print(load_line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
