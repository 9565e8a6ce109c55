"""Entry points: check one order, check a basket, and fold a reservation into a snapshot."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

import limits.engine.rules  # noqa: F401  (registers the rules)
from limits.engine.decision import Decision, RejectedDecision, Reservation, accept, reserve
from limits.engine.exposure import ScopeEval, margin_of, rebook
from limits.engine.findings import Findings
from limits.engine.orders import DraftOrder, InvalidOrder, ValidatedOrder, validate_order
from limits.engine.registry import RULES
from limits.engine.snapshot import ScopeState, Snapshot
from limits.engine.types import ZERO, Missing


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


def _map_scopes(
    snapshot: Snapshot, strategy: str | None, change: Callable[[ScopeState], ScopeState], moved: str | None
) -> Snapshot:
    """Apply `change` to the strategy (if any), the account and every group.

    The valued holdings cached on the old snapshot are carried over: unchanged when no symbol
    `moved`, else revalued for that one symbol only, so a basket does not revalue the whole book
    for every order."""
    pairs: list[tuple[ScopeState, ScopeState]] = []

    def apply(scope: ScopeState) -> ScopeState:
        changed = change(scope)
        pairs.append((scope, changed))
        return changed

    strategies = snapshot.strategies
    if strategy is not None:
        strategies = dict(strategies)
        strategies[strategy] = apply(strategies[strategy])
    updated = replace(
        snapshot,
        account=apply(snapshot.account),
        strategies=strategies,
        groups=tuple(apply(group) for group in snapshot.groups),
    )
    for before, after in pairs:
        cached = snapshot._holdings.get(id(before))
        if cached is None or cached[0] is not before or isinstance(cached[1], Missing):
            continue
        held = cached[1] if moved is None else rebook(updated, after, cached[1], moved)
        updated._holdings[id(after)] = (after, held)
    return updated


def apply_reservation(snapshot: Snapshot, reservation: Reservation) -> Snapshot:
    """The snapshot as it is once `reservation` is held by its strategy, account and groups."""
    return _map_scopes(
        snapshot, reservation.strategy, lambda scope: _hold(scope, reservation), reservation.symbol
    )


def _count_order(snapshot: Snapshot, strategy: str | None) -> Snapshot:
    return _map_scopes(
        snapshot,
        strategy,
        lambda scope: replace(scope, orders_last_minute=scope.orders_last_minute + 1),
        None,
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
