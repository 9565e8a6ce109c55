"""Analytics hands its figures to the apps below it through the interfaces they own: the account
summary's var_99 (positions) and the latest VaR behind the use of max_var (limits)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.apps import AppConfig

# The readers import analytics.selectors late: Django imports an app's AppConfig before any model is
# loaded, and the selectors import models (the app-loading order forces it).


def _summary_var_99(*, account: Any, valuation: Any) -> Decimal | None:
    """The account summary's var_99: the latest successful nightly report's 99% VaR."""
    return _latest_var_99(account.pk)


def _latest_var_99(account_id: int) -> Decimal | None:
    """limits.utilization.LatestVar: the latest successful nightly report's 99% VaR."""
    from analytics.selectors import latest_var_99

    return latest_var_99(account_id=account_id)


class AnalyticsConfig(AppConfig):
    name = "analytics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from limits.utilization import register_latest_var
        from positions.summary_extensions import register_summary_extension

        register_summary_extension("var_99", _summary_var_99)
        register_latest_var(_latest_var_99)
