"""How cheap is reading a check's limits? limits.selectors.effective_limits_of_scopes, cold and warm.

Run against a scratch database and Redis (it migrates and fills the database):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rp_bench_limits REDIS_URL=redis://127.0.0.1:6379/12 \
        DEBUG=1 SECRET_KEY=bench .venv/bin/python bench/bench_limits_read.py [--accounts 100] [--reads 2000]
Prints per-read latency (median, p99) and queries per read for: a cold read (cache cleared before
each read: two queries), a warm read (one cache round trip), and the raw database load alone.
Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "riskplatform.settings")

import django

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Account, AccountGroup, Strategy  # noqa: E402
from limits import selectors  # noqa: E402
from limits.services import limit_override_create, limit_set_update  # noqa: E402


def setup(n_accounts: int) -> list[tuple[Account, Strategy, list[AccountGroup]]]:
    call_command("migrate", verbosity=0)
    groups = [
        AccountGroup.objects.get_or_create(code=f"BDESK-{i}", defaults={"name": f"d{i}"})[0] for i in range(5)
    ]
    scopes = []
    for i in range(n_accounts):
        account, _ = Account.objects.get_or_create(
            code=f"BENCH-{i}", defaults={"name": f"bench {i}", "base_currency": "USD"}
        )
        strategy, _ = Strategy.objects.get_or_create(account=account, code="s1", defaults={"name": "s1"})
        mine = [groups[i % 5]]
        mine[0].accounts.add(account)
        for target in (account, strategy):
            limit_set_update(
                target=target,
                values={
                    "max_gross_exposure": "1000000",
                    "max_order_quantity": "1000",
                    "restricted_symbols": ["X"],
                },
                reason="bench",
                changed_by=None,
            )
        if i % 10 == 0 and not selectors.limit_overrides(target=account, active_only=True).exists():
            limit_override_create(
                target=account,
                field="max_gross_exposure",
                value="2000000",
                expires_at=timezone.now() + timedelta(days=1),
                reason="bench",
                created_by=None,
            )
        scopes.append((account, strategy, mine))
    for group in groups:
        limit_set_update(target=group, values={"max_var": "500000"}, reason="bench", changed_by=None)
    return scopes


def read(account, strategy, groups) -> None:
    """The limits of one check's scopes: account, strategy and groups."""
    scopes = [("account", account.pk), ("strategy", strategy.pk), *(("group", g.pk) for g in groups)]
    selectors.effective_limits_of_scopes(scopes)


def measure(label: str, scopes, reads: int, before_each) -> None:
    times, queries = [], []
    for n in range(reads):
        account, strategy, groups = scopes[n % len(scopes)]
        before_each()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            read(account, strategy, groups)
            times.append(time.perf_counter() - start)
        queries.append(len(captured))
        reset_queries()
    times.sort()
    median, p99 = statistics.median(times) * 1e6, times[int(len(times) * 0.99)] * 1e6
    per_read = statistics.mean(queries)
    print(f"{label:<28} median {median:8.0f} us   p99 {p99:8.0f} us   queries/read {per_read:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--reads", type=int, default=2000)
    args = parser.parse_args()
    scopes = setup(args.accounts)
    print(f"database {connection.vendor}, cache {cache.__class__.__name__}, {args.accounts} accounts")
    print("scopes per read: account + strategy + 1 group")
    measure("cold (cache cleared)", scopes, args.reads // 4, cache.clear)
    for account, strategy, groups in scopes:  # warm every scope
        read(account, strategy, groups)
    measure("warm (cache hit)", scopes, args.reads, lambda: None)
    now = timezone.now()
    times = []
    for n in range(args.reads // 4):
        account, strategy, groups = scopes[n % len(scopes)]
        start = time.perf_counter()
        selectors._load([("account", account.pk), ("strategy", strategy.pk), ("group", groups[0].pk)], now)
        times.append(time.perf_counter() - start)
    times.sort()
    print(f"{'database load only':<28} median {statistics.median(times) * 1e6:8.0f} us")
    # Calibration on this machine at this moment: one trivial query, one cache round trip.
    print(f"{'baseline SELECT 1':<28} median {_median_us(_select_one, args.reads // 4):8.0f} us")
    cache_get = _median_us(lambda: cache.get("bench:none"), args.reads)
    print(f"{'baseline cache get':<28} median {cache_get:8.0f} us")


def _select_one() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _median_us(fn, n: int) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


if __name__ == "__main__":
    main()
