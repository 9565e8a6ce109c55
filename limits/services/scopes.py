"""What a limit or kill-switch target is: an account, a strategy or an account group."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

from accounts.models import Account, AccountGroup, Strategy

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

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


def actor(user: User | AnonymousUser | None) -> User | None:
    """The user to record as author: None for no user, an anonymous one or a system job."""
    if user is None or not getattr(user, "is_authenticated", False) or user.pk is None:
        return None
    return user
