"""Four 8-clique credentials verified at once on the real server, gunicorn with 2 sync workers
and its 30 s timeout: each gets a fast 422 with the failed check, and GET / keeps answering.
Before the processing limits every clique held a worker past the timeout and the server
stopped answering."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from issuer import db
from issuer.dataintegrity import limits as lim
from tests.helpers import REPO
from tests.hostile import clique_credential


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(url: str, body: bytes | None = None, timeout: float = 45) -> tuple[int, bytes, float]:
    """(status, body, seconds); a 4xx/5xx answer is an answer, not an exception."""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    started = time.monotonic()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body, headers=headers),
                                    timeout=timeout) as response:
            return response.status, response.read(), time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, error.read(), time.monotonic() - started


@pytest.fixture
def server(tmp_path):
    """`gunicorn --workers 2 --timeout 30` serving the app on SQLite in tmp_path."""
    database_url = "sqlite:///" + str(tmp_path / "live.sqlite3")
    db.migrate(database_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "ISSUER_DATABASE_URL": database_url, "ISSUER_BASE_URL": base,
           "ISSUER_KEYS_DIR": str(tmp_path / "keys"),
           "ISSUER_INSTANCE_PATH": str(tmp_path / "instance"),
           "ISSUER_SECRET_KEY": "live-" + secrets.token_hex(16)}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", "sync",
         "--timeout", "30", "--bind", f"127.0.0.1:{port}", "issuer:create_app()"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stderr.read().decode()
            try:
                if request(base + "/", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        server = type("Server", (), {"base": base, "process": process})()
        yield server
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        server_log = process.communicate(timeout=30)[1].decode()
    assert "WORKER TIMEOUT" not in server_log, server_log


def test_four_cliques_at_once_leave_the_server_answering(server):
    body = json.dumps({"verifiableCredential": clique_credential(8)}).encode()
    with ThreadPoolExecutor(max_workers=4) as pool:
        cliques = [pool.submit(request, server.base + "/credentials/verify", body)
                   for _ in range(4)]
        time.sleep(0.05)  # the four are in flight
        home_status, _, home_seconds = request(server.base + "/", timeout=30)
        answers = [future.result() for future in cliques]
    assert home_status == 200
    assert home_seconds < 3  # "normally": both workers are free again within milliseconds
    for status, payload, seconds in answers:
        assert status == 422, payload[:300]
        result = json.loads(payload)
        assert result["verified"] is False
        assert result["errors"][0]["check"] == "proof"
        assert result["errors"][0]["problems"][0]["type"] == lim.BLANK_NODE_HASHING_LIMIT
        assert seconds < 5  # about 0.1 s each on an idle machine; the box is shared
    assert request(server.base + "/", timeout=30)[0] == 200
