"""A thin client of the public API, as an OMS or a risk tool would write it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from rest_framework.response import Response
from rest_framework.test import APIClient

from tests.factories import MembershipFactory, UserFactory

BASE = "/api/v1/"
PASSWORD = "pw-for-tests-1"


class Api:
    """JSON in and out against /api/v1/."""

    def __init__(self, client: APIClient) -> None:
        self.client = client

    def _url(self, path: str) -> str:
        return path if path.startswith("/") else BASE + path

    def get(self, path: str, params: dict[str, Any] | None = None) -> Response:
        return self.client.get(self._url(path), params or {}, format="json")  # type: ignore[no-any-return]

    def post(self, path: str, body: Any = None) -> Response:
        return self.client.post(self._url(path), body, format="json")  # type: ignore[no-any-return]

    def put(self, path: str, body: Any) -> Response:
        return self.client.put(self._url(path), body, format="json")  # type: ignore[no-any-return]

    def patch(self, path: str, body: Any) -> Response:
        return self.client.patch(self._url(path), body, format="json")  # type: ignore[no-any-return]

    def delete(self, path: str) -> Response:
        return self.client.delete(self._url(path))  # type: ignore[no-any-return]

    def ok(self, method: str, path: str, body: Any = None, expect: int | tuple[int, ...] = (200, 201)) -> Any:
        response = getattr(self, method)(path, body) if body is not None else getattr(self, method)(path)
        wanted = expect if isinstance(expect, tuple) else (expect,)
        assert response.status_code in wanted, (method, path, response.status_code, response.content[:800])
        return response.json() if response.content else None


def staff_api(user: Any) -> Api:
    client = APIClient()
    client.force_authenticate(user=user)
    return Api(client)


def token_api(username: str, password: str = PASSWORD) -> Api:
    """Logs in the way an OMS does: POST /auth/token/, then `Authorization: Token <key>`."""
    client = APIClient()
    response = client.post(BASE + "auth/token/", {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return Api(client)


def member(account: str, role: str, username: str | None = None) -> Api:
    """A user with `role` on `account` (factories), logged in through the token endpoint."""
    from accounts.models import Account

    name = username or f"{role}-{account}".lower()
    user = UserFactory(username=name)
    MembershipFactory(user=user, account=Account.objects.get(code=account), role=role)
    return token_api(name)


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def uid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def instrument(admin: Api, symbol: str, currency: str = "USD", **extra: Any) -> Any:
    body = {
        "symbol": symbol,
        "asset_class": "equity",
        "currency": currency,
        "multiplier": "1",
        "margin_rate": "0.10",
        **extra,
    }
    return admin.ok("post", "instruments/", body, expect=201)


def prices(admin: Api, marks: dict[str, str], implied_vol: dict[str, str] | None = None) -> Any:
    items = []
    for symbol, price in marks.items():
        item: dict[str, Any] = {"symbol": symbol, "price": price, "as_of": now_iso()}
        if implied_vol and symbol in implied_vol:
            item["implied_vol"] = implied_vol[symbol]
        items.append(item)
    return admin.ok("post", "prices/", items)


def fx(admin: Api, base: str, quote: str, rate: str) -> Any:
    return admin.ok("post", "fx-rates/", [{"base": base, "quote": quote, "rate": rate, "as_of": now_iso()}])


def market(admin: Api) -> None:
    """AAPL 100 and MSFT 200 (USD), SAP 50 (EUR), EUR/USD 1.10, NOPX without a mark, TYO 1000 JPY
    with no JPY rate at all."""
    for symbol in ("AAPL", "MSFT"):
        instrument(admin, symbol)
    instrument(admin, "SAP", "EUR")
    instrument(admin, "NOPX")
    instrument(admin, "TYO", "JPY")
    prices(admin, {"AAPL": "100", "MSFT": "200", "SAP": "50", "TYO": "1000"})
    fx(admin, "EUR", "USD", "1.10")


def account(
    admin: Api,
    code: str = "ACC-1",
    base: str = "USD",
    cash: str | None = "1000000",
    strategies: tuple[str, ...] = ("momo",),
) -> Any:
    body = admin.ok(
        "post", "accounts/", {"code": code, "name": f"Account {code}", "base_currency": base}, expect=201
    )
    for strategy in strategies:
        admin.ok("post", f"accounts/{code}/strategies/", {"code": strategy, "name": strategy}, expect=201)
    if cash is not None:
        deposit(admin, code, cash, base)
    return body


def deposit(admin: Api, code: str, amount: str, currency: str = "USD") -> Any:
    body = {"movement_id": uid("dep"), "currency": currency, "amount": amount, "reason": "funding"}
    return admin.ok("post", f"accounts/{code}/cash-movements/", body, expect=201)


def order(
    account: str = "ACC-1",
    symbol: str = "AAPL",
    side: str = "buy",
    quantity: Any = "10",
    price: Any = "100",
    **extra: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "account": account,
        "symbol": symbol,
        "side": side,
        "quantity": quantity,
        "order_type": "limit",
        **extra,
    }
    if price is not None:
        body["price"] = price
    return body


def check(api: Api, **kwargs: Any) -> Any:
    return api.ok("post", "checks/", order(**kwargs), expect=200)


def codes(result: dict[str, Any], key: str = "violations") -> set[str]:
    """The codes of the findings, after checking each finding has the contract's shape."""
    for finding in result[key]:
        assert set(finding) >= {"code", "scope", "message", "limit", "value"}, finding
        assert finding["scope"] in ("account", "strategy", "group"), finding
        for field in ("limit", "value"):
            assert finding[field] is None or is_decimal_string(finding[field]), (field, finding)
    return {finding["code"] for finding in result[key]}


def fill(
    api: Api,
    account: str = "ACC-1",
    symbol: str = "AAPL",
    side: str = "buy",
    quantity: str = "10",
    price: str = "100",
    expect: int | tuple[int, ...] = 201,
    **extra: Any,
) -> Any:
    body = {
        "fill_id": uid("f"),
        "account": account,
        "symbol": symbol,
        "side": side,
        "quantity": quantity,
        "price": price,
        "executed_at": now_iso(),
        **extra,
    }
    return api.ok("post", "fills/", body, expect=expect)


def limits(api: Api, path: str, **values: Any) -> Any:
    return api.ok("patch", f"{path}limits/", values, expect=200)


def is_decimal_string(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        Decimal(value)
    except ArithmeticError:
        return False
    return True


def results(body: Any) -> list[Any]:
    """A list endpoint's rows whether it answers a bare list or a page."""
    if isinstance(body, dict) and "results" in body:
        return list(body["results"])
    assert isinstance(body, list), body
    return body


def weekdays_before(end: Any, count: int) -> list[Any]:
    """The `count` weekdays up to and excluding `end`, oldest first."""
    from datetime import timedelta

    days = []
    day = end - timedelta(days=1)
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return days[::-1]


def random_closes(seed: int, start: float, count: int, vol: float = 0.015) -> list[str]:
    """A deterministic random walk of closes, as the two-decimal strings a feed would send."""
    import numpy as np

    rng = np.random.default_rng(seed)
    path = start * np.cumprod(1.0 + rng.normal(0.0, vol, count))
    return [f"{value:.2f}" for value in path]


def history(admin: Api, closes: dict[str, list[str]], days: list[Any]) -> None:
    items = [
        {"symbol": symbol, "date": day.isoformat(), "close": close}
        for symbol, series in closes.items()
        for day, close in zip(days, series, strict=True)
    ]
    admin.ok("post", "price-history/", items)
