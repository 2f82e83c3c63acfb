"""The project reads nothing from beside the checkout: no code in issuer/, tests/, scripts/,
benchmarks/ or .ci/ refers to a ``shared/`` folder beside the checkout (its ``ob3`` folder
exists only next to this repository's CI). What the tests need is vendored under tests/vectors/."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.helpers import REPO

FOLDERS = ("issuer", "tests", "scripts", "benchmarks", ".ci")
SKIPPED_PARTS = {"node_modules", "__pycache__", "vectors"}  # vectors: data, not code
CODE_SUFFIXES = {".sh", ".bash", ".mjs", ".cjs", ".js", ".ts", ".toml", ".ini", ".cfg"}
# A path with a folder named "shared" (one level up, under /work, or followed by ob3,
# examples, contexts or schemas), or the lone segment of Path(...) / "shared" / "ob3".
PY_PATH = re.compile(r"(^|[/\\])shared([/\\]|$)")
TEXT_PATH = re.compile(r"(\.\./|/work/)shared\b|(?<![\w./-])shared/(ob3|examples|contexts|schemas)")


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def python_references(source: str) -> list[int]:
    """Line numbers of string constants (not docstrings, not comments) naming a shared/ path."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    return sorted(node.lineno for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str)
                  and id(node) not in docstrings and PY_PATH.search(node.value))


def text_references(source: str, comment: str) -> list[int]:
    """Line numbers, outside comments, of a shared/ path in a script or config file."""
    return [number for number, line in enumerate(source.splitlines(), 1)
            if TEXT_PATH.search(line.split(comment, 1)[0] if comment else line)]


def _is_script(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(2) == b"#!"


def _code_files():
    for folder in FOLDERS:
        for path in sorted((REPO / folder).rglob("*")):
            if (not path.is_file() or SKIPPED_PARTS & set(path.relative_to(REPO).parts)
                    or path == Path(__file__).resolve()):  # its own examples below
                continue
            if path.suffix == ".py" or path.suffix in CODE_SUFFIXES or (
                    not path.suffix and _is_script(path)):
                yield path


def references(path: Path) -> list[int]:
    source = path.read_text("utf-8")
    if path.suffix == ".py":
        return python_references(source)
    comment = "//" if path.suffix in (".mjs", ".cjs", ".js", ".ts") else "#"
    return text_references(source, comment)


def test_no_code_refers_to_a_shared_folder_beside_the_checkout():
    files = list(_code_files())
    assert REPO / ".ci" / "run" in files and REPO / "scripts" / "test.sh" in files
    found = [f"{path.relative_to(REPO)}:{line}" for path in files for line in references(path)]
    assert not found, ("code that reads the shared folder beside the checkout (vendor the file "
                       "under tests/ instead):\n  " + "\n  ".join(found))


# The samples below spell the folder through SAMPLE, so that this file itself names no path
# beside the checkout (a plain search of the tree for one finds only real references).
SAMPLE = "shared"


@pytest.mark.parametrize("source", [
    f'SHARED = REPO.parent / "{SAMPLE}" / "ob3" / "examples"\n',
    f'CONTEXTS = Path(__file__).resolve().parents[4] / "{SAMPLE}/ob3/contexts"\n',
    f'open("../{SAMPLE}/ob3/MANIFEST.md")\n',
    f'EXAMPLES = f"{{root}}/../{SAMPLE}/ob3"\n',
])
def test_python_that_reads_shared_is_caught(source):
    assert python_references(source) == [1]


def test_docstrings_and_prose_may_name_the_sources():
    source = (f'"""Copied from {SAMPLE}/ob3/examples."""\n'
              f'# see ../{SAMPLE}/ob3/NOTES.md\n'
              'TEXT = "a shared secret; shared counters"\n')
    assert python_references(source) == []


def test_scripts_that_read_shared_are_caught():
    script = (f"#!/usr/bin/env bash\n# fixtures once came from ../{SAMPLE}/ob3\n"
              f"cp -r ../{SAMPLE}/ob3/examples tests/\nls /work/{SAMPLE}\necho {SAMPLE}/ob3/x\n")
    assert text_references(script, "#") == [3, 4, 5]
