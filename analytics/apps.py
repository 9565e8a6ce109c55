from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.apps import AppConfig

from limits.risk_figures import register_latest_var

# The readers import analytics.selectors late: Django imports an app's AppConfig before any model is
# loaded, and the selectors import models (the app-loading order forces it).


def _summary_var_99(*, account: Any, valuation: Any) -> Decimal | None:
    """The account summary's var_99: the latest successful nightly report's 99% VaR."""
    from analytics.selectors import latest_var_99

    return latest_var_99(account_id=account.pk)


def _latest_var_99(account_id: int, currency: str) -> Decimal | None:
    """limits.risk_figures.LatestVar: the latest successful report's 99% VaR in `currency`."""
    from analytics.selectors import latest_var_99

    return latest_var_99(account_id=account_id, currency=currency)


class AnalyticsConfig(AppConfig):
    name = "analytics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from positions.summary_extensions import register_summary_extension

        register_summary_extension("var_99", _summary_var_99)
        register_latest_var(_latest_var_99)
