"""Recording fills: positions, cash, idempotency, atomicity, the fills_recorded signal."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal as D

import pytest
from django.db import connection

from positions.models import CashBalance, Fill, Position
from positions.services import FillConflict, fills_record
from positions.signals import fills_recorded
from tests.factories import InstrumentFactory, StrategyFactory
from tests.positions.factories import fill_input, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def aapl():
    return InstrumentFactory(symbol="AAPL", currency="USD")


@pytest.fixture
def sap():
    return InstrumentFactory(symbol="SAP", currency="EUR")


def balances(account) -> dict[str, D]:
    return dict(CashBalance.objects.filter(account=account).values_list("currency", "amount"))


def test_a_fill_creates_the_position_and_books_the_fee_to_cash(account, aapl) -> None:
    result = record(account, aapl, "buy", "100", "187.20", fee="1.50")
    assert result.created == (True,)
    position = Position.objects.get(account=account, instrument=aapl, strategy=None)
    assert (position.quantity, position.avg_price, position.realized_pnl, position.fees) == (
        D(100),
        D("187.20"),
        D(0),
        D("1.50"),
    )
    assert balances(account) == {"USD": D("-1.50")}


def test_realized_pnl_goes_to_cash_in_the_instruments_currency(account, aapl, sap) -> None:
    record(account, sap, "buy", "10", "100")
    record(account, sap, "sell", "4", "110", fee="2")
    record(account, aapl, "sell", "5", "50")
    record(account, aapl, "buy", "5", "40", fee="1")
    assert balances(account) == {"EUR": D(38), "USD": D(49)}


def test_positions_are_kept_per_strategy(account, aapl) -> None:
    momo = StrategyFactory(account=account, code="momo")
    record(account, aapl, "buy", "10", "100", strategy=momo)
    record(account, aapl, "sell", "3", "100")
    rows = {p.strategy_id: p.quantity for p in Position.objects.filter(account=account)}
    assert rows == {momo.pk: D(10), None: D(-3)}


def test_an_identical_replay_is_a_no_op(account, aapl) -> None:
    item = fill_input(account, aapl, "buy", "100", "10", fill_id="X-1", fee="1")
    first = fills_record(fills=[item])
    again = fills_record(fills=[item])
    assert again.created == (False,)
    assert again.fills[0].pk == first.fills[0].pk
    assert Fill.objects.count() == 1
    assert Position.objects.get().quantity == D(100)
    assert balances(account) == {"USD": D(-1)}


def test_a_replay_with_numbers_written_differently_is_still_identical(account, aapl) -> None:
    item = fill_input(account, aapl, "buy", "100", "10", fill_id="X-1")
    fills_record(fills=[item])
    same = fill_input(
        account, aapl, "buy", "100.000", "10.00", fill_id="X-1", executed_at=item.executed_at.astimezone(UTC)
    )
    assert fills_record(fills=[same]).created == (False,)


def test_a_conflicting_replay_raises_and_names_the_differences(account, aapl) -> None:
    item = fill_input(account, aapl, "buy", "100", "10", fill_id="X-1")
    fills_record(fills=[item])
    with pytest.raises(FillConflict) as excinfo:
        fills_record(
            fills=[fill_input(account, aapl, "buy", "101", "10", fill_id="X-1", executed_at=item.executed_at)]
        )
    assert excinfo.value.differences == {"quantity": {"stored": "100", "sent": "101"}}
    assert Position.objects.get().quantity == D(100)


def test_the_same_fill_id_in_two_accounts_is_two_fills(account, aapl) -> None:
    from tests.factories import AccountFactory

    other = AccountFactory(code="ACC-2")
    record(account, aapl, "buy", "1", "10", fill_id="X-1")
    record(other, aapl, "buy", "2", "10", fill_id="X-1")
    assert Fill.objects.count() == 2


def test_a_list_is_all_or_nothing(account, aapl, sap) -> None:
    stored = fill_input(account, aapl, "buy", "5", "10", fill_id="X-1")
    fills_record(fills=[stored])
    batch = [
        fill_input(account, sap, "buy", "1", "10", fill_id="X-2"),
        fill_input(account, aapl, "sell", "5", "12", fill_id="X-3"),
        fill_input(account, aapl, "sell", "5", "10", fill_id="X-1", executed_at=stored.executed_at),
    ]
    with pytest.raises(FillConflict):
        fills_record(fills=batch)
    assert sorted(Fill.objects.values_list("fill_id", flat=True)) == ["X-1"]
    assert list(Position.objects.values_list("instrument__symbol", "quantity")) == [("AAPL", D(5))]
    assert balances(account) == {"USD": D(0)}


def test_a_list_applies_in_the_order_given_and_reports_replays(account, aapl) -> None:
    first = fill_input(account, aapl, "buy", "10", "100", fill_id="B")
    fills_record(fills=[first])
    result = fills_record(
        fills=[
            fill_input(account, aapl, "sell", "10", "110", fill_id="A"),
            first,
            fill_input(account, aapl, "buy", "10", "90", fill_id="C"),
        ]
    )
    assert result.created == (True, False, True)
    assert [f.fill_id for f in result.fills] == ["A", "B", "C"]
    position = Position.objects.get()
    assert position.quantity == D(10)
    assert position.avg_price == D(90)
    assert position.realized_pnl == D(100)


def test_a_duplicate_inside_one_list_is_a_replay_of_the_first(account, aapl) -> None:
    item = fill_input(account, aapl, "buy", "10", "100", fill_id="DUP")
    result = fills_record(fills=[item, item])
    assert result.created == (True, False)
    assert Position.objects.get().quantity == D(10)


def test_fills_recorded_is_sent_once_per_call_inside_the_transaction_with_the_new_fills(
    account, aapl
) -> None:
    seen: list[tuple[list[str], bool, D]] = []

    def receiver(sender, fills, **kwargs):
        position = Position.objects.get(account=account, instrument=aapl)
        seen.append(([f.fill_id for f in fills], connection.in_atomic_block, position.quantity))

    fills_recorded.connect(receiver)
    try:
        check_id = uuid.uuid4()
        item = fill_input(account, aapl, "buy", "10", "100", fill_id="S-1", check_id=check_id)
        fills_record(fills=[item, fill_input(account, aapl, "buy", "5", "100", fill_id="S-2")])
        fills_record(fills=[item])  # a replay only: nothing new, no signal
        fills_record(fills=[item, fill_input(account, aapl, "buy", "1", "100", fill_id="S-3"), item])
    finally:
        fills_recorded.disconnect(receiver)
    assert seen == [(["S-1", "S-2"], True, D(15)), (["S-3"], True, D(16))]
    assert Fill.objects.get(fill_id="S-1").check_id == check_id


def test_a_failing_receiver_rolls_the_fill_back(account, aapl) -> None:
    def receiver(sender, fills, **kwargs):
        raise RuntimeError("reservation store unavailable")

    fills_recorded.connect(receiver)
    try:
        with pytest.raises(RuntimeError):
            record(account, aapl, "buy", "10", "100")
    finally:
        fills_recorded.disconnect(receiver)
    assert Fill.objects.count() == 0
    assert Position.objects.count() == 0
    assert CashBalance.objects.count() == 0


def test_the_day_start_snapshot_is_taken_before_the_first_fill_of_a_new_day(account, aapl) -> None:
    yesterday = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
    today = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    record(account, aapl, "buy", "10", "100", executed_at=yesterday, now=yesterday)
    record(account, aapl, "buy", "10", "110", executed_at=today, now=today)
    record(account, aapl, "sell", "5", "120", executed_at=today, now=today)
    position = Position.objects.get()
    assert position.day_start_at == datetime(2026, 3, 10, tzinfo=UTC)
    assert (position.day_start_quantity, position.day_start_avg_price) == (D(10), D(100))
    assert (position.quantity, position.avg_price, position.realized_pnl) == (D(15), D(105), D(75))
