"""The firm's risk day boundaries (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from positions.ledger.tradingday import day_start, parse_roll_time, trading_date

NY = ZoneInfo("America/New_York")


def test_with_a_midnight_roll_the_day_starts_at_local_midnight() -> None:
    start = day_start(datetime(2026, 3, 10, 15, 0, tzinfo=UTC), NY, time(0, 0))
    assert start == datetime(2026, 3, 10, 0, 0, tzinfo=NY)
    assert trading_date(start) == date(2026, 3, 10)


def test_before_the_roll_time_the_day_started_yesterday() -> None:
    # 14:00 New York (EDT) on 10 March is before the 17:00 roll.
    start = day_start(datetime(2026, 3, 10, 18, 0, tzinfo=UTC), NY, time(17, 0))
    assert start == datetime(2026, 3, 9, 17, 0, tzinfo=NY)
    assert trading_date(start) == date(2026, 3, 10)


def test_after_the_roll_time_the_next_session_has_started() -> None:
    start = day_start(datetime(2026, 3, 10, 22, 30, tzinfo=UTC), NY, time(17, 0))
    assert start == datetime(2026, 3, 10, 17, 0, tzinfo=NY)
    assert trading_date(start) == date(2026, 3, 11)


def test_the_roll_follows_wall_clock_time_across_dst() -> None:
    # DST began on 8 March 2026: 17:00 local was 22:00 UTC on the 7th and 21:00 UTC on the 9th.
    assert day_start(datetime(2026, 3, 8, 12, 0, tzinfo=UTC), NY, time(17, 0)).astimezone(UTC) == datetime(
        2026, 3, 7, 22, 0, tzinfo=UTC
    )
    assert day_start(datetime(2026, 3, 9, 23, 0, tzinfo=UTC), NY, time(17, 0)).astimezone(UTC) == datetime(
        2026, 3, 9, 21, 0, tzinfo=UTC
    )


def test_exactly_at_the_roll_a_new_day_begins() -> None:
    now = datetime(2026, 3, 10, 21, 0, tzinfo=UTC)  # 17:00 EDT
    assert day_start(now, NY, time(17, 0)) == now


def test_it_rejects_a_naive_now() -> None:
    with pytest.raises(ValueError, match="aware"):
        day_start(datetime(2026, 3, 10), NY, time(0, 0))


@pytest.mark.parametrize(("text", "expected"), [("00:00", time(0, 0)), ("17:30", time(17, 30))])
def test_it_parses_hh_mm(text: str, expected: time) -> None:
    assert parse_roll_time(text) == expected


@pytest.mark.parametrize("text", ["", "7:00", "17", "17:0", "ab:cd", "24:00", "12:60"])
def test_it_rejects_a_malformed_roll_time(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - both our message and time()'s range error count
        parse_roll_time(text)
