"""Fills in bulk: a list books as the same fills one per call would, as a rebuild does, all or none,
idempotent, in a number of statements that does not grow with the list."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Account
from positions.models import CashBalance, Fill, Instrument, Position
from positions.services import FillConflict, FillInput, LedgerOutOfRange, fills_record, positions_rebuild
from positions.signals import fills_recorded
from tests.factories import AccountFactory, InstrumentFactory, StrategyFactory
from tests.positions.factories import fill_input

pytestmark = pytest.mark.django_db

TRACKED = (
    "quantity", "avg_price", "realized_pnl", "fees", "day_start_at", "day_start_quantity",
    "day_start_avg_price", "day_start_realized_pnl", "day_start_fees",
)  # fmt: skip

YESTERDAY = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
TODAY = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
NOW = TODAY + timedelta(hours=1)


def ledger(account: Account) -> tuple[dict[tuple[str | None, str], tuple], dict[str, D]]:
    """Positions by (strategy code, symbol) with every tracked figure, and cash by currency."""
    positions = {
        (p.strategy.code if p.strategy else None, p.instrument.symbol): tuple(getattr(p, f) for f in TRACKED)
        for p in Position.objects.filter(account=account).select_related("strategy", "instrument")
    }
    cash = dict(CashBalance.objects.filter(account=account).values_list("currency", "amount"))
    return positions, cash


def assert_same(a: object, b: object) -> None:
    """Exact on PostgreSQL; on SQLite (15 significant digits stored) within the last digits, as the
    live-versus-rebuild comparison allows."""
    if connection.vendor == "postgresql" or not isinstance(a, D | tuple | dict):
        assert a == b
        return
    if isinstance(a, dict):
        assert isinstance(b, dict)
        assert a.keys() == b.keys(), (a, b)
        for key in a:
            assert_same(a[key], b[key])
    elif isinstance(a, tuple):
        assert isinstance(b, tuple)
        assert len(a) == len(b), (a, b)
        for x, y in zip(a, b, strict=True):
            assert_same(x, y)
    else:
        assert isinstance(b, D)
        assert abs(a - b) <= max(abs(a), abs(b), D(1)) * D("1e-12"), (a, b)


class Book:
    """An account with two strategies and three instruments, to post the same fills to twice."""

    def __init__(self, code: str, instruments: dict[str, Instrument]) -> None:
        self.account = AccountFactory(code=code)
        self.strategies = {s: StrategyFactory(account=self.account, code=s) for s in ("momo", "carry")}
        self.instruments = instruments

    def fill(
        self, fill_id: str, symbol: str, side: str, qty: str, price: str, *, strategy: str | None = None,
        fee: str = "0", at: datetime = TODAY,
    ) -> FillInput:  # fmt: skip
        return fill_input(
            self.account, self.instruments[symbol], side, qty, price, fill_id=fill_id,
            strategy=self.strategies[strategy] if strategy else None, fee=fee, executed_at=at,
        )  # fmt: skip


@pytest.fixture
def instruments(db: None) -> dict[str, Instrument]:
    return {
        "AAPL": InstrumentFactory(symbol="AAPL", currency="USD"),
        "SAP": InstrumentFactory(symbol="SAP", currency="EUR"),
        "FESX": InstrumentFactory(symbol="FESX", currency="EUR", asset_class="future", multiplier=D(10)),
    }


def scenario(books: Sequence[Book]) -> list[FillInput]:
    """Fills over three accounts, interleaved: adds, the same instrument twice in a row, a partial
    close, flips long to short and back, a close to flat, fees, a late fill of yesterday."""
    one, two, three = books
    return [
        one.fill("A1", "AAPL", "buy", "100", "10", fee="1", at=YESTERDAY),
        two.fill("B1", "FESX", "sell", "3", "4000", fee="2.5"),
        one.fill("A2", "AAPL", "buy", "50", "13"),  # the same instrument twice in a row: re-averages
        one.fill("A3", "AAPL", "sell", "30", "15", fee="0.75"),  # partial close of the long
        three.fill("C1", "SAP", "buy", "10", "50.5", strategy="momo"),
        one.fill("A4", "AAPL", "sell", "200", "11"),  # flip: long 120 -> short 80
        two.fill("B2", "FESX", "buy", "1", "3990.5"),  # partial close of the short future
        one.fill("A5", "AAPL", "buy", "30", "9.5", fee="0.3"),  # partial close of the short
        three.fill("C2", "SAP", "sell", "10", "49", strategy="momo"),  # to flat
        three.fill("C3", "AAPL", "sell", "7", "12", strategy="carry"),
        two.fill("B3", "FESX", "buy", "5", "3950"),  # flip short -> long
        one.fill("A6", "AAPL", "buy", "1", "10.25", at=YESTERDAY + timedelta(hours=1)),  # late fill
        three.fill("C4", "AAPL", "buy", "7", "11", strategy="carry"),
        one.fill("A7", "SAP", "buy", "3", "51", fee="0.1", strategy="momo"),
    ]


def record_one_per_call(fills: Sequence[FillInput], now: datetime | None = NOW) -> list[bool]:
    return [fills_record(fills=[item], now=now).created[0] for item in fills]


def queries(work: Callable[[], object]) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        work()
    return [q["sql"] for q in captured.captured_queries]


def fill_inserts(sent: list[str]) -> list[str]:
    return [q for q in sent if q.lstrip().upper().startswith('INSERT INTO "POSITIONS_FILL"')]


def writes(sent: list[str]) -> list[str]:
    return [q for q in sent if q.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "COPY"))]


def test_a_list_over_accounts_books_as_one_fill_per_call_would_and_as_a_rebuild_does(instruments) -> None:
    bulk = [Book(f"BULK-{i}", instruments) for i in range(3)]
    single = [Book(f"ONE-{i}", instruments) for i in range(3)]
    results = []
    sent = queries(lambda: results.append(fills_record(fills=scenario(bulk), now=NOW)))
    result = results[0]
    assert len(fill_inserts(sent)) <= 1  # one multi-row INSERT (or a COPY, not seen here)
    assert all(result.created)
    assert [f.fill_id for f in result.fills] == [f.fill_id for f in scenario(bulk)]
    assert all(record_one_per_call(scenario(single)))
    for b, s in zip(bulk, single, strict=True):
        assert_same(ledger(b.account), ledger(s.account))
        rebuilt = positions_rebuild(account=b.account, now=NOW)
        assert (rebuilt.fills, rebuilt.positions_changed, rebuilt.balances_changed) == (
            Fill.objects.filter(account=b.account).count(),
            0,
            0,
        )
    positions, cash = ledger(bulk[0].account)
    # Long 150 @ 11 (100 @ 10 + 50 @ 13), sold 30 @ 15 (+120), flipped by 200 @ 11 (+0 on 120, short
    # 80 @ 11), bought back 30 @ 9.5 (+45), late 1 @ 10.25 (+0.75): short 49 @ 11.
    aapl = dict(zip(TRACKED, positions[(None, "AAPL")], strict=True))
    assert (aapl["quantity"], aapl["avg_price"], aapl["realized_pnl"], aapl["fees"]) == (
        D(-49),
        D(11),
        D("165.75"),
        D("2.05"),
    )
    # The day began with A1 only (yesterday's late fill A6 moves the position, not the snapshot).
    assert (aapl["day_start_at"], aapl["day_start_quantity"]) == (datetime(2026, 3, 10, tzinfo=UTC), D(100))
    assert cash == {"USD": D("165.75") - D("2.05"), "EUR": D("-0.1")}
    # Short 3 @ 4000, bought 1 @ 3990.5 (+95 at multiplier 10), flipped by 5 @ 3950 (+1000): long 3.
    assert ledger(bulk[1].account)[0][(None, "FESX")][:3] == (D(3), D(3950), D(1095))


def test_statements_per_call_do_not_grow_with_the_list(instruments) -> None:
    books = [Book(f"Q-{i}", instruments) for i in range(3)]

    def fills(n: int, tag: str) -> list[FillInput]:
        sides = ("buy", "sell", "buy")
        return [
            books[i % 3].fill(f"{tag}-{i}", ("AAPL", "SAP", "FESX")[i % 3], sides[i % 3], "1",
                              str(10 + i % 7), strategy=(None, "momo")[i % 2], fee="0.1")
            for i in range(n)
        ]  # fmt: skip

    # The same accounts, positions and currencies: 20 fills and 70 fills cost the same statements
    # (70 rows still fit one INSERT under SQLite's parameter limit).
    fills_record(fills=fills(30, "warm"), now=NOW)
    small, large = fills(20, "s"), fills(70, "l")
    assert len(queries(lambda: fills_record(fills=small, now=NOW))) == len(
        queries(lambda: fills_record(fills=large, now=NOW))
    )
    # Replays too: one read of the stored fill_ids, nothing written.
    replay_small = queries(lambda: fills_record(fills=small, now=NOW))
    replay_large = queries(lambda: fills_record(fills=large, now=NOW))
    assert len(replay_small) == len(replay_large)
    assert not writes(replay_large)


def test_replaying_a_whole_list_answers_every_fill_as_a_replay_and_changes_nothing(instruments) -> None:
    books = [Book(f"R-{i}", instruments) for i in range(3)]
    first = fills_record(fills=scenario(books), now=NOW)
    before = [ledger(b.account) for b in books]
    results = []
    sent = queries(lambda: results.append(fills_record(fills=scenario(books), now=NOW)))
    again = results[0]
    assert not writes(sent)  # not even an INSERT rolled back to a savepoint
    assert again.created == (False,) * len(scenario(books))
    assert [f.pk for f in again.fills] == [f.pk for f in first.fills]
    assert [ledger(b.account) for b in books] == before
    assert Fill.objects.count() == len(scenario(books))


def test_a_list_mixing_new_fills_and_identical_replays_books_only_the_new_ones(instruments) -> None:
    books = [Book(f"M-{i}", instruments) for i in range(3)]
    single = [Book(f"MS-{i}", instruments) for i in range(3)]
    fills = scenario(books)
    fills_record(fills=fills[::2], now=NOW)  # every other fill is already stored
    results = []
    sent = queries(lambda: results.append(fills_record(fills=fills, now=NOW)))
    result = results[0]
    assert len(fill_inserts(sent)) <= 1  # the new ones in one INSERT, the replays in none
    assert result.created == tuple(i % 2 == 1 for i in range(len(fills)))
    # The same as one call per fill in that order.
    record_one_per_call(scenario(single)[::2])
    assert record_one_per_call(scenario(single)) == list(result.created)
    for b, s in zip(books, single, strict=True):
        assert_same(ledger(b.account), ledger(s.account))
        assert positions_rebuild(account=b.account, now=NOW).positions_changed == 0


def test_the_same_fill_id_twice_in_a_list_with_the_same_payload_is_one_fill_then_a_replay(
    instruments,
) -> None:
    book = Book("DUP-1", instruments)
    item = book.fill("D1", "AAPL", "buy", "10", "100")
    # The same payload written differently (another offset, trailing zeros) is the same fill.
    same = replace(item, quantity=D("10.000"), executed_at=item.executed_at.astimezone(timezone_plus_2()))
    result = fills_record(fills=[item, book.fill("D2", "AAPL", "buy", "5", "90"), same], now=NOW)
    assert result.created == (True, True, False)
    assert result.fills[2] is result.fills[0]
    assert Fill.objects.filter(account=book.account).count() == 2
    assert Position.objects.get(account=book.account).quantity == D(15)


def timezone_plus_2() -> Any:
    from datetime import timezone as tz

    return tz(timedelta(hours=2))


def test_the_same_fill_id_twice_in_a_list_with_another_payload_is_a_conflict_storing_nothing(
    instruments,
) -> None:
    book = Book("DUP-2", instruments)
    item = book.fill("D1", "AAPL", "buy", "10", "100")
    fills = [item, book.fill("D2", "SAP", "buy", "5", "90"), replace(item, price=D("101"))]
    conflicts: list[FillConflict] = []

    def work() -> None:
        with pytest.raises(FillConflict) as excinfo:
            fills_record(fills=fills, now=NOW)
        conflicts.append(excinfo.value)

    assert not writes(queries(work))
    (conflict,) = conflicts
    assert (conflict.fill_id, conflict.differences) == (
        "D1",
        {"price": {"stored": "100", "sent": "101"}},
    )
    assert (Fill.objects.count(), Position.objects.count(), CashBalance.objects.count()) == (0, 0, 0)


def test_a_conflicting_replay_anywhere_in_a_list_of_10000_stores_nothing(instruments) -> None:
    book = Book("BIG-1", instruments)
    fills = [
        book.fill(f"F{i}", ("AAPL", "SAP")[i % 2], ("buy", "sell")[i % 3 == 0], "1", str(100 + i % 5))
        for i in range(10_000)
    ]
    fills_record(fills=[fills[7321]], now=NOW)
    before = (Fill.objects.count(), ledger(book.account))
    fills[7321] = replace(fills[7321], quantity=D(2))

    def work() -> None:
        with pytest.raises(FillConflict) as excinfo:
            fills_record(fills=fills, now=NOW)
        conflicts.append(excinfo.value)

    conflicts: list[FillConflict] = []
    assert not writes(queries(work))  # found before anything was written
    (conflict,) = conflicts
    assert conflict.fill_id == "F7321"
    assert conflict.differences == {"quantity": {"stored": "1", "sent": "2"}}
    assert (Fill.objects.count(), ledger(book.account)) == before


def test_an_overflow_in_the_middle_of_a_list_stores_nothing_and_writes_nothing_first(instruments) -> None:
    book = Book("OVF-1", instruments)
    big = "99999999999999999"
    fills = [book.fill(f"O{i}", "AAPL", "buy", "1", "10") for i in range(10_000)]
    fills[5000] = book.fill("O5000", "SAP", "buy", big, "1")
    fills[5001] = book.fill("O5001", "SAP", "buy", big, "1")  # 2 x 10^17 - 2: still in range
    fills[5002] = book.fill("O5002", "FESX", "buy", big, "1")
    fills[5003] = book.fill("O5003", "FESX", "sell", big, "1000")  # realized 10^17 x 999 x 10: out
    sent: list[str] = []

    def work() -> None:
        with pytest.raises(LedgerOutOfRange) as excinfo:
            fills_record(fills=fills, now=NOW)
        assert (excinfo.value.item_id, excinfo.value.field) == ("O5003", "realized_pnl")

    sent = queries(work)
    # Booking runs in memory before anything is written: no statement stored a row.
    assert not writes(sent)
    assert (Fill.objects.count(), Position.objects.count(), CashBalance.objects.count()) == (0, 0, 0)


def test_a_cash_balance_out_of_range_stores_nothing(instruments) -> None:
    book = Book("OVF-2", instruments)
    big = "99999999999999999"
    fills = [book.fill(f"K{i}", "AAPL", "buy", "1", "1") for i in range(100)]
    # Each strategy realizes 6 x (10^17 - 1), in range; their cash, one USD balance, is not.
    for strategy in ("momo", "carry"):
        fills.append(book.fill(f"{strategy}-open", "AAPL", "buy", big, "1", strategy=strategy))
        fills.append(book.fill(f"{strategy}-close", "AAPL", "sell", big, "7", strategy=strategy))
    with pytest.raises(LedgerOutOfRange) as excinfo:
        fills_record(fills=fills, now=NOW)
    assert excinfo.value.field == "cash balance"
    assert (Fill.objects.count(), Position.objects.count(), CashBalance.objects.count()) == (0, 0, 0)


def test_fills_recorded_receivers_get_the_whole_list_once_and_their_failure_rolls_it_back(
    instruments,
) -> None:
    books = [Book(f"SIG-{i}", instruments) for i in range(3)]
    calls: list[int] = []

    def receiver(sender: object, fills: Sequence[Fill], **kwargs: object) -> None:
        calls.append(len(fills))
        raise RuntimeError("limits unavailable")

    fills_recorded.connect(receiver)
    try:
        with pytest.raises(RuntimeError):
            fills_record(fills=scenario(books), now=NOW)
    finally:
        fills_recorded.disconnect(receiver)
    assert calls == [len(scenario(books))]
    assert (Fill.objects.count(), Position.objects.count(), CashBalance.objects.count()) == (0, 0, 0)


def test_a_list_across_accounts_takes_their_ledger_locks_in_one_statement(instruments, postgres) -> None:
    books = [Book(f"LK-{i}", instruments) for i in range(3)]
    sent = queries(lambda: fills_record(fills=scenario(books), now=NOW))
    locks = [q for q in sent if "pg_advisory_xact_lock" in q]
    assert len(locks) == 1
