"""Wall and CPU time of ``issuer verify`` on one file, start-up included (issue 13: <= 0.3 s).

Usage: python benchmarks/verify_cli.py [--runs N] [--seconds S] [FILE]

Runs ``issuer verify --offline FILE`` (default: a signed 1EdTech example credential from
tests/vectors; offline, so nothing is fetched and the issuer check is "not checked", exit 3)
N times (default 10) in fresh processes, after one warm-up run that also writes the bytecode
caches, and prints the wall time (min / median) and the CPU time (user + system of the child,
min / median) with the load average before and after. On a shared machine the CPU figure is
the one to compare: the wall time includes waiting for a core.

Then, in this process, the CPU milliseconds of the verify-side pieces issue 13 names (each run
for S seconds, default 2, after a warm-up): the schema check with the compiled validators and
with the reference (python-jsonschema) alone, and a full verification of a credential with a
revocation and a suspension entry whose two status lists are verified afresh ("lists cold":
the list cache emptied each time) or come from the list cache ("lists cached").
"""

from __future__ import annotations

import argparse
import copy
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILE = ROOT / "tests/vectors/fixtures/1edtech-simple.json"
sys.path.insert(0, str(ROOT))  # benchmarks.sign_verify, for its credential


def issuer_command() -> list[str]:
    script = Path(sys.executable).with_name("issuer")
    return [str(script)] if script.exists() else [sys.executable, "-m", "issuer.cli"]


def run_once(command: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of the child, exit status)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode


def cpu_ms(function, seconds: float) -> tuple[float, int]:
    """(CPU milliseconds per call, calls) over at least ``seconds`` of CPU time."""
    function()
    calls, started = 0, time.process_time()
    while True:
        function()
        calls += 1
        spent = time.process_time() - started
        if spent >= seconds:
            return 1000 * spent / calls, calls


def pieces(seconds: float) -> list[tuple[str, float, int]]:
    """The verify-side pieces, measured in this process."""
    from datetime import timedelta

    import nacl.signing

    from benchmarks.sign_verify import ISSUER_ID, NOW, SEED, realistic_credential
    from issuer.dataintegrity import multikey
    from issuer.dataintegrity.document_loader import DEFAULT_LOADER
    from issuer.dataintegrity.proofs import add_proof
    from issuer.openbadges import schema_validation as sv
    from issuer.services.fetch import FetchPolicy
    from issuer.services.standalone_verification import verify_standalone
    from issuer.statuslist import bitstring
    from issuer.verification import checks, list_cache

    key = nacl.signing.SigningKey(SEED)
    public = multikey.encode_public_key(bytes(key.verify_key))
    method = f"{ISSUER_ID}#{public}"
    controller = multikey.controller_document(ISSUER_ID, [public])
    urls = {purpose: f"https://badges.example.edu/status/{purpose}"
            for purpose in ("revocation", "suspension")}
    lists = {url: add_proof(bitstring.list_credential(
        list_url=url, issuer=ISSUER_ID, purpose=purpose, bitstring=bitstring.new_bitstring(),
        valid_from=NOW), signing_key=key, verification_method=method, created=NOW)
        for purpose, url in urls.items()}
    unsigned = realistic_credential()
    unsigned["credentialStatus"] = [bitstring.status_entry(list_url=url, index=7, purpose=p)
                                    for p, url in urls.items()]
    signed = add_proof(unsigned, signing_key=key, verification_method=method, created=NOW)
    ctx = checks.VerifyContext(now=NOW, loader=DEFAULT_LOADER, resolve_controller=None,
                               recipient_email=None, clock_skew=timedelta(0),
                               status_checker=None)

    def verify():
        result = verify_standalone(signed, now=NOW + timedelta(days=1), policy=FetchPolicy(),
                                   network=False, controllers={ISSUER_ID: controller}.get,
                                   status_lists=lists.get, recipient_email="alice@example.edu")
        assert result.verified, result.to_dict()

    def verify_cold():
        list_cache.LISTS.clear()
        verify()

    def reference_schema():
        document = {**signed, "credentialStatus": signed["credentialStatus"][0]}
        for name in (sv.ACHIEVEMENT_CREDENTIAL, sv.ACHIEVEMENT_CREDENTIAL_STRICT):
            assert not any(True for _ in sv.validator(name).iter_errors(copy.copy(document)))

    found = []
    for name, function in (("schema check (compiled)", lambda: checks.check_schema(signed, ctx)),
                           ("schema check (reference)", reference_schema),
                           ("verify, lists cold", verify_cold),
                           ("verify, lists cached", verify)):
        per_call, calls = cpu_ms(function, seconds)
        found.append((name, per_call, calls))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    env = {**os.environ}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: modules load from bytecode
    command = [*issuer_command(), "verify", "--offline", str(args.file)]
    load_before = os.getloadavg()
    _, _, status = run_once(command, env)  # warm-up (writes __pycache__)
    if status not in (0, 3):
        print(f"error: `{' '.join(command)}` exited {status}", file=sys.stderr)
        return 1
    walls, cpus = [], []
    for _ in range(args.runs):
        wall, cpu, _ = run_once(command, env)
        walls.append(wall)
        cpus.append(cpu)
    load_after = os.getloadavg()
    print(f"machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs | python "
          f"{platform.python_version()} | load {load_before[0]:.2f} -> {load_after[0]:.2f}")
    print(f"issuer verify --offline {args.file.name}: {args.runs} runs (exit {status})")
    print(f"wall  min {min(walls):.3f} s  median {statistics.median(walls):.3f} s")
    print(f"cpu   min {min(cpus):.3f} s  median {statistics.median(cpus):.3f} s (user + system)")
    for name, per_call, calls in pieces(args.seconds):
        print(f"{name:<26} {per_call:8.3f} ms CPU each ({calls} calls)")
    print(f"load {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
