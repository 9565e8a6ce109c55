"""The limits app plugs into the apps below it at start-up, so that none of them imports limits:
the kill switch accounts' services call, the admin actions on accounts' admin (limits/admin.py) and
the utilization figure of positions' account summary."""

from __future__ import annotations

from django.apps import AppConfig


class LimitsConfig(AppConfig):
    name = "limits"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: these modules import models, which are not loaded yet when
        # Django imports an app's AppConfig (the app-loading order forces it).
        from accounts.trading_state import register_trading_state_switch
        from limits.checks import receivers  # noqa: F401  (fills consume reservations; instrument cache)
        from limits.services import trading_state_set
        from limits.utilization import limit_utilization
        from positions.summary_extensions import register_summary_extension

        register_trading_state_switch(trading_state_set)
        # GET /accounts/{code}/summary/ shows each limit's utilization (positions owns the summary).
        register_summary_extension("utilization", limit_utilization)
