"""The row stores: the PostgreSQL fast path writes the rows the ORM reference writes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest
from django.db import connection

from limits.models import CheckDecision
from positions.models import CashBalance, Fill, Position
from positions.services.rowstore import OrmRowStore, PostgresRowStore, RowStore, row_store
from tests.factories import AccountFactory, InstrumentFactory, StrategyFactory

pytestmark = pytest.mark.django_db

COLUMNS = (
    "account_id", "strategy_id", "instrument_id", "fill_id", "side", "quantity", "price", "fee",
    "executed_at", "check_id", "recorded_by_id",
)  # fmt: skip


def stores() -> list[RowStore]:
    return [OrmRowStore(), PostgresRowStore()] if connection.vendor == "postgresql" else [OrmRowStore()]


def fills(account, strategy, instruments, tag: str) -> list[Fill]:
    when = datetime(2026, 3, 10, 12, 0, 0, 123456, tzinfo=UTC)
    return [
        Fill(
            account=account, strategy=strategy if i % 2 else None, instrument=instruments[i % 2],
            fill_id=f"{tag}\t{i}\\ 'x'", side=("buy", "sell")[i % 2], quantity=D("12345.0123456789"),
            price=(D(i + 1) / 3).quantize(D("1e-10")), fee=D(0) if i % 3 else D("0.5"),
            executed_at=when + timedelta(seconds=i),
            check_id=uuid.uuid4() if i % 2 else None,
        )
        for i in range(7)
    ]  # fmt: skip


def test_the_store_of_the_process_is_the_fast_path_on_postgresql_only() -> None:
    expected = PostgresRowStore if connection.vendor == "postgresql" else OrmRowStore
    assert isinstance(row_store(), expected)


@pytest.mark.parametrize("store", stores(), ids=lambda s: type(s).__name__)
def test_inserted_rows_get_ascending_ids_in_order_and_read_back_as_given(store: RowStore) -> None:
    account = AccountFactory(code="RS-1")
    strategy = StrategyFactory(account=account, code="s")
    instruments = [InstrumentFactory(symbol="RS-A"), InstrumentFactory(symbol="RS-B", currency="EUR")]
    rows = fills(account, strategy, instruments, type(store).__name__)
    before = datetime.now(UTC)
    store.insert(rows)
    ids = [r.pk for r in rows]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    stored = {f.pk: f for f in Fill.objects.filter(pk__in=ids)}
    for row in rows:
        got = stored[row.pk]
        assert [getattr(got, c) for c in COLUMNS] == [getattr(row, c) for c in COLUMNS]
        assert got.recorded_at == row.recorded_at  # auto_now_add, stamped as save() would
        assert got.recorded_at >= before
    assert not rows[0]._state.adding


def test_both_stores_write_the_same_updates(postgres) -> None:
    account = AccountFactory(code="RS-2")
    instruments = [InstrumentFactory(symbol=f"RS-U{i}") for i in range(4)]
    written = []
    for store in stores():
        name = type(store).__name__
        rows = [Position(account=account, strategy=StrategyFactory(account=account, code=f"{name}{i}"),
                         instrument=ins) for i, ins in enumerate(instruments)]  # fmt: skip
        Position.objects.bulk_create(rows)
        stamp = Position.objects.get(pk=rows[0].pk).updated_at
        for i, row in enumerate(rows):
            row.quantity = (D(-i) / 7).quantize(D("1e-10"))
            row.avg_price = D("99999999999999999.9999999999")
            row.day_start_at = None if i % 2 else datetime(2026, 3, 10, tzinfo=UTC)
            row.day_start_quantity = D(i)
        store.update(
            Position, rows, ["quantity", "avg_price", "day_start_at", "day_start_quantity", "updated_at"]
        )
        fresh = list(Position.objects.filter(pk__in=[r.pk for r in rows]).order_by("pk"))
        assert all(p.updated_at > stamp for p in fresh)  # auto_now, as save() would
        written.append([(p.quantity, p.avg_price, p.day_start_at, p.day_start_quantity, p.realized_pnl)
                        for p in fresh])  # fmt: skip
    assert written[0] == written[1]


def test_an_update_writes_only_the_fields_named(postgres) -> None:
    account = AccountFactory(code="RS-3")
    for store in stores():
        balance = CashBalance.objects.create(account=account, currency="USD", amount=D(5))
        balance.amount = D(7)
        balance.currency = "EUR"  # not named: stays
        store.update(CashBalance, [balance], ["amount"])
        assert CashBalance.objects.filter(pk=balance.pk).values_list("currency", "amount").get() == (
            "USD",
            D(7),
        )
        balance.delete()


def test_the_fast_path_refuses_field_types_it_does_not_convert(postgres) -> None:
    class Row:  # any object with pk and the fields' attributes will do for an update
        def __init__(self, pk: int, open_quantity: D) -> None:
            self.pk, self.open_quantity = pk, open_quantity

    account = AccountFactory(code="RS-4")
    decision = CheckDecision(
        account=account, symbol="X", side="buy", quantity=D(1), fingerprint="f", decision="accepted",
        evaluated_at=datetime.now(UTC), violations=[{"code": "x"}],
    )  # fmt: skip
    with pytest.raises(TypeError, match="violations"):
        PostgresRowStore().insert([decision])
    CheckDecision.objects.bulk_create([decision])
    decision.open_quantity = D(3)
    # Plain fields of the same model are fine.
    PostgresRowStore().update(CheckDecision, [decision], ["open_quantity"])
    assert CheckDecision.objects.get(pk=decision.pk).open_quantity == D(3)
    for store in stores():
        store.update(CheckDecision, [Row(decision.pk, D(4))], ["open_quantity"])
        assert CheckDecision.objects.get(pk=decision.pk).open_quantity == D(4)


@pytest.mark.parametrize("store", stores(), ids=lambda s: type(s).__name__)
def test_find_answers_the_ids_of_exactly_the_stored_pairs(store: RowStore) -> None:
    accounts = [AccountFactory(code=f"RS-F{i}") for i in range(3)]
    instrument = InstrumentFactory(symbol="RS-F")
    rows = [
        Fill(account=a, instrument=instrument, fill_id=f"F{i}", side="buy", quantity=D(1), price=D(1),
             executed_at=datetime(2026, 3, 10, tzinfo=UTC))
        for a in accounts for i in range(4)
    ]  # fmt: skip
    Fill.objects.bulk_create(rows)
    by_key = {(r.account_id, r.fill_id): r.pk for r in rows}
    wanted = [(accounts[0].pk, "F1"), (accounts[1].pk, "F3"), (accounts[1].pk, "F0"), (accounts[2].pk, "F9")]
    # F1 of account 1 exists, but only F3 and F0 of account 1 are asked for: pairs, not a cross product.
    found = store.find(Fill, ("account_id", "fill_id"), wanted)
    assert sorted(found) == sorted(by_key[k] for k in wanted if k in by_key)
    assert store.find(Fill, ("account_id", "fill_id"), []) == []
