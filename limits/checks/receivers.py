"""Signal receivers of the check: fills consume reservations; instrument edits refresh the cache.

Connected from LimitsConfig.ready() (limits/apps.py imports this module).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from limits.checks.refdata import bump_version
from limits.checks.reservations import consume_for_fills
from positions.models import Instrument
from positions.signals import fills_recorded


@receiver(fills_recorded, dispatch_uid="limits.checks.consume_reservations")
def consume_reservations(sender: Any, fills: Any, **kwargs: Any) -> None:
    # Sent inside the fills' transaction: the reservations shrink exactly when the positions grow.
    consume_for_fills(fills)


@receiver(post_save, sender=Instrument, dispatch_uid="limits.checks.instrument_saved")
@receiver(post_delete, sender=Instrument, dispatch_uid="limits.checks.instrument_deleted")
def instrument_changed(sender: Any, **kwargs: Any) -> None:
    bump_version()
