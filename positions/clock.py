"""The firm's risk day as configured: settings.TIME_ZONE and settings.RISK_DAY_ROLL_TIME ('HH:MM')."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from positions.ledger.tradingday import day_start, next_day_start, parse_roll_time, trading_date


def current_day_start(now: datetime | None = None) -> datetime:
    """When the risk day containing `now` (default: now) began, in the firm's time zone."""
    return day_start(
        now or timezone.now(), ZoneInfo(settings.TIME_ZONE), parse_roll_time(settings.RISK_DAY_ROLL_TIME)
    )


def current_day_end(now: datetime | None = None) -> datetime:
    """When the risk day containing `now` (default: now) ends: the next day's start."""
    return next_day_start(current_day_start(now))


def current_trading_date(now: datetime | None = None) -> date:
    """The date the current risk day is named after (previous closes are dated before it)."""
    return trading_date(current_day_start(now))
