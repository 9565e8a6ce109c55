"""The registry covers every contract code, and a rule is one decorated function."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from limits.engine import RULES, check_order, rule
from limits.engine.exposure import ScopeEval
from limits.engine.findings import Findings
from tests.limits.engine.builders import SCOPES, codes, order, snapshot

CONTRACT_CODES = {
    "trading_halted", "reduce_only", "restricted_instrument", "unknown_instrument", "order_quantity",
    "order_notional", "position_quantity", "position_notional", "gross_exposure", "net_exposure",
    "daily_loss", "leverage", "insufficient_margin", "price_collar", "order_rate", "missing_price",
    "missing_fx_rate",
}  # fmt: skip


def test_every_contract_code_has_exactly_one_rule() -> None:
    registered = [r.code for r in RULES if r.code in CONTRACT_CODES]
    assert sorted(registered) == sorted(CONTRACT_CODES)
    assert {r.code for r in RULES} - CONTRACT_CODES == {"var"}  # the advisory warning


@pytest.fixture
def restore_rules() -> Iterator[None]:
    saved = list(RULES)
    yield
    RULES[:] = saved


@pytest.mark.usefixtures("restore_rules")
def test_a_registered_rule_runs_for_every_scope() -> None:
    @rule("no_odd_lots")
    def no_odd_lots(ev: ScopeEval, out: Findings) -> None:
        if ev.order.quantity % 100:
            out.violation("no_odd_lots", ev.scope, f"{ev.order.symbol} odd lot")

    assert check_order(order(quantity="100"), snapshot()).decision == "accepted"
    assert codes(check_order(order(quantity="150"), snapshot()).violations) == {
        ("no_odd_lots", s) for s in SCOPES
    }
