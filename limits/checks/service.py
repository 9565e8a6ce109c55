"""The pre-trade check: lock, read, decide, store and reserve, in one short transaction.

    check_order / check_batch:
      1. lock the scopes (groups, then account) and read positions, reservations, cash, marks, FX and
         any earlier decision with the same client_order_id (snapshot.py, one round trip);
      2. answer idempotent replays from the stored decision; a reused id with another order is a 409;
      3. count the new orders in the shared order-rate window (rate.py);
      4. evaluate with the pure engine (limits.engine), orders of a basket in sequence;
      5. insert one CheckDecision per new order; accepted ones hold their quantity until filled,
         released or expired (reservations.py); commit.

Fail closed: any database or Redis error propagates (the API answers 503), so nothing is accepted
unless the decision and its reservation were committed.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from limits.checks import rate
from limits.checks.idempotency import fingerprint, replayed
from limits.checks.limits_source import check_scopes, generation_keys, scope_limits
from limits.checks.refdata import instruments, previous_closes
from limits.checks.render import finding_json, plain
from limits.checks.reservations import release, reservation_expiry
from limits.checks.snapshot import build_snapshot, lock_and_read, risk_day_start
from limits.checks.store import store_decisions
from limits.checks.txn import CheckTransaction, check_transaction
from limits.engine.check import check_batch as engine_check_batch
from limits.engine.decision import Decision
from limits.engine.orders import DraftOrder, InvalidOrder
from limits.models.checks import CheckDecision
from positions.ledger.tradingday import trading_date

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from accounts.models import Account


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The answer to one order, in the contract's shape; `replayed` marks an idempotent replay."""

    check_id: uuid.UUID
    decision: str
    violations: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    evaluated_at: datetime
    replayed: bool = False

    @classmethod
    def of(cls, row: CheckDecision, *, replayed: bool = False) -> CheckResult:
        return cls(row.check_id, row.decision, row.violations, row.warnings, row.evaluated_at, replayed)


def check_order(
    *, account: Account, order: DraftOrder, caller: AbstractBaseUser | AnonymousUser | None = None
) -> CheckResult:
    """Check one order of `account` (the caller is already allowed to trade it)."""
    try:
        return _check(account=account, orders=[order], caller=caller, batch=False)[0]
    except InvalidOrder as exc:
        prefix = "orders[0]."
        raise InvalidOrder({k.removeprefix(prefix): v for k, v in exc.errors.items()}) from None


def check_batch(
    *, account: Account, orders: Sequence[DraftOrder], caller: AbstractBaseUser | AnonymousUser | None = None
) -> list[CheckResult]:
    """Check a basket of `account` in order, each order seeing the ones accepted before it, all under
    one lock and one transaction. A malformed order raises InvalidOrder for the whole basket."""
    return _check(account=account, orders=orders, caller=caller, batch=True)


def _precheck(account: Account, orders: Sequence[DraftOrder]) -> None:
    errors: dict[str, list[str]] = {}
    seen: dict[str, int] = {}
    for index, order in enumerate(orders):
        if order.account != account.code:
            errors[f"orders[{index}].account"] = ["Every order of a basket must be for the same account."]
        key = order.client_order_id
        if key is not None:
            if key in seen:
                errors[f"orders[{index}].client_order_id"] = [
                    f"Repeats the client_order_id of orders[{seen[key]}]."
                ]
            seen[key] = index
    if errors:
        raise InvalidOrder(errors)


def _check(
    *,
    account: Account,
    orders: Sequence[DraftOrder],
    caller: AbstractBaseUser | AnonymousUser | None,
    batch: bool,
) -> list[CheckResult]:
    _precheck(account, orders)
    with check_transaction() as txn:
        return _check_in(txn, account=account, orders=orders, caller=caller, batch=batch)


def _check_in(
    txn: CheckTransaction,
    *,
    account: Account,
    orders: Sequence[DraftOrder],
    caller: AbstractBaseUser | AnonymousUser | None,
    batch: bool,
) -> list[CheckResult]:
    now = timezone.now()
    # Warm the per-process caches before taking the locks, so a reload never runs while holding them.
    instruments.resolve([o.symbol for o in orders])
    previous_closes.for_date(trading_date(risk_day_start(now)))
    locked = lock_and_read(
        txn,
        account_id=account.pk,
        strategy_codes=[o.strategy for o in orders if o.strategy],
        symbols=[o.symbol for o in orders],
        client_order_ids=[o.client_order_id for o in orders if o.client_order_id],
        now=now,
    )
    unknown = {
        f"orders[{i}].strategy": [f"Unknown strategy {o.strategy!r} for account {account.code}."]
        for i, o in enumerate(orders)
        if o.strategy and o.strategy not in locked.strategies
    }
    if unknown:
        raise InvalidOrder(unknown)

    results: list[CheckResult | None] = [None] * len(orders)
    if locked.replays:
        stored = {
            row.client_order_id: row for row in CheckDecision.objects.filter(pk__in=locked.replays.values())
        }
        for index, order in enumerate(orders):
            row = stored.get(order.client_order_id or "")
            if row is not None and replayed(order, row):
                results[index] = CheckResult.of(row, replayed=True)
    fresh = [(i, o) for i, o in enumerate(orders) if results[i] is None]
    if not fresh:
        return [r for r in results if r is not None]

    per_strategy = Counter(o.strategy for _, o in fresh if o.strategy)
    added = {rate.scope_key("account", locked.account.id): len(fresh)}
    for code, n in per_strategy.items():
        added[rate.scope_key("strategy", locked.strategies[code].id)] = n
    for group in locked.groups:
        added[rate.scope_key("group", group.id)] = len(fresh)
    # The limits' generation tokens ride along with the rate window's round trip (limits_source.py).
    scopes = check_scopes(locked)
    counts, generations = rate.count_add_and_read(added, now=now, read=generation_keys(scopes))

    snapshot = build_snapshot(
        locked=locked,
        limits=scope_limits(locked, scopes, now=now, generations=generations),
        order_symbols=[o.symbol for _, o in fresh],
        orders_last_minute=counts,
        now=now,
    )
    outcome = engine_check_batch([o for _, o in fresh], snapshot)
    batch_id = uuid.uuid4() if batch else None
    expires_at = reservation_expiry(now)
    user_id = getattr(caller, "pk", None) if caller is not None and caller.is_authenticated else None
    rows = [
        _row(order, decision, locked=locked, caller_id=user_id, batch_id=batch_id, expires_at=expires_at)
        for (_, order), decision in zip(fresh, outcome.decisions, strict=True)
    ]
    store_decisions(rows, suffix=txn.commit())
    for (index, _), row in zip(fresh, rows, strict=True):
        results[index] = CheckResult.of(row)
    return [r for r in results if r is not None]


def _number(value: Decimal | None) -> str | None:
    return None if value is None else plain(value)


def _row(
    order: DraftOrder,
    decision: Decision,
    *,
    locked: Any,
    caller_id: int | None,
    batch_id: uuid.UUID | None,
    expires_at: datetime,
) -> CheckDecision:
    accepted = decision.decision == "accepted"
    return CheckDecision(
        check_id=uuid.uuid4(),
        account_id=locked.account.id,
        strategy_id=locked.strategies[order.strategy].id if order.strategy else None,
        symbol=order.symbol,
        side=order.side,
        quantity=order.quantity,
        price=order.price,
        order_type=order.order_type,
        client_order_id=order.client_order_id,
        fingerprint=fingerprint(order),
        decision=decision.decision,
        violations=[finding_json(f) for f in decision.violations],
        warnings=[finding_json(f) for f in decision.warnings],
        request={
            "account": order.account,
            "strategy": order.strategy,
            "symbol": order.symbol,
            "side": order.side,
            "quantity": _number(order.quantity),
            "price": _number(order.price),
            "order_type": order.order_type,
            "client_order_id": order.client_order_id,
        },
        evaluated_at=decision.evaluated_at,
        caller_id=caller_id,
        batch_id=batch_id,
        reserved_price=decision.order.price if accepted else None,
        open_quantity=order.quantity if accepted else Decimal(0),
        expires_at=expires_at if accepted else None,
    )


def check_release(*, decision: CheckDecision) -> CheckDecision:
    """Free what is left of an accepted check's reservation (idempotent; allowed when halted)."""
    return release(decision=decision)
