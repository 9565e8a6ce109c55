"""Ledger costs: recording fills one at a time and in bulk, valuing an account, rebuilding from fills.

Run against a scratch database (it migrates and fills the database):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rp_bench_ledger \
        DEBUG=1 SECRET_KEY=bench .venv/bin/python bench/bench_ledger.py [--fills 2000]

Bulk cases (`--bulk`, default "10000x1,10000x100,100000x1,100000x100"; "" skips them): one list of
N fills spread over A accounts, 50 instruments (half USD, half EUR), a strategy on every other fill,
random sides, quantities, prices and fees, each fill in a new position or adding, reducing or
flipping one. Each list is timed
- through the service function `fills_record` (one call, one transaction), and
- for lists the API accepts (<= 10,000 items), through the HTTP API in-process: DRF's test client
  posts the JSON body to POST /api/v1/fills/ with token authentication, so parsing, validation,
  the service and the response rendering all count; no network and no server process.
plus a replay of the same list (every fill already stored: the 200 path) and, with `--checks`,
a list whose every fill names an accepted check holding a reservation (consumed in the same call).
Prints fills/s (best and median of --repeat runs). Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "riskplatform.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import override_settings  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from accounts.models import Account, Membership, Strategy  # noqa: E402
from limits.checks.reservations import rebuild_reservation_totals  # noqa: E402
from limits.models.checks import CheckDecision, ReservationTotal  # noqa: E402
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

BULK_PREFIX = "BENCH-BULK-"
BULK_ACCOUNTS = 100


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


def timed(fn: Callable[[], object], n: int) -> tuple[float, float, int]:
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


# --- bulk ------------------------------------------------------------------------------------------


class Bulk:
    """The accounts, strategies and API token of the bulk cases, reset once per bench run."""

    def __init__(self, instruments: list[Instrument]) -> None:
        self.instruments = instruments
        self.accounts = [
            Account.objects.get_or_create(
                code=f"{BULK_PREFIX}{i:03d}", defaults={"name": "bulk", "base_currency": "USD"}
            )[0]
            for i in range(BULK_ACCOUNTS)
        ]
        self.strategies = {
            a.pk: Strategy.objects.get_or_create(account=a, code="momo", defaults={"name": "momo"})[0]
            for a in self.accounts
        }
        user, _ = get_user_model().objects.get_or_create(username="bench-ledger", defaults={"is_staff": True})
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        for a in self.accounts:
            Membership.objects.get_or_create(user=user, account=a, defaults={"role": "trader"})
        self.client = APIClient()
        self.client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
        self.run = uuid.uuid4().hex[:8]
        self.reset()

    def reset(self) -> None:
        ids = [a.pk for a in self.accounts]
        Fill.objects.filter(account_id__in=ids).delete()
        Position.objects.filter(account_id__in=ids).delete()
        CashBalance.objects.filter(account_id__in=ids).delete()
        ReservationTotal.objects.filter(account_id__in=ids).delete()
        CheckDecision.objects.filter(account_id__in=ids).delete()
        with connection.cursor() as cursor:  # a fair start for every run: fresh statistics
            if connection.vendor == "postgresql":
                cursor.execute("VACUUM ANALYZE positions_fill")
                cursor.execute("VACUUM ANALYZE positions_position")

    def fills(self, n: int, accounts: int, tag: str, *, checks: bool = False) -> list[FillInput]:
        rng = random.Random(f"{tag}-{n}-{accounts}")
        when = datetime.now(UTC) - timedelta(minutes=1)
        out: list[FillInput] = []
        decisions: list[CheckDecision] = []
        expires = datetime.now(UTC) + timedelta(hours=6)
        for i in range(n):
            account = self.accounts[i % accounts]
            instrument = self.instruments[rng.randrange(len(self.instruments))]
            side = rng.choice(("buy", "sell"))
            quantity = D(rng.randrange(1, 500))
            check_id = None
            if checks:
                check_id = uuid.uuid4()
                decisions.append(
                    CheckDecision(
                        check_id=check_id, account=account, symbol=instrument.symbol, side=side,
                        quantity=quantity * 2, fingerprint="bench", decision="accepted",
                        evaluated_at=when, open_quantity=quantity * 2, expires_at=expires,
                    )
                )  # fmt: skip
            out.append(
                FillInput(
                    account=account,
                    fill_id=f"{self.run}-{tag}-{i}",
                    instrument=instrument,
                    side=side,
                    quantity=quantity,
                    price=D(rng.randrange(9000, 11000)) / 100,
                    executed_at=when,
                    strategy=self.strategies[account.pk] if i % 2 else None,
                    fee=D(rng.randrange(0, 300)) / 100,
                    check_id=check_id,
                )
            )
        if decisions:
            CheckDecision.objects.bulk_create(decisions, batch_size=2000)
            rebuild_reservation_totals()
        return out


def body_of(fills: list[FillInput]) -> bytes:
    return json.dumps(
        [
            {
                "fill_id": f.fill_id,
                "account": f.account.code,
                **({"strategy": f.strategy.code} if f.strategy else {}),
                "symbol": f.instrument.symbol,
                "side": f.side,
                "quantity": str(f.quantity),
                "price": str(f.price),
                "fee": str(f.fee),
                "executed_at": f.executed_at.isoformat(),
                **({"check_id": str(f.check_id)} if f.check_id else {}),
            }
            for f in fills
        ],
        separators=(",", ":"),
    ).encode()


def rate(n: int, seconds: list[float]) -> str:
    return f"best {n / min(seconds):8,.0f} fills/s  median {n / statistics.median(seconds):8,.0f} fills/s"


def run_bulk(bulk: Bulk, n: int, accounts: int, repeat: int, *, checks: bool) -> None:
    label = f"{n:,} fills over {accounts} account{'s' if accounts > 1 else ''}"
    service, replay, http, http_replay = [], [], [], []
    notes: set[str] = set()
    for r in range(repeat):
        items = bulk.fills(n, accounts, f"s{r}-{n}-{accounts}-{int(checks)}", checks=checks)
        start = time.perf_counter()
        result = fills_record(fills=items)
        service.append(time.perf_counter() - start)
        assert all(result.created), "a bench fill was not new"
        start = time.perf_counter()
        result = fills_record(fills=items)
        replay.append(time.perf_counter() - start)
        assert not any(result.created), "a bench replay stored something"
        if n > 10_000:
            continue
        items = bulk.fills(n, accounts, f"h{r}-{n}-{accounts}-{int(checks)}", checks=checks)
        payload = body_of(items)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and len(payload) > limit:
            notes.add(
                f"  (the body of {len(payload) / 1e6:.1f} MB is over DATA_UPLOAD_MAX_MEMORY_SIZE, "
                f"{limit / 1e6:.1f} MB, which answers 400: raised for this run only)"
            )
        with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=max(limit or 0, len(payload))):
            for into, expect in ((http, 201), (http_replay, 200)):
                start = time.perf_counter()
                response = bulk.client.post("/api/v1/fills/", payload, content_type="application/json")
                into.append(time.perf_counter() - start)
                if response.status_code != expect:
                    raise SystemExit(f"HTTP {response.status_code}: {response.content[:500]!r}")
    suffix = ", every fill naming a check" if checks else ""
    print(f"{label}{suffix}:")
    print(f"  service, new fills:   {rate(n, service)}")
    print(f"  service, replay:      {rate(n, replay)}")
    if http:
        print(f"  HTTP in-process, new: {rate(n, http)}")
        print(f"  HTTP in-process, replay: {rate(n, http_replay)}")
    for note in sorted(notes):
        print(note)
    sys.stdout.flush()


def check_rebuild(bulk: Bulk) -> None:
    """The bulk cases must leave positions as a rebuild derives them (a cheap sanity check)."""
    changed = sum(positions_rebuild(account=a).positions_changed for a in bulk.accounts[:5])
    print(f"positions_rebuild of 5 bulk accounts afterwards: {changed} positions changed (must be 0)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fills", type=int, default=2000, help="one-fill calls timed (and rebuilt)")
    parser.add_argument("--bulk", default="10000x1,10000x100,100000x1,100000x100")
    parser.add_argument("--repeat", type=int, default=3, help="runs per bulk case of <= 10,000 fills")
    parser.add_argument("--checks", action="store_true", help="also time lists naming checks")
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
    if args.fills:
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
    cases = [tuple(int(x) for x in case.split("x")) for case in args.bulk.split(",") if case]
    if not cases:
        return
    bulk = Bulk(instruments)
    for n, accounts in cases:
        run_bulk(bulk, n, accounts, args.repeat if n <= 10_000 else 1, checks=False)
    if args.checks:
        run_bulk(bulk, 10_000, 100, args.repeat, checks=True)
    check_rebuild(bulk)


if __name__ == "__main__":
    main()
