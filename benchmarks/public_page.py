"""Latency of the public pages on gunicorn with PostgreSQL, under concurrent clients.

Usage: python benchmarks/public_page.py [--database-url URL] [--workers 2] [--clients 8]
                                        [--requests 400] [--badges 5]

Starts a real `issuer serve` (gunicorn, --workers processes) on a free loopback port against
a fresh schema of the PostgreSQL database (dropped afterwards), issues --badges credentials
to one learner and gives them a public member page, then for each URL below sends --requests
GETs from --clients threads (after one warm-up request per client) and prints p50/p95/p99,
requests per second and the CPU-seconds the gunicorn processes spent per request (from
/proc), with the load average before and after. Every answer must be 200, else it exits 1.
Only 127.0.0.1 is contacted.

| line        | URL                                              |
|-------------|--------------------------------------------------|
| `page`      | /credentials/<id> (HTML, Accept: text/html)       |
| `json`      | /credentials/<id> (Accept: application/ld+json)   |
| `qr.png`    | /credentials/<id>/qr.png                          |
| `baked.png` | /credentials/<id>/baked.png                       |
| `member`    | /members/<slug>                                   |
| `achievement` | /achievements/<id> (HTML)                       |
"""

from __future__ import annotations

import argparse
import http.client
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api_issue import (  # noqa: E402
    DEFAULT_DB, REPO, cli, drop_schema, free_port, machine_line, postgres_schema, server_env,
    start_server, stop_server)

MEMBER_SCRIPT = """
import sys
from issuer.web.app import create_app
from issuer import db
from issuer.community import members
from issuer.clock import utc_now
app = create_app()
with app.app_context():
    session = db.session_factory(app)()
    member = members.ensure_member(session, members.Identity(email=sys.argv[1], name="Ada"),
                                   now=utc_now())
    print(member.slug)
"""


def process_cpu(group: int) -> float:
    """CPU-seconds (user + system) of every live process in process group ``group``."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:  # pgrp
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def percentile(values: list[float], fraction: float) -> float:
    return values[min(len(values) - 1, max(0, int(round(len(values) * fraction)) - 1))]


def run(base: str, path: str, accept: str, *, clients: int, requests: int, group: int
        ) -> dict:
    host = urlsplit(base)

    def get(_number: int) -> tuple[int, float]:
        started = time.perf_counter()
        connection = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
        try:
            connection.request("GET", path, headers={"Accept": accept,
                                                     "User-Agent": "Mozilla/5.0 bench"})
            response = connection.getresponse()
            response.read()
            status = response.status
        finally:
            connection.close()
        return status, time.perf_counter() - started

    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(get, range(clients * 2)))  # warm every worker
        load_before = os.getloadavg()[0]
        cpu_before = process_cpu(group)
        started = time.perf_counter()
        results = list(pool.map(get, range(requests)))
        elapsed = time.perf_counter() - started
        cpu_after = process_cpu(group)
    latencies = sorted(latency for _, latency in results)
    return {
        "bad": sorted({status for status, _ in results if status != 200}),
        "p50": percentile(latencies, 0.50) * 1000, "p95": percentile(latencies, 0.95) * 1000,
        "p99": percentile(latencies, 0.99) * 1000, "rate": requests / elapsed,
        "cpu_ms": (cpu_after - cpu_before) / requests * 1000,
        "load": (load_before, os.getloadavg()[0]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("ISSUER_BENCH_DATABASE_URL",
                                                                 DEFAULT_DB))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--badges", type=int, default=5)
    parser.add_argument("--only", help="comma-separated line names to run")
    args = parser.parse_args()

    scoped, plain, schema = postgres_schema(args.database_url)
    work = Path(tempfile.mkdtemp(prefix="issuer-bench-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = server_env(scoped, work, base)
    server = None
    figures = {}
    try:
        cli(env, "init", "--admin-email", "bench@example.org")
        achievement = cli(env, "achievements", "create", "--name", "Benchmark badge",
                          "--description", "Issued by the benchmark.", "--criteria", "Run it.")
        email = "learner@example.org"
        credential_url = ""
        for _ in range(args.badges):
            credential_url = cli(env, "issue", "--achievement", achievement, "--email", email,
                                 "--name", "Ada Learner").splitlines()[-1].strip()
        slug = subprocess.run([sys.executable, "-c", MEMBER_SCRIPT, email], cwd=REPO, env=env,
                              capture_output=True, text=True, check=True).stdout.strip()
        server = start_server(env, port, args.workers)
        credential = urlsplit(credential_url).path
        targets = {
            "page": (credential, "text/html"),
            "json": (credential, "application/ld+json"),
            "qr.png": (credential + "/qr.png", "image/png"),
            "baked.png": (credential + "/baked.png", "image/png"),
            "member": (f"/members/{slug}", "text/html"),
            "achievement": (f"/achievements/{achievement}", "text/html"),
        }
        wanted = args.only.split(",") if args.only else list(targets)
        for name in wanted:
            path, accept = targets[name]
            figures[name] = run(base, path, accept, clients=args.clients,
                                requests=args.requests, group=server.pid)
    finally:
        if server is not None:
            stop_server(server)
        drop_schema(plain, schema)
    print(machine_line())
    print(f"{args.requests} GETs per line, {args.clients} clients, {args.workers} gunicorn "
          f"workers, PostgreSQL; server CPU from /proc; load = 1-min average before/after")
    print(f"{'line':<12} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8} "
          f"{'cpu ms/req':>11} {'load':>12}")
    failed = False
    for name, found in figures.items():
        print(f"{name:<12} {found['p50']:8.1f} {found['p95']:8.1f} {found['p99']:8.1f} "
              f"{found['rate']:8.1f} {found['cpu_ms']:11.2f} "
              f"{found['load'][0]:5.2f}/{found['load'][1]:5.2f}")
        if found["bad"]:
            print(f"FAILED: {name} answered {found['bad']}")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
