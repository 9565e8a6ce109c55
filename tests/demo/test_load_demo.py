from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from accounts.models import Account, AccountGroup, Membership, Strategy
from positions.models import (
    CashBalance,
    CashMovement,
    Fill,
    FxRate,
    Instrument,
    Position,
    Price,
    PriceHistory,
    RiskFreeRate,
)
from riskplatform.demo import universe as u
from riskplatform.demo.loader import EXTRAS
from riskplatform.demo.market import block_correlation, business_days_before, simulate

DAYS = 60


# --- the simulation (no database) ---------------------------------------------------------------


def test_the_block_correlation_matrix_is_a_valid_correlation_matrix() -> None:
    corr = block_correlation([x.block for x in u.UNDERLIERS])

    assert np.allclose(np.diag(corr), 1.0)
    assert np.allclose(corr, corr.T)
    assert np.linalg.eigvalsh(corr).min() > 0
    assert np.abs(corr).max() <= 1.0


def test_the_simulation_is_reproducible_for_a_seed() -> None:
    first = simulate(u.UNDERLIERS, steps=50, seed=7).closes
    again = simulate(u.UNDERLIERS, steps=50, seed=7).closes
    other = simulate(u.UNDERLIERS, steps=50, seed=8).closes

    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)
    assert (first > 0).all()


def test_instruments_in_a_block_move_together_more_than_across_blocks() -> None:
    prices = simulate(u.UNDERLIERS, steps=2000, seed=11)
    returns = {s: np.diff(np.log(prices.column(s))) for s in ("AAPL", "MSFT", "BTC-USD", "ZNZ26", "ESZ26")}

    def corr(a: str, b: str) -> float:
        return float(np.corrcoef(returns[a], returns[b])[0, 1])

    assert corr("AAPL", "MSFT") > 0.5
    assert corr("AAPL", "MSFT") > corr("AAPL", "BTC-USD") > 0
    assert corr("ESZ26", "ZNZ26") < 0  # bonds hedge equities


def test_the_simulated_volatility_matches_the_instruments() -> None:
    prices = simulate(u.UNDERLIERS, steps=5000, seed=3)

    for spec in (u.UNDERLIERS[0], u.UNDERLIERS[-1]):
        annual = np.diff(np.log(prices.column(spec.symbol))).std() * np.sqrt(252)
        assert annual == pytest.approx(spec.vol, rel=0.05)


def test_business_days_skip_weekends() -> None:
    days = business_days_before(date(2026, 11, 23), 6)  # a Monday

    assert days == [
        date(2026, 11, 16),
        date(2026, 11, 17),
        date(2026, 11, 18),
        date(2026, 11, 19),
        date(2026, 11, 20),
        date(2026, 11, 23),
    ]


def test_option_expiries_are_third_fridays_ahead() -> None:
    expiries = u.option_expiries(date(2026, 11, 24))

    assert expiries == (date(2027, 1, 15), date(2027, 4, 16))
    assert all(e.weekday() == 4 and 15 <= e.day <= 21 for e in expiries)


def test_the_universe_spans_every_asset_class_with_60_plus_instruments() -> None:
    options = len(u.OPTION_UNDERLYINGS) * len(u.EXPIRY_MONTHS_AHEAD) * len(u.STRIKE_MONEYNESS) * 2

    assert len(u.UNDERLIERS) + options >= 60
    assert {x.asset_class for x in u.UNDERLIERS} == {"equity", "future", "fx", "crypto"}
    assert {x.currency for x in u.UNDERLIERS if x.asset_class == "equity"} == {"USD", "EUR"}
    assert len(u.ACCOUNTS) >= 12
    assert {a.base_currency for a in u.ACCOUNTS} == {"USD", "EUR"}
    assert all(len(a.strategies) >= 2 for a in u.ACCOUNTS)


def test_the_limits_and_analytics_demo_data_load_after_the_firm_in_that_order() -> None:
    assert [label for label, _ in EXTRAS] == ["limits", "analytics"]


# --- the command ----------------------------------------------------------------------------------


def _load() -> str:
    out = StringIO()
    call_command("load_demo", history_days=DAYS, no_extras=True, stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    models = (
        Account,
        Strategy,
        Membership,
        AccountGroup,
        Instrument,
        Price,
        PriceHistory,
        FxRate,
        RiskFreeRate,
    )
    return {m.__name__: m.objects.count() for m in (*models, Fill, Position, CashMovement, Token)}


@pytest.mark.django_db
def test_load_demo_builds_the_firm_and_prints_a_login_and_a_token() -> None:
    output = _load()

    token = Token.objects.get(user__username="oms").key
    assert token in output
    assert "username: admin" in output
    assert f"password: {u.DEMO_PASSWORD}" in output
    assert Account.objects.count() >= 12
    assert set(Account.objects.values_list("base_currency", flat=True)) == {"USD", "EUR"}
    assert all(a.strategies.count() >= 2 for a in Account.objects.all())
    assert AccountGroup.objects.count() == 2
    assert Membership.objects.filter(user__username="oms", role="trader").count() == Account.objects.count()
    assert Instrument.objects.count() >= 60
    options = Instrument.objects.filter(asset_class="option")
    assert options.values("underlying").distinct().count() >= 4
    assert PriceHistory.objects.count() == Instrument.objects.count() * DAYS
    assert Price.objects.count() == Instrument.objects.count()
    assert not Price.objects.filter(instrument__asset_class="option", implied_vol__isnull=True).exists()
    assert FxRate.objects.filter(base="EUR", quote="USD").exists()
    assert RiskFreeRate.objects.filter(currency="USD").exists()
    assert CashMovement.objects.count() == Account.objects.count()
    assert Position.objects.filter(quantity__gt=0).exists()
    assert Position.objects.filter(quantity__lt=0).exists()
    assert Position.objects.filter(realized_pnl__gt=0).exists()


@pytest.mark.django_db
def test_running_load_demo_twice_duplicates_nothing() -> None:
    first_output = _load()
    before = _counts()

    second_output = _load()

    assert _counts() == before
    token = Token.objects.get(user__username="oms").key
    assert token in first_output
    assert token in second_output


def _balances() -> dict[tuple[str, str], Decimal]:
    return {(b.account.code, b.currency): b.amount for b in CashBalance.objects.select_related("account")}


@pytest.mark.django_db
def test_demo_positions_equal_a_rebuild_from_the_demo_fills() -> None:
    from positions.services import positions_rebuild

    _load()
    live = _balances()

    for account in Account.objects.all():
        assert positions_rebuild(account=account).positions_changed == 0
    # Balances to the cent: SQLite keeps about 15 significant digits, so the last ones may differ.
    rebuilt = _balances()
    assert live.keys() == rebuilt.keys()
    assert all(abs(live[key] - rebuilt[key]) < Decimal("0.01") for key in live)


@pytest.mark.django_db
def test_reset_needs_debug_or_force(settings) -> None:
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--reset"):
        call_command("load_demo", reset=True, stdout=StringIO())


@pytest.mark.django_db
def test_too_little_history_is_refused() -> None:
    with pytest.raises(CommandError, match="history-days"):
        call_command("load_demo", history_days=10, stdout=StringIO())
    assert not Account.objects.exists()
