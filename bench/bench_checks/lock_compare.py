"""The two ways to make check-and-reserve atomic across processes, measured alone (no HTTP, no rules).

  orm    : transaction; Account row select_for_update (ORM); insert the decision row (ORM); commit
  raw    : the same in raw SQL: one round trip for the FOR NO KEY UPDATE lock (+ the read the check
           needs), one INSERT, commit (what limits/checks does)
  lua    : one Redis EVALSHA that compares the held quantity of a scope with its limit and adds the
           order's quantity if it fits (the whole reservation in Redis; the decision row would still
           have to be written to PostgreSQL after it, outside the atomic step)
  lua+db : lua followed by the decision INSERT in PostgreSQL (autocommit): the realistic Redis design

P processes hammer 100 accounts for T seconds each; prints ops/s and mean latency per op.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rp_bench REDIS_URL=redis://127.0.0.1:6379/9 \
        DEBUG=1 .venv/bin/python bench/bench_checks/lock_compare.py --seconds 5 --procs 2
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "riskplatform.settings")

LUA = """
local held = tonumber(redis.call('GET', KEYS[1]) or '0')
local qty = tonumber(ARGV[1])
if held + qty > tonumber(ARGV[2]) then return 0 end
redis.call('INCRBYFLOAT', KEYS[1], qty)
return 1
"""

INSERT = (
    "INSERT INTO limits_checkdecision (check_id, account_id, symbol, side, quantity, order_type, "
    "fingerprint, decision, violations, warnings, request, evaluated_at, open_quantity, filled_quantity, "
    "released_quantity, expires_at) VALUES (%s, %s, 'B000', 'buy', 1, 'limit', '', 'accepted', '[]', '[]', "
    "'{}', now(), 1, 0, 0, now() + interval '1 day')"
)


def worker(mode: str, seconds: float, ids: list[int], out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    import django

    django.setup()
    import redis
    from django.conf import settings
    from django.db import connection, transaction

    from accounts.models import Account
    from limits.models import CheckDecision

    rng = random.Random(os.getpid())
    client = redis.Redis.from_url(settings.REDIS_URL)
    script = client.register_script(LUA)
    done = 0
    deadline = time.perf_counter() + seconds
    start = time.perf_counter()
    while time.perf_counter() < deadline:
        account_id = rng.choice(ids)
        if mode == "orm":
            with transaction.atomic():
                Account.objects.select_for_update().get(pk=account_id)
                CheckDecision.objects.create(
                    account_id=account_id,
                    symbol="B000",
                    side="buy",
                    quantity=Decimal(1),
                    fingerprint="",
                    decision="accepted",
                    evaluated_at=django.utils.timezone.now(),
                    open_quantity=Decimal(1),
                )
        elif mode == "raw":
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "SELECT id, trading_state FROM accounts_account WHERE id = %s FOR NO KEY UPDATE; "
                    "SELECT COALESCE(SUM(open_quantity), 0) FROM limits_checkdecision "
                    "WHERE account_id = %s AND open_quantity > 0",
                    [account_id, account_id],
                )
                cursor.nextset()
                cursor.execute(INSERT, [uuid.uuid4(), account_id])
        elif mode == "lua":
            script(keys=[f"bench:held:{account_id}"], args=[1, 10**12])
        else:  # lua+db
            script(keys=[f"bench:held:{account_id}"], args=[1, 10**12])
            with connection.cursor() as cursor:
                cursor.execute(INSERT, [uuid.uuid4(), account_id])
        done += 1
    out.put((done, time.perf_counter() - start))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--procs", type=int, default=2)
    args = parser.parse_args()
    import django

    django.setup()
    from accounts.models import Account
    from limits.models import CheckDecision

    ids = list(Account.objects.filter(code__startswith="BENCH-").values_list("pk", flat=True))
    if not ids:
        sys.exit("run setup_data.py first")
    from django.db import connections

    connections.close_all()
    ctx = multiprocessing.get_context("spawn")
    print(f"{args.procs} processes x {args.seconds:.0f} s, {len(ids)} accounts, {os.cpu_count()} CPUs")
    print(f"{'mode':8} {'ops/s':>9} {'ms/op':>7}")
    for mode in ("orm", "raw", "lua", "lua+db"):
        out = ctx.Queue()
        procs = [ctx.Process(target=worker, args=(mode, args.seconds, ids, out)) for _ in range(args.procs)]
        for p in procs:
            p.start()
        results = [out.get(timeout=args.seconds + 60) for _ in procs]
        for p in procs:
            p.join()
        ops = sum(n for n, _ in results)
        elapsed = max(t for _, t in results)
        print(f"{mode:8} {ops / elapsed:>9.0f} {1000 * elapsed * args.procs / ops:>7.2f}")
        CheckDecision.objects.filter(account_id__in=ids).delete()


if __name__ == "__main__":
    main()
