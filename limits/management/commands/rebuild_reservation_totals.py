"""Recompute the reservation totals the pre-trade check reads from the open check decisions."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from limits.checks.reservations import rebuild_reservation_totals


class Command(BaseCommand):
    help = "Recompute the reservation totals from the open check decisions (safe while checks run)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = rebuild_reservation_totals()
        self.stdout.write(f"{count} reservation total(s) rebuilt from the open decisions.")
