"""Housekeeping of reservations. Thin and safe to run twice."""

from __future__ import annotations

import logging

from celery import shared_task

from limits.checks.reservations import expire_reservations

logger = logging.getLogger(__name__)


@shared_task(name="limits.checks.expire_reservations", soft_time_limit=50, time_limit=60)
def expire_check_reservations() -> int:
    """Zero expired reservations. They already stopped counting at expires_at (checks filter on
    it); this keeps the index of open reservations small. Schedule it every few minutes."""
    done = expire_reservations()
    if done:
        logger.info("Expired %d reservation(s).", done)
    return done
