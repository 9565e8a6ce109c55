"""How much of each standing limit an account's positions use now, for GET /accounts/{code}/summary/
and the nightly's limit alerts: the engine's utilization (limits/engine/utilization.py) of the
account's book valued as the check values it (limits/checks/book.py), to 0.01 percent.

Positions held only: open reservations are not counted here, so the percentages match the summary's
exposure figures beside them (the check itself adds its open orders at their worse side).
Order-level limits (order size, price collar) have no standing use and are not listed.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from accounts.api.fields import cents
from accounts.models import Account
from limits.checks.book import book_snapshot
from limits.engine.utilization import utilization


def limit_utilization(
    *, account: Account, valuation: Any = None, now: datetime | None = None
) -> dict[str, Decimal | None]:
    """{limit name: percent in use} for every standing limit of `account` that is set; None where it
    cannot be computed (a missing mark or rate, a zero limit, no VaR report, equity at or below 0).
    `valuation` is the summary extension's argument (positions/summary_extensions.py), not needed."""
    snapshot = book_snapshot(account=account, now=now, open_orders=False)
    return {
        name: None if pct is None else cents(pct)
        for name, pct in utilization(snapshot, snapshot.account).items()
    }
