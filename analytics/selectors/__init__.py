"""Reads of the analytics app: on-demand risk of an account, stored reports, alerts."""

from __future__ import annotations

from analytics.selectors.reports import (
    alerts_for_user,
    latest_report,
    latest_var_99,
    latest_var_99_by_account,
    reports_for_account,
)

__all__ = [
    "alerts_for_user",
    "latest_report",
    "latest_var_99",
    "latest_var_99_by_account",
    "reports_for_account",
]
