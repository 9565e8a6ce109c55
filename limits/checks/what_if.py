"""What-if for a basket (contract v1.1): the check's decisions as if the orders were checked in
sequence, and the book's figures before and after, with nothing stored or reserved.

`before` is the account's book as the next check sees it (positions plus open reservations);
`after` is that book once the orders the check would accept are held too (a rejected order would
not be sent). VaR and ES come from the day's risk model (limits/engine/risk.py), exposures, margin and
leverage from the engine's measures (limits/engine/exposure.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from accounts.models import Account
from limits.checks.book import book_snapshot
from limits.checks.render import finding_json, risk_json
from limits.checks.service import refuse_malformed_basket, refuse_unknown_strategies
from limits.engine.check import check_batch
from limits.engine.decision import Decision
from limits.engine.exposure import BookFigures, book_figures
from limits.engine.orders import DraftOrder
from limits.engine.risk import book_exposures, expected_shortfall, value_at_risk
from limits.engine.snapshot import Snapshot
from limits.engine.types import Missing


@dataclass(frozen=True)
class Figures:
    var: float | None
    expected_shortfall: float | None
    book: BookFigures | None
    unavailable: tuple[str, ...]  # why a figure is missing


@dataclass(frozen=True)
class WhatIf:
    currency: str
    before: Figures
    after: Figures
    decisions: list[dict[str, Any]]

    @property
    def incremental_var(self) -> float | None:
        if self.before.var is None or self.after.var is None:
            return None
        return self.after.var - self.before.var


def _figures(snapshot: Snapshot) -> Figures:
    scope = snapshot.account
    book = book_figures(snapshot, scope)
    factors = book_exposures(snapshot, scope)
    model = snapshot.risk_model
    gaps = [gap.message for gap in (book, factors) if isinstance(gap, Missing)]
    var = es = None
    if model is not None and not isinstance(factors, Missing):
        var, es = value_at_risk(model, factors.variance), expected_shortfall(model, factors.variance)
    return Figures(var, es, None if isinstance(book, Missing) else book, tuple(gaps))


def _answer(decision: Decision) -> dict[str, Any]:
    return {
        "check_id": None,
        "decision": decision.decision,
        "violations": [finding_json(f) for f in decision.violations],
        "warnings": [finding_json(f) for f in decision.warnings],
        "risk": risk_json(decision.risk),
        "evaluated_at": decision.evaluated_at,
    }


def what_if(*, account: Account, orders: Sequence[DraftOrder]) -> WhatIf:
    """Raises InvalidOrder (400) for a malformed order, an order of another account or an unknown
    strategy, as a check would."""
    refuse_malformed_basket(account, orders)
    snapshot = book_snapshot(account=account, now=timezone.now(), order_symbols=[o.symbol for o in orders])
    refuse_unknown_strategies(set(snapshot.strategies), account, orders)
    outcome = check_batch(orders, snapshot)
    return WhatIf(
        currency=account.base_currency,
        before=_figures(snapshot),
        after=_figures(outcome.snapshot),
        decisions=[_answer(d) for d in outcome.decisions],
    )
