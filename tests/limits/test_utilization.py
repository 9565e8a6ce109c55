from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from limits.selectors import EffectiveLimits
from limits.services import limit_set_update
from limits.utilization import limit_utilization, utilization_from_valuation
from tests.factories import AccountFactory

D = Decimal


def _position(symbol, quantity, value, strategy=None):
    return SimpleNamespace(symbol=symbol, strategy=strategy, quantity=D(quantity), market_value_base=D(value))


def _valuation(positions=(), *, gross="0", net="0", equity="100", leverage="0", daily="0"):
    return SimpleNamespace(
        positions=tuple(positions),
        gross_exposure=D(gross),
        net_exposure=D(net),
        equity=D(equity),
        leverage=D(leverage),
        daily_pnl=D(daily),
    )


def _limits(**values):
    return EffectiveLimits(kind="account", scope_id=1, computed_at=None, **values)


def test_it_lists_only_limits_that_are_set():
    assert utilization_from_valuation(limits=_limits(), valuation=_valuation(), var=None) == {}


def test_position_limits_take_the_most_used_instrument_summing_strategies():
    valuation = _valuation(
        [
            _position("AAPL", "300", "60000", strategy="a"),
            _position("AAPL", "-100", "-20000", strategy="b"),
            _position("MSFT", "-150", "-45000"),
        ]
    )
    result = utilization_from_valuation(
        limits=_limits(max_position_quantity=D("200"), max_position_notional=D("50000")),
        valuation=valuation,
        var=None,
    )
    assert result == {"max_position_quantity": D("100.00"), "max_position_notional": D("90.00")}


def test_portfolio_limits():
    valuation = _valuation(gross="750", net="-300", equity="500", leverage="1.5", daily="-40")
    result = utilization_from_valuation(
        limits=_limits(
            max_gross_exposure=D("1000"),
            max_net_exposure=D("600"),
            max_leverage=D("3"),
            max_daily_loss=D("160"),
            max_var=D("50"),
        ),
        valuation=valuation,
        var=D("10"),
    )
    assert result == {
        "max_gross_exposure": D("75.00"),
        "max_net_exposure": D("50.00"),
        "max_leverage": D("50.00"),
        "max_daily_loss": D("25.00"),
        "max_var": D("20.00"),
    }


def test_a_profit_uses_none_of_the_daily_loss_limit():
    result = utilization_from_valuation(
        limits=_limits(max_daily_loss=D("100")), valuation=_valuation(daily="30"), var=None
    )
    assert result == {"max_daily_loss": D("0.00")}


def test_unknowable_figures_are_none_not_made_up():
    result = utilization_from_valuation(
        limits=_limits(max_leverage=D("2"), max_var=D("5"), max_gross_exposure=D("0")),
        valuation=_valuation(equity="-10", leverage="0", gross="10"),
        var=None,
    )
    assert result == {"max_leverage": None, "max_var": None, "max_gross_exposure": None}


@pytest.mark.django_db
def test_limit_utilization_reads_the_accounts_effective_limits():
    account = AccountFactory()
    limit_set_update(target=account, values={"max_gross_exposure": "2000"}, reason="r", changed_by=None)
    result = limit_utilization(account=account, valuation=_valuation(gross="500"))
    assert result == {"max_gross_exposure": D("25.00")}


def test_the_account_summary_reports_limit_utilization():
    from positions.summary_extensions import _extensions

    assert _extensions["utilization"] is limit_utilization
