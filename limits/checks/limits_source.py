"""Effective limits of a check's scopes, from the cached selector of the limits app.

limits.selectors.limits_for_check folds overrides in and caches per scope with invalidation on
change (one cache round trip when warm). It needs only the scopes' primary keys, so the rows locked
by snapshot.py are passed as unsaved stand-ins rather than loaded again.
"""

from __future__ import annotations

from datetime import datetime

from accounts.models import Account, AccountGroup, Strategy
from limits.checks.snapshot import Locked, ScopeLimits
from limits.selectors import effective_limits, limits_for_check


def scope_limits(locked: Locked, *, now: datetime) -> ScopeLimits:
    """Engine limits of the account, of each named strategy and of each group (by group id)."""
    strategies = list(locked.strategies.items())
    first = Strategy(pk=strategies[0][1].id) if strategies else None
    found = limits_for_check(
        account=Account(pk=locked.account.id),
        strategy=first,
        groups=[AccountGroup(pk=g.id) for g in locked.groups],
    )
    by_strategy = {}
    if strategies and found.strategy is not None:
        by_strategy[strategies[0][0]] = found.strategy.as_engine_limits()
    # A basket naming several strategies: the rest one cached lookup each (rare).
    for code, row in strategies[1:]:
        by_strategy[code] = effective_limits(strategy=Strategy(pk=row.id)).as_engine_limits()
    return ScopeLimits(
        account=found.account.as_engine_limits(),
        strategies=by_strategy,
        groups={
            g.id: limits.as_engine_limits() for g, limits in zip(locked.groups, found.groups, strict=True)
        },
    )
