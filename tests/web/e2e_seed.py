"""Seed the browser test's own database through the services (run as a script by test_browser.py
with that database's environment): a USD account ACC-1 with a position, limits, a report and an open
alert; a non-staff risk manager `risk`, a viewer `auditor` and an OMS trader `oms` with a token.
Prints the OMS token as JSON."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

PASSWORD = "browser-test-pass-1"


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "riskplatform.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from accounts.scoping import Role
    from accounts.services import account_create, membership_set
    from analytics.models import Alert, AlertKind, RiskReport
    from limits.services import account_group_create, limit_set_update
    from positions.clock import current_trading_date
    from positions.services import FillInput, cash_movement_record, fills_record
    from positions.services.reference import MarkIn, instrument_create, prices_upsert

    users = get_user_model().objects
    admin = users.create_superuser("admin", "admin@example.com", PASSWORD)
    risk = users.create_user("risk", "risk@example.com", PASSWORD)
    auditor = users.create_user("auditor", "auditor@example.com", PASSWORD)
    oms = users.create_user("oms", "oms@example.com", PASSWORD)
    account = account_create(code="ACC-1", name="Browser test book", base_currency="USD", created_by=admin)
    for user, role in ((risk, Role.RISK_MANAGER), (auditor, Role.VIEWER), (oms, Role.TRADER)):
        membership_set(account=account, user=user, role=role, changed_by=admin)
    account_group_create(code="DESK-1", name="Test desk", accounts=["ACC-1"], created_by=admin)
    aapl = instrument_create(symbol="AAPL", asset_class="equity", currency="USD", margin_rate=Decimal("0.1"))
    prices_upsert(marks=[MarkIn(instrument=aapl, price=Decimal("100"), as_of=datetime.now(UTC))])
    cash_movement_record(
        account=account, movement_id="dep-1", currency="USD", amount=Decimal("1000000"), recorded_by=admin
    )
    fills_record(
        fills=[
            FillInput(
                account=account,
                fill_id="f-1",
                instrument=aapl,
                side="buy",
                quantity=Decimal("2000"),
                price=Decimal("95"),
                executed_at=datetime.now(UTC),
            )
        ],
        recorded_by=oms,
    )
    limit_set_update(
        target=account,
        values={"max_gross_exposure": "250000", "max_daily_loss": "50000"},
        reason="browser test",
        changed_by=admin,
    )
    today = current_trading_date()
    for days in range(5):
        RiskReport.objects.create(
            account=account,
            as_of=today - timedelta(days=days),
            lookback_days=250,
            currency="USD",
            var_99=15000.0 + 500 * days,
            es_975=18000.0,
            realized_pnl=None if days == 0 else -25000.0 if days == 2 else 800.0,
        )
    Alert.objects.create(
        account=account, kind=AlertKind.VAR_LIMIT, message="VaR near max_var", severity="warning"
    )
    print(json.dumps({"token": Token.objects.create(user=oms).key}))


if __name__ == "__main__":
    main()
