"""Celery tasks of the limits app. Thin: they call services and are safe to run twice."""

from __future__ import annotations

import logging

from celery import shared_task

from limits.services import limit_overrides_expire

logger = logging.getLogger(__name__)


@shared_task(name="limits.tasks.expire_limit_overrides", soft_time_limit=50, time_limit=60)
def expire_limit_overrides() -> int:
    """Stamp lapsed overrides reverted and write their history (runs every minute from beat).

    The overrides already stopped applying at their expiry (effective limits are computed at read
    time); this only records it. Each override is claimed with a conditional UPDATE, so a double
    delivery or two beats writes each history row once.
    """
    done = limit_overrides_expire()
    if done:
        logger.info("Recorded %d expired limit override(s).", done)
    return done


from limits.checks.tasks import expire_check_reservations  # noqa: E402, F401  (registers the reservation cleanup)
