"""A funded account with a varied book and two years of history, driven through the public API."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from accounts.models import Account
from positions.models import Instrument
from positions.services.cash import cash_movement_record
from tests.analytics.helpers import listed, option_on
from tests.conftest import client_for
from tests.factories import FxRateFactory

PARAMETRIC = "method=parametric&confidence=0.99&horizon_days=1&lookback_days=250"


def funded_book(account: Account, owner: Any) -> Any:
    """ACC-1 with 2,000,000 USD, long AAPL, short SAP (EUR), long calls on AAPL; 300 days of
    history; an API client of its risk manager."""
    listed("AAPL", price="187.20", seed=1)
    listed("MSFT", price="410", seed=2)
    listed("SAP", price="120", seed=3, currency="EUR")
    FxRateFactory(base="EUR", quote="USD", rate=Decimal("1.08"))
    option_on(Instrument.objects.get(symbol="AAPL"), "AAPL-C190", strike="190", price="6.10")
    cash_movement_record(account=account, movement_id="d", currency="USD", amount=Decimal("2000000"))
    api = client_for(owner)
    for symbol, side, qty, price in (("AAPL", "buy", "1000", "180"), ("SAP", "sell", "500", "121"),
                                      ("AAPL-C190", "buy", "20", "6")):  # fmt: skip
        fill(api, symbol, side, qty, price)
    return api


def the_account() -> Account:
    return Account.objects.get(code="ACC-1")


def fill(api, symbol: str, side: str, quantity: str, price: str, check_id: str | None = None) -> None:
    body: dict[str, Any] = {
        "fill_id": uuid.uuid4().hex, "account": "ACC-1", "symbol": symbol, "side": side,
        "quantity": quantity, "price": price, "executed_at": datetime.now(UTC).isoformat(),
    }  # fmt: skip
    if check_id:
        body["check_id"] = check_id
    response = api.post("/api/v1/fills/", body, format="json")
    assert response.status_code == 201, response.content


def check(api, **order: Any) -> dict[str, Any]:
    body = {
        "account": "ACC-1",
        "symbol": "AAPL",
        "side": "buy",
        "quantity": "100",
        "price": "187.20",
        **order,
    }
    response = api.post("/api/v1/checks/", body, format="json")
    assert response.status_code == 200, response.content
    return dict(response.json())


def endpoint_var(api) -> float:
    response = api.get(f"/api/v1/accounts/ACC-1/risk/var/?{PARAMETRIC}")
    assert response.status_code == 200, response.content
    return float(response.json()["var"])
