"""Figures other apps add to the account summary, without positions importing them.

An app registers a function at startup (in its AppConfig.ready):

    from positions.summary_extensions import register_summary_extension
    register_summary_extension("var_99", latest_var_99)          # -> Decimal | float | None
    register_summary_extension("utilization", limit_utilization)  # -> {limit_name: percent}
    register_summary_extension("margin_required", scenario_margin)  # -> Decimal (base currency)

Each function is called as `fn(account=account, valuation=valuation)` where `valuation` is the
AccountValuation the summary was built from (reuse it instead of revaluing). Known names:
- "var_99": the latest stored 99% VaR in the base currency, or None (default None);
- "utilization": {limit_name: percent used} (default {});
- "margin_required": replaces the built-in margin method (positions/ledger/margin.py).
Registering a name again replaces the earlier function (tests and reloads stay idempotent).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accounts.models import Account
    from positions.ledger.valuation import AccountValuation

SummaryExtension = Callable[..., Any]

_extensions: dict[str, SummaryExtension] = {}


def register_summary_extension(name: str, fn: SummaryExtension) -> None:
    _extensions[name] = fn


def unregister_summary_extension(name: str) -> None:
    _extensions.pop(name, None)


def summary_extension(name: str, *, account: Account, valuation: AccountValuation, default: Any) -> Any:
    """The registered figure `name`, or `default` when no app registered one."""
    fn = _extensions.get(name)
    if fn is None:
        return default
    return fn(account=account, valuation=valuation)
