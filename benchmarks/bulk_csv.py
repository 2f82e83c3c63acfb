"""Rows per second for a bulk CSV file through the real job queue and `issuer worker`.

Usage: python benchmarks/bulk_csv.py [--rows 10000] [--database-url URL]
                                     [--queue-url redis://127.0.0.1:6379/0] [--workers 2]

Creates a fresh PostgreSQL schema (dropped afterwards), an issuer and an achievement, writes a
--rows CSV file, starts one `issuer worker --workers N` (process workers) on the queue, runs
`issuer bulk FILE --achievement ID` and times it from the first to the last row issued. It
checks that every row was issued exactly once, and prints rows/s with the CPU-seconds of the
worker processes and the load average. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api_issue import (
    CLI,
    DEFAULT_DB,
    REPO,
    cli,
    drop_schema,
    group_cpu_seconds,
    machine_line,
    postgres_schema,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url", default=os.environ.get("ISSUER_BENCH_DATABASE_URL",
                                                                 DEFAULT_DB))
    parser.add_argument("--queue-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    scoped, plain, schema = postgres_schema(args.database_url)
    work = Path(tempfile.mkdtemp(prefix="issuer-bulk-bench-"))
    queue_url = args.queue_url
    if queue_url.startswith("redis"):
        queue_url += ("&" if "?" in queue_url else "?") + f"name=bench-{secrets.token_hex(4)}"
    env = {**os.environ, "ISSUER_DATABASE_URL": scoped, "ISSUER_KEYS_DIR": str(work / "keys"),
           "ISSUER_INSTANCE_PATH": str(work / "instance"),
           "ISSUER_BASE_URL": "https://badges.example.org",
           "ISSUER_ADMIN_PASSWORD": secrets.token_urlsafe(16), "ISSUER_QUEUE_URL": queue_url}
    people = work / "people.csv"
    with people.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "name", "valid_until"])
        for number in range(args.rows):
            writer.writerow([f"learner{number}@example.org", f"Learner {number}", "2099-12-31"])
    worker = None
    try:
        cli(env, "init", "--admin-email", "bench@example.org")
        achievement = cli(env, "achievements", "create", "--name", "Bulk benchmark",
                          "--description", "Issued in bulk.", "--criteria", "Be in the file.")
        worker = subprocess.Popen([*CLI, "worker", "--workers", str(args.workers)], cwd=REPO,
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True)
        worker_cpu = group_cpu_seconds(worker.pid)
        started = time.perf_counter()
        run = subprocess.run([*CLI, "bulk", str(people), "--achievement", achievement,
                              "-o", str(work / "results.csv")], cwd=REPO, env=env,
                             capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        worker_cpu = group_cpu_seconds(worker.pid) - worker_cpu
        load = os.getloadavg()
        if run.returncode != 0:
            print(run.stderr[-2000:])
            return 1
        rows = list(csv.DictReader(io.StringIO((work / "results.csv").read_text())))
    finally:
        if worker is not None:
            os.killpg(worker.pid, signal.SIGINT)
            worker.wait(timeout=120)
        drop_schema(plain, schema)
    issued = sum(1 for row in rows if row["status"] == "issued")
    unique = len({row["credential_url"] for row in rows})
    print(machine_line())
    print(f"bulk CSV: {args.rows} rows, queue {args.queue_url.split('://')[0]}, "
          f"1 worker process with {args.workers} process workers, PostgreSQL")
    print(f"throughput: {args.rows / elapsed:.1f} rows/s ({elapsed:.1f} s for the whole file, "
          "preview included)")
    print(f"CPU: worker {worker_cpu:.1f} s ({worker_cpu * 1000 / args.rows:.1f} ms per row: "
          f"`issuer worker` and its process workers) | load average {load[0]:.2f} "
          f"{load[1]:.2f} {load[2]:.2f}")
    if issued != args.rows or unique != args.rows:
        print(f"FAILED: {issued} issued, {unique} distinct credentials for {args.rows} rows")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
