"""Fixtures of the pre-trade check tests: market data, a funded account, limits, fills, orders."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import Account, AccountGroup, Strategy
from limits.services import limit_set_update, trading_state_set
from positions.models import Instrument
from positions.services.cash import cash_movement_record
from positions.services.fills import FillInput, fills_record
from tests.conftest import client_for
from tests.factories import (
    AccountGroupFactory,
    FxRateFactory,
    InstrumentFactory,
    PriceFactory,
    StrategyFactory,
)

# Every configuration the README offers for the check: its store and where the shared state lives.
CONFIGURATIONS = {
    "orm+database": ("orm", "database"),  # SQLite (the demo), or PostgreSQL with the reference store
    "orm+redis": ("orm", "redis"),
    "postgres+database": ("postgres", "database"),  # PostgreSQL alone
    "postgres+redis": ("postgres", "redis"),  # production
}


@pytest.fixture(params=list(CONFIGURATIONS))
def configuration(request: pytest.FixtureRequest, settings: Any, db: None) -> str:
    """Runs a test once per configuration this machine offers (PostgreSQL and Redis where available;
    with RISK_REQUIRE_SERVICES a missing one fails)."""
    store, state = CONFIGURATIONS[request.param]
    if store == "postgres":
        request.getfixturevalue("postgres")
    if state == "redis":
        settings.REDIS_URL = request.getfixturevalue("redis_url")
    settings.RISK_CHECK_STORE = store
    settings.RISK_SHARED_STATE = state
    return str(request.param)


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def market(db: None) -> dict[str, Instrument]:
    """AAPL and MSFT in USD at 100 and 200, SAP in EUR at 50, EUR/USD 1.10; margin rate 10%."""
    aapl = InstrumentFactory(symbol="AAPL", currency="USD", margin_rate=Decimal("0.10"))
    msft = InstrumentFactory(symbol="MSFT", currency="USD", margin_rate=Decimal("0.10"))
    sap = InstrumentFactory(symbol="SAP", currency="EUR", margin_rate=Decimal("0.10"))
    PriceFactory(instrument=aapl, price=Decimal("100"))
    PriceFactory(instrument=msft, price=Decimal("200"))
    PriceFactory(instrument=sap, price=Decimal("50"))
    FxRateFactory(base="EUR", quote="USD", rate=Decimal("1.10"))
    return {"AAPL": aapl, "MSFT": msft, "SAP": sap}


def deposit(account: Account, amount: str, currency: str = "USD") -> None:
    cash_movement_record(
        account=account, movement_id=f"dep-{uuid.uuid4().hex[:8]}", currency=currency, amount=Decimal(amount)
    )


@pytest.fixture
def funded(account: Account, market: dict[str, Instrument]) -> Account:
    """ACC-1 with 1,000,000 USD of cash and the market above."""
    deposit(account, "1000000")
    return account


@pytest.fixture
def strategy(funded: Account) -> Strategy:
    return StrategyFactory(account=funded, code="momo")


@pytest.fixture
def group(funded: Account) -> AccountGroup:
    desk = AccountGroupFactory(code="DESK-1", base_currency="USD")
    desk.accounts.add(funded)
    return desk


def set_limits(target: Any, **values: Any) -> None:
    limit_set_update(target=target, values=values, reason="test", changed_by=None)


def set_state(target: Any, state: str) -> None:
    trading_state_set(target=target, state=state, reason="test", changed_by=None)


def fill(
    account: Account,
    symbol: str,
    side: str,
    quantity: str,
    price: str,
    *,
    strategy: Strategy | None = None,
    check_id: str | uuid.UUID | None = None,
    fill_id: str | None = None,
) -> None:
    fills_record(
        fills=[
            FillInput(
                account=account,
                fill_id=fill_id or f"f-{uuid.uuid4().hex[:10]}",
                instrument=Instrument.objects.get(symbol=symbol),
                side=side,
                quantity=Decimal(quantity),
                price=Decimal(price),
                executed_at=datetime.now(UTC),
                strategy=strategy,
                check_id=uuid.UUID(str(check_id)) if check_id else None,
            )
        ]
    )


def order(**overrides: Any) -> dict[str, Any]:
    """A limit buy of 100 AAPL at 100 on ACC-1, with `overrides`."""
    body: dict[str, Any] = {
        "account": "ACC-1",
        "symbol": "AAPL",
        "side": "buy",
        "quantity": "100",
        "price": "100",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


@pytest.fixture
def trader_client(trader: Any) -> APIClient:
    return client_for(trader)


@pytest.fixture
def check(trader_client: APIClient) -> Callable[..., dict[str, Any]]:
    """POST one order as the trader and return the JSON (asserting 200)."""

    def run(**overrides: Any) -> dict[str, Any]:
        response = trader_client.post("/api/v1/checks/", order(**overrides), format="json")
        assert response.status_code == 200, response.content
        return dict(response.json())

    return run


def codes(result: dict[str, Any]) -> set[tuple[str, str]]:
    return {(v["code"], v["scope"]) for v in result["violations"]}
