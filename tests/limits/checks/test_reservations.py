"""Accepted orders hold their exposure until fills consume it, a release frees it, or it expires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from limits.checks.reservations import expire_reservations, reservation_expiry
from limits.checks.tasks import expire_check_reservations
from limits.models import CheckDecision
from tests.limits.checks.conftest import codes, fill, set_limits, set_state

pytestmark = pytest.mark.django_db


def _row(check_id: str) -> CheckDecision:
    return CheckDecision.objects.get(check_id=check_id)


def test_an_accepted_order_holds_its_quantity_for_later_checks(funded, check):
    set_limits(funded, max_position_quantity="150")
    first = check(quantity="100")
    assert first["decision"] == "accepted"
    assert _row(first["check_id"]).open_quantity == Decimal("100")
    second = check(quantity="100")
    assert ("position_quantity", "account") in codes(second)
    assert check(quantity="50")["decision"] == "accepted"


def test_reservations_count_on_their_side_only(funded, check):
    set_limits(funded, max_position_quantity="150")
    check(quantity="100")
    # A sell is checked against position - open sells, not + open buys.
    assert check(side="sell", quantity="150")["decision"] == "accepted"


def test_a_rejected_order_holds_nothing(funded, check):
    set_limits(funded, max_order_quantity="10")
    rejected = check(quantity="100")
    assert _row(rejected["check_id"]).open_quantity == 0


def test_fills_naming_the_check_consume_it_partially_then_fully(funded, check):
    set_limits(funded, max_position_quantity="150")
    first = check(quantity="100")
    fill(funded, "AAPL", "buy", "40", "100", check_id=first["check_id"])
    row = _row(first["check_id"])
    assert (row.open_quantity, row.filled_quantity) == (Decimal("60"), Decimal("40"))
    # Position 40 + open 60 = 100: 50 more still does not fit, 50 exactly does.
    assert ("position_quantity", "account") in codes(check(quantity="51"))
    fill(funded, "AAPL", "buy", "70", "100", check_id=first["check_id"])  # overfill: consumes the 60 left
    row = _row(first["check_id"])
    assert (row.open_quantity, row.filled_quantity) == (Decimal("0"), Decimal("100"))


def test_a_fill_for_another_symbol_does_not_consume(funded, check):
    first = check(quantity="100")
    fill(funded, "MSFT", "buy", "10", "200", check_id=first["check_id"])
    assert _row(first["check_id"]).open_quantity == Decimal("100")


def test_a_fill_that_rolls_back_consumes_nothing(funded, check):
    from django.db import transaction

    first = check(quantity="100")

    def fill_then_fail() -> None:
        with transaction.atomic():
            fill(funded, "AAPL", "buy", "100", "100", check_id=first["check_id"])
            raise RuntimeError("the fill request failed later")

    with pytest.raises(RuntimeError):
        fill_then_fail()
    assert _row(first["check_id"]).open_quantity == Decimal("100")


def test_a_release_frees_what_is_left(funded, check, trader_client):
    set_limits(funded, max_position_quantity="150")
    first = check(quantity="100")
    fill(funded, "AAPL", "buy", "30", "100", check_id=first["check_id"])
    response = trader_client.post(f"/api/v1/checks/{first['check_id']}/release/")
    assert response.status_code == 200
    assert response.json()["reservation"]["open_quantity"] == "0"
    assert response.json()["reservation"]["released_quantity"] == "70"
    assert check(quantity="120")["decision"] == "accepted"  # 30 held + 120 = 150


def test_a_second_release_frees_nothing_more(funded, check, trader_client):
    first = check(quantity="100")
    trader_client.post(f"/api/v1/checks/{first['check_id']}/release/")
    again = trader_client.post(f"/api/v1/checks/{first['check_id']}/release/")
    assert again.status_code == 200
    assert again.json()["reservation"]["released_quantity"] == "100"


def test_a_halted_account_still_allows_releases(funded, check, trader_client):
    first = check(quantity="100")
    set_state(funded, "halted")
    response = trader_client.post(f"/api/v1/checks/{first['check_id']}/release/")
    assert response.status_code == 200
    assert _row(first["check_id"]).open_quantity == 0


def test_releasing_a_rejected_check_is_a_conflict(funded, check, trader_client):
    set_limits(funded, max_order_quantity="10")
    rejected = check(quantity="100")
    assert trader_client.post(f"/api/v1/checks/{rejected['check_id']}/release/").status_code == 409


def test_an_expired_reservation_stops_counting(funded, check, settings):
    settings.RISK_RESERVATION_TTL_SECONDS = 60
    set_limits(funded, max_position_quantity="150")
    check(quantity="100")
    assert check(quantity="100")["decision"] == "rejected"
    later = timezone.now() + timedelta(seconds=61)
    with mock.patch("limits.checks.service.timezone.now", return_value=later):
        assert check(quantity="100")["decision"] == "accepted"


def test_the_cleanup_task_zeroes_expired_reservations_once(funded, check):
    first = check(quantity="100")
    keep = check(quantity="10")
    CheckDecision.objects.filter(check_id=first["check_id"]).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert expire_check_reservations() == 1
    assert expire_reservations() == 0
    assert _row(first["check_id"]).open_quantity == 0
    assert _row(keep["check_id"]).open_quantity == Decimal("10")


def test_reservations_expire_at_the_next_day_roll_by_default(settings):
    settings.TIME_ZONE = "America/New_York"
    settings.RISK_DAY_ROLL_TIME = "17:00"
    now = datetime(2026, 3, 6, 20, 0, tzinfo=UTC)  # 15:00 in New York, Friday
    assert reservation_expiry(now) == datetime(2026, 3, 6, 17, 0, tzinfo=ZoneInfo("America/New_York"))
    later = datetime(2026, 3, 6, 23, 0, tzinfo=UTC)  # 18:00 New York: after the roll
    # DST starts on Sunday 8 March: the next roll is still 17:00 wall clock.
    assert reservation_expiry(later) == datetime(2026, 3, 7, 17, 0, tzinfo=ZoneInfo("America/New_York"))


def test_a_configured_lifetime_replaces_the_end_of_day(settings):
    settings.RISK_RESERVATION_TTL_SECONDS = 600
    now = datetime(2026, 3, 6, 20, 0, tzinfo=UTC)
    assert reservation_expiry(now) == now + timedelta(minutes=10)


def test_strategy_reservations_count_in_the_strategy_and_the_account(funded, strategy, check):
    set_limits(strategy, max_position_quantity="150")
    set_limits(funded, max_position_quantity="250")
    check(strategy="momo", quantity="100")
    assert ("position_quantity", "strategy") in codes(check(strategy="momo", quantity="100"))
    assert check(quantity="100")["decision"] == "accepted"  # no strategy: account 200 <= 250
    assert ("position_quantity", "account") in codes(check(quantity="100"))


def test_a_market_order_reserves_at_the_mark(funded, check):
    result = check(order_type="market", price=..., quantity="10")
    assert _row(result["check_id"]).reserved_price == Decimal("100")


def test_an_instrument_edit_reaches_the_check_after_commit(funded, check, django_capture_on_commit_callbacks):
    from positions.models import Instrument

    set_limits(funded, max_order_notional="15000")
    assert check(quantity="100")["decision"] == "accepted"  # 100 x 100 x 1; the table is now cached
    with django_capture_on_commit_callbacks(execute=True):
        aapl = Instrument.objects.get(symbol="AAPL")
        aapl.multiplier = Decimal("2")
        aapl.save()
    result = check(quantity="100")
    assert result["violations"][0]["value"] == "20000.00"
