"""The cores (rule engine, ledger, risk math) are plain Python: no Django, and no import circles inside
them, counting every import (module level, TYPE_CHECKING blocks and function bodies)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORES = ["limits/engine", "positions/ledger", "analytics/riskmath"]


def _modules(core: str) -> dict[str, Path]:
    package = core.replace("/", ".")
    found = {}
    for path in (ROOT / core).rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if name.startswith(package):
            found[name] = path
    return found


def _imports(path: Path, module: str) -> set[str]:
    names: set[str] = set()
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _graph(core: str) -> dict[str, set[str]]:
    modules = _modules(core)
    return {
        name: {target for target in _imports(path, name) if target in modules and target != name}
        for name, path in modules.items()
    }


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


@pytest.mark.parametrize("core", CORES)
def test_a_core_has_no_import_circle(core):
    graph = _graph(core)
    assert graph, f"no modules found under {core}"
    # A package's __init__ re-exporting its modules is no circle: the modules never need it.
    for name in graph:
        graph[name] = {t for t in graph[name] if not (graph.get(t) is not None and name.startswith(t + "."))}
    assert _cycle(graph) is None, f"import circle in {core}: {' -> '.join(_cycle(graph) or [])}"


@pytest.mark.parametrize("core", CORES)
def test_a_core_does_not_import_django(core):
    offenders = sorted(
        f"{name} imports {target}"
        for name, path in _modules(core).items()
        for target in _imports(path, name)
        if target == "django" or target.startswith(("django.", "rest_framework", "celery"))
    )
    assert offenders == []


def test_the_circle_finder_finds_a_circle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
