"""Type states, input validation, batches (baskets) and utilization."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from limits.engine import (
    AcceptedDecision,
    InvalidOrder,
    Limits,
    RejectedDecision,
    ValidatedOrder,
    apply_reservation,
    check_batch,
    check_order,
    reserve,
    utilization,
    validate_order,
)
from limits.engine.decision import accept
from tests.limits.engine.builders import SCOPES, D, order, snapshot


def test_a_validated_order_cannot_be_built_by_hand() -> None:
    valid = validate_order(order(), snapshot())
    with pytest.raises(TypeError):
        ValidatedOrder(
            **{f: getattr(valid, f) for f in ValidatedOrder.__dataclass_fields__ if f != "_token"},
            _token=object(),
        )


def test_an_accepted_decision_cannot_be_built_by_hand() -> None:
    valid = validate_order(order(), snapshot())
    with pytest.raises(TypeError):
        AcceptedDecision(valid, (), snapshot().now, D(1), D(1), "USD", None, object())
    assert isinstance(accept(valid, (), snapshot().now, D(1), D(1), "USD", None), AcceptedDecision)


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        (order(quantity="0"), "quantity"),
        (order(quantity="-5"), "quantity"),
        (order(price=None), "price"),
        (order(price="0"), "price"),
        (order(side="hold"), "side"),
        (order(order_type="stop"), "order_type"),
        (order(strategy="unknown"), "strategy"),
        (replace(order(), account="OTHER"), "account"),
        (replace(order(), quantity=Decimal("NaN")), "quantity"),
    ],
)
def test_it_rejects_malformed_orders_by_field(draft: object, field: str) -> None:
    with pytest.raises(InvalidOrder) as info:
        validate_order(draft, snapshot())  # type: ignore[arg-type]
    assert field in info.value.errors


def test_a_reservation_holds_the_signed_quantity_notional_and_margin() -> None:
    decision = check_order(order(side="sell", quantity="30", symbol="SAP", price="20"), snapshot())
    assert isinstance(decision, AcceptedDecision)
    held = reserve(decision)
    assert (held.signed_quantity, held.notional, held.margin, held.currency) == (
        D(-30),
        D("660.0"),
        D("132.00"),
        "USD",
    )
    assert (held.account, held.strategy, held.symbol, held.side) == ("ACC-1", "momo", "SAP", "sell")


@pytest.mark.parametrize("scope", SCOPES)
def test_a_reservation_counts_for_later_checks_in_every_scope(scope: str) -> None:
    snap = snapshot(scope, Limits(max_position_quantity=D(100)))
    first = check_order(order(quantity="60"), snap)
    assert isinstance(first, AcceptedDecision)
    after = apply_reservation(snap, reserve(first))
    assert check_order(order(quantity="60"), after).decision == "rejected"
    assert check_order(order(quantity="40"), after).decision == "accepted"
    # an open buy does not make room for a sell beyond the limit
    assert check_order(order(side="sell", quantity="101"), after).decision == "rejected"


@pytest.mark.parametrize("scope", SCOPES)
def test_a_batch_sees_the_orders_accepted_before_it(scope: str) -> None:
    snap = snapshot(scope, Limits(max_position_quantity=D(100), max_orders_per_minute=4))
    result = check_batch(
        [
            order(quantity="60"),
            order(quantity="60"),
            order(quantity="40"),
            order(quantity="1"),
            order(quantity="1"),
        ],
        snap,
    )
    assert [d.decision for d in result.decisions] == [
        "accepted",
        "rejected",
        "accepted",
        "rejected",
        "rejected",
    ]
    assert [r.signed_quantity for r in result.reservations] == [D(60), D(40)]
    assert result.snapshot.account.reserved_buy == {"AAPL": D(100)}
    assert result.snapshot.groups[0].reserved_buy == {"AAPL": D(100)}
    assert result.snapshot.strategies["momo"].reserved_buy == {"AAPL": D(100)}
    fifth = result.decisions[4]
    assert isinstance(fifth, RejectedDecision)
    assert {v.code for v in fifth.violations} == {"position_quantity", "order_rate"}
    assert snap.account.reserved_buy == {}  # the input is left alone


def test_a_batch_with_a_malformed_order_decides_nothing() -> None:
    with pytest.raises(InvalidOrder) as info:
        check_batch([order(), order(quantity="0")], snapshot())
    assert list(info.value.errors) == ["orders[1].quantity"]


@settings(max_examples=60, deadline=None)
@given(
    position=st.integers(-400, 400),
    quantities=st.lists(st.tuples(st.sampled_from(["buy", "sell"]), st.integers(1, 600)), max_size=8),
)
def test_a_batch_never_admits_more_than_the_position_limit(
    position: int, quantities: list[tuple[str, int]]
) -> None:
    snap = snapshot("all", Limits(max_position_quantity=D(100)), positions={"AAPL": str(position)})
    result = check_batch([order(side=s, quantity=str(q)) for s, q in quantities], snap)
    longest, shortest = D(position), D(position)
    for decision in result.decisions:
        if decision.decision == "accepted":
            q = decision.order.signed_quantity
            longest, shortest = (longest + q, shortest) if q > 0 else (longest, shortest + q)
            # every accepted order kept its side within the limit or moved it toward zero, not across
            moved = longest if q > 0 else shortest
            before = moved - q
            reducing = abs(moved) < abs(before) and (moved == 0 or (moved > 0) == (before > 0))
            assert abs(moved) <= 100 or reducing


def test_utilization_reports_each_limit_set_in_percent() -> None:
    limits = Limits(
        max_position_quantity=D(200),
        max_position_notional=D(4000),
        max_gross_exposure=D(4000),
        max_net_exposure=D(1000),
        max_leverage=D(4),
        max_daily_loss=D(1000),
        max_var=D(100),
        max_orders_per_minute=10,
        max_order_quantity=D(5),
    )
    snap = snapshot(
        "account",
        limits,
        positions={"AAPL": "100", "MSFT": "-50"},
        reserved_buy={"AAPL": "50"},
        cash={"USD": "1000"},
        daily_pnl="-250",
        orders_last_minute=3,
    )
    assert utilization(snap, snap.account) == {
        "max_position_quantity": D(75),  # AAPL 100 + open buys 50
        "max_position_notional": D("37.5"),
        "max_gross_exposure": D("50"),  # 1,500 + 500
        "max_net_exposure": D(100),
        "max_leverage": D(50),  # 2,000 / 1,000 = 2x of 4x
        "max_daily_loss": D(25),
        "max_var": None,  # no report yet: unknown, not zero
        "max_orders_per_minute": D(30),
    }


def test_utilization_is_unknown_when_data_is_missing() -> None:
    snap = snapshot("account", Limits(max_gross_exposure=D(1)), positions={"SAP": "1"}, fx={})
    assert utilization(snap, snap.account) == {"max_gross_exposure": None}


@settings(max_examples=40, deadline=None)
@given(
    orders=st.lists(
        st.tuples(
            st.sampled_from(["AAPL", "MSFT", "SAP", "ES", "AAPL-C"]),
            st.sampled_from(["buy", "sell"]),
            st.integers(1, 300),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_a_batch_values_its_holdings_as_a_fresh_snapshot_would(orders: list[tuple[str, str, int]]) -> None:
    from limits.engine.exposure import holdings

    snap = snapshot(positions={"AAPL": "100", "MSFT": "-40", "SAP": "7"}, reserved_sell={"ES": "2"})
    for scope in (snap.account, snap.groups[0], snap.strategies["momo"]):
        holdings(snap, scope)  # warm the cache the batch carries forward
    result = check_batch(
        [order(symbol=s, side=side, quantity=str(q), price="1") for s, side, q in orders], snap
    )
    carried = result.snapshot
    fresh = replace(carried)
    assert fresh._holdings == {}
    for pick in (lambda x: x.account, lambda x: x.groups[0], lambda x: x.strategies["momo"]):
        kept = holdings(carried, pick(carried))
        recomputed = holdings(fresh, pick(fresh))
        assert (kept.gross, kept.net, kept.margin) == (recomputed.gross, recomputed.net, recomputed.margin)
        assert dict(kept.per_symbol) == dict(recomputed.per_symbol)
