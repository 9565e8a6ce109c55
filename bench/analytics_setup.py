"""Shared setup of the analytics benchmarks: a scratch PostgreSQL database filled with a firm.

`django_setup()` points Django at DATABASE_URL (default .../rp_bench_analytics),
creating the database if missing, and migrates it. `build_firm()` creates (once; it is reused on the
next run) 500 instruments (450 USD/EUR equities and futures, 50 options on the first equities with
implied vols), 520 weekdays of closes, rates, an EUR/USD rate and 1,000 accounts of 10-60 positions.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/rp_bench_analytics"
N_ACCOUNTS = 1_000
N_LINEAR = 450
N_OPTIONS = 50
HISTORY_DAYS = 520


def _ensure_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


def django_setup() -> None:
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "riskplatform.settings")
    if os.environ["DATABASE_URL"].startswith("postgres"):
        _ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def weekdays(end: date, n: int) -> list[date]:
    out: list[date] = []
    day = end
    while len(out) < n:
        if day.weekday() < 5:
            out.append(day)
        day -= timedelta(days=1)
    return out[::-1]


def build_firm(*, n_accounts: int = N_ACCOUNTS, seed: int = 0) -> None:
    """Create the benchmark firm unless it exists already."""
    import numpy as np
    from django.db import transaction

    from accounts.models import Account
    from positions.clock import current_trading_date
    from positions.models import FxRate, Instrument, Position, Price, PriceHistory, RiskFreeRate

    if Account.objects.filter(code__startswith="BENCH-").count() >= n_accounts:
        return
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    now = datetime.now(UTC)
    today = current_trading_date()
    with transaction.atomic():
        FxRate.objects.update_or_create(
            base="EUR", quote="USD", defaults={"rate": Decimal("1.08"), "as_of": now}
        )
        for ccy, rate in (("USD", "0.045"), ("EUR", "0.03")):
            RiskFreeRate.objects.update_or_create(currency=ccy, defaults={"rate": Decimal(rate)})
        linear = Instrument.objects.bulk_create(
            Instrument(
                symbol=f"BQ{i:04d}",
                asset_class="future" if i % 15 == 0 else "equity",
                currency="EUR" if i % 5 == 0 else "USD",
                multiplier=Decimal(10 if i % 15 == 0 else 1),
                margin_rate=Decimal("0.10"),
            )
            for i in range(N_LINEAR)
        )
        spots = rng.uniform(20, 400, N_LINEAR)
        options = Instrument.objects.bulk_create(
            Instrument(
                symbol=f"BQ{i % 25:04d}-{'C' if i % 2 else 'P'}{i}",
                asset_class="option",
                currency=linear[i % 25].currency,
                multiplier=Decimal(100),
                margin_rate=Decimal("0.15"),
                underlying=linear[i % 25],
                option_type="call" if i % 2 else "put",
                strike=Decimal(f"{spots[i % 25] * rng.uniform(0.85, 1.15):.2f}"),
                expiry=today + timedelta(days=int(rng.integers(20, 400))),
            )
            for i in range(N_OPTIONS)
        )
        days = weekdays(today - timedelta(days=1), HISTORY_DAYS)
        vols = rng.uniform(0.008, 0.03, N_LINEAR)
        market = rng.normal(0, 0.01, HISTORY_DAYS)
        rets = 0.6 * market[:, None] + rng.normal(0, 1, (HISTORY_DAYS, N_LINEAR)) * vols
        closes = spots * np.cumprod(1 + rets, axis=0)
        PriceHistory.objects.bulk_create(
            (
                PriceHistory(instrument=ins, date=d, close=Decimal(f"{closes[t, j]:.4f}"))
                for j, ins in enumerate(linear)
                for t, d in enumerate(days)
            ),
            batch_size=5_000,
        )
        Price.objects.bulk_create(
            [
                Price(
                    instrument=ins,
                    price=Decimal(f"{closes[-1, j] * (1 + rng.normal(0, 0.005)):.4f}"),
                    as_of=now,
                )
                for j, ins in enumerate(linear)
            ]
            + [
                Price(
                    instrument=o,
                    price=Decimal("5"),
                    as_of=now,
                    implied_vol=Decimal(f"{rng.uniform(0.15, 0.6):.4f}"),
                )
                for o in options
            ]
        )
        accounts = Account.objects.bulk_create(
            Account(code=f"BENCH-{i:04d}", name=f"Bench {i}", base_currency="EUR" if i % 10 == 0 else "USD")
            for i in range(n_accounts)
        )
        everything = linear + options
        positions = []
        for account in accounts:
            held = rng.choice(len(everything), size=int(rng.integers(10, 61)), replace=False)
            for j in held:
                qty = int(rng.integers(1, 50)) * (1 if rng.random() < 0.7 else -1)
                if j < N_LINEAR:
                    qty *= 10
                positions.append(Position(account=account, instrument=everything[j], quantity=Decimal(qty)))
        Position.objects.bulk_create(positions, batch_size=5_000)
    print(
        f"built firm: {n_accounts} accounts, {len(positions)} positions, {len(everything)} instruments, "
        f"{N_LINEAR * HISTORY_DAYS} closes in {time.perf_counter() - started:.1f} s"
    )


def ensure_limits(*, seed: int = 1) -> None:
    """Give every bench account a max_var and a max_gross_exposure (once) and an alert recipient, set so
    that some accounts breach: the nightly run then evaluates limits, values accounts and raises alerts."""
    import numpy as np
    from django.db import transaction

    from accounts.models import Account
    from limits.models import LimitSet

    accounts = list(Account.objects.filter(code__startswith="BENCH-").exclude(limit_set__isnull=False))
    if not accounts:
        return
    rng = np.random.default_rng(seed)
    with transaction.atomic():
        LimitSet.objects.bulk_create(
            LimitSet(
                account=a,
                max_var=Decimal(int(rng.uniform(5_000, 200_000))),
                max_gross_exposure=Decimal(int(rng.uniform(200_000, 3_000_000))),
            )
            for a in accounts
        )
        for a in accounts:
            a.alert_recipients = f"desk-{a.code.lower()}@example.com"
        Account.objects.bulk_update(accounts, ["alert_recipients"], batch_size=1_000)
    print(f"limits set on {len(accounts)} accounts")
