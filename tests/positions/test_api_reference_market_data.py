"""FX rates, price history and risk-free rates."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from positions.models import FxRate, PriceHistory, RiskFreeRate
from tests.conftest import client_for
from tests.factories import FxRateFactory, InstrumentFactory, PriceHistoryFactory, RiskFreeRateFactory
from tests.positions.factories_reference import feed_user

pytestmark = pytest.mark.django_db
FX = "/api/v1/fx-rates/"
HISTORY = "/api/v1/price-history/"
RATES = "/api/v1/rates/"


def ts(minutes_ago: int = 1) -> str:
    return (timezone.now() - timedelta(minutes=minutes_ago)).isoformat()


@pytest.fixture
def aapl(db):
    return InstrumentFactory(symbol="AAPL")


# --- FX rates -----------------------------------------------------------------------------------


def test_staff_post_fx_rates_and_anyone_lists_them(staff, outsider) -> None:
    rates = [
        {"base": "EUR", "quote": "USD", "rate": "1.0850", "as_of": ts()},
        {"base": "USD", "quote": "JPY", "rate": "151.2", "as_of": ts()},
    ]

    response = client_for(staff).post(FX, rates, format="json")

    assert response.json() == {"created": 2, "updated": 0, "stale": []}
    listed = client_for(outsider).get(FX, {"base": "EUR"}).json()["results"]
    assert [(r["base"], r["quote"], r["rate"]) for r in listed] == [("EUR", "USD", "1.085")]


def test_an_older_fx_rate_does_not_overwrite_a_newer_one(staff) -> None:
    FxRateFactory(base="EUR", quote="USD", rate=Decimal("1.10"), as_of=timezone.now())

    response = client_for(staff).post(
        FX, [{"base": "EUR", "quote": "USD", "rate": "1.0", "as_of": ts(60)}], format="json"
    )

    assert response.json()["stale"] == ["EUR/USD"]
    assert FxRate.objects.get().rate == Decimal("1.10")


def test_a_newer_fx_rate_replaces_the_stored_one(staff) -> None:
    FxRateFactory(base="EUR", quote="USD", rate=Decimal("1.10"), as_of=timezone.now() - timedelta(hours=1))

    response = client_for(staff).post(
        FX, [{"base": "EUR", "quote": "USD", "rate": "1.2", "as_of": ts()}], format="json"
    )

    assert response.json() == {"created": 0, "updated": 1, "stale": []}
    assert FxRate.objects.get().rate == Decimal("1.2")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"base": "eur"}, "base"),
        ({"quote": "EURO-DOLLAR-X"}, "quote"),
        ({"quote": "EUR"}, "quote"),  # same as base
        ({"rate": "0"}, "rate"),
        ({"rate": "-1.1"}, "rate"),
        ({"rate": "1.12345678901"}, "rate"),
        ({"rate": "9" * 29}, "rate"),
        ({"rate": None}, "rate"),
        ({"as_of": "2026-13-01T00:00:00Z"}, "as_of"),
        ({"as_of": "2026-01-05 10:00"}, "as_of"),
        ({"as_of": (timezone.now() + timedelta(days=1)).isoformat()}, "as_of"),
        ({"bid": "1.08"}, "bid"),
    ],
)
def test_one_bad_fx_rate_rejects_the_list_naming_index_and_field(staff, change, field) -> None:
    rates = [
        {"base": "GBP", "quote": "USD", "rate": "1.27", "as_of": ts()},
        {"base": "EUR", "quote": "USD", "rate": "1.08", "as_of": ts(), **change},
    ]

    response = client_for(staff).post(FX, rates, format="json")

    assert response.status_code == 400
    assert field in response.json()["1"]
    assert not FxRate.objects.exists()


def test_fx_rates_need_staff_or_the_permission(account, owner) -> None:
    body = [{"base": "EUR", "quote": "USD", "rate": "1.08", "as_of": ts()}]

    assert client_for(owner).post(FX, body, format="json").status_code == 403
    assert client_for(feed_user("change_fxrate")).post(FX, body, format="json").status_code == 200


def test_fx_rates_are_401_for_anonymous_callers(api_client, db) -> None:
    assert api_client.get(FX).status_code == 401


# --- price history ------------------------------------------------------------------------------


def test_staff_upsert_daily_closes(staff, aapl) -> None:
    PriceHistoryFactory(instrument=aapl, date=date(2026, 1, 5), close=Decimal("100"))
    closes = [
        {"symbol": "AAPL", "date": "2026-01-05", "close": "101.5"},
        {"symbol": "AAPL", "date": "2026-01-06", "close": "102"},
    ]

    response = client_for(staff).post(HISTORY, closes, format="json")

    assert response.json() == {"created": 1, "updated": 1, "stale": []}
    stored = dict(PriceHistory.objects.values_list("date", "close"))
    assert stored == {date(2026, 1, 5): Decimal("101.5"), date(2026, 1, 6): Decimal("102")}


def test_price_history_is_filtered_by_symbol_and_date_range_and_paginated(outsider, aapl) -> None:
    other = InstrumentFactory(symbol="MSFT")
    for day in range(1, 11):
        PriceHistoryFactory(instrument=aapl, date=date(2026, 1, day), close=Decimal(100 + day))
        PriceHistoryFactory(instrument=other, date=date(2026, 1, day))
    client = client_for(outsider)

    body = client.get(
        HISTORY, {"symbol": "AAPL", "date_after": "2026-01-03", "date_before": "2026-01-08", "limit": 4}
    ).json()

    assert body["count"] == 6
    assert [(r["date"], r["close"]) for r in body["results"]] == [
        ("2026-01-03", "103"),
        ("2026-01-04", "104"),
        ("2026-01-05", "105"),
        ("2026-01-06", "106"),
    ]
    assert body["next"] is not None


def test_a_list_naming_the_same_day_twice_is_refused(staff, aapl) -> None:
    closes = [
        {"symbol": "AAPL", "date": "2026-01-05", "close": "1"},
        {"symbol": "AAPL", "date": "2026-01-06", "close": "2"},
        {"symbol": "AAPL", "date": "2026-01-05", "close": "3"},
    ]

    response = client_for(staff).post(HISTORY, closes, format="json")

    assert response.status_code == 400
    assert response.json() == {"2": {"date": ["Duplicate of item 0."]}}
    assert not PriceHistory.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"symbol": "NOPE"}, "symbol"),
        ({"date": "05/01/2026"}, "date"),
        ({"date": "2026-02-30"}, "date"),
        ({"date": "2026-01-05T00:00:00Z"}, "date"),
        ({"date": 20260105}, "date"),
        ({"date": (timezone.now().date() + timedelta(days=5)).isoformat()}, "date"),
        ({"close": "0"}, "close"),
        ({"close": "-3"}, "close"),
        ({"close": "ten"}, "close"),
        ({"close": "1.00000000001"}, "close"),
        ({"close": "1e40"}, "close"),
        ({"open": "1"}, "open"),
    ],
)
def test_one_bad_close_rejects_the_list_naming_index_and_field(staff, aapl, change, field) -> None:
    closes = [
        {"symbol": "AAPL", "date": "2026-01-02", "close": "100"},
        {"symbol": "AAPL", "date": "2026-01-05", "close": "101", **change},
    ]

    response = client_for(staff).post(HISTORY, closes, format="json")

    assert response.status_code == 400
    assert field in response.json()["1"]
    assert not PriceHistory.objects.exists()


def test_price_history_needs_staff_to_write(account, trader, aapl) -> None:
    body = [{"symbol": "AAPL", "date": "2026-01-05", "close": "1"}]

    assert client_for(trader).post(HISTORY, body, format="json").status_code == 403
    assert not PriceHistory.objects.exists()


def test_price_history_is_401_for_anonymous_callers(api_client, db) -> None:
    assert api_client.get(HISTORY).status_code == 401


# --- risk-free rates ----------------------------------------------------------------------------


def test_staff_upsert_risk_free_rates(staff, outsider) -> None:
    RiskFreeRateFactory(currency="USD", rate=Decimal("0.05"))

    response = client_for(staff).post(
        RATES, [{"currency": "USD", "rate": "0.0425"}, {"currency": "EUR", "rate": -0.005}], format="json"
    )

    assert response.json() == {"created": 1, "updated": 1, "stale": []}
    listed = client_for(outsider).get(RATES).json()["results"]
    assert [(r["currency"], r["rate"]) for r in listed] == [("EUR", "-0.005"), ("USD", "0.0425")]


@pytest.mark.parametrize(
    ("items", "field"),
    [
        ([{"currency": "usd", "rate": "0.01"}], "currency"),
        ([{"currency": "USD", "rate": "2"}], "rate"),
        ([{"currency": "USD", "rate": "0.123456789"}], "rate"),
        ([{"currency": "USD", "rate": "five"}], "rate"),
        ([{"currency": "USD"}], "rate"),
        ([{"currency": "USD", "rate": "0.01", "tenor": "1y"}], "tenor"),
        ([{"currency": "EUR", "rate": "0.01"}, {"currency": "EUR", "rate": "0.02"}], "currency"),
    ],
)
def test_bad_rates_are_refused_naming_the_field(staff, items, field) -> None:
    response = client_for(staff).post(RATES, items, format="json")

    assert response.status_code == 400
    errors = response.json()
    assert field in errors[str(len(items) - 1)]
    assert not RiskFreeRate.objects.exists()


def test_rates_need_staff_to_write(account, owner) -> None:
    assert (
        client_for(owner).post(RATES, [{"currency": "USD", "rate": "0.01"}], format="json").status_code == 403
    )


def test_rates_are_401_for_anonymous_callers(api_client, db) -> None:
    assert api_client.get(RATES).status_code == 401
