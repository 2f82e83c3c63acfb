"""Credentials per second through POST /api/v1/credentials on gunicorn with PostgreSQL.

Usage: python benchmarks/api_issue.py [--database-url URL] [--workers 4] [--clients 8]
                                      [--requests 400]

Prints credentials/s, latency p50/p95/p99, the CPU-seconds of the server (gunicorn and its
workers) and of the client threads, and the load average.

Starts a real `issuer serve` (gunicorn, --workers processes) on a free loopback port against
a fresh schema of the PostgreSQL database (dropped afterwards), creates an issuer, an
achievement and an API token, then sends --requests issue requests from --clients threads
(each with an Idempotency-Key) and prints the throughput and latency percentiles. Every
answer must be 201, else it exits 1. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-c", "from issuer.cli import main; main()"]
DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_schema(url: str) -> tuple[str, str, str]:
    """(schema url, plain url, schema name) for a new schema in the database."""
    import psycopg
    from sqlalchemy import make_url

    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    schema = f"bench_{secrets.token_hex(4)}"
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    return scoped.render_as_string(hide_password=False), plain, schema


def drop_schema(plain: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


@contextlib.contextmanager
def bench_database(database_url: str, work: Path):
    """(URL, "SQLite" or "PostgreSQL") of a migrated benchmark database: ``sqlite`` is a file
    under ``work``, a PostgreSQL URL gets a fresh schema, dropped afterwards."""
    from issuer import db

    schema = None
    if database_url == "sqlite":
        url, kind = f"sqlite:///{work / 'bench.sqlite3'}", "SQLite"
    else:
        url, plain, schema = postgres_schema(database_url)
        kind = "PostgreSQL"
    try:
        db.migrate(url)
        yield url, kind
    finally:
        if schema is not None:
            drop_schema(plain, schema)


def cli(env, *args) -> str:
    done = subprocess.run([*CLI, *args], cwd=REPO, env=env, capture_output=True, text=True,
                          check=True)
    return done.stdout.strip()


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU-seconds of the live processes in process group ``pgid`` (the
    server: gunicorn and its workers), from /proc."""
    total = 0
    ticks = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the name: state, ppid, pgrp, ...
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def machine_line() -> str:
    from importlib.metadata import version

    return (f"machine: {platform.system()} {platform.release()} {platform.machine()}, "
            f"{os.cpu_count()} CPUs | python {platform.python_version()} | "
            f"gunicorn {version('gunicorn')} | psycopg {version('psycopg')}")


def server_env(database_url: str, work: Path, base: str) -> dict[str, str]:
    """The environment of a benchmark's `issuer` commands: its database, a key directory,
    instance folder and job queue under ``work``, and ``base`` as the public URL."""
    return {**os.environ, "ISSUER_DATABASE_URL": database_url,
            "ISSUER_KEYS_DIR": str(work / "keys"), "ISSUER_INSTANCE_PATH": str(work / "instance"),
            "ISSUER_BASE_URL": base, "ISSUER_ADMIN_PASSWORD": secrets.token_urlsafe(16),
            "ISSUER_QUEUE_URL": f"sqlite:///{work / 'queue.sqlite3'}"}


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    """`issuer serve` with ``workers`` gunicorn processes on ``port``, in its own process
    group, once it answers (SystemExit if it does not within a minute)."""
    server = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--workers", str(workers), "--no-queue-worker"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/openapi.json", timeout=2).read()
            return server
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                stop_server(server)
                raise SystemExit("the server did not start") from None
            time.sleep(0.2)


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("ISSUER_BENCH_DATABASE_URL",
                                                                 DEFAULT_DB))
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()

    scoped, plain, schema = postgres_schema(args.database_url)
    work = Path(tempfile.mkdtemp(prefix="issuer-bench-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = server_env(scoped, work, base)
    server = None
    try:
        cli(env, "init", "--admin-email", "bench@example.org")
        achievement = cli(env, "achievements", "create", "--name", "Benchmark badge",
                          "--description", "Issued by the benchmark.", "--criteria", "Run it.")
        token = cli(env, "tokens", "create", "--issuer", "main", "--scope", "issue")
        server = start_server(env, port, args.workers)

        def issue(number: int) -> tuple[int, float]:
            body = json.dumps({"achievement": achievement, "recipient": {
                "email": f"learner{number}@example.org", "name": f"Learner {number}"}}).encode()
            request = urllib.request.Request(base + "/api/v1/credentials", data=body, headers={
                "Authorization": f"Bearer {token}", "Content-Type": "application/json",
                "Idempotency-Key": f"bench-{number}"})
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    response.read()
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
            return status, time.perf_counter() - started

        for number in range(-args.clients, 0):  # warm every worker (contexts, schemas)
            issue(number)
        server_cpu = group_cpu_seconds(server.pid)
        client_cpu = time.process_time()
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            results = list(pool.map(issue, range(args.requests)))
        elapsed = time.perf_counter() - started
        server_cpu = group_cpu_seconds(server.pid) - server_cpu
        client_cpu = time.process_time() - client_cpu
        load = os.getloadavg()
    finally:
        if server is not None:
            stop_server(server)
        drop_schema(plain, schema)
    statuses = [status for status, _ in results]
    latencies = sorted(latency for _, latency in results)
    print(machine_line())
    print(f"POST /api/v1/credentials: {args.requests} requests, {args.clients} clients, "
          f"{args.workers} gunicorn workers, PostgreSQL")
    print(f"throughput: {args.requests / elapsed:.1f} credentials/s ({elapsed:.1f} s)")
    def percentile(share: float) -> float:
        return latencies[max(0, int(len(latencies) * share) - 1)] * 1000

    print(f"latency: p50 {statistics.median(latencies) * 1000:.0f} ms, "
          f"p95 {percentile(0.95):.0f} ms, p99 {percentile(0.99):.0f} ms")
    print(f"CPU: server {server_cpu:.2f} s ({server_cpu * 1000 / args.requests:.1f} ms per "
          f"credential: gunicorn and its workers, measured requests only), clients "
          f"{client_cpu:.2f} s | load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    bad = [status for status in statuses if status != 201]
    if bad:
        print(f"FAILED: {len(bad)} answers were not 201: {sorted(set(bad))}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
