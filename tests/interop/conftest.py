"""The `dbvc` fixture: one call of Digital Bazaar's harness (tests/interop/dbvc.mjs); and
`rdfc`: canonicalize N-Quads with rdf-canonize itself (tests/interop/rdfc.mjs).

Outside CI the interop tests skip when node or the node modules are missing; in CI
(CI=true) they fail instead, since .ci/run installs them with `npm ci --prefix tests/interop`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

HARNESS = Path(__file__).with_name("dbvc.mjs")
RDFC = Path(__file__).with_name("rdfc.mjs")
NODE_MODULES = Path(__file__).with_name("node_modules")


def _node_script(script: Path):
    if shutil.which("node") is None or not NODE_MODULES.is_dir():
        if os.environ.get("CI"):
            pytest.fail("interop harness not installed: run npm ci --prefix tests/interop")
        pytest.skip("node or tests/interop/node_modules missing (npm ci --prefix tests/interop)")

    def call(request: dict) -> dict:
        process = subprocess.run(
            ["node", str(script)], input=json.dumps(request), capture_output=True,
            text=True, timeout=120, check=False,
        )
        assert process.returncode == 0, process.stdout + process.stderr
        return json.loads(process.stdout)

    return call


@pytest.fixture(scope="session")
def dbvc():
    return _node_script(HARNESS)


@pytest.fixture(scope="session")
def rdfc():
    """``rdfc([{"nquads", "maxWorkFactor"?, "maxDeepIterations"?}, ...])`` → one
    ``{"canonical"}`` or ``{"error"}`` per case, from rdf-canonize."""
    call = _node_script(RDFC)
    return lambda cases: call({"cases": cases})["results"]
