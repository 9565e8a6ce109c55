"""`manage.py load_demo`: a demo firm with users, accounts, instruments, prices, limits and fills."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from riskplatform.demo.data import HISTORY_DAYS
from riskplatform.demo.loader import load_demo
from riskplatform.demo.market import SEED

# The demo fills are spread over the last two months of history.
MIN_DAYS = 60


class Command(BaseCommand):
    help = (
        "Load demo data: users, 14 accounts in two desks, 80+ instruments with options, two years of "
        "correlated daily prices, marks, FX, rates, deposits, fills and limits. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Empty the whole database first (flush). Refused unless DEBUG is on or --force is given.",
        )
        parser.add_argument("--force", action="store_true", help="Allow --reset with DEBUG off.")
        parser.add_argument("--seed", type=int, default=SEED, help="Seed of the simulated prices.")
        parser.add_argument(
            "--history-days",
            type=int,
            default=HISTORY_DAYS,
            help=f"Business days of price history (default {HISTORY_DAYS}, two years; at least {MIN_DAYS}).",
        )
        parser.add_argument(
            "--no-extras", action="store_true", help="Skip the limits and analytics demo data."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["history_days"] < MIN_DAYS:
            raise CommandError(f"--history-days must be at least {MIN_DAYS}: the demo fills need them.")
        started = time.monotonic()
        if options["reset"]:
            if not (settings.DEBUG or options["force"]):
                raise CommandError("--reset empties the database: use it with DEBUG=1, or add --force.")
            call_command("flush", interactive=False, verbosity=0)
            self.stdout.write("Database emptied.")
        # The services log every account and membership they create: too chatty for a demo load.
        service_log = logging.getLogger("accounts.services")
        level = service_log.level
        service_log.setLevel(logging.WARNING)
        try:
            summary = load_demo(
                seed=options["seed"],
                history_days=options["history_days"],
                extras=not options["no_extras"],
                log=lambda step: self.stdout.write(f"  {step}"),
            )
        finally:
            service_log.setLevel(level)
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Demo loaded in {elapsed:.1f} s: {summary.accounts} accounts, "
            f"{summary.instruments} instruments, {summary.history_rows} daily closes, "
            f"{summary.fills_created} new fills"
            + (f", {' and '.join(summary.extras)} demo data" if summary.extras else "")
            + "."
        )
        self.stdout.write(self.style.SUCCESS("Admin login:  http://127.0.0.1:8000/admin/"))
        self.stdout.write(f"  username: {summary.admin_username}")
        self.stdout.write(f"  password: {summary.password}")
        self.stdout.write(
            "  (also: risk, trader1, trader2, auditor with the same password; change them outside a demo)"
        )
        self.stdout.write(self.style.SUCCESS(f"API token of the OMS service user '{summary.oms_username}':"))
        self.stdout.write(f"  {summary.oms_token}")
        self.stdout.write(
            f'  curl -H "Authorization: Token {summary.oms_token}" http://127.0.0.1:8000/api/v1/accounts/'
        )
