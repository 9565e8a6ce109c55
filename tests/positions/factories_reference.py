"""Factories and helpers for reference-data tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import Permission

from positions.models import Instrument
from tests.factories import InstrumentFactory, UserFactory


def feed_user(*codenames: str):
    """A non-staff user holding the given positions permissions, like a market-data feed."""
    user = UserFactory(username="feed")
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="positions", codename__in=codenames)
    )
    return user


def option_on(underlying: Instrument, symbol: str = "AAPL-C200", **kwargs) -> Instrument:
    defaults = {
        "asset_class": "option",
        "currency": underlying.currency,
        "multiplier": Decimal("100"),
        "underlying": underlying,
        "option_type": "call",
        "strike": Decimal("200"),
        "expiry": date(2027, 1, 15),
    }
    return InstrumentFactory(symbol=symbol, **{**defaults, **kwargs})
