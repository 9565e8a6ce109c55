"""Ledger costs: recording a fill, valuing an account with 50 positions, rebuilding from fills.

Run against a scratch database (it migrates and fills the database):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rp_bench_ledger \
        DEBUG=1 SECRET_KEY=bench .venv/bin/python bench/bench_ledger.py [--fills 2000]
Prints per-operation latency (median, p99) and queries per operation. Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "riskplatform.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from accounts.models import Account  # noqa: E402
from positions.models import (  # noqa: E402
    CashBalance,
    CashMovement,
    Fill,
    FxRate,
    Instrument,
    Position,
    Price,
    PriceHistory,
)
from positions.selectors import account_valuation, load_fx_table, position_rows  # noqa: E402
from positions.services import FillInput, fills_record, positions_rebuild  # noqa: E402


def setup() -> tuple[Account, list[Instrument]]:
    call_command("migrate", verbosity=0)
    account, _ = Account.objects.get_or_create(
        code="BENCH-LEDGER", defaults={"name": "b", "base_currency": "USD"}
    )
    Fill.objects.filter(account=account).delete()
    Position.objects.filter(account=account).delete()
    CashBalance.objects.filter(account=account).delete()
    CashMovement.objects.filter(account=account).delete()
    now = datetime.now(UTC)
    FxRate.objects.update_or_create(base="EUR", quote="USD", defaults={"rate": D("1.1"), "as_of": now})
    instruments = []
    for i in range(50):
        inst, _ = Instrument.objects.get_or_create(
            symbol=f"BL{i}",
            defaults={
                "asset_class": "equity",
                "currency": "EUR" if i % 2 else "USD",
                "margin_rate": D("0.1"),
            },
        )
        Price.objects.update_or_create(instrument=inst, defaults={"price": D(100 + i), "as_of": now})
        PriceHistory.objects.update_or_create(
            instrument=inst, date=date(2026, 1, 2), defaults={"close": D(99)}
        )
        instruments.append(inst)
    return account, instruments


def timed(fn, n: int) -> tuple[float, float, int]:
    """(median ms, p99 ms, queries of one call)."""
    samples = []
    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    for _ in range(n):
        count[0] = 0
        with connection.execute_wrapper(counter):
            start = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(int(len(samples) * 0.99) - 1, 0)], count[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fills", type=int, default=2000)
    args = parser.parse_args()
    account, instruments = setup()
    counter = iter(range(10**9))
    when = datetime.now(UTC) - timedelta(minutes=1)

    def one_fill() -> None:
        i = next(counter)
        fills_record(
            fills=[
                FillInput(
                    account=account, fill_id=f"B{i}", instrument=instruments[i % 50],
                    side="buy" if i % 3 else "sell", quantity=D(10), price=D(100 + i % 7), executed_at=when,
                    fee=D("0.5"),
                )
            ]
        )  # fmt: skip

    print(f"database: {connection.vendor}")
    med, p99, q = timed(one_fill, args.fills)
    print(f"fills_record, one fill:          median {med:7.2f} ms  p99 {p99:7.2f} ms  {q} queries")
    med, p99, q = timed(lambda: account_valuation(account=account), 200)
    print(f"account_valuation, 50 positions: median {med:7.2f} ms  p99 {p99:7.2f} ms  {q} queries")
    fx = load_fx_table()
    med, p99, q = timed(lambda: account_valuation(account=account, fx=fx), 200)
    print(f"  ... with a shared FX table:    median {med:7.2f} ms  p99 {p99:7.2f} ms  {q} queries")
    med, p99, q = timed(lambda: position_rows(account=account), 200)
    print(f"position_rows, 50 positions:     median {med:7.2f} ms  p99 {p99:7.2f} ms  {q} queries")
    med, p99, q = timed(lambda: positions_rebuild(account=account), 5)
    print(f"positions_rebuild, {args.fills} fills:  median {med:7.2f} ms  p99 {p99:7.2f} ms  {q} queries")


if __name__ == "__main__":
    main()
