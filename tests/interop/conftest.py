"""The `dbvc`, `rdfc`, `jsonld_js`, `jose_js` and `vcore` fixtures: calls of Digital Bazaar's harness
(tests/interop/dbvc.mjs), of rdf-canonize itself (tests/interop/rdfc.mjs, canonical N-Quads),
of jsonld.js's canonize (tests/interop/jsonld_canon.mjs), of panva's jose (tests/interop/jose.mjs) and of DCC's verifier-core (tests/interop/vcore.mjs).

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
JOSE_HARNESS = Path(__file__).with_name("jose.mjs")
VCORE_HARNESS = Path(__file__).with_name("vcore.mjs")
JSONLD_CANON = Path(__file__).with_name("jsonld_canon.mjs")
NODE_MODULES = Path(__file__).with_name("node_modules")


def _need_node() -> None:
    if shutil.which("node") is None or not NODE_MODULES.is_dir():
        if os.environ.get("CI"):
            pytest.fail("interop harness not installed: run npm ci --prefix tests/interop")
        pytest.skip("node or tests/interop/node_modules missing (npm ci --prefix tests/interop)")


def _caller(harness: Path):
    def call(request):
        process = subprocess.run(
            ["node", str(harness)], input=json.dumps(request), capture_output=True,
            text=True, timeout=120, check=False,
        )
        assert process.returncode == 0, process.stdout + process.stderr
        return json.loads(process.stdout)

    return call


@pytest.fixture(scope="session")
def dbvc():
    _need_node()
    return _caller(HARNESS)


@pytest.fixture(scope="session")
def rdfc():
    """``rdfc([{"nquads", "maxWorkFactor"?, "maxDeepIterations"?}, ...])`` → one
    ``{"canonical"}`` or ``{"error"}`` per case, from rdf-canonize."""
    _need_node()
    call = _caller(RDFC)
    return lambda cases: call({"cases": cases})["results"]


@pytest.fixture(scope="session")
def jose_js():
    """One request, or a list of them (one node start-up for the lot)."""
    _need_node()
    return _caller(JOSE_HARNESS)


@pytest.fixture(scope="session")
def vcore():
    """``vcore({"credentials": [...], "server": "http://127.0.0.1:PORT"})`` →
    ``{"results", "fetched", "refused"}`` from DCC's verifier-core (see vcore.mjs)."""
    _need_node()
    return _caller(VCORE_HARNESS)


@pytest.fixture(scope="session")
def jsonld_js():
    """``jsonld_js(contexts, documents, nquads=())`` → one ``{"canonical", "nquads"?}`` or
    ``{"error"}`` per document, from jsonld.js's canonize (RDFC-1.0) with a loader answering
    only ``contexts`` (and rdf-canonize's canonical form of each N-Quads text given)."""
    _need_node()
    call = _caller(JSONLD_CANON)
    return lambda contexts, documents, nquads=(): call(
        {"contexts": contexts, "documents": documents, "nquads": list(nquads)})["results"]
