"""The PostgreSQL fast path is held against the ORM reference store.

Random sequences of checks, baskets, fills, releases, limit changes and mark moves over a desk of two
accounts (one with a strategy), in USD and EUR, with a future, an option on a held stock and
positions carried over from yesterday. Every check runs through both stores on the same database
state: first through one inside a savepoint that is then rolled back, then through the other for
real. The typed rows each store loads, the answers (decision, violations, warnings, error) and the
reservation totals each leaves behind must be identical.

The shared state is the database's, so the rolled-back run leaves no trace in the rate window.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from accounts.models import Account
from limits.cache import scope_limits_cache
from limits.checks.idempotency import IdempotencyConflict
from limits.checks.refdata import instruments, previous_closes
from limits.checks.service import check_batch, check_order, check_release
from limits.checks.store import LoadRequest, check_store
from limits.engine.orders import DraftOrder, InvalidOrder
from limits.models import CheckDecision, ReservationTotal
from positions.clock import current_day_start
from positions.models import Instrument, Price
from positions.services.fills import FillInput, fills_record
from tests.factories import (
    AccountFactory,
    AccountGroupFactory,
    FxRateFactory,
    InstrumentFactory,
    PriceFactory,
    PriceHistoryFactory,
    StrategyFactory,
)
from tests.limits.checks.conftest import deposit, set_limits

pytestmark = pytest.mark.django_db

SYMBOLS = ["AAPL", "SAP", "ES", "AAPL-C150"]
LIMIT_FIELDS = {
    "max_order_quantity": st.integers(1, 400).map(str),
    "max_order_notional": st.integers(1_000, 60_000).map(str),
    "max_position_quantity": st.integers(50, 600).map(str),
    "max_position_notional": st.integers(5_000, 120_000).map(str),
    "max_gross_exposure": st.integers(50_000, 400_000).map(str),
    "max_net_exposure": st.integers(10_000, 300_000).map(str),
    "max_daily_loss": st.integers(10, 5_000).map(str),
    "max_leverage": st.sampled_from(["0.5", "1", "2", "5"]),
    "price_collar_pct": st.sampled_from(["1", "5", "20"]),
    "max_orders_per_minute": st.integers(2, 12),
    "warn_utilization_pct": st.sampled_from(["50", "80", "95"]),
    "restricted_symbols": st.lists(st.sampled_from(SYMBOLS), max_size=1),
}


class _RollBack(Exception):
    pass


class _Moment(float):
    """A mark's time, equal within a microsecond: the fast path reads it as epoch seconds (a double)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, float) and abs(self - other) < 2e-6

    __hash__ = float.__hash__


def _world() -> dict[str, Any]:
    """Two funded accounts on one desk, strategy s1 on the first, marks, FX, history and positions."""
    yesterday = timezone.now() - timedelta(days=1)
    aapl = InstrumentFactory(symbol="AAPL", margin_rate=Decimal("0.20"))
    sap = InstrumentFactory(symbol="SAP", currency="EUR", margin_rate=Decimal("0.15"))
    es = InstrumentFactory(
        symbol="ES", asset_class="future", multiplier=Decimal("50"), margin_rate=Decimal("0.05")
    )
    call = InstrumentFactory(
        symbol="AAPL-C150", asset_class="option", multiplier=Decimal("100"), margin_rate=Decimal("0.15"),
        underlying=aapl, option_type="call", strike=Decimal("150"),
        expiry=(timezone.now() + timedelta(days=90)).date(),
    )  # fmt: skip
    for instrument, price in ((aapl, "150"), (sap, "80"), (es, "5000"), (call, "7.5")):
        PriceFactory(instrument=instrument, price=Decimal(price))
        PriceHistoryFactory(instrument=instrument, date=current_day_start().date() - timedelta(days=1),
                            close=Decimal(price) * Decimal("0.98"))  # fmt: skip
    FxRateFactory(base="EUR", quote="USD", rate=Decimal("1.10"))
    first, second = AccountFactory(code="ACC-P1"), AccountFactory(code="ACC-P2")
    desk = AccountGroupFactory(code="DESK-P")
    desk.accounts.add(first, second)
    strategy = StrategyFactory(account=first, code="s1")
    for account in (first, second):
        deposit(account, "250000")
    deposit(second, "40000", "EUR")

    def book(account: Account, symbol: str, side: str, qty: str, price: str, at: datetime, **kw: Any) -> None:
        fills_record(fills=[FillInput(
            account=account, fill_id=uuid.uuid4().hex, instrument=Instrument.objects.get(symbol=symbol),
            side=side, quantity=Decimal(qty), price=Decimal(price), executed_at=at, **kw,
        )])  # fmt: skip

    book(first, "AAPL", "buy", "200", "140", yesterday)  # carried over: a stale day-start snapshot
    book(first, "AAPL", "sell", "50", "151", timezone.now(), strategy=strategy)
    book(first, "ES", "buy", "2", "4950", yesterday, strategy=strategy)
    book(second, "SAP", "sell", "120", "82", yesterday)
    book(second, "SAP", "buy", "20", "79", timezone.now())  # today: the day-start snapshot is taken
    book(second, "AAPL-C150", "buy", "10", "7", timezone.now())
    return {"accounts": [first, second], "strategy": strategy}


order_st = st.fixed_dictionaries(
    {
        "account": st.integers(0, 1),
        "strategy": st.booleans(),
        "symbol": st.sampled_from(SYMBOLS),
        "side": st.sampled_from(["buy", "sell"]),
        "quantity": st.integers(1, 300),
        "price": st.one_of(st.none(), st.sampled_from(["0.9", "1", "1.03", "1.3"])),  # x mark; None: market
        "client_order_id": st.one_of(st.none(), st.sampled_from(["c1", "c2", "c3"])),
    }
)
operation_st = st.one_of(
    st.tuples(st.just("check"), order_st),
    st.tuples(st.just("basket"), st.lists(order_st, min_size=1, max_size=4)),
    st.tuples(st.just("fill"), st.integers(0, 30), st.integers(1, 200)),
    st.tuples(st.just("release"), st.integers(0, 30)),
    st.tuples(st.just("limit"), st.sampled_from(["account", "strategy", "group"]),
              st.sampled_from(sorted(LIMIT_FIELDS)).flatmap(lambda f: st.tuples(st.just(f), LIMIT_FIELDS[f])),
              ),
    st.tuples(st.just("mark"), st.sampled_from(SYMBOLS), st.sampled_from(["0.9", "1.05", "1.2"])),
)  # fmt: skip

MARKS = {"AAPL": Decimal("150"), "SAP": Decimal("80"), "ES": Decimal("5000"), "AAPL-C150": Decimal("7.5")}


def _draft(spec: dict[str, Any], world: dict[str, Any], account: Account) -> DraftOrder:
    price = (
        None
        if spec["price"] is None
        else (MARKS[spec["symbol"]] * Decimal(spec["price"])).quantize(Decimal("0.01"))
    )
    return DraftOrder(
        account=account.code,
        strategy="s1" if spec["strategy"] and account == world["accounts"][0] else None,
        symbol=spec["symbol"], side=spec["side"], quantity=Decimal(spec["quantity"]), price=price,
        order_type="market" if price is None else "limit", client_order_id=spec["client_order_id"],
    )  # fmt: skip


def _answers(run: Any) -> Any:
    try:
        results = run()
    except (InvalidOrder, IdempotencyConflict) as exc:
        return ("error", type(exc).__name__, getattr(exc, "errors", str(exc)))
    return [(r.decision, r.violations, r.warnings, r.replayed) for r in results]


def _totals() -> list[tuple[Any, ...]]:
    rows = ReservationTotal.objects.filter(quantity__gt=0).values_list(
        "account_id", "strategy_id", "symbol", "side", "expires_at", "quantity"
    )
    return sorted((a, s or 0, *rest) for a, s, *rest in rows)


def _rows(account: Account, symbols: frozenset[str], ids: frozenset[str]) -> Any:
    """The typed rows a store loads for `account`, normalised for comparison."""
    now = timezone.now()
    request = LoadRequest(account.pk, frozenset({"s1"}), symbols, ids, now, current_day_start(now))
    with transaction.atomic(), check_store().session() as session:
        rows = session.lock_and_load(request)
    book = rows.account_book
    return (
        rows.account, rows.groups, rows.strategies, rows.replays,
        sorted((h.instrument_id, h.strategy_id or 0, h.line) for h in book.held),
        sorted((r.strategy_id or 0, r.symbol, r.side, r.quantity) for r in book.reserved), book.cash,
        {gid: (sorted((h.instrument_id, h.line) for h in b.held),
               sorted((r.symbol, r.side, r.quantity) for r in b.reserved), b.cash)
         for gid, b in rows.group_books.items()},
        {iid: (m.price, _Moment(m.as_of.timestamp())) for iid, m in rows.marks.items()}, sorted(rows.fx),
    )  # fmt: skip


def _both(settings: Any, first: str, run: Any, compare_rows: Any) -> Any:
    """`run` through the store `first` in a rolled-back savepoint, then through the other for real."""
    second = "postgres" if first == "orm" else "orm"
    seen: dict[str, Any] = {}
    for store in (first, second):
        settings.RISK_CHECK_STORE = store
        try:
            with transaction.atomic():
                loaded = compare_rows()
                answer = _answers(run)
                seen[store] = (loaded, answer, _totals())
                if store == first:
                    raise _RollBack
        except _RollBack:
            pass
    assert seen["orm"][0] == seen["postgres"][0], "the stores loaded different rows"
    assert seen["orm"][1] == seen["postgres"][1], "the stores answered differently"
    assert seen["orm"][2] == seen["postgres"][2], "the stores left different reservation totals"
    return seen[second][1]


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(operation_st, min_size=1, max_size=14), first=st.sampled_from(["orm", "postgres"]))
def test_the_fast_path_answers_exactly_as_the_reference_store(postgres, settings, ops, first):
    settings.RISK_SHARED_STATE = "database"
    try:
        with transaction.atomic():
            scope_limits_cache.clear()
            instruments.clear()
            previous_closes.clear()
            _run_sequence(settings, _world(), ops, first)
            raise _RollBack  # a fresh database for the next example
    except _RollBack:
        pass


def _run_sequence(settings: Any, world: dict[str, Any], ops: list[Any], first: str) -> None:
    accounts = world["accounts"]
    accepted: list[CheckDecision] = []
    for op in ops:
        kind = op[0]
        if kind in {"check", "basket"}:
            specs = [op[1]] if kind == "check" else op[1]
            account = accounts[specs[0]["account"]]
            drafts = [_draft(spec, world, account) for spec in specs]
            if kind == "check":

                def run(d: DraftOrder = drafts[0], a: Account = account) -> Any:
                    return [check_order(account=a, order=d)]
            else:

                def run(d: list[DraftOrder] = drafts, a: Account = account) -> Any:
                    return check_batch(account=a, orders=d)

            compare = lambda a=account, d=drafts: _rows(  # noqa: E731
                a,
                frozenset(x.symbol for x in d),
                frozenset(x.client_order_id for x in d if x.client_order_id),
            )
            _both(settings, first, run, compare)
            accepted = list(CheckDecision.objects.filter(decision="accepted").order_by("id"))
        elif kind == "fill" and accepted:
            target = accepted[op[1] % len(accepted)]
            fills_record(fills=[FillInput(
                account=target.account, fill_id=uuid.uuid4().hex,
                instrument=Instrument.objects.get(symbol=target.symbol), side=target.side,
                quantity=Decimal(op[2]), price=target.reserved_price or MARKS[target.symbol],
                executed_at=datetime.now(UTC), strategy=target.strategy, check_id=target.check_id,
            )])  # fmt: skip
        elif kind == "release" and accepted:
            check_release(decision=accepted[op[1] % len(accepted)])
        elif kind == "limit":
            scope, (field, value) = op[1], op[2]
            target = {
                "account": accounts[0],
                "strategy": world["strategy"],
                "group": accounts[0].groups.get(),
            }[scope]
            set_limits(target, **{field: value})
        elif kind == "mark":
            symbol, factor = op[1], Decimal(op[2])
            Price.objects.filter(instrument__symbol=symbol).update(price=MARKS[symbol] * factor)
