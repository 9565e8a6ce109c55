"""Load the whole demo: firm, market, book, then the limits and analytics demo data."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from riskplatform.demo import book, data, firm
from riskplatform.demo.analytics import load_demo_analytics
from riskplatform.demo.limits import load_demo_limits
from riskplatform.demo.market import SEED
from riskplatform.demo.universe import DEMO_PASSWORD

# The other apps' demo data, loaded after the firm, market and book in this order (analytics backfills
# reports that read the limits).
EXTRAS: tuple[tuple[str, Callable[[], object]], ...] = (
    ("limits", load_demo_limits),
    ("analytics", load_demo_analytics),
)


@dataclass(frozen=True)
class DemoSummary:
    admin_username: str
    password: str
    oms_username: str
    oms_token: str
    accounts: int
    instruments: int
    history_rows: int
    fills_created: int
    extras: tuple[str, ...]


def load_demo(
    *,
    now: datetime | None = None,
    seed: int = SEED,
    history_days: int = data.HISTORY_DAYS,
    extras: bool = True,
    log: Callable[[str], None] = print,
) -> DemoSummary:
    """Create or complete the demo data; running it again changes nothing that already exists."""
    now = now or timezone.now()
    step = _Steps(log)
    with transaction.atomic():
        users = firm.users_create()
        accounts = firm.accounts_create(users)
        firm.desks_create(users)
        step.done("users, accounts, strategies and desks")
        market = data.market_create(now=now, seed=seed, history_days=history_days)
        step.done("instruments, two years of correlated prices, marks, FX and rates")
        book.deposits_record(accounts, users.risk_manager)
        fills_created = book.fills_create(accounts, market, seed=seed, recorded_by=users.oms)
        step.done("deposits and fills")

    loaded: list[str] = []
    for label, loader in EXTRAS if extras else ():
        loader()
        step.done(f"{label} demo data")
        loaded.append(label)

    return DemoSummary(
        admin_username=users.admin.username,
        password=DEMO_PASSWORD,
        oms_username=users.oms.username,
        oms_token=users.oms_token,
        accounts=len(accounts),
        instruments=len(market.instruments),
        history_rows=sum(len(closes) for closes in market.closes.values()),
        fills_created=fills_created,
        extras=tuple(loaded),
    )


class _Steps:
    """Logs each finished step with the seconds it took."""

    def __init__(self, log: Callable[[str], None]) -> None:
        self.log = log
        self.mark = time.monotonic()

    def done(self, what: str) -> None:
        now = time.monotonic()
        self.log(f"{what} ({now - self.mark:.1f} s)")
        self.mark = now
