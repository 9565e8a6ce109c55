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
QUIET_LOGGERS = ("accounts.services", "analytics", "limits", "positions", "celery")


class Command(BaseCommand):
    help = (
        "Load demo data: users, 14 accounts in two desks, 80+ instruments with options, two years of "
        "correlated daily prices, marks, FX, rates, deposits, fills and limits. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Empty the whole database first (flush).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run with DEBUG off: the demo creates users with a published password, never do this in "
            "production.",
        )
        parser.add_argument(
            "--host", default="127.0.0.1", help="Host the site is served on (for the URLs shown)."
        )
        parser.add_argument(
            "--port", type=int, default=8000, help="Port the site is served on (for the URLs shown)."
        )
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
        if not (settings.DEBUG or options["force"]):
            raise CommandError(
                "load_demo creates users with a published password: it runs with DEBUG=1 only "
                "(add --force to run it anyway, never on a production database)."
            )
        started = time.monotonic()
        if options["reset"]:
            call_command("flush", interactive=False, verbosity=0)
            self.stdout.write("Database emptied.")
        # The services and the nightly run log every account, membership and report they write: too
        # chatty for a demo load, whose own output stays a few lines.
        quiet = [logging.getLogger(name) for name in QUIET_LOGGERS]
        levels = [log.level for log in quiet]
        for log in quiet:
            log.setLevel(logging.WARNING)
        try:
            summary = load_demo(
                seed=options["seed"],
                history_days=options["history_days"],
                extras=not options["no_extras"],
                log=lambda step: self.stdout.write(f"  {step}"),
            )
        finally:
            for log, level in zip(quiet, levels, strict=True):
                log.setLevel(level)
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Demo loaded in {elapsed:.1f} s: {summary.accounts} accounts, "
            f"{summary.instruments} instruments, {summary.history_rows} daily closes, "
            f"{summary.fills_created} new fills"
            + (f", {' and '.join(summary.extras)} demo data" if summary.extras else "")
            + "."
        )
        site = f"http://{options['host']}:{options['port']}"
        self.stdout.write(self.style.SUCCESS(f"Risk pages:   {site}/   (log in at {site}/login/)"))
        self.stdout.write(
            f"  users: risk (risk manager), trader1, trader2, auditor (viewer), "
            f"{summary.admin_username} (staff)"
        )
        self.stdout.write(f"  password: {summary.password}   (the same for all; a demo only)")
        self.stdout.write(f"Admin:        {site}/admin/   API: {site}/api/v1/   docs: {site}/api/v1/docs/")
        self.stdout.write(f"OMS token ({summary.oms_username}): {summary.oms_token}")
        self.stdout.write(f'  curl -H "Authorization: Token {summary.oms_token}" {site}/api/v1/accounts/')
