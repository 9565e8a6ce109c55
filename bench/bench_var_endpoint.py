"""Latency of GET /api/v1/accounts/{code}/risk/var/?method=monte_carlo for an account of 50 positions.

Target: 100 ms median on this machine. The whole request goes through Django (token auth, account
scope, the snapshot's database reads, 10,000 Monte Carlo scenarios with full option revaluation and
component VaR, JSON), via DRF's test client in-process, so network and server overhead are left out.
Uses the bench firm of bench/analytics_setup.py (scratch PostgreSQL database, default
rp_bench_analytics) plus one account of 45 linear positions and 5 options. Parametric and
historical are timed alongside for comparison. The price-history matrix comes from the cache after
the first request (the snapshot validates it with a 5 ms signature query). On a busy machine, one BLAS
thread per process (OPENBLAS_NUM_THREADS=1, as a web worker should run) avoids thread contention.

    .venv/bin/python bench/bench_var_endpoint.py
"""

from __future__ import annotations

import os
import statistics
import time
from decimal import Decimal

from analytics_setup import build_firm, django_setup

RUNS = 40
WARMUP = 5


def _account() -> str:
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from accounts.models import Account, Membership
    from positions.models import Instrument, Position

    account, created = Account.objects.get_or_create(
        code="BENCH-VAR", defaults={"name": "Bench VaR endpoint", "base_currency": "USD"}
    )
    if created:
        linear = list(Instrument.objects.filter(symbol__startswith="BQ").exclude(asset_class="option")[:45])
        options = list(Instrument.objects.filter(asset_class="option", symbol__startswith="BQ")[:5])
        Position.objects.bulk_create(
            Position(account=account, instrument=ins, quantity=Decimal((i % 7 + 1) * (10 if i % 4 else -10)))
            for i, ins in enumerate(linear + options)
        )
    user, _ = get_user_model().objects.get_or_create(
        username="bench-var", defaults={"email": "b@example.com"}
    )
    Membership.objects.get_or_create(user=user, account=account, defaults={"role": "viewer"})
    return Token.objects.get_or_create(user=user)[0].key


def _time(client: object, url: str, params: dict[str, str]) -> list[float]:
    times = []
    for i in range(WARMUP + RUNS):
        started = time.perf_counter()
        res = client.get(url, params)  # type: ignore[attr-defined]
        elapsed = time.perf_counter() - started
        if res.status_code != 200:
            raise SystemExit(f"{res.status_code}: {res.content[:500]!r}")
        if i >= WARMUP:
            times.append(elapsed * 1000)
    return times


def main() -> None:
    django_setup()
    build_firm()
    from rest_framework.test import APIClient

    key = _account()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    url = "/api/v1/accounts/BENCH-VAR/risk/var/"
    body = client.get(url, {"method": "monte_carlo"}).json()
    print(f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '(unset: one per core)')}")
    print(
        f"account BENCH-VAR: {len(body['components'])} positions, 99% 1-day MC VaR {body['var']:,.2f} "
        f"{body['currency']} (lookback {body['lookback_days']} days, {body['scenarios']} scenarios)"
    )
    for method in ("monte_carlo", "parametric", "historical"):
        times = _time(client, url, {"method": method})
        q = statistics.quantiles(times, n=20)
        target = "  [target 100 ms median]" if method == "monte_carlo" else ""
        print(
            f"GET risk/var/?method={method}: median {statistics.median(times):.1f} ms, "
            f"p95 {q[18]:.1f} ms, min {min(times):.1f} ms over {RUNS} requests{target}"
        )


if __name__ == "__main__":
    main()
