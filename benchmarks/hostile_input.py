"""How long hostile and large JSON-LD documents take, within the processing limits.

Usage: python benchmarks/hostile_input.py [--repeat N]

Each line is one document shape: how long canonicalization (the undefined-term expansion
plus RDFC-1.0, what signing and verifying do) takes, in wall-clock and CPU seconds, and how
it ends: ``ok``, or the limit of issuer.dataintegrity.limits that stopped it. The shapes over
a limit show how fast they are refused; the ones just under the limits show the worst work a
request can still cause; the last lines are legitimate credentials that must pass. Prints the
median of N runs (default 3). On a shared machine read the CPU column.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from importlib.metadata import version
from typing import Any

from issuer.dataintegrity.canonicalize import canonicalize, find_undefined_terms
from issuer.dataintegrity.limits import DEFAULT_LIMITS
from issuer.errors import InputTooComplex
from issuer.openbadges.credential import (
    Achievement, Alignment, Profile, Recipient, Result, build_credential,
)

CONTEXT = {"k": "https://schema.org/k", "r": "https://schema.org/r", "n": "https://schema.org/n"}
VC = ["https://www.w3.org/ns/credentials/v2",
      "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]


def doc(**body: Any) -> dict[str, Any]:
    return {"@context": CONTEXT, "@id": "urn:example:root", **body}


def clique(size: int) -> dict[str, Any]:
    """Blank nodes that all refer to each other (the issue's 1.9 KB credential has 8)."""
    return doc(r=[{"@id": f"_:n{i}", "r": [{"@id": f"_:n{j}"} for j in range(size) if j != i]}
                  for i in range(size)])


def hubs(leaves: int) -> dict[str, Any]:
    """Two identical blank hubs both pointing at the same identical blank leaves."""
    refs = [{"@id": f"_:l{i}"} for i in range(leaves)]
    chunks = {f"https://schema.org/p{c}": refs[c * 250:(c + 1) * 250] for c in range(leaves // 250)}
    return doc(r=[{"@id": "_:h1", **chunks}, {"@id": "_:h2", **chunks}])


def large_open_badge(alignments: int = 50, results: int = 20) -> dict[str, Any]:
    return build_credential(
        credential_id="urn:uuid:5b0b8a53-4a3c-4b64-9d4c-5f1e2d3c4b5a",
        issuer=Profile(id="did:web:badges.example.org", name="Example University"),
        achievement=Achievement(
            id="https://badges.example.org/achievements/1", name="Data Steward",
            description="Looks after research data.", criteria_narrative="Pass the course.",
            alignments=[Alignment(f"Skill {i}", f"https://skills.example.org/{i}",
                                  target_description=f"Skill number {i}", target_code=f"S{i}",
                                  target_framework="Example Skills", target_type="ceasn:Competency")
                        for i in range(alignments)]),
        recipient=Recipient(email="ann@example.org", salt="pepper"),
        valid_from=datetime(2026, 1, 1, tzinfo=timezone.utc),
        results=[Result(value=str(i), status="Completed") for i in range(results)],
    )


def scoped_context(terms: int, nodes: int) -> dict[str, Any]:
    scoped = {f"t{i}": f"https://schema.org/t{i}" for i in range(terms)}
    context = {**CONTEXT, "T": {"@id": "https://schema.org/T", "@context": scoped}}
    return {"@context": context, "@id": "urn:example:root",
            "r": [{"@type": "T", "t1": f"v{i}"} for i in range(nodes)]}


SHAPES: list[tuple[str, Callable[[], dict[str, Any]]]] = [
    ("over: 8-clique of blank nodes (1.9 KB)", lambda: clique(8)),
    ("over: 40-clique of blank nodes", lambda: clique(40)),
    ("over: 100,000 strings in one array", lambda: doc(k=[f"s{i}" for i in range(100_000)])),
    ("over: 20,000 blank nodes", lambda: doc(r=[{"k": f"v{i}"} for i in range(20_000)])),
    ("over: 16 objects of one id x 250 values", lambda: doc(
        r=[{"@id": "urn:example:x", "k": [f"s{j}-{i}" for j in range(250)]} for i in range(16)])),
    ("over: scoped context of 500 terms on 200 nodes", lambda: scoped_context(500, 200)),
    ("under: 19 arrays x 255 distinct strings", lambda: doc(
        r=[{"k": [f"s{j}" for j in range(255)]} for _ in range(19)])),
    ("under: 992 identical blank leaves, 4 parents", lambda: doc(
        n=[{"k": str(i), "r": [{"k": "same"} for _ in range(247)]} for i in range(4)])),
    ("over: 2 identical hubs x 750 identical leaves", lambda: hubs(750)),
    ("under: scoped context of 90 terms on 200 nodes", lambda: scoped_context(90, 200)),
    ("legit: Open Badge, 50 alignments, 20 results", large_open_badge),
    ("legit: Open Badge, 250 alignments", lambda: large_open_badge(250, 0)),
]


def run(document: dict[str, Any]) -> str:
    try:
        find_undefined_terms(document)
        canonicalize(document)
    except InputTooComplex as exc:
        return "refused: " + exc.limit
    return "ok"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {platform.system()} {platform.release()} {platform.machine()}, "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f} | python "
          f"{platform.python_version()} | pyld {version('pyld')}")
    print(f"limits: {DEFAULT_LIMITS}")
    print(f"{'shape':52} {'wall s':>7} {'cpu s':>7}  outcome")
    for name, build in SHAPES:
        document = build()
        wall, cpu, outcome = [], [], ""
        for _ in range(args.repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            outcome = run(document)
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        print(f"{name:52} {statistics.median(wall):7.3f} {statistics.median(cpu):7.3f}  "
              f"{outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
