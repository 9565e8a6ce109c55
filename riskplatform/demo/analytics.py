"""Demo data for analytics: stress scenarios and a backfill of nightly reports.

`load_demo_analytics()` is called by the `load_demo` command after the firm, instruments, two years
of price history and fills exist. It stores the built-in historical scenarios (in case the data
migration's rows were deleted) plus a few custom ones, then runs the nightly reports for the last
`DEMO_REPORT_DAYS` weekdays, oldest first, so each day fills the previous day's realized P&L and the
dashboards and backtests have a history. Backfilled days revalue today's positions at that day's
closes (see analytics.snapshot). Safe to run twice: scenarios are get-or-create, reports upserted.
"""

from __future__ import annotations

from datetime import date, timedelta

from analytics.models import StressScenario
from analytics.scenarios import builtin_shocks
from analytics.services.reports import risk_reports_run
from positions.clock import current_trading_date

DEMO_REPORT_DAYS = 60

CUSTOM_SCENARIOS: tuple[tuple[str, str, dict[str, object]], ...] = (
    (
        "equity_down_10_vol_up_5",
        "Equities -10% with implied vols +5 points",
        {"equity": "-0.10", "vol": "0.05"},
    ),
    ("base_currency_rally", "Every foreign currency -10% against the base currency", {"fx": {"*": "-0.10"}}),
    ("rates_up_100bp", "Risk-free rates +100bp", {"rates": "0.01"}),
    ("crypto_winter", "Crypto -30% with vols +15 points", {"crypto": "-0.30", "vol": "0.15"}),
)


def demo_scenarios_create() -> int:
    """Store the built-in and custom scenarios that are missing; returns how many were created."""
    created = 0
    for name, description, shocks in builtin_shocks():
        _, new = StressScenario.objects.get_or_create(
            name=name, defaults={"description": description, "shocks": shocks, "builtin": True}
        )
        created += new
    for name, description, shocks in CUSTOM_SCENARIOS:
        _, new = StressScenario.objects.get_or_create(
            name=name, defaults={"description": description, "shocks": shocks}
        )
        created += new
    return created


def report_days(end: date, n: int) -> list[date]:
    """The last `n` weekdays up to and including `end`, oldest first."""
    days: list[date] = []
    day = end
    while len(days) < n:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return days[::-1]


def load_demo_analytics(*, days: int = DEMO_REPORT_DAYS) -> None:
    demo_scenarios_create()
    today = current_trading_date()
    for day in report_days(today - timedelta(days=1), days - 1):
        risk_reports_run(as_of=day)
    risk_reports_run(as_of=today)
