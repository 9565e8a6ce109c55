"""Authentication, visibility (404), roles (403), throttling (429), the schema and its docs page."""

from __future__ import annotations

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.contract import api as a
from tests.contract.api import Api

pytestmark = pytest.mark.django_db(transaction=True)

UNDER_ACCOUNT = [
    ("get", "accounts/{code}/"),
    ("patch", "accounts/{code}/"),
    ("get", "accounts/{code}/strategies/"),
    ("post", "accounts/{code}/strategies/"),
    ("get", "accounts/{code}/members/"),
    ("post", "accounts/{code}/members/"),
    ("delete", "accounts/{code}/members/someone/"),
    ("post", "accounts/{code}/cash-movements/"),
    ("get", "accounts/{code}/limits/"),
    ("put", "accounts/{code}/limits/"),
    ("patch", "accounts/{code}/limits/"),
    ("get", "accounts/{code}/strategies/momo/limits/"),
    ("patch", "accounts/{code}/strategies/momo/limits/"),
    ("post", "accounts/{code}/trading-state/"),
    ("post", "accounts/{code}/strategies/momo/trading-state/"),
    ("get", "accounts/{code}/positions/"),
    ("get", "accounts/{code}/summary/"),
    ("get", "accounts/{code}/risk/var/"),
    ("get", "accounts/{code}/risk/greeks/"),
    ("post", "accounts/{code}/risk/stress/"),
    ("get", "accounts/{code}/risk/backtest/"),
    ("get", "accounts/{code}/risk/reports/"),
]

TOP_LEVEL = [
    ("get", "accounts/"),
    ("get", "instruments/"),
    ("get", "prices/"),
    ("post", "prices/"),
    ("post", "fx-rates/"),
    ("post", "price-history/"),
    ("post", "rates/"),
    ("get", "groups/"),
    ("post", "checks/"),
    ("get", "checks/"),
    ("post", "checks/batch/"),
    ("post", "fills/"),
    ("get", "alerts/"),
]


def call(api: Api, method: str, path: str) -> int:
    fn = getattr(api, method)
    return int((fn(path) if method in ("get", "delete") else fn(path, {})).status_code)


@pytest.fixture
def setup(admin: Api) -> Api:
    a.market(admin)
    a.account(admin)
    a.account(admin, "ACC-2")
    return admin


@pytest.mark.parametrize(("method", "path"), UNDER_ACCOUNT + TOP_LEVEL)
def test_anonymous_and_bad_tokens_get_401(setup: Api, method: str, path: str) -> None:
    anon = Api(APIClient())
    assert call(anon, method, path.format(code="ACC-1")) == 401
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert call(Api(bad), method, path.format(code="ACC-1")) == 401


@pytest.mark.parametrize(("method", "path"), UNDER_ACCOUNT)
def test_an_account_the_caller_may_not_see_is_404_like_one_that_does_not_exist(
    setup: Api, method: str, path: str
) -> None:
    outsider = a.member("ACC-2", "risk_manager")
    assert call(outsider, method, path.format(code="ACC-1")) == 404
    assert call(outsider, method, path.format(code="NOPE")) == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("patch", "accounts/{code}/"),
        ("post", "accounts/{code}/strategies/"),
        ("post", "accounts/{code}/members/"),
        ("delete", "accounts/{code}/members/someone/"),
        ("post", "accounts/{code}/cash-movements/"),
        ("put", "accounts/{code}/limits/"),
        ("patch", "accounts/{code}/limits/"),
        ("patch", "accounts/{code}/strategies/momo/limits/"),
        ("post", "accounts/{code}/trading-state/"),
        ("post", "accounts/{code}/strategies/momo/trading-state/"),
    ],
)
def test_a_trader_sees_the_account_but_may_not_manage_it(setup: Api, method: str, path: str) -> None:
    trader = a.member("ACC-1", "trader")
    assert call(trader, method, path.format(code="ACC-1")) == 403


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "accounts/{code}/"),
        ("get", "accounts/{code}/positions/"),
        ("get", "accounts/{code}/summary/"),
        ("get", "accounts/{code}/limits/"),
        ("get", "accounts/{code}/strategies/"),
        ("get", "accounts/{code}/risk/reports/"),
    ],
)
def test_a_viewer_reads(setup: Api, method: str, path: str) -> None:
    viewer = a.member("ACC-1", "viewer")
    assert call(viewer, method, path.format(code="ACC-1")) == 200


def test_a_viewer_may_not_record_fills(setup: Api) -> None:
    viewer = a.member("ACC-1", "viewer")
    assert (
        viewer.post(
            "fills/",
            {
                "fill_id": "f1",
                "account": "ACC-1",
                "symbol": "AAPL",
                "side": "buy",
                "quantity": "1",
                "price": "100",
                "executed_at": a.now_iso(),
            },
        ).status_code
        == 403
    )


def test_a_fill_on_an_invisible_account_does_not_reveal_it(setup: Api) -> None:
    outsider = a.member("ACC-2", "trader")
    body = {
        "fill_id": "f1",
        "account": "ACC-1",
        "symbol": "AAPL",
        "side": "buy",
        "quantity": "1",
        "price": "100",
        "executed_at": a.now_iso(),
    }
    hidden = outsider.post("fills/", body)
    missing = outsider.post("fills/", {**body, "account": "NOPE"})
    assert hidden.status_code in (400, 404)
    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())


def test_the_token_endpoint_exchanges_credentials_for_a_token(setup: Api) -> None:
    from tests.factories import UserFactory

    UserFactory(username="oms")
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": "oms", "password": a.PASSWORD}, format="json")
    assert response.status_code == 200
    assert set(response.json()) >= {"token"}
    assert isinstance(response.json()["token"], str)
    wrong = client.post("/api/v1/auth/token/", {"username": "oms", "password": "nope"}, format="json")
    assert wrong.status_code == 400


def test_the_token_endpoint_is_throttled_with_429(setup: Api) -> None:
    # The throttle history lives in the cache: under pytest-xdist with one shared Redis database,
    # another worker's cache.clear() (tests/conftest.py) can wipe it mid-test.
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["auth"]
    allowed = int(rate.split("/")[0])
    client = APIClient()
    codes = [
        client.post("/api/v1/auth/token/", {"username": "x", "password": "y"}, format="json").status_code
        for _ in range(allowed + 1)
    ]
    assert 429 not in codes[:allowed]
    assert codes[-1] == 429


def test_trailing_slashes_are_as_documented(setup: Api) -> None:
    # The documented form answers; the form without a slash is not another endpoint.
    assert setup.get("accounts/ACC-1/positions/").status_code == 200
    assert setup.get("accounts/ACC-1/positions").status_code in (301, 404)


def test_the_schema_documents_every_contract_path(setup: Api) -> None:
    response = setup.client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    import json

    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    expected = {
        "/api/v1/auth/token/",
        "/api/v1/instruments/",
        "/api/v1/instruments/{symbol}/",
        "/api/v1/prices/",
        "/api/v1/fx-rates/",
        "/api/v1/price-history/",
        "/api/v1/rates/",
        "/api/v1/accounts/",
        "/api/v1/accounts/{code}/",
        "/api/v1/accounts/{code}/strategies/",
        "/api/v1/accounts/{code}/members/",
        "/api/v1/accounts/{code}/members/{username}/",
        "/api/v1/accounts/{code}/cash-movements/",
        "/api/v1/accounts/{code}/limits/",
        "/api/v1/accounts/{code}/strategies/{strategy}/limits/",
        "/api/v1/groups/",
        "/api/v1/groups/{group}/",
        "/api/v1/groups/{group}/limits/",
        "/api/v1/accounts/{code}/trading-state/",
        "/api/v1/accounts/{code}/strategies/{strategy}/trading-state/",
        "/api/v1/groups/{group}/trading-state/",
        "/api/v1/checks/",
        "/api/v1/checks/batch/",
        "/api/v1/checks/{check_id}/release/",
        "/api/v1/fills/",
        "/api/v1/accounts/{code}/positions/",
        "/api/v1/accounts/{code}/summary/",
        "/api/v1/accounts/{code}/risk/var/",
        "/api/v1/accounts/{code}/risk/greeks/",
        "/api/v1/accounts/{code}/risk/stress/",
        "/api/v1/accounts/{code}/risk/backtest/",
        "/api/v1/accounts/{code}/risk/reports/",
        "/api/v1/alerts/",
        "/api/v1/alerts/{id}/acknowledge/",
    }
    assert expected - paths == set()


def test_the_docs_page_is_served(setup: Api) -> None:
    response = setup.client.get("/api/v1/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_a_post_without_the_trailing_slash_is_not_a_5xx(setup: Api) -> None:
    trader = a.member("ACC-1", "trader")
    response = trader.client.post("/api/v1/checks", a.order(), format="json")
    assert response.status_code < 500


def test_an_unknown_strategy_or_group_is_404(setup: Api) -> None:
    assert setup.get("accounts/ACC-1/strategies/nope/limits/").status_code == 404
    assert (
        setup.post(
            "accounts/ACC-1/strategies/nope/trading-state/", {"state": "halted", "reason": "x"}
        ).status_code
        == 404
    )
    assert setup.get("groups/NOPE/").status_code == 404
    assert setup.get("groups/NOPE/limits/").status_code == 404
    assert setup.post("groups/NOPE/trading-state/", {"state": "halted", "reason": "x"}).status_code == 404
    assert setup.get("instruments/NOPE/").status_code == 404
