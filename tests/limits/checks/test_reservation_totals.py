"""ReservationTotal stays the sum of the open decisions, whatever checks, fills and releases do.

The check reads only the totals, so any drift would admit too much or too little: after every step
the totals must equal the open quantities of the decisions summed per key.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from limits.checks.reservations import expire_reservations, rebuild_reservation_totals
from limits.models import CheckDecision, ReservationTotal
from tests.limits.checks.conftest import fill, set_limits

pytestmark = pytest.mark.django_db


def totals() -> dict[tuple, Decimal]:
    return {
        (t.account_id, t.strategy_id, t.symbol, t.side, t.expires_at): t.quantity
        for t in ReservationTotal.objects.all()
        if t.quantity
    }


def from_decisions() -> dict[tuple, Decimal]:
    sums: dict[tuple, Decimal] = defaultdict(Decimal)
    for d in CheckDecision.objects.filter(open_quantity__gt=0):
        sums[(d.account_id, d.strategy_id, d.symbol, d.side, d.expires_at)] += d.open_quantity
    return dict(sums)


def test_checks_fills_and_releases_keep_the_totals_equal_to_the_decisions(
    funded, strategy, check, trader_client
):
    set_limits(funded, max_order_quantity="1000")
    bought = check(quantity="100")
    momo = check(quantity="40", strategy="momo")
    sold = check(symbol="MSFT", side="sell", quantity="30", price="200")
    rejected = check(quantity="5000")
    basket = trader_client.post(
        "/api/v1/checks/batch/",
        {"orders": [{"account": "ACC-1", "symbol": "AAPL", "side": "buy", "quantity": q, "price": "100"}
                    for q in ("7", "8")]},
        format="json",
    ).json()["results"]  # fmt: skip
    assert rejected["decision"] == "rejected"
    assert totals() == from_decisions()
    assert sorted(totals().values()) == [Decimal("30"), Decimal("40"), Decimal("115")]

    fill(funded, "AAPL", "buy", "60", "100", check_id=bought["check_id"])  # partial
    assert totals() == from_decisions()
    fill(funded, "AAPL", "buy", "500", "100", check_id=bought["check_id"])  # more than was open
    fill(funded, "AAPL", "buy", "10", "100", check_id=rejected["check_id"])  # holds nothing
    fill(funded, "AAPL", "buy", "10", "100", strategy=strategy, check_id=momo["check_id"])
    assert totals() == from_decisions()

    for check_id in (sold["check_id"], sold["check_id"], basket[0]["check_id"], momo["check_id"]):
        assert trader_client.post(f"/api/v1/checks/{check_id}/release/").status_code == 200
        assert totals() == from_decisions()
    assert list(totals().values()) == [Decimal("8")]


def test_expiry_drops_the_totals_with_the_decisions(funded, check, settings):
    settings.RISK_RESERVATION_TTL_SECONDS = 60
    now = timezone.now()
    check(quantity="100")
    with mock.patch("limits.checks.service.timezone.now", return_value=now + timedelta(seconds=30)):
        check(quantity="5")  # expires 30 seconds after the first
    assert expire_reservations(now=now + timedelta(seconds=61)) == 1
    assert totals() == from_decisions()
    assert list(totals().values()) == [Decimal("5")]


def test_rebuild_recomputes_lost_totals(funded, strategy, check, capsys):
    check(quantity="100")
    check(quantity="20", strategy="momo")
    expected = from_decisions()
    ReservationTotal.objects.all().delete()
    assert rebuild_reservation_totals() == 2
    assert totals() == expected
    ReservationTotal.objects.update(quantity=Decimal("1"))
    call_command("rebuild_reservation_totals")
    assert totals() == expected
    assert "2 reservation total(s) rebuilt" in capsys.readouterr().out


def test_a_check_counts_the_totals_it_reads(funded, check):
    """The totals are what holds headroom: with the decision still open but its total gone, the check
    would admit the order (so every writer must keep them in step, as the tests above prove)."""
    set_limits(funded, max_position_quantity="150")
    check(quantity="100")
    assert check(quantity="100")["decision"] == "rejected"
    ReservationTotal.objects.all().delete()
    with (
        mock.patch("limits.checks.store.orm.add_totals"),
        mock.patch("limits.checks.store.postgres.opened_totals", return_value={}),
    ):
        assert check(quantity="100")["decision"] == "accepted"


operation = st.one_of(
    st.tuples(st.just("check"), st.sampled_from(["AAPL", "MSFT"]), st.sampled_from(["buy", "sell"]),
              st.integers(1, 300), st.booleans()),
    st.tuples(st.just("fill"), st.integers(0, 20), st.integers(1, 200)),
    st.tuples(st.just("release"), st.integers(0, 20)),
)  # fmt: skip


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(operation, min_size=1, max_size=12))
def test_any_sequence_keeps_the_totals_equal_to_the_decisions(funded, strategy, check, trader_client, ops):
    set_limits(funded, max_position_quantity="400")
    accepted: list[dict] = []
    for op in ops:
        if op[0] == "check":
            _, symbol, side, qty, with_strategy = op
            price = "100" if symbol == "AAPL" else "200"
            result = check(symbol=symbol, side=side, quantity=str(qty), price=price,
                           strategy="momo" if with_strategy else ...)  # fmt: skip
            if result["decision"] == "accepted":
                accepted.append({"id": result["check_id"], "symbol": symbol, "side": side,
                                 "strategy": strategy if with_strategy else None})  # fmt: skip
        elif accepted and op[0] == "fill":
            target = accepted[op[1] % len(accepted)]
            fill(funded, target["symbol"], target["side"], str(op[2]), "100",
                 strategy=target["strategy"], check_id=target["id"])  # fmt: skip
        elif accepted and op[0] == "release":
            target = accepted[op[1] % len(accepted)]
            assert trader_client.post(f"/api/v1/checks/{target['id']}/release/").status_code == 200
        assert totals() == from_decisions()
