"""What an accepted check holds, and the three ways it stops holding it: fills, release, expiry.

A reservation is the `open_quantity` of an accepted CheckDecision (see limits/models/checks.py).
Checks count it while open_quantity > 0 and expires_at > now. Every change here is a conditional
UPDATE on the decision row (healthchecks-style claims), so a replayed fill, a double release or a
cleanup running twice cannot free the same quantity twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from limits.models.checks import CheckDecision
from positions.ledger.tradingday import day_start, parse_roll_time

if TYPE_CHECKING:
    from positions.models import Fill

logger = logging.getLogger(__name__)
ZERO = Decimal(0)


class NothingReserved(Exception):
    """Only an accepted check holds a reservation; a rejected one has nothing to release."""


def reservation_expiry(now: datetime) -> datetime:
    """When a reservation made at `now` stops counting.

    settings.RISK_RESERVATION_TTL_SECONDS (if set and > 0) gives a fixed lifetime; otherwise the
    reservation lasts until the end of the firm's risk day (the next RISK_DAY_ROLL_TIME in TIME_ZONE),
    when an unfilled day order is gone anyway.
    """
    ttl = int(getattr(settings, "RISK_RESERVATION_TTL_SECONDS", 0) or 0)
    if ttl > 0:
        return now + timedelta(seconds=ttl)
    zone = ZoneInfo(settings.TIME_ZONE)
    start = day_start(now, zone, parse_roll_time(settings.RISK_DAY_ROLL_TIME))
    local = start.astimezone(zone)
    # The same wall-clock roll time on the next date (DST-safe: not start + 24 hours).
    return datetime.combine(
        local.date() + timedelta(days=1), local.timetz().replace(tzinfo=None), tzinfo=zone
    )


def consume_for_fill(fill: Fill) -> Decimal:
    """Consume the reservation named by `fill.check_id` by the fill's quantity (partially if partial).

    Runs inside the fill's transaction (positions.signals.fill_recorded). A fill for another account,
    symbol or side than the check, or a check that holds nothing, consumes nothing. Returns the
    quantity consumed.
    """
    if fill.check_id is None:
        return ZERO
    symbol = fill.instrument.symbol
    updated = CheckDecision.objects.filter(
        check_id=fill.check_id,
        account_id=fill.account_id,
        symbol=symbol,
        side=fill.side,
        open_quantity__gt=0,
    ).update(
        filled_quantity=F("filled_quantity") + Least(F("open_quantity"), fill.quantity),
        open_quantity=Greatest(F("open_quantity") - fill.quantity, ZERO),
    )
    if not updated:
        logger.info("fill %s names check %s, which holds nothing for it", fill.fill_id, fill.check_id)
        return ZERO
    return fill.quantity


@transaction.atomic
def release(*, decision: CheckDecision, now: datetime | None = None) -> CheckDecision:
    """Free what is left of the decision's reservation. Idempotent: a second release frees nothing.

    Allowed whatever the trading state: releasing only ever reduces risk.
    """
    if decision.decision != CheckDecision.Outcome.ACCEPTED:
        raise NothingReserved(f"Check {decision.check_id} was rejected: it holds no reservation.")
    now = now or timezone.now()
    CheckDecision.objects.filter(pk=decision.pk, open_quantity__gt=0).update(
        released_quantity=F("released_quantity") + F("open_quantity"),
        open_quantity=ZERO,
        released_at=now,
    )
    decision.refresh_from_db()
    return decision


def expire_reservations(*, now: datetime | None = None, batch_size: int = 1000) -> int:
    """Zero the open quantity of expired reservations (they already stopped counting at expires_at).

    Housekeeping only: it keeps the partial index of open reservations small. Safe to run twice.
    """
    now = now or timezone.now()
    total = 0
    while True:
        ids = list(
            CheckDecision.objects.filter(open_quantity__gt=0, expires_at__lte=now)
            .order_by("id")
            .values_list("id", flat=True)[:batch_size]
        )
        if not ids:
            return total
        total += CheckDecision.objects.filter(Q(id__in=ids), open_quantity__gt=0, expires_at__lte=now).update(
            open_quantity=ZERO
        )
