"""Create the pre-trade check benchmark data (idempotent: reruns reset it).

100 accounts BENCH-000..099, each holding 50 of 200 symbols (positions, marks, cash), account limits
on every field the check evaluates cheaply and expensively (order, position, gross/net, leverage,
margin, daily loss, collar, rate), 10 desks of 10 accounts with group limits (--no-groups to skip),
and one trader user ("bench") on every account; its token is written to $BENCH_TOKEN_FILE
(default /tmp/rp_bench_checks.token, outside the repository).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rp_bench REDIS_URL=redis://127.0.0.1:6379/9 \
        DEBUG=1 .venv/bin/python bench/bench_checks/setup_data.py
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Outside the repository: the token of a local bench user must not be committed.
TOKEN_FILE = Path(os.environ.get("BENCH_TOKEN_FILE", "/tmp/rp_bench_checks.token"))
sys.path.insert(0, str(HERE.parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "riskplatform.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from accounts.models import Account, AccountGroup, Membership  # noqa: E402
from limits.models import CheckDecision, LimitSet, ReservationTotal  # noqa: E402
from positions.models import CashBalance, Instrument, Position, Price, PriceHistory  # noqa: E402

ACCOUNTS = 100
SYMBOLS = 200
PER_ACCOUNT = 50
DESK_SIZE = 10


def symbol(i: int) -> str:
    return f"B{i:03d}"


def account_symbols(a: int) -> list[str]:
    """The 50 symbols account `a` trades (also used by the wrk script: keep in sync)."""
    return [symbol((a * 7 + k) % SYMBOLS) for k in range(PER_ACCOUNT)]


@transaction.atomic
def build(groups: bool) -> str:
    rng = random.Random(42)
    now = datetime.now(UTC)
    CheckDecision.objects.filter(account__code__startswith="BENCH-").delete()
    ReservationTotal.objects.filter(account__code__startswith="BENCH-").delete()
    Position.objects.filter(account__code__startswith="BENCH-").delete()
    CashBalance.objects.filter(account__code__startswith="BENCH-").delete()
    LimitSet.objects.filter(account__code__startswith="BENCH-").delete()
    LimitSet.objects.filter(group__code__startswith="BDESK-").delete()
    AccountGroup.objects.filter(code__startswith="BDESK-").delete()

    instruments = {}
    for i in range(SYMBOLS):
        inst, _ = Instrument.objects.update_or_create(
            symbol=symbol(i),
            defaults={"asset_class": "equity", "currency": "USD", "margin_rate": Decimal("0.10")},
        )
        instruments[inst.symbol] = inst
    Price.objects.filter(instrument__in=instruments.values()).delete()
    Price.objects.bulk_create(
        [Price(instrument=inst, price=Decimal("100"), as_of=now) for inst in instruments.values()]
    )
    yesterday = (now - timedelta(days=1)).date()
    PriceHistory.objects.filter(instrument__in=instruments.values()).delete()
    PriceHistory.objects.bulk_create(
        [PriceHistory(instrument=inst, date=yesterday, close=Decimal("99")) for inst in instruments.values()]
    )

    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username="bench")
    user.set_password("bench-password-1")
    user.save()
    token, _ = Token.objects.get_or_create(user=user)

    accounts = []
    for a in range(ACCOUNTS):
        account, _ = Account.objects.update_or_create(
            code=f"BENCH-{a:03d}",
            defaults={"name": f"Bench {a}", "base_currency": "USD", "trading_state": "active"},
        )
        accounts.append(account)
        Membership.objects.get_or_create(user=user, account=account, defaults={"role": "trader"})
    CashBalance.objects.bulk_create(
        [CashBalance(account=account, currency="USD", amount=Decimal("10000000")) for account in accounts]
    )
    positions = []
    for a, account in enumerate(accounts):
        for s in account_symbols(a):
            qty = Decimal(rng.choice([-1, 1]) * rng.randint(100, 1000))
            positions.append(
                Position(account=account, instrument=instruments[s], quantity=qty, avg_price=Decimal("98"))
            )
    Position.objects.bulk_create(positions)
    limits = {
        "max_order_quantity": Decimal("5000"),
        "max_order_notional": Decimal("1000000"),
        "max_position_quantity": Decimal("1000000"),
        "max_position_notional": Decimal("100000000"),
        "max_gross_exposure": Decimal("1000000000"),
        "max_net_exposure": Decimal("1000000000"),
        "max_daily_loss": Decimal("10000000"),
        "max_leverage": Decimal("50"),
        "price_collar_pct": Decimal("10"),
        "max_orders_per_minute": 1000000,
    }
    LimitSet.objects.bulk_create([LimitSet(account=account, **limits) for account in accounts])
    if groups:
        for d in range(ACCOUNTS // DESK_SIZE):
            desk = AccountGroup.objects.create(code=f"BDESK-{d}", name=f"Bench desk {d}", base_currency="USD")
            desk.accounts.set(accounts[d * DESK_SIZE : (d + 1) * DESK_SIZE])
            LimitSet.objects.create(group=desk, **limits)
    return token.key


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-groups", action="store_true", help="accounts without desks (no group locks)")
    args = parser.parse_args()
    key = build(groups=not args.no_groups)
    cache.clear()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE") if connection.vendor == "postgresql" else None
    TOKEN_FILE.write_text(key)
    print(f"bench data ready: {ACCOUNTS} accounts x {PER_ACCOUNT} symbols, groups={not args.no_groups}")


if __name__ == "__main__":
    main()
