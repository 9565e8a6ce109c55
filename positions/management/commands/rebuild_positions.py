"""Recompute positions and cash balances from fills and cash movements."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Account
from positions.services import positions_rebuild


class Command(BaseCommand):
    help = "Recompute positions and cash balances from fills and cash movements (all accounts or one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--account", metavar="CODE", help="Only this account.")

    def handle(self, *args: Any, **options: Any) -> None:
        accounts = Account.objects.order_by("code")
        if options["account"]:
            accounts = accounts.filter(code=options["account"])
            if not accounts.exists():
                raise CommandError(f"No account {options['account']!r}.")
        for account in accounts:
            result = positions_rebuild(account=account)
            self.stdout.write(
                f"{result.account_code}: {result.fills} fills, {result.positions} positions "
                f"({result.positions_changed} changed), {result.balances} cash balances "
                f"({result.balances_changed} changed)"
            )
