"""Formats across every read: timestamps carry an offset, dates are YYYY-MM-DD, and money, prices
and quantities are decimal strings, never binary floats."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.contract import api as a
from tests.contract.api import Api

pytestmark = pytest.mark.django_db(transaction=True)

DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")
OFFSET = re.compile(r"(Z|[+-]\d\d:\d\d)$")
# Risk figures may be JSON numbers; utilization is a percentage map.
FLOAT_ALLOWED = {"var_99", "utilization"}


def walk(value: Any, path: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [item for k, v in value.items() for item in walk(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [item for i, v in enumerate(value) for item in walk(v, f"{path}[{i}]")]
    return [(path, value)]


@pytest.fixture
def busy(admin: Api) -> Api:
    a.market(admin)
    a.account(admin)
    trader = a.member("ACC-1", "trader")
    a.limits(admin, "accounts/ACC-1/", max_order_quantity="1000", max_leverage="4")
    checked = a.check(trader, quantity="10", price="100")
    a.fill(trader, quantity="10", price="100", fee="0.5", check_id=checked["check_id"])
    a.fill(trader, symbol="SAP", side="sell", quantity="3", price="50")
    a.check(trader, quantity="5000")
    return trader


READS = [
    "accounts/",
    "accounts/ACC-1/",
    "accounts/ACC-1/strategies/",
    "accounts/ACC-1/members/",
    "accounts/ACC-1/cash-movements/",
    "accounts/ACC-1/limits/",
    "accounts/ACC-1/positions/",
    "accounts/ACC-1/summary/",
    "instruments/",
    "prices/",
    "fills/",
    "checks/?account=ACC-1",
]


@pytest.mark.parametrize("path", READS)
def test_timestamps_have_offsets_and_money_is_never_a_float(busy: Api, path: str) -> None:
    body = busy.ok("get", path)
    for where, value in walk(body):
        if isinstance(value, str) and DATETIME.match(value):
            assert OFFSET.search(value), (path, where, value)
        if isinstance(value, float):
            assert any(f".{name}" in where for name in FLOAT_ALLOWED), (path, where, value)


def test_a_check_answer_has_no_floats(busy: Api) -> None:
    body = a.check(busy, quantity="5000")
    for where, value in walk(body):
        assert not isinstance(value, float), (where, value)
