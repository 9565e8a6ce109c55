"""The firm's risk day: it starts at the roll time in the firm's time zone. Pure, no Django.

A roll time of 17:00 in America/New_York means the day that starts Monday 17:00 local runs to Tuesday
17:00 local. DST is handled by the zone database: the start is the wall-clock roll time on that date.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo


def parse_roll_time(value: str) -> time:
    """'HH:MM' (24h) as a time; raises ValueError on anything else."""
    hours, sep, minutes = value.partition(":")
    if not sep or len(hours) != 2 or len(minutes) != 2 or not (hours + minutes).isdigit():
        raise ValueError(f"roll time must be HH:MM, got {value!r}")
    return time(int(hours), int(minutes))


def day_start(now: datetime, zone: tzinfo, roll: time) -> datetime:
    """The start of the risk day containing `now` (aware, in `zone`)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    local = now.astimezone(zone)
    start = datetime.combine(local.date(), roll, tzinfo=zone)
    if start > local:
        start = datetime.combine(local.date() - timedelta(days=1), roll, tzinfo=zone)
    return start


def next_day_start(start: datetime) -> datetime:
    """The start of the risk day after the one starting at `start` (aware): the same wall-clock roll
    time on the next local date, so DST-safe (not start + 24 hours)."""
    zone = start.tzinfo
    if zone is None:
        raise ValueError("start must be timezone-aware")
    return datetime.combine(
        start.date() + timedelta(days=1), start.timetz().replace(tzinfo=None), tzinfo=zone
    )


def trading_date(start: datetime) -> date:
    """The calendar date a risk day is named after: the local date at its midpoint.

    A day that starts at 00:00 is that date; one that starts Monday 17:00 is Tuesday's session.
    The previous close for daily P&L is the latest close dated before this date.
    """
    return (start + timedelta(hours=12)).date()
