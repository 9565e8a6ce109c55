"""Apps import one way: accounts -> positions -> limits -> analytics -> the project package.

Every module of the four apps is parsed with `ast`, imports inside functions and under
TYPE_CHECKING included, and none may import a higher layer. Where a lower app needs something only a
higher one knows, the lower app owns an interface and the higher one registers itself at start-up
(see README, "Layout").
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("accounts", "positions", "limits", "analytics", "riskplatform")
RANK = {name: rank for rank, name in enumerate(LAYERS)}

# (importing module, imported module) -> why. Only for a real cycle of Django app loading that forces
# a lower app to import a higher one, documented next to the import. There is none today: keep it so.
ALLOWED: dict[tuple[str, str], str] = {}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, module: str) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in `source`, wherever it stands."""
    package = module.split(".")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolved against the importing module's package
                base = package[: len(package) - node.level]
                yield node.lineno, ".".join([*base, *([node.module] if node.module else [])])
            elif node.module:
                yield node.lineno, node.module


def upward_imports(source: str, module: str) -> list[str]:
    """`module:line imports name` for each import of a layer above `module`'s."""
    own = RANK[module.split(".")[0]]
    offenders = []
    for line, name in imported_modules(source, module):
        top = name.split(".")[0]
        if top in RANK and RANK[top] > own and (module, name) not in ALLOWED:
            offenders.append(f"{module}:{line} imports {name}")
    return offenders


def _app_modules() -> Iterator[tuple[str, str]]:
    for app in LAYERS[:-1]:
        for path in sorted((ROOT / app).rglob("*.py")):
            yield _module_name(path), path.read_text()


def test_no_app_imports_a_higher_layer() -> None:
    offenders = [offence for module, source in _app_modules() for offence in upward_imports(source, module)]

    assert offenders == [], "Lower layers import higher ones:\n" + "\n".join(offenders)


def test_the_scan_sees_every_app_and_their_imports() -> None:
    modules = dict(_app_modules())

    assert {"accounts.models", "positions.models", "limits.models", "analytics.models"} <= set(modules)
    # analytics registers itself with limits (limits/risk_figures.py) and, in AppConfig.ready(), with
    # positions: a function-level import the scan must see.
    assert {"limits.risk_figures", "positions.summary_extensions"} <= {
        name for _, name in imported_modules(modules["analytics.apps"], "analytics.apps")
    }


def test_it_catches_function_level_type_checking_and_relative_imports() -> None:
    source = """
from typing import TYPE_CHECKING
from accounts.models import Account
if TYPE_CHECKING:
    from analytics.models import RiskReport

def late():
    import limits.services
    from limits.selectors import effective_limits

from .ledger import money
"""
    assert upward_imports(source, "positions.example") == [
        "positions.example:5 imports analytics.models",
        "positions.example:8 imports limits.services",
        "positions.example:9 imports limits.selectors",
    ]


def test_every_allowed_upward_import_still_exists() -> None:
    found = {
        (module, name) for module, source in _app_modules() for _, name in imported_modules(source, module)
    }

    assert set(ALLOWED) <= found
