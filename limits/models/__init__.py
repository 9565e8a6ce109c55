"""limits models: limit sets with history and overrides, and the trading-state log.

The checks helper adds limits/models/checks.py (decisions, reservations) and re-exports it here.
"""

from __future__ import annotations

from limits.models.checks import CheckDecision, ReservationTotal
from limits.models.limits import (
    DECIMAL_LIMIT_FIELDS,
    DEFAULT_WARN_UTILIZATION_PCT,
    INTEGER_LIMIT_FIELDS,
    LIMIT_FIELDS,
    MONEY_LIMIT_FIELDS,
    OVERRIDABLE_FIELDS,
    LimitChange,
    LimitChangeSource,
    LimitOverride,
    LimitSet,
    ScopeKind,
)
from limits.models.shared_state import GenerationToken
from limits.models.trading_state import TradingStateChange, TradingStateSource

__all__ = [
    "DECIMAL_LIMIT_FIELDS",
    "DEFAULT_WARN_UTILIZATION_PCT",
    "INTEGER_LIMIT_FIELDS",
    "LIMIT_FIELDS",
    "MONEY_LIMIT_FIELDS",
    "OVERRIDABLE_FIELDS",
    "CheckDecision",
    "GenerationToken",
    "LimitChange",
    "LimitChangeSource",
    "LimitOverride",
    "LimitSet",
    "ReservationTotal",
    "ScopeKind",
    "TradingStateChange",
    "TradingStateSource",
]
