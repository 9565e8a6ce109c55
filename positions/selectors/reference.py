"""Reads of reference and market data. Not account-scoped: every authenticated user may read them."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from positions.models import FxRate, Instrument, Price, PriceHistory, RiskFreeRate


def instrument_list() -> QuerySet[Instrument]:
    return Instrument.objects.select_related("underlying").order_by("symbol")


def instruments_by_symbol(symbols: Iterable[str]) -> dict[str, Instrument]:
    """The instruments among `symbols`, in one query (list validation looks every item up here)."""
    wanted = {s for s in symbols if isinstance(s, str)}
    if not wanted:
        return {}
    return {i.symbol: i for i in Instrument.objects.select_related("underlying").filter(symbol__in=wanted)}


def price_list() -> QuerySet[Price]:
    return Price.objects.select_related("instrument").order_by("instrument__symbol")


def fx_rate_list() -> QuerySet[FxRate]:
    return FxRate.objects.order_by("base", "quote")


def price_history_list() -> QuerySet[PriceHistory]:
    return PriceHistory.objects.select_related("instrument").order_by("instrument__symbol", "date")


def risk_free_rate_list() -> QuerySet[RiskFreeRate]:
    return RiskFreeRate.objects.order_by("currency")
