"""FX table: direct, inverse, cross, missing (pure)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from positions.ledger.errors import MissingFxRate
from positions.ledger.fx import FxTable


def table(*rows: tuple[str, str, str]) -> FxTable:
    return FxTable((b, q, D(r)) for b, q, r in rows)


def test_the_same_currency_is_one_even_with_an_empty_table() -> None:
    assert table().rate("JPY", "JPY") == 1


def test_it_uses_the_direct_rate() -> None:
    assert table(("EUR", "USD", "1.10")).rate("EUR", "USD") == D("1.10")


def test_it_inverts_the_opposite_rate() -> None:
    rate = table(("EUR", "USD", "1.25")).rate("USD", "EUR")
    assert rate == D("0.8")


def test_it_crosses_through_usd() -> None:
    fx = table(("EUR", "USD", "1.10"), ("USD", "JPY", "150"))
    assert fx.rate("EUR", "JPY") == D("165.0")
    assert fx.rate("JPY", "EUR") == pytest.approx(D(1) / D(165), rel=D("1e-20"))


def test_it_crosses_through_any_common_currency_when_usd_has_no_legs() -> None:
    fx = table(("GBP", "CHF", "1.12"), ("JPY", "CHF", "0.006"))
    assert fx.rate("GBP", "JPY") == pytest.approx(D("1.12") / D("0.006"), rel=D("1e-20"))


def test_it_prefers_usd_as_the_pivot_when_several_crosses_exist() -> None:
    fx = table(("EUR", "USD", "1.10"), ("USD", "JPY", "150"), ("EUR", "CHF", "1"), ("CHF", "JPY", "1"))
    assert fx.rate("EUR", "JPY") == D("165.0")


def test_a_missing_rate_raises_missing_fx_rate_naming_the_pair() -> None:
    fx = table(("EUR", "USD", "1.10"))
    with pytest.raises(MissingFxRate) as excinfo:
        fx.rate("EUR", "JPY")
    assert excinfo.value.code == "missing_fx_rate"
    assert (excinfo.value.base, excinfo.value.quote) == ("EUR", "JPY")
    assert "EUR/JPY" in str(excinfo.value)


def test_two_hop_chains_are_not_searched() -> None:
    fx = table(("AAA", "BBB", "2"), ("BBB", "CCC", "3"), ("CCC", "DDD", "5"))
    assert fx.rate("AAA", "CCC") == D(6)
    with pytest.raises(MissingFxRate):
        fx.rate("AAA", "DDD")


def test_a_zero_or_negative_rate_is_unusable_not_a_conversion() -> None:
    fx = table(("EUR", "USD", "0"), ("GBP", "USD", "-1"))
    with pytest.raises(MissingFxRate):
        fx.rate("EUR", "USD")
    with pytest.raises(MissingFxRate):
        fx.rate("USD", "GBP")


def test_convert_multiplies_by_the_rate() -> None:
    fx = table(("EUR", "USD", "1.10"))
    assert fx.convert(D(100), "EUR", "USD") == D("110.00")
    assert fx.convert(D(100), "USD", "USD") == D(100)
