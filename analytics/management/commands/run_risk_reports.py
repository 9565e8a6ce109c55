"""Compute the nightly risk reports now (all accounts, or one), or install the nightly schedule."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Account
from analytics.services.reports import risk_reports_run
from analytics.services.schedule import schedule_install


class Command(BaseCommand):
    help = "Compute and store risk reports (VaR, ES, Greeks, stress, margin) and raise alerts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Report date YYYY-MM-DD (default: the current trading date).")
        parser.add_argument("--account", help="Only this account code.")
        parser.add_argument(
            "--install-schedule",
            action="store_true",
            help="Create or update the celery beat entry running the reports nightly at RISK_REPORT_HOUR.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["install_schedule"]:
            task = schedule_install()
            self.stdout.write(f"Scheduled {task.task} ({task.crontab}).")
            return
        as_of = None
        if options["date"]:
            try:
                as_of = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must be YYYY-MM-DD") from None
        account_ids = None
        if options["account"]:
            account_id = Account.objects.filter(code=options["account"]).values_list("id", flat=True).first()
            if account_id is None:
                raise CommandError(f"No account {options['account']}.")
            account_ids = [account_id]
        summary = risk_reports_run(as_of=as_of, account_ids=account_ids)
        self.stdout.write(
            f"{summary.as_of}: {summary.accounts} accounts, {summary.ok} ok, {summary.failed} failed, "
            f"{summary.alerts_opened} new alerts."
        )
        for code, error in sorted(summary.failures.items()):
            self.stdout.write(f"  {code}: {error}")
