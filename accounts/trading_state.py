"""The kill switch as the accounts app needs it: an interface accounts owns, implemented above it.

Accounts and strategies can be created halted, and their PATCH accepts `trading_state`; but flipping
the switch is more than writing a column: the limits app locks the row, records who changed it, when
and why (TradingStateChange, in the same transaction) and invalidates the cached limits of the scope.
Limits builds on accounts, so accounts may not import it. Instead accounts says what it needs here,
a `TradingStateSwitch`, and limits registers its `trading_state_set` in `LimitsConfig.ready()`.
A service that needs the switch while none is registered (limits not installed) raises
ImproperlyConfigured rather than writing the state without its audit row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from accounts.models import Account, AccountGroup, Strategy


class TradingStateSwitch(Protocol):
    """Set `target`'s trading state, with its audit row, inside the caller's transaction.

    Raises django's ValidationError naming `state` or `reason` on bad input, writing nothing.
    """

    def __call__(
        self,
        *,
        target: Account | Strategy | AccountGroup,
        state: str,
        reason: str,
        changed_by: User | AnonymousUser | None,
    ) -> object: ...


_switch: TradingStateSwitch | None = None


def register_trading_state_switch(switch: TradingStateSwitch) -> None:
    """Install the implementation (the limits app, at start-up); registering again replaces it."""
    global _switch
    _switch = switch


def trading_state_switch() -> TradingStateSwitch:
    """The registered switch; ImproperlyConfigured when no installed app provides one."""
    if _switch is None:
        raise ImproperlyConfigured(
            "No trading-state switch is registered: the limits app provides it "
            "(add 'limits' to INSTALLED_APPS)."
        )
    return _switch
