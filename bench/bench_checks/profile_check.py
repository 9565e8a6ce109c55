"""Profile the check's hot path in-process (no HTTP server): per-stage timings and a pyinstrument tree.

Runs N checks through the full DRF view (token auth, serializer, service, response) with Django's
test client against the bench data (setup_data.py), then the service alone, and prints the mean
time per check for each, plus the pyinstrument profile of the view path.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rp_bench REDIS_URL=redis://127.0.0.1:6379/9 \
        DEBUG=0 SECRET_KEY=x ALLOWED_HOSTS=testserver SECURE_SSL_REDIRECT=0 \
        .venv/bin/python bench/bench_checks/profile_check.py -n 500
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Outside the repository: the token of a local bench user must not be committed.
TOKEN_FILE = Path(os.environ.get("BENCH_TOKEN_FILE", "/tmp/rp_bench_checks.token"))
sys.path.insert(0, str(HERE.parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "riskplatform.settings")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402
from pyinstrument import Profiler  # noqa: E402

from accounts.models import Account  # noqa: E402
from limits.checks.service import check_order  # noqa: E402
from limits.engine.orders import DraftOrder  # noqa: E402
from limits.models import CheckDecision, ReservationTotal  # noqa: E402


def order(rng: random.Random) -> dict[str, str]:
    a = rng.randrange(100)
    s = (a * 7 + rng.randrange(50)) % 200
    return {
        "account": f"BENCH-{a:03d}",
        "symbol": f"B{s:03d}",
        "side": rng.choice(["buy", "sell"]),
        "quantity": str(rng.randint(1, 100)),
        "price": "100.5",
    }


def clear_reservations() -> None:
    CheckDecision.objects.filter(account__code__startswith="BENCH-").delete()
    ReservationTotal.objects.filter(account__code__startswith="BENCH-").delete()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=500)
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args()
    token = TOKEN_FILE.read_text().strip()
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    rng = random.Random(1)
    clear_reservations()
    for _ in range(50):  # warm caches
        client.post("/api/v1/checks/", json.dumps(order(rng)), content_type="application/json")

    bodies = [json.dumps(order(rng)) for _ in range(args.n)]
    start, cpu = time.perf_counter(), time.process_time()
    for body in bodies:
        response = client.post("/api/v1/checks/", body, content_type="application/json")
        assert response.status_code == 200, response.content
    view_ms = (time.perf_counter() - start) * 1000 / args.n
    view_cpu = (time.process_time() - cpu) * 1000 / args.n

    accounts = {a.code: a for a in Account.objects.filter(code__startswith="BENCH-")}
    drafts = [order(rng) for _ in range(args.n)]
    start, cpu = time.perf_counter(), time.process_time()
    for d in drafts:
        check_order(
            account=accounts[d["account"]],
            order=DraftOrder(
                account=d["account"],
                symbol=d["symbol"],
                side=d["side"],
                quantity=Decimal(d["quantity"]),
                price=Decimal(d["price"]),
            ),
        )
    service_ms = (time.perf_counter() - start) * 1000 / args.n
    service_cpu = (time.process_time() - cpu) * 1000 / args.n

    reads = [f"/api/v1/accounts/BENCH-{rng.randrange(100):03d}/" for _ in range(args.n)]
    start, cpu = time.perf_counter(), time.process_time()
    for path in reads:
        client.get(path)
    read_ms = (time.perf_counter() - start) * 1000 / args.n
    read_cpu = (time.process_time() - cpu) * 1000 / args.n
    print(f"in-process, n={args.n}, wall ms / app-process CPU ms per request:")
    print(f"  POST /checks/            {view_ms:6.2f} / {view_cpu:5.2f}")
    print(f"  check_order() alone      {service_ms:6.2f} / {service_cpu:5.2f}")
    print(f"  GET /accounts/{{code}}/    {read_ms:6.2f} / {read_cpu:5.2f}")

    if not args.no_profile:
        profiler = Profiler(interval=0.0002)
        profiler.start()
        for body in bodies[: min(300, args.n)]:
            client.post("/api/v1/checks/", body, content_type="application/json")
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=False))
    clear_reservations()


if __name__ == "__main__":
    main()
