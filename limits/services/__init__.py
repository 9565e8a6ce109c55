"""Writes of the limits app: every change goes through here and leaves an audit row."""

from __future__ import annotations

from limits.services.scopes import Target, target_kind
from limits.services.trading_state import trading_state_set

__all__ = ["Target", "target_kind", "trading_state_set"]
