"""What the VaR rule costs a check: check_order() in-process with and without the day's risk model.

On the bench data (setup_data.py: 100 accounts holding 50 of 200 symbols), once with no stored risk
model (every answer: risk null, a var_unavailable warning) and once with a stored 200-factor model
(every order priced: each account's 50 positions and the order on their factors' covariance),
alternating rounds of `-n` checks so machine noise hits both alike. max_var is set on every account
in the second half so the rule itself runs too. Prints CPU and wall milliseconds per check and the
ratio. No HTTP: the cost is the check's own.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rp_bench REDIS_URL=redis://127.0.0.1:6379/9 \
        DEBUG=0 SECRET_KEY=x ALLOWED_HOSTS=testserver SECURE_SSL_REDIRECT=0 \
        .venv/bin/python bench/bench_checks/var_cost.py -n 400 --rounds 5
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "riskplatform.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.db import transaction  # noqa: E402

from accounts.models import Account  # noqa: E402
from analytics.models import DailyRiskModel  # noqa: E402
from limits.cache import invalidate_scope_on_commit  # noqa: E402
from limits.checks.service import check_order  # noqa: E402
from limits.engine.orders import DraftOrder  # noqa: E402
from limits.models import CheckDecision, LimitSet, ReservationTotal  # noqa: E402
from limits.risk_figures import RISK_MODEL_GENERATION  # noqa: E402
from limits.shared_state import shared_state  # noqa: E402
from positions.clock import current_trading_date  # noqa: E402
from positions.models import Instrument  # noqa: E402


def draft(rng: random.Random, accounts: dict[str, Account]) -> tuple[Account, DraftOrder]:
    a = rng.randrange(100)
    s = (a * 7 + rng.randrange(50)) % 200
    code = f"BENCH-{a:03d}"
    order = DraftOrder(
        account=code,
        symbol=f"B{s:03d}",
        side=rng.choice(["buy", "sell"]),
        quantity=Decimal(rng.randint(1, 100)),
        price=Decimal("100.5"),
    )
    return accounts[code], order


def store_model(with_model: bool) -> None:
    with transaction.atomic():
        DailyRiskModel.objects.all().delete()
        if with_model:
            symbols = list(
                Instrument.objects.filter(symbol__startswith="B")
                .order_by("symbol")
                .values_list("symbol", flat=True)
            )
            rng = np.random.default_rng(7)
            loadings = rng.normal(0.0, 0.01, (len(symbols), 5))
            cov = loadings @ loadings.T + np.diag(rng.uniform(1e-5, 4e-4, len(symbols)))
            DailyRiskModel.objects.create(
                as_of=current_trading_date(), lookback_days=250, factors=symbols,
                covariance=np.ascontiguousarray(cov, dtype="<f8").tobytes(),
            )  # fmt: skip
        shared_state().replace_token(RISK_MODEL_GENERATION)


def run(n: int, rng: random.Random, accounts: dict[str, Account]) -> tuple[float, float]:
    orders = [draft(rng, accounts) for _ in range(n)]
    start, cpu = time.perf_counter(), time.process_time()
    for account, order in orders:
        check_order(account=account, order=order)
    return (time.process_time() - cpu) * 1000 / n, (time.perf_counter() - start) * 1000 / n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    accounts = {a.code: a for a in Account.objects.filter(code__startswith="BENCH-")}
    rng = random.Random(3)
    results: dict[str, list[tuple[float, float]]] = {"without": [], "with": [], "with, max_var set": []}
    for round_ in range(args.rounds):
        for label in results:
            CheckDecision.objects.filter(account__code__startswith="BENCH-").delete()
            ReservationTotal.objects.filter(account__code__startswith="BENCH-").delete()
            store_model(label != "without")
            LimitSet.objects.filter(account__code__startswith="BENCH-").update(
                max_var=Decimal("1e12") if label == "with, max_var set" else None
            )
            for account in accounts.values():
                invalidate_scope_on_commit("account", account.pk)
            run(50, rng, accounts)  # warm this configuration's caches
            results[label].append(run(args.n, rng, accounts))
        print(f"round {round_ + 1} done", file=sys.stderr)
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(f"check_order() in-process, {args.rounds} rounds x {args.n} checks, load average {' '.join(load)}")
    base = statistics.median(cpu for cpu, _ in results["without"])
    for label, rows in results.items():
        cpu = statistics.median(c for c, _ in rows)
        wall = statistics.median(w for _, w in rows)
        print(f"  {label:20} CPU {cpu:6.3f} ms  wall {wall:6.3f} ms  CPU x {cpu / base:5.3f}")


if __name__ == "__main__":
    main()
