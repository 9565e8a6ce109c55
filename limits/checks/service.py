"""The pre-trade check: lock, read, decide, store and reserve, in one short transaction.

    check_order / check_batch, in the check's store session (limits/checks/store):
      1. load: lock the scopes (groups, then account) and read the book, the groups' books, marks,
         FX and any earlier decision with the same client_order_id;
      2. replays: answer idempotent replays from the stored decision; a reused id with another order
         is a 409;
      3. rate: count the new orders in the shared order-rate window, reading the limits' generation
         tokens in the same step (limits/shared_state);
      4. limits: the scopes' effective limits, from this process's copies while their tokens hold;
      5. engine: evaluate with the pure engine (limits.engine), orders of a basket in sequence;
      6. store: insert one CheckDecision per new order (accepted ones hold their quantity until
         filled, released or expired: reservations.py) and commit.

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

from limits.cache import generation_keys
from limits.checks.idempotency import fingerprint, replayed
from limits.checks.refdata import instruments, previous_closes
from limits.checks.render import finding_json, plain
from limits.checks.reservations import release, reservation_expiry
from limits.checks.snapshot import build_snapshot, check_scopes, scope_limits
from limits.checks.store import CheckRows, CheckSession, LoadRequest, check_store
from limits.engine.check import check_batch as engine_check_batch
from limits.engine.decision import Decision
from limits.engine.orders import DraftOrder, InvalidOrder
from limits.models.checks import CheckDecision
from limits.risk_figures import latest_var
from limits.shared_state import Scope, shared_state
from positions.clock import current_day_start
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
    now = timezone.now()
    day_start = current_day_start(now)
    # Warm the per-process caches before taking the locks, so a reload never runs while holding them.
    instruments.resolve([o.symbol for o in orders])
    previous_closes.for_date(trading_date(day_start))
    request = LoadRequest(
        account_id=account.pk,
        strategy_codes=frozenset(o.strategy for o in orders if o.strategy),
        symbols=frozenset(o.symbol for o in orders),
        client_order_ids=frozenset(o.client_order_id for o in orders if o.client_order_id),
        now=now,
        day_start=day_start,
    )
    with check_store().session() as session:
        return _check_in(session, request, account=account, orders=orders, caller=caller, batch=batch)


def _check_in(
    session: CheckSession,
    request: LoadRequest,
    *,
    account: Account,
    orders: Sequence[DraftOrder],
    caller: AbstractBaseUser | AnonymousUser | None,
    batch: bool,
) -> list[CheckResult]:
    rows = session.lock_and_load(request)
    _refuse_unknown_strategies(rows, account, orders)

    results = _replays(rows, orders)
    fresh = [(i, o) for i, o in enumerate(orders) if results[i] is None]
    if not fresh:
        return [r for r in results if r is not None]

    scopes = check_scopes(rows)
    counts, tokens = shared_state().window_and_tokens(
        _new_orders_per_scope(rows, [o for _, o in fresh]), now=request.now, tokens=generation_keys(scopes)
    )
    limits = scope_limits(rows, scopes, tokens)

    snapshot = build_snapshot(
        rows=rows,
        limits=limits,
        order_symbols=[o.symbol for _, o in fresh],
        orders_last_minute=counts,
        trading_date=trading_date(request.day_start),
        now=request.now,
        latest_var=(
            latest_var(rows.account.id, rows.account.base_currency)
            if limits.account.max_var is not None
            else None
        ),
    )
    outcome = engine_check_batch([o for _, o in fresh], snapshot)

    batch_id = uuid.uuid4() if batch else None
    expires_at = reservation_expiry(request.now)
    user_id = getattr(caller, "pk", None) if caller is not None and caller.is_authenticated else None
    decisions = [
        _row(order, decision, rows=rows, caller_id=user_id, batch_id=batch_id, expires_at=expires_at)
        for (_, order), decision in zip(fresh, outcome.decisions, strict=True)
    ]
    session.store_and_commit(decisions)
    for (index, _), row in zip(fresh, decisions, strict=True):
        results[index] = CheckResult.of(row)
    return [r for r in results if r is not None]


def _refuse_unknown_strategies(rows: CheckRows, account: Account, orders: Sequence[DraftOrder]) -> None:
    unknown = {
        f"orders[{i}].strategy": [f"Unknown strategy {o.strategy!r} for account {account.code}."]
        for i, o in enumerate(orders)
        if o.strategy and o.strategy not in rows.strategies
    }
    if unknown:
        raise InvalidOrder(unknown)


def _replays(rows: CheckRows, orders: Sequence[DraftOrder]) -> list[CheckResult | None]:
    """The stored answer of each order whose client_order_id was already decided; None for new ones."""
    results: list[CheckResult | None] = [None] * len(orders)
    if not rows.replays:
        return results
    stored = {row.client_order_id: row for row in CheckDecision.objects.filter(pk__in=rows.replays.values())}
    for index, order in enumerate(orders):
        row = stored.get(order.client_order_id or "")
        if row is not None and replayed(order, row):
            results[index] = CheckResult.of(row, replayed=True)
    return results


def _new_orders_per_scope(rows: CheckRows, fresh: Sequence[DraftOrder]) -> dict[Scope, int]:
    """How many new orders each scope's rate window gains: every new order counts, accepted or not."""
    added: dict[Scope, int] = {("account", rows.account.id): len(fresh)}
    for code, n in Counter(o.strategy for o in fresh if o.strategy).items():
        added[("strategy", rows.strategies[code].id)] = n
    for group in rows.groups:
        added[("group", group.id)] = len(fresh)
    return added


def _number(value: Decimal | None) -> str | None:
    return None if value is None else plain(value)


def _row(
    order: DraftOrder,
    decision: Decision,
    *,
    rows: CheckRows,
    caller_id: int | None,
    batch_id: uuid.UUID | None,
    expires_at: datetime,
) -> CheckDecision:
    accepted = decision.decision == "accepted"
    return CheckDecision(
        check_id=uuid.uuid4(),
        account_id=rows.account.id,
        strategy_id=rows.strategies[order.strategy].id if order.strategy else None,
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
