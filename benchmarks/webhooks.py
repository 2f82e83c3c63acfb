"""Signed webhooks per second, and how long after issuing they arrive, through the real job
queue and `issuer worker`, to a local receiver that verifies every signature.

Usage: python benchmarks/webhooks.py [--rows 300] [--single 10] [--database-url URL]
                                     [--queue-url redis://127.0.0.1:6379/0] [--workers 2]

Creates a fresh PostgreSQL schema (dropped afterwards), an issuer and an achievement,
registers a webhook endpoint for ``credential.issued`` (`issuer webhooks add`, private
addresses allowed) pointing at a threaded HTTP receiver in this process, starts one
`issuer worker --workers N`, issues --rows credentials with `issuer bulk`, and waits for every
webhook; then issues --single credentials one at a time (`issuer issue`), each after the
previous webhook arrived. Each webhook is verified with the `standardwebhooks` library (the
test extra). Prints the bulk throughput (first to last arrival) and the delay from each
credential's ``issuedAt`` (whole seconds) to its arrival (bulk webhooks queue behind the
job's own chunks), and the same delay for the single ones. Exits 1 unless exactly one correctly signed
webhook arrived per credential. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api_issue import CLI, DEFAULT_DB, REPO, cli, drop_schema, machine_line, postgres_schema


def receiver(secret_box: dict, arrivals: list, lock: threading.Lock):
    from standardwebhooks.webhooks import Webhook, WebhookVerificationError

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            arrived = time.time()
            try:
                payload = Webhook(secret_box["secret"]).verify(body, dict(self.headers))
                ok = True
            except WebhookVerificationError:
                payload, ok = None, False
            with lock:
                arrivals.append((arrived, self.headers.get("webhook-id"), ok, payload))
            self.send_response(204 if ok else 400)
            self.end_headers()

        def log_message(self, *args):
            pass

    return ThreadingHTTPServer(("127.0.0.1", 0), Handler)


def _issued_at(payload: dict) -> float:
    """The credential's issuedAt (whole seconds, so delays read up to 1 s long)."""
    text = payload["data"]["credential"]["issuedAt"]
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--database-url", default=os.environ.get("ISSUER_BENCH_DATABASE_URL",
                                                                 DEFAULT_DB))
    parser.add_argument("--queue-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--single", type=int, default=10)
    args = parser.parse_args()

    arrivals: list = []
    lock = threading.Lock()
    secret_box: dict = {}
    server = receiver(secret_box, arrivals, lock)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    scoped, plain, schema = postgres_schema(args.database_url)
    work = Path(tempfile.mkdtemp(prefix="issuer-webhooks-bench-"))
    queue_url = args.queue_url
    if queue_url.startswith("redis"):
        queue_url += ("&" if "?" in queue_url else "?") + f"name=bench-{secrets.token_hex(4)}"
    env = {**os.environ, "ISSUER_DATABASE_URL": scoped, "ISSUER_KEYS_DIR": str(work / "keys"),
           "ISSUER_INSTANCE_PATH": str(work / "instance"),
           "ISSUER_BASE_URL": "https://badges.example.org", "ISSUER_WEBHOOK_ALLOW_PRIVATE": "1",
           "ISSUER_ADMIN_PASSWORD": secrets.token_urlsafe(16), "ISSUER_QUEUE_URL": queue_url}
    people = work / "people.csv"
    people.write_text("email,name\n" + "".join(f"learner{n}@example.org,Learner {n}\n"
                                               for n in range(args.rows)))
    worker = None
    try:
        cli(env, "init", "--admin-email", "bench@example.org")
        achievement = cli(env, "achievements", "create", "--name", "Webhook benchmark",
                          "--description", "Issued in bulk.", "--criteria", "Be in the file.")
        secret_box["secret"] = cli(
            env, "webhooks", "add", "--url", f"http://127.0.0.1:{server.server_port}/in",
            "--event", "credential.issued", "--owner", "bench@example.org")
        worker = subprocess.Popen([*CLI, "worker", "--workers", str(args.workers)], cwd=REPO,
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True)
        run = subprocess.run([*CLI, "bulk", str(people), "--achievement", achievement,
                              "-o", str(work / "results.csv")], cwd=REPO, env=env,
                             capture_output=True, text=True)
        if run.returncode != 0:
            print(run.stderr[-2000:])
            return 1
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with lock:
                if len(arrivals) >= args.rows:
                    break
            time.sleep(0.2)
        time.sleep(1)  # a duplicate would arrive now
        singles = []
        for number in range(args.single):
            with lock:
                before = len(arrivals)
            cli(env, "issue", "--achievement", achievement, "--email",
                f"single{number}@example.org")
            waited = time.monotonic()
            while time.monotonic() - waited < 60:
                with lock:
                    if len(arrivals) > before:
                        arrived, _, ok, payload = arrivals[before]
                        if ok:
                            singles.append(arrived - _issued_at(payload))
                        break
                time.sleep(0.01)
    finally:
        if worker is not None:
            os.killpg(worker.pid, signal.SIGINT)
            worker.wait(timeout=120)
        drop_schema(plain, schema)
        server.shutdown()
    good = [item for item in arrivals if item[2]]
    bulk = good[:args.rows]
    ids = {item[1] for item in good}
    times = sorted(item[0] for item in bulk)
    delays = sorted(arrived - _issued_at(payload) for arrived, _, _, payload in bulk)
    print(machine_line())
    print(f"webhooks: {args.rows} credentials (issuer bulk), queue {args.queue_url.split('://')[0]},"
          f" 1 worker process with {args.workers} process workers, PostgreSQL")
    if len(times) > 1:
        span = times[-1] - times[0]
        print(f"throughput: {(len(times) - 1) / span:.1f} webhooks/s "
              f"({len(times)} arrived over {span:.1f} s)")
    if delays:
        cut = statistics.quantiles(delays, n=100) if len(delays) > 1 else delays * 99
        print(f"issuedAt to arrival (issuedAt has whole seconds): median {cut[49]:.2f} s, "
              f"p95 {cut[94]:.2f} s, max {delays[-1]:.2f} s")
    if singles:
        singles.sort()
        print(f"one at a time ({len(singles)}, `issuer issue`): issuedAt to arrival median "
              f"{statistics.median(singles):.2f} s, max {singles[-1]:.2f} s")
    total = args.rows + args.single
    if len(arrivals) != total or len(good) != total or len(ids) != total \
            or len(singles) != args.single:
        print(f"FAILED: {len(arrivals)} arrived, {len(good)} verified, {len(ids)} distinct ids "
              f"for {total} credentials")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
