"""Wall and CPU time of ``issuer verify`` on one file, start-up included (issue 13: <= 0.3 s).

Usage: python benchmarks/verify_cli.py [--runs N] [FILE]

Runs ``issuer verify --offline FILE`` (default: a signed 1EdTech example credential from
tests/vectors; offline, so nothing is fetched and the issuer check is "not checked", exit 3)
N times (default 10) in fresh processes, after one warm-up run that also writes the bytecode
caches, and prints the wall time (min / median) and the CPU time (user + system of the child,
min / median) with the load average before and after. On a shared machine the CPU figure is
the one to compare: the wall time includes waiting for a core.
"""

from __future__ import annotations

import argparse
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--runs", type=int, default=10)
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
