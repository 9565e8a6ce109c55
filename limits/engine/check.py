"""Entry points: check one order, check a basket, and fold a reservation into a snapshot."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

import limits.engine.rules  # noqa: F401  (registers the rules)
from limits.engine.decision import Decision, RejectedDecision, Reservation, accept, reserve
from limits.engine.exposure import Missing, ScopeEval, margin_of
from limits.engine.findings import Findings
from limits.engine.orders import DraftOrder, InvalidOrder, ValidatedOrder, validate_order
from limits.engine.registry import RULES
from limits.engine.snapshot import ScopeState, Snapshot
from limits.engine.types import ZERO


def scopes_of(snapshot: Snapshot, order: ValidatedOrder) -> list[ScopeState]:
    """Strategy (if any), account, then every group of the account."""
    scopes = [snapshot.account]
    if order.strategy is not None:
        scopes.insert(0, snapshot.strategies[order.strategy])
    scopes.extend(snapshot.groups)
    return scopes


def evaluate(order: ValidatedOrder, snapshot: Snapshot) -> Decision:
    """Run every registered rule for every scope and decide."""
    out = Findings()
    evals = [ScopeEval(snapshot, order, scope) for scope in scopes_of(snapshot, order)]
    account_ev = evals[1] if order.strategy is not None else evals[0]
    for registered in RULES:
        if registered.per_scope:
            for ev in evals:
                registered.fn(ev, out)
        else:
            registered.fn(account_ev, out)
    warnings = tuple(out.warnings)
    if not out.violations:
        own = _own_figures(account_ev)
        if isinstance(own, Missing):  # fail closed, though the rules above already need these data
            out.missing(own, snapshot.account)
        else:
            return accept(order, warnings, snapshot.now, own[0], own[1], snapshot.account.base_currency)
    return RejectedDecision(order, tuple(out.violations), warnings, snapshot.now)


def _own_figures(ev: ScopeEval) -> tuple[Decimal, Decimal] | Missing:
    unit = ev.unit_value()
    if isinstance(unit, Missing):
        return unit
    fx = ev.fx()
    assert not isinstance(fx, Missing)
    assert ev.order.instrument is not None
    notional = ev.order.signed_quantity * unit
    margin = margin_of(ev.snapshot, ev.order.instrument, ev.order.signed_quantity, notional, fx)
    if isinstance(margin, Missing):
        return margin
    return abs(notional), margin


def check_order(draft: DraftOrder, snapshot: Snapshot) -> Decision:
    """Validate then evaluate. Raises InvalidOrder for malformed input (the API's 400)."""
    return evaluate(validate_order(draft, snapshot), snapshot)


def _add(mapping: Mapping[str, Decimal], symbol: str, quantity: Decimal) -> dict[str, Decimal]:
    updated = dict(mapping)
    updated[symbol] = updated.get(symbol, ZERO) + quantity
    return updated


def _hold(scope: ScopeState, reservation: Reservation) -> ScopeState:
    qty = abs(reservation.signed_quantity)
    if reservation.side == "buy":
        return replace(scope, reserved_buy=_add(scope.reserved_buy, reservation.symbol, qty))
    return replace(scope, reserved_sell=_add(scope.reserved_sell, reservation.symbol, qty))


def apply_reservation(snapshot: Snapshot, reservation: Reservation) -> Snapshot:
    """The snapshot as it is once `reservation` is held by its strategy, account and groups."""
    strategies = snapshot.strategies
    if reservation.strategy is not None:
        strategies = dict(strategies)
        strategies[reservation.strategy] = _hold(strategies[reservation.strategy], reservation)
    return replace(
        snapshot,
        account=_hold(snapshot.account, reservation),
        strategies=strategies,
        groups=tuple(_hold(group, reservation) for group in snapshot.groups),
    )


def _count_order(snapshot: Snapshot, strategy: str | None) -> Snapshot:
    def bump(scope: ScopeState) -> ScopeState:
        return replace(scope, orders_last_minute=scope.orders_last_minute + 1)

    strategies = snapshot.strategies
    if strategy is not None:
        strategies = dict(strategies)
        strategies[strategy] = bump(strategies[strategy])
    return replace(
        snapshot,
        account=bump(snapshot.account),
        strategies=strategies,
        groups=tuple(bump(group) for group in snapshot.groups),
    )


@dataclass(frozen=True, slots=True)
class BatchResult:
    """Decisions in input order, the reservations of the accepted ones (same order), and the
    snapshot after holding them and counting every checked order toward the order rate."""

    decisions: tuple[Decision, ...]
    reservations: tuple[Reservation, ...]
    snapshot: Snapshot


def check_batch(drafts: Sequence[DraftOrder], snapshot: Snapshot) -> BatchResult:
    """Evaluate a basket in order; each order sees the reservations of those accepted before it.

    Every order is validated first, so a malformed one raises InvalidOrder (with errors keyed
    "orders[i].field") before anything is decided.
    """
    orders: list[ValidatedOrder] = []
    errors: dict[str, list[str]] = {}
    for index, draft in enumerate(drafts):
        try:
            orders.append(validate_order(draft, snapshot))
        except InvalidOrder as exc:
            for field, messages in exc.errors.items():
                errors[f"orders[{index}].{field}"] = messages
    if errors:
        raise InvalidOrder(errors)
    decisions: list[Decision] = []
    reservations: list[Reservation] = []
    for order in orders:
        decision = evaluate(order, snapshot)
        decisions.append(decision)
        snapshot = _count_order(snapshot, order.strategy)
        if decision.decision == "accepted":
            reservation = reserve(decision)
            reservations.append(reservation)
            snapshot = apply_reservation(snapshot, reservation)
    return BatchResult(tuple(decisions), tuple(reservations), snapshot)
