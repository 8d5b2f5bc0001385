"""The project's import graph, read from the source with `ast` (nothing is imported).

Used by tests/test_architecture.py: no import cycles between modules, and the apps' layers
(docs/architecture.md). Two kinds of edges:

- load-time: imports that run when the module is imported (module level, class bodies, `if` and
  `try` blocks), without those under `if TYPE_CHECKING:`. Cycles are looked for among these.
- any: every import, including those inside functions and under TYPE_CHECKING. The layer rule
  applies to these: a deferred import still couples two apps.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ImportGraph:
    modules: set[str] = field(default_factory=set)
    load_time: dict[str, set[str]] = field(default_factory=dict)
    any_time: dict[str, set[str]] = field(default_factory=dict)


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(body: Iterable[ast.stmt], load_time: bool) -> Iterator[tuple[ast.stmt, bool]]:
    """Every import statement under `body`, with whether it runs at load time."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, load_time
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield from _imports(node.body, False)
        elif isinstance(node, ast.If):
            yield from _imports(node.body, load_time and not _is_type_checking(node.test))
            yield from _imports(node.orelse, load_time)
        else:
            for name in ("body", "orelse", "finalbody"):
                yield from _imports(getattr(node, name, []) or [], load_time)
            for handler in getattr(node, "handlers", []) or []:
                yield from _imports(handler.body, load_time)


def _targets(module: str, is_package: bool, node: ast.stmt, known: set[str]) -> set[str]:
    """The project modules an import statement names (the most specific known ones)."""

    def known_prefix(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    found = set()
    if isinstance(node, ast.Import):
        for alias in node.names:
            target = known_prefix(alias.name)
            if target:
                found.add(target)
        return found
    assert isinstance(node, ast.ImportFrom)
    if node.level:
        package = module if is_package else module.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{node.module}" if node.module else package
    else:
        base = node.module or ""
    for alias in node.names:
        target = known_prefix(f"{base}.{alias.name}") or known_prefix(base)
        if target:
            found.add(target)
    return found


def import_graph(root: Path, packages: Iterable[str]) -> ImportGraph:
    files = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            files[module_name(root, path)] = path
    graph = ImportGraph(modules=set(files))
    for module, path in files.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        is_package = path.name == "__init__.py"
        load, anytime = set(), set()
        for node, at_load in _imports(tree.body, True):
            targets = _targets(module, is_package, node, graph.modules) - {module}
            anytime |= targets
            if at_load:
                load |= targets
        graph.load_time[module] = load
        graph.any_time[module] = anytime
    return graph


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(found)
