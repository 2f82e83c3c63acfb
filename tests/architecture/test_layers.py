"""The architecture, checked: dependencies point one way (web → services → domain), the
pure credential packages know nothing of Flask or the database, the web layer's shared core
imports no audience package, no module imports another's private names, and no import
circle exists between modules (imports at module level, as Python runs them on import).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "issuer"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path, *, top_level_only: bool) -> list[tuple[str, list[str], int]]:
    """(module imported, names imported from it, line) for each import in ``path``."""
    tree = ast.parse(path.read_text("utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found.extend((alias.name, [], node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                prefix = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*prefix, base] if base else prefix)
            found.append((base, [alias.name for alias in node.names], node.lineno))
    return found


def _internal_targets(target: str, names: list[str]) -> list[str]:
    """The issuer modules an import statement loads."""
    targets = []
    for name in names:
        if f"{target}.{name}" in MODULES:
            targets.append(f"{target}.{name}")
    if target in MODULES:
        targets.append(target)
    return targets


def _all_imports(module: str) -> set[str]:
    return {t for target, names, _ in _imports(MODULES[module], top_level_only=False)
            for t in ([target] + [f"{target}.{n}" for n in names])}


@pytest.mark.parametrize("package, forbidden", [
    ("issuer.dataintegrity", ("flask", "sqlalchemy", "issuer.openbadges", "issuer.services",
                              "issuer.web", "issuer.models", "issuer.db")),
    ("issuer.openbadges", ("flask", "sqlalchemy", "issuer.services", "issuer.web",
                           "issuer.models", "issuer.db")),
    ("issuer.verification", ("flask", "sqlalchemy", "issuer.services", "issuer.web",
                             "issuer.models", "issuer.db")),
    ("issuer.vcjose", ("flask", "sqlalchemy", "issuer.services", "issuer.web",
                       "issuer.models", "issuer.db", "issuer.openbadges")),
    ("issuer.statuslist", ("flask", "sqlalchemy", "issuer.services", "issuer.web")),
    ("issuer.vcdm", ("flask", "sqlalchemy", "issuer.services", "issuer.web")),
    ("issuer.badgedesign", ("flask", "sqlalchemy", "issuer.services", "issuer.web",
                            "issuer.models", "issuer.db")),
    ("issuer.services", ("flask", "issuer.web", "issuer.cli")),
    ("issuer.web.core", ("issuer.web.public", "issuer.web.admin", "issuer.web.api",
                         "issuer.web.app")),
])
def test_dependencies_point_one_way(package, forbidden):
    offenders = []
    for module in MODULES:
        if module != package and not module.startswith(package + "."):
            continue
        for imported in _all_imports(module):
            if any(imported == f or imported.startswith(f + ".") for f in forbidden):
                offenders.append(f"{module} imports {imported}")
    assert not offenders, "\n".join(sorted(offenders))


def test_nothing_imports_the_app_factory_module_but_the_package_entry_point():
    offenders = [module for module in MODULES
                 if module not in ("issuer", "issuer.web.app")
                 and "issuer.web.app" in _all_imports(module)]
    assert not offenders


def test_no_private_names_are_imported_across_modules():
    offenders = []
    for module, path in MODULES.items():
        for target, names, line in _imports(path, top_level_only=False):
            if not target.startswith("issuer"):
                continue
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private:
                offenders.append(f"{module}:{line} imports {', '.join(private)} from {target}")
    assert not offenders, "\n".join(offenders)


def test_no_import_circles_between_modules():
    graph = {module: set() for module in MODULES}
    for module, path in MODULES.items():
        for target, names, _ in _imports(path, top_level_only=True):
            for dependency in _internal_targets(target, names):
                if dependency != module and not module.startswith(dependency + "."):
                    # a package's __init__ importing its own submodule is how packages work
                    graph[module].add(dependency)
    circles = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                circles.append(" → ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not circles, "\n".join(circles)
