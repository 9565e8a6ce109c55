"""Concurrent fills and replays on PostgreSQL: no lost update, no double booking, no deadlock."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal as D

import pytest
from django.db import connection

from positions.models import CashBalance, Fill, Position
from positions.services import fills_record, positions_rebuild
from tests.factories import AccountFactory, InstrumentFactory
from tests.positions.factories import fill_input

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8


def run_in_threads(work: Callable[[int], object]) -> list[object]:
    barrier = threading.Barrier(THREADS)
    results: list[object] = [None] * THREADS

    def target(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # reported by the assertion below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    return results


def test_concurrent_identical_replays_store_and_book_each_fill_once(postgres) -> None:
    account = AccountFactory(code="CONC-1")
    aapl = InstrumentFactory(symbol="AAPL")
    batch = [fill_input(account, aapl, "buy", "10", "100", fill_id=f"R-{i}", fee="1") for i in range(5)]
    results = run_in_threads(lambda i: fills_record(fills=batch))
    assert sum(sum(r.created) for r in results) == 5
    assert Fill.objects.count() == 5
    position = Position.objects.get(account=account)
    assert position.quantity == D(50)
    assert CashBalance.objects.get(account=account).amount == D(-5)


def test_concurrent_fills_on_one_position_lose_no_update(postgres) -> None:
    account = AccountFactory(code="CONC-2")
    aapl = InstrumentFactory(symbol="AAPL")
    run_in_threads(
        lambda i: fills_record(fills=[fill_input(account, aapl, "buy", "1", str(100 + i), fee="1")])
    )
    position = Position.objects.get(account=account)
    assert position.quantity == D(THREADS)
    assert position.fees == D(THREADS)
    assert CashBalance.objects.get(account=account).amount == D(-THREADS)
    assert positions_rebuild(account=account).positions_changed == 0


def test_lists_spanning_accounts_in_opposite_orders_do_not_deadlock(postgres) -> None:
    one, two = AccountFactory(code="CONC-3"), AccountFactory(code="CONC-4")
    symbols = [InstrumentFactory(symbol=f"I{i}") for i in range(4)]

    def work(i: int) -> object:
        items = [
            fill_input(
                acct, inst, "buy" if i % 2 else "sell", "1", "10", fill_id=f"T{i}-{acct.code}-{inst.symbol}"
            )
            for acct in (one, two)
            for inst in symbols
        ]
        return fills_record(fills=items if i % 2 else list(reversed(items)))

    run_in_threads(work)
    assert Fill.objects.count() == THREADS * 8
    for account in (one, two):
        assert positions_rebuild(account=account).positions_changed == 0
        assert sum(Position.objects.filter(account=account).values_list("quantity", flat=True)) == 0


def test_overlapping_lists_posted_at_once_end_equal_to_a_rebuild(postgres) -> None:
    from datetime import UTC, datetime, timedelta

    from limits.checks.reservations import rebuild_reservation_totals
    from limits.models import CheckDecision, ReservationTotal

    account = AccountFactory(code="CONC-5")
    instruments = [InstrumentFactory(symbol=f"OV{i}", currency=("USD", "EUR")[i % 2]) for i in range(3)]
    when = datetime.now(UTC) - timedelta(minutes=1)
    decisions = [
        CheckDecision(account=account, symbol=ins.symbol, side="buy", quantity=D(500), fingerprint="c",
                      decision="accepted", evaluated_at=when, open_quantity=D(500),
                      expires_at=when + timedelta(days=1))
        for ins in instruments
    ]  # fmt: skip
    CheckDecision.objects.bulk_create(decisions)
    rebuild_reservation_totals()
    # Fill k is the same fill in every list that holds it: list i holds fills 100 i .. 100 i + 299,
    # so neighbours share 200 fills, and every list names the checks.
    universe = [
        fill_input(account, instruments[k % 3], ("buy", "sell", "buy")[k % 3], str(1 + k % 7),
                   str(100 + k % 13), fill_id=f"OV-{k}", fee="0.25", executed_at=when,
                   check_id=decisions[k % 3].check_id if k % 3 != 1 else None)
        for k in range(100 * (THREADS - 1) + 300)
    ]  # fmt: skip

    def work(i: int) -> object:
        items = universe[100 * i : 100 * i + 300]
        return fills_record(fills=items if i % 2 else list(reversed(items)))

    results = run_in_threads(work)
    assert sum(sum(r.created) for r in results) == len(universe)
    assert Fill.objects.filter(account=account).count() == len(universe)
    assert positions_rebuild(account=account).positions_changed == 0
    assert positions_rebuild(account=account).balances_changed == 0
    for decision in CheckDecision.objects.filter(account=account):
        named = sum(f.quantity for f in universe if f.check_id == decision.check_id)
        assert (decision.filled_quantity, decision.open_quantity) == (
            min(named, D(500)),
            D(500) - min(named, D(500)),
        )
    live = {(t.symbol, t.side): t.quantity for t in ReservationTotal.objects.filter(account=account)}
    rebuild_reservation_totals()
    assert {k: v for k, v in live.items() if v} == {
        (t.symbol, t.side): t.quantity for t in ReservationTotal.objects.filter(account=account)
    }
