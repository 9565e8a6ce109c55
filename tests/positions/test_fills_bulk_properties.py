"""Property: any list of fills booked in one call equals the same fills booked one per call, through
either row store (the PostgreSQL fast path is held against the ORM reference), and equals a rebuild.

Random sides, quantities, prices, fees, strategies, instruments and accounts; replays of fills stored
before the list and repeats inside it; fills naming accepted checks (several fills per check,
partial and over-fills), so reservations are compared too.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Account, Strategy
from limits.checks.reservations import rebuild_reservation_totals
from limits.models import CheckDecision, ReservationTotal
from positions.models import CashBalance, Fill, Instrument, Position
from positions.services import FillInput, fills_record, positions_rebuild
from positions.services.rowstore import OrmRowStore, PostgresRowStore, RowStore, using_row_store
from tests.factories import AccountFactory, InstrumentFactory, StrategyFactory

pytestmark = pytest.mark.django_db

_worlds = itertools.count()
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
WHEN = (NOW - timedelta(hours=20), NOW - timedelta(hours=1))  # yesterday, today


@dataclass(frozen=True)
class Op:
    account: int  # 0..1
    instrument: int  # 0..2
    strategy: int | None  # 0 or None
    side: str
    quantity: D
    price: D
    fee: D
    when: int  # index into WHEN
    check: int | None  # index of a check of this account and instrument, or None
    repeat_of: int | None  # an earlier op whose fill this repeats (identical payload)


quantities = st.integers(1, 100_000).map(lambda n: D(n) / 100)
prices = st.integers(1, 50_000).map(lambda n: D(n) / 100)
fees = st.sampled_from([D(0), D("0.5"), D("1.25"), D(3)])


@st.composite
def ops(draw: st.DrawFn) -> tuple[list[Op], int]:
    """A list of ops and how many of its first ops are stored before the list is sent."""
    n = draw(st.integers(1, 25))
    out: list[Op] = []
    for i in range(n):
        repeat = draw(st.none() | st.integers(0, i - 1)) if i else None
        if repeat is not None:
            root = out[repeat].repeat_of if out[repeat].repeat_of is not None else repeat
            out.append(Op(**{**out[repeat].__dict__, "repeat_of": root}))
            continue
        out.append(
            Op(
                account=draw(st.integers(0, 1)),
                instrument=draw(st.integers(0, 2)),
                strategy=draw(st.none() | st.just(0)),
                side=draw(st.sampled_from(["buy", "sell"])),
                quantity=draw(quantities),
                price=draw(prices),
                fee=draw(fees),
                when=draw(st.integers(0, 1)),
                check=draw(st.none() | st.integers(0, 1)),
                repeat_of=None,
            )
        )
    return out, draw(st.integers(0, n))


class World:
    """Two accounts with a strategy each, and accepted checks on both sides of every instrument."""

    def __init__(self, instruments: list[Instrument]) -> None:
        n = next(_worlds)
        self.instruments = instruments
        self.accounts: list[Account] = [AccountFactory(code=f"W{n}-{i}") for i in range(2)]
        self.strategies: list[Strategy] = [StrategyFactory(account=a, code="s") for a in self.accounts]
        self.checks: dict[tuple[int, int, str, int], uuid.UUID] = {}
        decisions = []
        for (a, account), (i, instrument), side, k in itertools.product(
            enumerate(self.accounts), enumerate(instruments), ("buy", "sell"), range(2)
        ):
            check_id = uuid.uuid4()
            self.checks[(a, i, side, k)] = check_id
            decisions.append(
                CheckDecision(
                    check_id=check_id, account=account, symbol=instrument.symbol, side=side,
                    quantity=D(500), fingerprint="p", decision="accepted", evaluated_at=NOW,
                    open_quantity=D(500 * (k + 1)), expires_at=NOW + timedelta(days=1),
                )
            )  # fmt: skip
        CheckDecision.objects.bulk_create(decisions)
        rebuild_reservation_totals()

    def fill(self, index: int, op: Op) -> FillInput:
        source = index if op.repeat_of is None else op.repeat_of
        return FillInput(
            account=self.accounts[op.account],
            fill_id=f"F{source}",
            instrument=self.instruments[op.instrument],
            side=op.side,
            quantity=op.quantity,
            price=op.price,
            executed_at=WHEN[op.when],
            strategy=self.strategies[op.account] if op.strategy is not None else None,
            fee=op.fee,
            check_id=None
            if op.check is None
            else self.checks[(op.account, op.instrument, op.side, op.check)],
        )

    def state(self) -> tuple[object, ...]:
        keyed = {a.pk: i for i, a in enumerate(self.accounts)}
        positions = sorted(
            (keyed[p.account_id], p.strategy_id is not None, p.instrument.symbol, p.quantity, p.avg_price,
             p.realized_pnl, p.fees, p.day_start_at, p.day_start_quantity, p.day_start_avg_price,
             p.day_start_realized_pnl, p.day_start_fees)
            for p in Position.objects.filter(account__in=self.accounts).select_related("instrument")
        )  # fmt: skip
        cash = sorted(
            (keyed[b.account_id], b.currency, b.amount)
            for b in CashBalance.objects.filter(account__in=self.accounts)
        )
        by_check = {v: k for k, v in self.checks.items()}
        decisions = sorted(
            (by_check[d.check_id], d.open_quantity, d.filled_quantity)
            for d in CheckDecision.objects.filter(check_id__in=list(self.checks.values()))
        )
        reserved = sorted(
            (keyed[t.account_id], t.symbol, t.side, t.quantity)
            for t in ReservationTotal.objects.filter(account__in=self.accounts)
            if t.quantity  # a rebuild drops the totals that reached zero
        )
        fills = sorted(Fill.objects.filter(account__in=self.accounts).values_list("fill_id", "quantity"))
        return positions, cash, decisions, reserved, fills


def close(a: object, b: object) -> bool:
    """Equal; on SQLite (15 significant digits stored, read back between calls) within the last ones."""
    if a == b:
        return True
    if connection.vendor == "postgresql":
        return False
    if isinstance(a, D) and isinstance(b, D):
        return abs(a - b) <= max(abs(a), abs(b), D(1)) * D("1e-12")
    if isinstance(a, list | tuple) and isinstance(b, list | tuple) and len(a) == len(b):
        return all(close(x, y) for x, y in zip(a, b, strict=True))
    return False


@pytest.fixture(params=["orm", "postgres"])
def store(request: pytest.FixtureRequest, db: None) -> RowStore:
    if request.param == "postgres":
        if connection.vendor != "postgresql":
            pytest.skip("the fast path runs on PostgreSQL only")
        return PostgresRowStore()
    return OrmRowStore()


@pytest.fixture
def instruments(db: None) -> list[Instrument]:
    return [
        InstrumentFactory(symbol="P-USD", currency="USD"),
        InstrumentFactory(symbol="P-EUR", currency="EUR"),
        InstrumentFactory(symbol="P-FUT", currency="USD", asset_class="future", multiplier=D(50)),
    ]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=ops())
def test_a_list_booked_in_one_call_equals_it_booked_one_fill_per_call(store, instruments, case) -> None:
    items, stored_first = case
    bulk, single = World(instruments), World(instruments)
    bulk_fills = [bulk.fill(i, op) for i, op in enumerate(items)]
    single_fills = [single.fill(i, op) for i, op in enumerate(items)]
    with using_row_store(store):
        if stored_first:
            fills_record(fills=bulk_fills[:stored_first], now=NOW)
        created = fills_record(fills=bulk_fills, now=NOW).created
    with using_row_store(OrmRowStore()):
        for item in single_fills[:stored_first]:
            fills_record(fills=[item], now=NOW)
        one_by_one = tuple(fills_record(fills=[item], now=NOW).created[0] for item in single_fills)
    assert created == one_by_one
    assert close(bulk.state(), single.state()), (bulk.state(), single.state())
    for account in bulk.accounts:
        rebuilt = positions_rebuild(account=account, now=NOW)
        assert (rebuilt.positions_changed, rebuilt.balances_changed) == (0, 0)
    reserved = bulk.state()[3]
    rebuild_reservation_totals()
    assert close(bulk.state()[3], reserved)
