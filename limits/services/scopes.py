"""What a limit or kill-switch target is: an account, a strategy or an account group."""

from __future__ import annotations

from typing import Any, TypeAlias

from accounts.models import Account, AccountGroup, Strategy

Target: TypeAlias = Account | Strategy | AccountGroup


def target_kind(target: Target) -> str:
    if isinstance(target, Account):
        return "account"
    if isinstance(target, Strategy):
        return "strategy"
    if isinstance(target, AccountGroup):
        return "group"
    raise TypeError(f"Not a limit scope: {target!r}")


def scope_filter(target: Target) -> dict[str, Any]:
    """Keyword arguments selecting rows that belong to `target` (`account=...`, ...)."""
    return {target_kind(target): target}
