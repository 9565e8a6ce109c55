"""The order's VaR in every check and max_var as a limit on it (limits/engine/risk.py, rule `var`)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import numpy as np
import pytest
from scipy.stats import norm

from limits.engine import Limits, check_batch, check_order
from limits.engine.risk import z_score
from tests.limits.engine.builders import CODES, LOADINGS, SCOPES, codes, order, risk_model, snapshot

D = Decimal
VOLS = {"AAPL": 0.02, "MSFT": 0.015, "SAP": 0.01, "ES": 0.012}
MODEL = risk_model(VOLS, correlation=0.3)


def reference_var(exposures: dict[str, float], model=MODEL) -> float:
    """An independent computation: scipy's normal quantile on the factor exposures."""
    w = np.zeros(len(VOLS))
    for symbol, value in exposures.items():
        w[LOADINGS[symbol][0]] += value
    return float(norm.ppf(0.99) * np.sqrt(w @ model.covariance @ w))


def test_the_quantile_is_scipys():
    assert z_score(0.99) == pytest.approx(norm.ppf(0.99), rel=1e-15)


def test_every_answer_carries_the_accounts_var_before_and_after():
    snap = snapshot(positions={"AAPL": "100", "SAP": "-50"}, reserved_buy={"MSFT": "20"}, risk_model=MODEL)
    decision = check_order(order(quantity="30"), snap)
    risk = decision.risk
    assert risk is not None
    # Positions plus open reservations (the reserved MSFT buy), then plus the order.
    before = {"AAPL": 100 * 10.0, "SAP": -50 * 10.0 * 1.10, "MSFT": 20 * 10.0}
    assert risk.var_before == pytest.approx(reference_var(before), rel=1e-12)
    assert risk.var_after == pytest.approx(reference_var({**before, "AAPL": 130 * 10.0}), rel=1e-12)
    assert risk.incremental_var == pytest.approx(risk.var_after - risk.var_before)
    assert (risk.method, risk.confidence, risk.horizon_days, risk.lookback_days, risk.currency) == (
        "parametric", 0.99, 1, 250, "USD",
    )  # fmt: skip


def test_an_option_loads_on_its_underlying_and_open_sells_count_against_the_book():
    snap = snapshot(positions={"AAPL-C": "2"}, reserved_sell={"AAPL": "30"}, risk_model=MODEL)
    risk = check_order(order(symbol="ES", quantity="1", price="10"), snap).risk
    assert risk is not None
    before = {"AAPL": 2 * 500.0 - 30 * 10.0}
    assert risk.var_before == pytest.approx(reference_var(before), rel=1e-12)
    assert risk.var_after == pytest.approx(reference_var({**before, "ES": 500.0}), rel=1e-12)


def _var_after(scope: str, quantity: str) -> float:
    snap = snapshot(positions={"AAPL": "100"}, risk_model=MODEL)
    scope_state = {"account": snap.account, "strategy": snap.strategies["momo"], "group": snap.groups[0]}[
        scope
    ]
    assert scope_state.positions == {"AAPL": D(100)}
    return reference_var({"AAPL": (100 + int(quantity)) * 10.0})


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize(
    ("offset", "accepted", "warned"), [(-0.01, False, False), (0.0, True, True), (0.01, True, True)]
)
def test_max_var_at_just_below_and_just_above_the_orders_var(scope, offset, accepted, warned):
    after = _var_after(scope, "50")
    limit = D(repr(after)) + D(str(offset))
    snap = snapshot(scope, Limits(max_var=limit), positions={"AAPL": "100"}, risk_model=MODEL)
    decision = check_order(order(quantity="50"), snap)
    assert (decision.decision == "accepted") is accepted
    if not accepted:
        assert codes(decision.violations) == {("var", scope)}
        violation = decision.violations[0]
        assert violation.limit == limit
        assert float(violation.value) == pytest.approx(after, rel=1e-12)
        assert violation.scope_code == CODES[scope]
    assert codes(decision.warnings) == ({("var", scope)} if warned else set())


@pytest.mark.parametrize("scope", SCOPES)
def test_an_order_that_lowers_var_passes_a_limit_already_exceeded(scope):
    snap = snapshot(scope, Limits(max_var=D(1)), positions={"AAPL": "100"}, risk_model=MODEL)
    decision = check_order(order(side="sell", quantity="40"), snap)
    assert decision.decision == "accepted"
    assert codes(decision.warnings) == {("var", scope)}


def test_a_group_measures_var_in_its_own_base_currency():
    snap = snapshot("group", Limits(max_var=D(10**9)), positions={"AAPL": "100"}, risk_model=MODEL,
                    fx={("EUR", "USD"): "1.25"})  # fmt: skip
    group = replace(snap.groups[0], base_currency="EUR", cash={"EUR": D(10**9)}, limits=Limits(max_var=D(1)))
    decision = check_order(order(quantity="10"), replace(snap, groups=(group,)))
    violation = next(v for v in decision.violations if v.scope == "group")
    # 110 AAPL = 1,100 USD = 880 EUR of exposure.
    assert float(violation.value) == pytest.approx(reference_var({"AAPL": 1100 / 1.25}), rel=1e-12)


def test_without_a_model_the_answer_says_so_and_max_var_fails_closed():
    snap = snapshot("account", Limits(max_var=D(10**9)), positions={"AAPL": "100"}, risk_model=None,
                    risk_unavailable="No risk model stored for the day")  # fmt: skip
    buy = check_order(order(quantity="10"), snap)
    assert buy.risk is None
    assert codes(buy.violations) == {("var_unavailable", "account")}
    assert [w.message for w in buy.warnings if w.code == "var_unavailable"] == [
        "No risk model stored for the day"
    ]
    sell = check_order(order(side="sell", quantity="10"), snap)  # reduces risk: passes
    assert sell.decision == "accepted"
    assert codes(sell.warnings) == {("var_unavailable", "account")}


def test_without_max_var_a_missing_model_only_warns():
    snap = snapshot(positions={"AAPL": "100"}, risk_model=None, risk_unavailable="No risk model stored")
    decision = check_order(order(quantity="10"), snap)
    assert decision.decision == "accepted"
    assert codes(decision.warnings) == {("var_unavailable", "account")}


def test_an_instrument_outside_the_model_is_named():
    model = risk_model(VOLS, missing={"SAP": "no history in the day's model"},
                       loadings={k: v for k, v in LOADINGS.items() if k != "SAP"})  # fmt: skip
    snap = snapshot(positions={"SAP": "10"}, risk_model=model)
    decision = check_order(order(quantity="10"), snap)
    assert decision.risk is None
    (warning,) = [w for w in decision.warnings if w.code == "var_unavailable"]
    assert "SAP: no history in the day's model" in warning.message


def test_a_baskets_orders_see_the_ones_accepted_before_them():
    snap = snapshot(positions={"AAPL": "100"}, risk_model=MODEL)
    first, second = check_batch([order(quantity="50"), order(symbol="MSFT", quantity="20")], snap).decisions
    assert first.risk is not None
    assert second.risk is not None
    assert second.risk.var_before == pytest.approx(first.risk.var_after, rel=1e-12)
    assert second.risk.var_after == pytest.approx(reference_var({"AAPL": 1500.0, "MSFT": 200.0}), rel=1e-12)
