"""The package installs and runs on its own: every import is declared in pyproject.toml, and
the wheel carries every file of issuer/ (templates, static files, contexts, schemas,
migrations). CI also installs it for real in a fresh venv (scripts/fresh-install-check.sh)."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections import defaultdict
from importlib.metadata import packages_distributions
from pathlib import Path

from tests.helpers import REPO

PACKAGE = REPO / "issuer"
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))


def _distribution(requirement: str) -> str:
    """The normalised distribution name of a requirement ("psycopg[binary]>=3.1" -> "psycopg")."""
    name = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement).group(0)
    return re.sub(r"[-_.]+", "-", name).lower()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imported_names(tree: ast.AST) -> set[str]:
    """Top-level names of every absolute import, at module level or inside functions (lazy
    imports run too), except under ``if TYPE_CHECKING:``."""
    names: set[str] = set()
    pending = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            pending.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        pending.extend(ast.iter_child_nodes(node))
    return names


def _third_party_imports(folder: Path) -> dict[str, set[str]]:
    """Import name -> the files importing it, for every non-stdlib, non-project import."""
    found: dict[str, set[str]] = defaultdict(set)
    for path in sorted(folder.rglob("*.py")):
        if "node_modules" in path.parts:
            continue
        for name in _imported_names(ast.parse(path.read_text("utf-8"), str(path))):
            if name not in sys.stdlib_module_names and name not in ("issuer", "tests",
                                                                    "__future__"):
                found[name].add(path.relative_to(folder.parent).as_posix())
    return found


def _undeclared(imports: dict[str, set[str]], declared: set[str]) -> list[str]:
    providers = packages_distributions()
    problems = []
    for name, files in sorted(imports.items()):
        distributions = {_distribution(dist) for dist in providers.get(name, ())}
        if not distributions & declared:
            where = ", ".join(sorted(files)[:3])
            problems.append(f"{name} (provided by {sorted(distributions) or 'nothing installed'};"
                            f" imported in {where})")
    return problems


def test_every_runtime_import_is_declared_in_dependencies():
    declared = {_distribution(req) for req in PYPROJECT["project"]["dependencies"]}
    imports = _third_party_imports(PACKAGE)
    assert {"flask", "sqlalchemy", "pyld"} <= set(imports)  # the walk sees the package
    problems = _undeclared(imports, declared)
    assert not problems, ("imported by issuer/ but not in pyproject.toml [project] "
                          "dependencies:\n  " + "\n  ".join(problems))


def test_every_test_import_is_declared_in_dependencies_or_the_test_extra():
    declared = {_distribution(req) for req in (
        *PYPROJECT["project"]["dependencies"],
        *PYPROJECT["project"]["optional-dependencies"]["test"])}
    problems = _undeclared(_third_party_imports(REPO / "tests"), declared)
    assert not problems, ("imported by tests/ but in neither dependencies nor the test "
                          "extra:\n  " + "\n  ".join(problems))


def test_an_undeclared_import_is_caught(tmp_path):
    (tmp_path / "module.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import werkzeug\n"
        "def lazy():\n    import urllib3.util\n")
    imports = _third_party_imports(tmp_path)
    assert set(imports) == {"urllib3"}  # lazy imports count, TYPE_CHECKING ones do not
    assert _undeclared(imports, {"flask"})[0].startswith("urllib3 (provided by ['urllib3']")


def _package_files() -> set[str]:
    """Every file under issuer/ as a wheel would name it (no bytecode caches)."""
    return {path.relative_to(REPO).as_posix() for path in PACKAGE.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"}


def test_the_wheel_holds_every_file_of_the_package(tmp_path):
    source = tmp_path / "src"  # a copy: building writes build/ and *.egg-info into the tree
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(PACKAGE, source / "issuer",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-index",
         "--no-build-isolation", "--wheel-dir", str(tmp_path / "dist"), str(source)],
        check=True, capture_output=True, timeout=300,
    )
    (wheel,) = (tmp_path / "dist").glob("issuer-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = set(archive.namelist())
    expected = _package_files()
    for kind in ("issuer/web/templates/", "issuer/web/static/", "issuer/contexts/",
                 "issuer/schemas/legacy-2024/", "issuer/migrations/versions/"):
        assert any(name.startswith(kind) for name in expected), kind  # each kind is checked
    assert "issuer/migrations/script.py.mako" in expected
    missing = sorted(expected - shipped)
    assert not missing, "files of issuer/ missing from the wheel:\n  " + "\n  ".join(missing)
    entry_points = next(name for name in shipped if name.endswith(".dist-info/entry_points.txt"))
    with zipfile.ZipFile(wheel) as archive:
        assert "issuer = issuer.cli:main" in archive.read(entry_points).decode()
