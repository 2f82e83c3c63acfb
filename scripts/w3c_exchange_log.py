"""The app as scripts/w3c-suites.sh serves it: unchanged, wrapped in a WSGI middleware that
appends every HTTP exchange (method, path, request body, status, response body) as one JSON
line to $W3C_EXCHANGE_LOG, so a failing conformance test can be matched with what the suite
sent and what we answered. Headers are not logged (the bearer token travels in one).

Gunicorn: ``--pythonpath scripts 'w3c_exchange_log:create_logged_app()'``. Not part of the
application or its tests.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import time
from collections.abc import Callable, Iterable
from typing import Any

MAX_LOGGED_BYTES = 64 * 1024


def _text(data: bytes) -> str:
    clipped = data[:MAX_LOGGED_BYTES].decode("utf-8", "replace")
    if len(data) > MAX_LOGGED_BYTES:
        clipped += f"… [{len(data) - MAX_LOGGED_BYTES} more bytes]"
    return clipped


class ExchangeLog:
    """WSGI middleware writing one JSON line per request to ``path``."""

    def __init__(self, app: Callable, path: str):
        self.app = app
        self.path = path

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        environ["wsgi.input"] = io.BytesIO(body)
        seen: dict[str, str] = {}

        def recording_start_response(status, headers, exc_info=None):
            seen["status"] = status
            return start_response(status, headers, exc_info)

        started = time.time()
        result = self.app(environ, recording_start_response)
        try:
            chunks = list(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        query = environ.get("QUERY_STRING")
        self._write({
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
            "ms": round((time.time() - started) * 1000),
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO", "") + (f"?{query}" if query else ""),
            "request": _text(body),
            "status": seen.get("status", ""),
            "response": _text(b"".join(chunks)),
        })
        return chunks

    def _write(self, record: dict[str, Any]) -> None:
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        with open(self.path, "ab") as log:
            fcntl.flock(log, fcntl.LOCK_EX)
            log.write(line)


def create_logged_app() -> ExchangeLog:
    from issuer import create_app

    return ExchangeLog(create_app(), os.environ["W3C_EXCHANGE_LOG"])
