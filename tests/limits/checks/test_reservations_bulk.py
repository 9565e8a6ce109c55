"""A list of fills consumes the reservations its check_ids name exactly as the same fills posted one
per call would, keeps the totals equal to the decisions, and costs the same statements for any
number of fills."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Account, Strategy
from limits.checks.reservations import consume_for_fills, expire_reservations, rebuild_reservation_totals
from limits.models import CheckDecision, ReservationTotal
from positions.models import Fill, Instrument
from positions.services import FillInput, fills_record
from tests.factories import AccountFactory
from tests.limits.checks.conftest import set_limits

pytestmark = pytest.mark.django_db

LABELS = ("aapl", "msft_sell", "momo", "rejected", "released", "expired", "lapsed")


def totals() -> dict[tuple, Decimal]:
    return {
        (t.account_id, t.strategy_id, t.symbol, t.side, t.expires_at): t.quantity
        for t in ReservationTotal.objects.all()
    }


def assert_totals_equal_a_rebuild() -> None:
    live = {key: qty for key, qty in totals().items() if qty}
    rebuild_reservation_totals()
    assert live == totals()


def checks(check: Callable[..., dict[str, Any]], trader_client: Any) -> dict[str, str]:
    """One check of each kind: accepted (three), rejected, released, expired and cleaned up, and
    lapsed (past its expiry, not yet cleaned up: it still holds its open quantity)."""
    ids = {
        "aapl": check(quantity="100")["check_id"],
        "msft_sell": check(symbol="MSFT", side="sell", quantity="50", price="200")["check_id"],
        "momo": check(quantity="40", strategy="momo")["check_id"],
        "rejected": check(quantity="5000")["check_id"],
        "released": check(quantity="20")["check_id"],
    }
    assert trader_client.post(f"/api/v1/checks/{ids['released']}/release/").status_code == 200
    now = timezone.now()
    with override_settings(RISK_RESERVATION_TTL_SECONDS=60):
        with mock.patch("limits.checks.service.timezone.now", return_value=now - timedelta(hours=1)):
            ids["expired"] = check(quantity="30")["check_id"]
        with mock.patch("limits.checks.service.timezone.now", return_value=now - timedelta(minutes=10)):
            ids["lapsed"] = check(quantity="25")["check_id"]
    return ids


def clean_up_the_expired() -> None:
    """The cleanup as it ran half an hour ago: the expired checks zeroed, the lapsed ones not yet."""
    expire_reservations(now=timezone.now() - timedelta(minutes=30))


def fills(account: Account, other: Account, momo: Strategy, ids: dict[str, str], tag: str) -> list[FillInput]:
    symbols = {s: Instrument.objects.get(symbol=s) for s in ("AAPL", "MSFT")}
    when = datetime.now(UTC) - timedelta(seconds=5)

    def f(check: str | None, side: str, qty: str, symbol: str = "AAPL", *, to: Account = account,
          strategy: Strategy | None = None) -> FillInput:  # fmt: skip
        return FillInput(
            account=to, fill_id=f"{tag}-{uuid.uuid4().hex[:8]}", instrument=symbols[symbol], side=side,
            quantity=Decimal(qty), price=Decimal(100), executed_at=when, strategy=strategy,
            check_id=uuid.UUID(ids[check]) if check in ids else (uuid.uuid4() if check else None),
        )  # fmt: skip

    return [
        f("aapl", "buy", "40"),  # partial
        f("aapl", "buy", "30"),  # partial again, in the same list
        f("msft_sell", "buy", "10", "MSFT"),  # the other side: nothing
        f("aapl", "buy", "50"),  # over-fill: consumes the 30 left
        f("msft_sell", "sell", "10"),  # another symbol: nothing
        f("aapl", "buy", "10"),  # nothing left
        f("msft_sell", "sell", "10", "MSFT", to=other),  # another account: nothing
        f("msft_sell", "sell", "20", "MSFT"),  # consumes 20
        f("momo", "buy", "15", strategy=momo),
        f("momo", "buy", "5"),  # a check's strategy is not matched: consumes as before
        f("rejected", "buy", "10"),
        f("released", "buy", "10"),
        f("expired", "buy", "10"),
        f("lapsed", "buy", "10"),  # still open: consumed (its total too, until the cleanup)
        f(None, "buy", "10"),
        f("unknown", "buy", "10"),  # names no check at all
        f("msft_sell", "sell", "40", "MSFT"),  # over-fill: the 30 left
    ]


def state(ids: dict[str, str]) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    rows = {str(d.check_id): d for d in CheckDecision.objects.filter(check_id__in=list(ids.values()))}
    return {
        label: (rows[cid].open_quantity, rows[cid].filled_quantity, rows[cid].released_quantity)
        for label, cid in ids.items()
    }


@pytest.fixture
def world(funded, strategy, check, trader_client) -> Callable[[], tuple[dict[str, str], Any]]:
    set_limits(funded, max_order_quantity="1000")
    other = AccountFactory(code="ACC-2")

    def make() -> tuple[dict[str, str], Callable[[str], list[FillInput]]]:
        ids = checks(check, trader_client)
        return ids, lambda tag: fills(funded, other, strategy, ids, tag)

    return make


def test_a_list_consumes_exactly_what_the_same_fills_one_per_call_consume(world) -> None:
    bulk_ids, bulk_fills = world()
    single_ids, single_fills = world()
    clean_up_the_expired()
    before = state(bulk_ids)
    assert before["lapsed"][0] == Decimal(25)
    assert before["expired"][0] == Decimal(0)

    with CaptureQueriesContext(connection) as captured:
        fills_record(fills=bulk_fills("bulk"))
    # The named decisions are read (and locked) in one statement, whatever the number of fills.
    reads = [q["sql"] for q in captured.captured_queries if 'FROM "limits_checkdecision"' in q["sql"]]
    assert len(reads) == 1
    for item in single_fills("single"):
        fills_record(fills=[item])

    assert state(bulk_ids) == state(single_ids)
    assert state(bulk_ids) == {
        "aapl": (Decimal(0), Decimal(100), Decimal(0)),
        "msft_sell": (Decimal(0), Decimal(50), Decimal(0)),
        "momo": (Decimal(20), Decimal(20), Decimal(0)),
        "rejected": (Decimal(0), Decimal(0), Decimal(0)),
        "released": (Decimal(0), Decimal(0), Decimal(20)),
        "expired": (Decimal(0), Decimal(0), Decimal(0)),
        "lapsed": (Decimal(15), Decimal(10), Decimal(0)),
    }
    assert_totals_equal_a_rebuild()


def test_consume_for_fills_answers_what_each_fill_consumed_in_order(world) -> None:
    ids, make = world()
    clean_up_the_expired()
    rows = [
        Fill(account=i.account, instrument=i.instrument, strategy=i.strategy, fill_id=i.fill_id, side=i.side,
             quantity=i.quantity, price=i.price, executed_at=i.executed_at, check_id=i.check_id)
        for i in make("direct")
    ]  # fmt: skip
    consumed = consume_for_fills(rows)
    assert consumed == [Decimal(q) for q in (40, 30, 0, 30, 0, 0, 0, 20, 15, 5, 0, 0, 0, 10, 0, 0, 30)]
    assert state(ids)["aapl"] == (Decimal(0), Decimal(100), Decimal(0))
    assert_totals_equal_a_rebuild()


def test_the_statements_of_consumption_do_not_grow_with_the_fills(funded, check) -> None:
    set_limits(funded, max_order_quantity="1000")
    aapl = Instrument.objects.get(symbol="AAPL")
    ids = [uuid.UUID(check(quantity="10")["check_id"]) for _ in range(60)]
    when = datetime.now(UTC) - timedelta(seconds=5)

    def items(checks: Sequence[uuid.UUID], tag: str) -> list[FillInput]:
        return [
            FillInput(account=funded, fill_id=f"{tag}-{i}", instrument=aapl, side="buy", quantity=Decimal(3),
                      price=Decimal(100), executed_at=when, check_id=c)
            for i, c in enumerate(checks)
        ]  # fmt: skip

    def statements(work: Callable[[], object]) -> int:
        # All of them on PostgreSQL. SQLite runs the reference row store, which writes stored rows
        # one UPDATE each (the demo database may be slower): there the reads must not grow.
        with CaptureQueriesContext(connection) as captured:
            work()
        sent = [q["sql"] for q in captured.captured_queries]
        if connection.vendor != "postgresql":
            sent = [q for q in sent if q.lstrip().upper().startswith("SELECT")]
        return len(sent)

    fills_record(fills=items(ids[:2], "warm"))  # the position and the cash balance exist
    small = statements(lambda: fills_record(fills=items(ids[2:12], "small")))
    large = statements(lambda: fills_record(fills=items(ids[12:], "large")))
    assert small == large
    assert all(d.filled_quantity == Decimal(3) for d in CheckDecision.objects.filter(check_id__in=ids))
    assert_totals_equal_a_rebuild()


def test_a_check_named_by_fills_of_two_lists_in_turn_is_consumed_once(funded, check) -> None:
    set_limits(funded, max_order_quantity="1000")
    aapl = Instrument.objects.get(symbol="AAPL")
    check_id = uuid.UUID(check(quantity="100")["check_id"])
    when = datetime.now(UTC) - timedelta(seconds=5)
    items = [
        FillInput(account=funded, fill_id=f"T-{i}", instrument=aapl, side="buy", quantity=Decimal(30),
                  price=Decimal(100), executed_at=when, check_id=check_id)
        for i in range(4)
    ]  # fmt: skip
    fills_record(fills=items[:2])
    fills_record(fills=items)  # two replays, two new fills: 30 + 10 of the 40 left
    decision = CheckDecision.objects.get(check_id=check_id)
    assert (decision.open_quantity, decision.filled_quantity) == (Decimal(0), Decimal(100))
    assert_totals_equal_a_rebuild()
