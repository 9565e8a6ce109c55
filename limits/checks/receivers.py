"""Signal receivers of the check: fills consume reservations; instrument edits refresh the cache.

Connected from LimitsConfig.ready() (limits/apps.py imports this module).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from limits.checks.refdata import bump_version
from limits.checks.reservations import consume_for_fill
from positions.models import Instrument
from positions.signals import fill_recorded


@receiver(fill_recorded, dispatch_uid="limits.checks.consume_reservation")
def consume_reservation(sender: Any, fill: Any, **kwargs: Any) -> None:
    # Sent inside the fill's transaction: the reservation shrinks exactly when the position grows.
    consume_for_fill(fill)


@receiver(post_save, sender=Instrument, dispatch_uid="limits.checks.instrument_saved")
@receiver(post_delete, sender=Instrument, dispatch_uid="limits.checks.instrument_deleted")
def instrument_changed(sender: Any, **kwargs: Any) -> None:
    bump_version()
