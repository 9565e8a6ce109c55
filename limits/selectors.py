"""Reads of the limits app: effective limits (cached), history, overrides. Which desks a user may see
or manage is the permission gate's (accounts/scoping.py).

The utilization of the limits is in limits/utilization.py (it builds on these reads)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Account, AccountGroup, Strategy
from limits.cache import generation_keys, scope_limits_cache
from limits.engine import Limits
from limits.models import (
    DECIMAL_LIMIT_FIELDS,
    DEFAULT_WARN_UTILIZATION_PCT,
    LimitChange,
    LimitOverride,
    LimitSet,
    TradingStateChange,
)
from limits.services.scopes import Target, scope_filter, target_kind
from limits.shared_state import shared_state

__all__ = [
    "EffectiveLimits",
    "effective_limits",
    "effective_limits_of",
    "effective_limits_of_scopes",
    "limit_history",
    "limit_overrides",
    "limit_set_of",
    "next_override_expiry",
    "trading_state_history",
]


@dataclass(frozen=True)
class EffectiveLimits:
    """The limits of one scope as they apply at `computed_at`: overrides folded in, None = no limit.

    `overridden` maps each field currently replaced by an override to the override's expiry.
    `valid_until` is the earliest such expiry: past it, these values are stale.
    Money limits are in the scope's base currency.
    """

    kind: str
    scope_id: int
    computed_at: datetime
    max_order_quantity: Decimal | None = None
    max_order_notional: Decimal | None = None
    max_position_quantity: Decimal | None = None
    max_position_notional: Decimal | None = None
    max_gross_exposure: Decimal | None = None
    max_net_exposure: Decimal | None = None
    max_daily_loss: Decimal | None = None
    max_leverage: Decimal | None = None
    max_var: Decimal | None = None
    price_collar_pct: Decimal | None = None
    max_orders_per_minute: int | None = None
    warn_utilization_pct: Decimal = Decimal(DEFAULT_WARN_UTILIZATION_PCT)
    restricted_symbols: frozenset[str] = frozenset()
    overridden: dict[str, datetime] = field(default_factory=dict)
    valid_until: datetime | None = None

    def is_fresh(self, at: datetime) -> bool:
        return self.valid_until is None or at < self.valid_until

    def as_engine_limits(self) -> Limits:
        """The rule engine's view of these limits."""
        return Limits(
            **{name: getattr(self, name) for name in DECIMAL_LIMIT_FIELDS},
            max_orders_per_minute=self.max_orders_per_minute,
            warn_utilization_pct=self.warn_utilization_pct,
            restricted_symbols=self.restricted_symbols,
        )

    def as_dict(self) -> dict[str, Any]:
        """The contract's limit fields (restricted_symbols as a sorted list)."""
        values: dict[str, Any] = {name: getattr(self, name) for name in DECIMAL_LIMIT_FIELDS}
        values["max_orders_per_minute"] = self.max_orders_per_minute
        values["warn_utilization_pct"] = self.warn_utilization_pct
        values["restricted_symbols"] = sorted(self.restricted_symbols)
        return values


def _build(
    kind: str, scope_id: int, limit_set: LimitSet | None, overrides: Iterable[LimitOverride], at: datetime
) -> EffectiveLimits:
    values: dict[str, Any] = {}
    if limit_set is not None:
        values = {name: getattr(limit_set, name) for name in DECIMAL_LIMIT_FIELDS}
        values["max_orders_per_minute"] = limit_set.max_orders_per_minute
        values["warn_utilization_pct"] = limit_set.warn_utilization_pct
        values["restricted_symbols"] = frozenset(limit_set.restricted_symbols or ())
    overridden: dict[str, datetime] = {}
    # Newest first: the newest active override of a field wins.
    for override in sorted(overrides, key=lambda o: (o.created_at, o.id), reverse=True):
        if override.field in overridden or not (override.created_at <= at < override.expires_at):
            continue
        value: Any = override.value
        values[override.field] = int(value) if override.field == "max_orders_per_minute" else value
        overridden[override.field] = override.expires_at
    return EffectiveLimits(
        kind=kind,
        scope_id=scope_id,
        computed_at=at,
        **values,
        overridden=overridden,
        valid_until=min(overridden.values(), default=None),
    )


def _load(scopes: Sequence[tuple[str, int]], at: datetime) -> dict[tuple[str, int], EffectiveLimits]:
    """Effective limits of `scopes` from the database: one query for the sets, one for overrides."""
    ids: dict[str, list[int]] = {"account": [], "strategy": [], "group": []}
    for kind, pk in scopes:
        ids[kind].append(pk)
    where = Q(pk__in=[])
    for kind, pks in ids.items():
        if pks:
            where |= Q(**{f"{kind}_id__in": pks})
    sets = {(s.scope_kind, s.scope_id): s for s in LimitSet.objects.filter(where).order_by()}
    overrides: dict[int, list[LimitOverride]] = {}
    if sets:
        # In force at `at`: created by then, not yet expired, and not ended early before it.
        active = LimitOverride.objects.filter(
            Q(reverted_at__isnull=True) | Q(reverted_at__gt=at),
            limit_set_id__in=[s.pk for s in sets.values()],
            expires_at__gt=at,
            created_at__lte=at,
        ).order_by()
        for override in active:
            overrides.setdefault(override.limit_set_id, []).append(override)
    result = {}
    for kind, pk in scopes:
        limit_set = sets.get((kind, pk))
        result[(kind, pk)] = _build(
            kind, pk, limit_set, overrides.get(limit_set.pk, []) if limit_set else [], at
        )
    return result


def effective_limits_of_accounts(account_ids: Sequence[int]) -> dict[int, EffectiveLimits]:
    """Effective limits of many accounts at once (nightly run, dashboards): one token read, two
    queries for what this process has not cached."""
    found = _cached([("account", account_id) for account_id in account_ids])
    return {account_id: found[("account", account_id)] for account_id in account_ids}


def effective_limits_of_scopes(
    scopes: Sequence[tuple[str, int]], *, tokens: Sequence[str] | None = None
) -> dict[tuple[str, int], EffectiveLimits]:
    """Effective limits now of `(kind, id)` scopes of any kinds. `tokens` are the scopes' generation
    tokens when the caller already read them (the pre-trade check reads them with its rate window)."""
    return _cached(scopes, tokens)


def _cached(
    scopes: Sequence[tuple[str, int]], tokens: Sequence[str] | None = None
) -> dict[tuple[str, int], EffectiveLimits]:
    """Effective limits now, from this process's copies where their token still holds; the rest load
    in two queries and are kept under the token read before loading (limits/cache.py)."""
    now = timezone.now()
    if tokens is None:
        tokens = shared_state().tokens(generation_keys(scopes))
    result: dict[tuple[str, int], EffectiveLimits] = {}
    misses: list[tuple[tuple[str, int], str]] = []
    for scope, token in zip(scopes, tokens, strict=True):
        found = scope_limits_cache.get(scope, token, now)
        if found is None:
            misses.append((scope, token))
        else:
            result[scope] = found
    if misses:
        loaded = _load([scope for scope, _ in misses], now)
        for scope, token in misses:
            result[scope] = loaded[scope]
            scope_limits_cache.put(scope, token, loaded[scope])
    return result


def _scope_of(*, account: Account | None, strategy: Strategy | None, group: AccountGroup | None) -> Target:
    given = [target for target in (account, strategy, group) if target is not None]
    if len(given) != 1:
        raise TypeError("Pass exactly one of account, strategy or group.")
    return given[0]


def effective_limits(
    *,
    account: Account | None = None,
    strategy: Strategy | None = None,
    group: AccountGroup | None = None,
    at: datetime | None = None,
) -> EffectiveLimits:
    """The limits in force for one scope now (cached) or at `at` (from the database).

    An override counts while created_at <= at < expires_at (and before an early end), so it lapses
    on time whether or not the expiry task has run. `at` moves only the overrides in time: the
    base values are today's (their past values are in the history, `limit_history`).
    """
    return effective_limits_of(_scope_of(account=account, strategy=strategy, group=group), at=at)


def effective_limits_of(target: Target, *, at: datetime | None = None) -> EffectiveLimits:
    """`effective_limits` for a target of any kind."""
    scope = (target_kind(target), int(target.pk))
    if at is not None:
        return _load([scope], at)[scope]
    return _cached([scope])[scope]


def limit_set_of(target: Target) -> LimitSet | None:
    return LimitSet.objects.filter(**scope_filter(target)).first()


def limit_history(*, target: Target) -> QuerySet[LimitChange]:
    """Every recorded change of the target's limits, newest first."""
    return LimitChange.objects.filter(**{f"limit_set__{target_kind(target)}": target}).select_related(
        "changed_by"
    )


def limit_overrides(*, target: Target, active_only: bool = False) -> QuerySet[LimitOverride]:
    """The target's overrides, newest first; `active_only` keeps those in force now."""
    queryset = LimitOverride.objects.filter(**{f"limit_set__{target_kind(target)}": target}).select_related(
        "created_by"
    )
    if active_only:
        queryset = queryset.filter(reverted_at__isnull=True, expires_at__gt=timezone.now())
    return queryset


def trading_state_history(*, target: Target) -> QuerySet[TradingStateChange]:
    """Every change of the target's trading state, newest first."""
    return TradingStateChange.objects.filter(**scope_filter(target)).select_related("changed_by")


def next_override_expiry(*, after: datetime | None = None) -> datetime | None:
    """When the next override lapses (for the beat task's log and for tests)."""
    after = after or timezone.now()
    return (
        LimitOverride.objects.filter(reverted_at__isnull=True, expires_at__gt=after)
        .order_by("expires_at")
        .values_list("expires_at", flat=True)
        .first()
    )
