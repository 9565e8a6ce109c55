"""The rule registry. A rule is a function of (ScopeEval, Findings) registered with @rule(code).

Per-scope rules run once for every scope of the order (strategy, account, each group); order
rules (per_scope=False) run once, seeing the account scope.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from limits.engine.exposure import ScopeEval
from limits.engine.findings import Findings

RuleFn = Callable[[ScopeEval, Findings], None]


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    fn: RuleFn
    per_scope: bool


RULES: list[Rule] = []


def rule(code: str, *, per_scope: bool = True) -> Callable[[RuleFn], RuleFn]:
    def register(fn: RuleFn) -> RuleFn:
        RULES.append(Rule(code, fn, per_scope))
        return fn

    return register
