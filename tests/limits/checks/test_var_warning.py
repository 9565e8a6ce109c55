"""max_var in a check: the account's latest successful risk report against the limit, as a warning.

The contract has no VaR violation code and a pre-trade VaR would need the risk model, so the rule
engine warns when the latest stored 99% VaR stands at or above warn_utilization_pct of max_var.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from analytics.models import RiskReport
from tests.limits.checks.conftest import set_limits

pytestmark = pytest.mark.django_db


def report(account, day: int, var_99: float | None, *, status: str = "ok", currency: str = "USD") -> None:
    RiskReport.objects.create(
        account=account,
        as_of=date(2026, 11, day),
        lookback_days=250,
        currency=currency,
        status=status,
        var_99=var_99,
    )


def var_warnings(result):
    return [w for w in result["warnings"] if w["code"] == "var"]


def test_a_latest_var_at_the_warning_level_warns_and_still_accepts(funded, check):
    set_limits(funded, max_var=Decimal("1000"))
    report(funded, 27, 800.0)

    result = check()

    assert result["decision"] == "accepted"
    assert var_warnings(result) == [
        {
            "code": "var",
            "scope": "account",
            "scope_code": "ACC-1",
            "message": "Latest VaR 800.00 USD is at 80.0% of limit 1,000.00 USD",
            "limit": "1000.00",
            "value": "800.00",
        }
    ]


def test_a_latest_var_just_below_the_warning_level_is_quiet(funded, check):
    set_limits(funded, max_var=Decimal("1000"))
    report(funded, 27, 799.99)

    assert var_warnings(check()) == []


def test_the_newest_successful_report_counts(funded, check):
    set_limits(funded, max_var=Decimal("1000"))
    report(funded, 25, 950.0)
    report(funded, 26, 500.0)
    report(funded, 27, None, status="failed")

    assert var_warnings(check()) == []

    report(funded, 28, 990.0)
    assert [w["value"] for w in var_warnings(check())] == ["990.00"]


def test_no_report_or_a_report_in_another_currency_warns_nothing(funded, check):
    set_limits(funded, max_var=Decimal("1000"))
    assert var_warnings(check()) == []

    report(funded, 27, 5000.0, currency="EUR")
    assert var_warnings(check()) == []
