"""Writes of the limits app: every change goes through here and leaves an audit row."""

from __future__ import annotations

from limits.services.groups import account_group_create, account_group_update
from limits.services.limits import clean_limit_values, limit_set_update
from limits.services.overrides import limit_override_create, limit_override_revert, limit_overrides_expire
from limits.services.scopes import Target, target_kind
from limits.services.trading_state import trading_state_set
from limits.services.values import InvalidLimit, audit_value, clean_limit_value

__all__ = [
    "InvalidLimit",
    "Target",
    "account_group_create",
    "account_group_update",
    "audit_value",
    "clean_limit_value",
    "clean_limit_values",
    "limit_override_create",
    "limit_override_revert",
    "limit_overrides_expire",
    "limit_set_update",
    "target_kind",
    "trading_state_set",
]
