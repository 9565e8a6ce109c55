"""Load the whole demo: firm, market, book, then the limits and analytics demo data if present."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from positions.demo import book, data, firm
from positions.demo.market import SEED
from positions.demo.universe import DEMO_PASSWORD


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
    for label, loader in _optional_loaders() if extras else []:
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


def _optional_loaders() -> list[tuple[str, Callable[[], object]]]:
    """The other apps' demo loaders, when those apps provide one."""
    loaders: list[tuple[str, Callable[[], object]]] = []
    try:
        from limits.demo import load_demo_limits
    except ImportError:
        pass
    else:
        loaders.append(("limits", load_demo_limits))
    try:
        from analytics.demo import load_demo_analytics
    except ImportError:
        pass
    else:
        loaders.append(("analytics", load_demo_analytics))
    return loaders
