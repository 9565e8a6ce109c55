from __future__ import annotations

from datetime import timedelta

import pytest

from analytics.models import Alert, AlertKind, RiskReport
from analytics.selectors.dashboard import sparkline
from positions.clock import current_trading_date
from tests.analytics.helpers import hold, listed
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reported(account):
    hold(account, listed("AAPL", days=0), "10")
    today = current_trading_date()
    RiskReport.objects.bulk_create(
        RiskReport(
            account=account,
            as_of=today - timedelta(days=i),
            lookback_days=250,
            currency="USD",
            var_95=500.0 + i,
            var_99=1000.0 + 10 * i,
            es_975=1200.0,
            portfolio_value=12345.0,
            stress={"worst": {"scenario": "equity_crash_1987", "pnl": -2000.0}, "results": {}},
        )
        for i in range(5)
    )
    Alert.objects.create(
        account=account, kind=AlertKind.VAR_LIMIT, message="VaR over the limit", severity="critical"
    )
    other = AccountFactory(code="OTHER-9")
    Alert.objects.create(account=other, kind=AlertKind.VAR_LIMIT, message="someone else's alert")
    return account


def test_the_dashboard_needs_a_login(client):
    res = client.get("/")
    assert res.status_code == 302
    assert "/login/" in res["Location"]


def test_the_dashboard_lists_only_visible_accounts_with_var_and_alerts(client, reported, viewer):
    client.force_login(viewer)
    res = client.get("/")
    html = res.content.decode()
    assert res.status_code == 200
    assert "ACC-1" in html
    assert "OTHER-9" not in html
    assert "1,000" in html  # latest var_99
    assert "VaR over the limit" in html
    assert "someone else" not in html
    assert "<polyline" in html
    assert "cdn" not in html.lower()


def test_the_account_page_shows_positions_reports_and_history(client, reported, owner):
    client.force_login(owner)
    html = client.get("/accounts/ACC-1/").content.decode()
    assert "AAPL" in html
    assert "equity_crash_1987" in html
    assert "<polyline" in html
    assert "Acknowledge" in html


def test_the_account_page_is_404_for_outsiders(client, reported, outsider):
    client.force_login(outsider)
    assert client.get("/accounts/ACC-1/").status_code == 404


def test_a_risk_manager_acknowledges_from_the_dashboard(client, reported, owner):
    client.force_login(owner)
    alert = Alert.objects.get(account=reported)
    res = client.post(f"/alerts/{alert.pk}/acknowledge/", {"next": "/accounts/ACC-1/"})
    assert res.status_code == 302
    assert res["Location"] == "/accounts/ACC-1/"
    alert.refresh_from_db()
    assert alert.state == "acknowledged"
    assert alert.acknowledged_by == owner


def test_a_viewer_cannot_acknowledge_and_outsiders_get_404(client, reported, viewer, outsider):
    alert = Alert.objects.get(account=reported)
    client.force_login(viewer)
    client.post(f"/alerts/{alert.pk}/acknowledge/", {"next": "https://evil.example/"})
    alert.refresh_from_db()
    assert alert.state == "open"
    client.force_login(outsider)
    assert client.post(f"/alerts/{alert.pk}/acknowledge/").status_code == 404


def test_an_offsite_next_is_ignored(client, reported, owner):
    client.force_login(owner)
    alert = Alert.objects.get(account=reported)
    res = client.post(f"/alerts/{alert.pk}/acknowledge/", {"next": "https://evil.example/"})
    assert res["Location"] == "/"


def test_sparkline_scales_into_the_box():
    line = sparkline([1.0, 3.0, 2.0], width=100, height=20)
    assert line.points == "0.0,18.0 50.0,2.0 100.0,10.0"
    assert sparkline([]).points == ""
    assert sparkline([5.0], width=100, height=20).points == "0.0,18.0"
