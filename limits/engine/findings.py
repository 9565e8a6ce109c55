"""Collects violations and warnings of one check; compares a figure against a limit."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from limits.engine.snapshot import ScopeState
from limits.engine.types import HUNDRED, Finding, Missing


class Findings:
    __slots__ = ("_seen", "violations", "warnings")

    def __init__(self) -> None:
        self.violations: list[Finding] = []
        self.warnings: list[Finding] = []
        self._seen: set[tuple[str, str, str, str]] = set()

    def violation(
        self,
        code: str,
        scope: ScopeState,
        message: str,
        limit: Decimal | None = None,
        value: Decimal | None = None,
    ) -> None:
        key = (code, scope.kind, scope.code, message)
        # Several rules may trip on the same missing datum; report it once per scope.
        if key in self._seen:
            return
        self._seen.add(key)
        self.violations.append(Finding(code, scope.kind, scope.code, message, limit, value))

    def warning(self, code: str, scope: ScopeState, message: str, limit: Decimal, value: Decimal) -> None:
        self.warnings.append(Finding(code, scope.kind, scope.code, message, limit, value))

    def missing(self, gap: Missing, scope: ScopeState) -> None:
        self.violation(gap.code, scope, gap.message)

    def limit(
        self,
        code: str,
        scope: ScopeState,
        label: str,
        value: Decimal,
        limit: Decimal,
        render: Callable[[Decimal], str],
        *,
        blocks: bool = True,
    ) -> None:
        """A violation when value > limit and `blocks`; otherwise a warning at or above the
        scope's warn_utilization_pct. `blocks` is False for orders that do not increase the figure:
        a limit already exceeded must not trap a position that is being reduced."""
        if value > limit and blocks:
            self.violation(
                code, scope, f"{label} {render(value)} exceeds limit {render(limit)}", limit, value
            )
        elif limit > 0 and value * HUNDRED >= limit * scope.limits.warn_utilization_pct:
            used = value * HUNDRED / limit
            self.warning(
                code,
                scope,
                f"{label} {render(value)} is at {used:,.1f}% of limit {render(limit)}",
                limit,
                value,
            )
