"""Canonicalization throughput: the fast path (cached expansion plans) against the reference.

Usage: python -m benchmarks.canonicalize [--seconds N]   (from the repository root)

For the realistic credential of benchmarks/sign_verify.py, prints calls per CPU-second and per
wall-second (and ms of CPU each) of
  canonicalize            issuer.dataintegrity.canonicalize.canonicalize (fast path)
  canonicalize-reference  canonicalize_reference (pyld's expansion and to_rdf every call,
                          with the context memo)
  undefined-terms         find_undefined_terms (fast path), and its reference
  sign                    issuer.dataintegrity.proofs.add_proof (three of the above + Ed25519)
  new-shape               canonicalize of a document whose shape has no plan yet (the
                          plan cache is cleared before each call: a reference expansion to
                          derive the plan, then the fast path)
and the load average. The shared machine makes wall time noisy; CPU time is the figure.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

import nacl.signing

from benchmarks.sign_verify import ISSUER_ID, NOW, SEED, environment_line, parse_seconds, \
    realistic_credential
from issuer.dataintegrity import jsonld_plan, multikey
from issuer.dataintegrity.canonicalize import (
    FAST_PATH_COUNTS,
    canonicalize,
    canonicalize_reference,
    find_undefined_terms,
    find_undefined_terms_reference,
)
from issuer.dataintegrity.proofs import add_proof


def measure(function: Callable[[], object], seconds: float) -> tuple[float, float, int]:
    """(calls per CPU-second, calls per wall-second, calls) over ``seconds`` of wall time."""
    function()  # warm-up: contexts loaded, plan compiled
    calls = 0
    cpu, wall = time.process_time(), time.perf_counter()
    while time.perf_counter() - wall < seconds:
        function()
        calls += 1
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return calls / max(cpu, 1e-9), calls / wall, calls


def main(argv: list[str] | None = None) -> int:
    args = parse_seconds(__doc__.splitlines()[0], argv)
    unsigned = realistic_credential()
    if canonicalize(unsigned) != canonicalize_reference(unsigned):
        print("error: the fast path and the reference differ", file=sys.stderr)
        return 1
    signing_key = nacl.signing.SigningKey(SEED)
    method = f"{ISSUER_ID}#{multikey.encode_public_key(bytes(signing_key.verify_key))}"

    def new_shape() -> str:
        jsonld_plan.clear_plans()
        return canonicalize(unsigned)

    print(environment_line())
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    FAST_PATH_COUNTS.update(fast=0, reference=0)
    for name, function in (
        ("canonicalize", lambda: canonicalize(unsigned)),
        ("canonicalize-reference", lambda: canonicalize_reference(unsigned)),
        ("undefined-terms", lambda: find_undefined_terms(unsigned)),
        ("undefined-reference", lambda: find_undefined_terms_reference(unsigned)),
        ("sign", lambda: add_proof(unsigned, signing_key=signing_key,
                                   verification_method=method, created=NOW)),
        ("new-shape", new_shape),
    ):
        per_cpu, per_wall, calls = measure(function, args.seconds)
        print(f"{name:<23} {per_cpu:9.1f}/CPU-s {per_wall:9.1f}/wall-s "
              f"({1000 / per_cpu:.3f} ms CPU each, {calls} calls)")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"fast path {FAST_PATH_COUNTS['fast']} calls, fallbacks "
          f"{FAST_PATH_COUNTS['reference']} calls")
    return 0


if __name__ == "__main__":
    sys.exit(main())
