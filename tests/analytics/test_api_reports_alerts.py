from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from analytics.models import Alert, AlertKind, RiskReport
from tests.analytics.helpers import hold, listed
from tests.conftest import client_for
from tests.factories import AccountFactory, MembershipFactory, UserFactory

REPORTS = "/api/v1/accounts/ACC-1/risk/reports/"
BACKTEST = "/api/v1/accounts/ACC-1/risk/backtest/"
pytestmark = pytest.mark.django_db


def _reports(account, n, start=date(2025, 1, 1), **fields):
    return RiskReport.objects.bulk_create(
        RiskReport(
            account=account,
            as_of=start + timedelta(days=i),
            lookback_days=250,
            currency="USD",
            **{k: (v(i) if callable(v) else v) for k, v in fields.items()},
        )
        for i in range(n)
    )


def test_reports_are_listed_newest_first_and_paginated(account, viewer):
    _reports(account, 5, var_99=lambda i: float(i))
    _reports(AccountFactory(code="ACC-2"), 2)
    body = client_for(viewer).get(REPORTS, {"limit": 3}).json()
    assert body["count"] == 5
    assert [r["as_of"] for r in body["results"]] == ["2025-01-05", "2025-01-04", "2025-01-03"]
    assert body["results"][0]["var_99"] == 4.0
    assert body["results"][0]["account"] == "ACC-1"
    assert body["next"] is not None


def test_reports_hide_the_account_from_outsiders(account, outsider, api_client):
    _reports(account, 1)
    assert client_for(outsider).get(REPORTS).status_code == 404
    assert api_client.get(REPORTS).status_code == 401


def test_backtest_uses_stored_reports_when_enough_exist(account, viewer):
    # 250 reports, VaR 1.0; every 25th day lost 2.0: 10 exceptions, the start of the red zone.
    _reports(account, 250, var_99=1.0, var_95=0.5, realized_pnl=lambda i: -2.0 if i % 25 == 0 else 0.3)
    body = client_for(viewer).get(BACKTEST, {"confidence": "0.99", "days": 250}).json()
    assert body["source"] == "reports"
    assert body["observations"] == 250
    assert body["exceptions"] == 10
    assert body["traffic_light"] == "red"
    assert 0 <= body["kupiec_p_value"] < 0.01
    assert 0 <= body["christoffersen_p_value"] <= 1


def test_backtest_falls_back_to_rolling_historical_var_over_history(account, viewer):
    hold(account, listed("AAPL", days=400, seed=5), "100")
    _reports(account, 10, var_99=1.0, realized_pnl=0.0)  # too few to use
    res = client_for(viewer).get(BACKTEST, {"days": 120})
    assert res.status_code == 200, res.json()
    body = res.json()
    assert body["source"] == "rolling_historical"
    assert body["window_days"] == 250
    assert body["observations"] == 120
    assert body["traffic_light"] in ("green", "yellow", "red")
    assert 0 <= body["exceptions"] <= 120


def test_backtest_without_enough_history_is_422(account, viewer):
    hold(account, listed("AAPL", days=300, seed=5), "100")
    res = client_for(viewer).get(BACKTEST, {"days": 250})
    assert res.status_code == 422
    assert res.json()["code"] == "insufficient_history"
    assert res.json()["missing"] == {"AAPL": 201}


@pytest.mark.parametrize(("params", "field"), [({"confidence": "2"}, "confidence"), ({"days": "1"}, "days")])
def test_backtest_rejects_bad_parameters(account, viewer, params, field):
    res = client_for(viewer).get(BACKTEST, params)
    assert res.status_code == 400
    assert field in res.json()


def test_backtest_of_an_empty_account_is_green(account, viewer):
    body = client_for(viewer).get(BACKTEST).json()
    assert body["exceptions"] == 0
    assert body["traffic_light"] == "green"


def test_backtest_hides_the_account_from_outsiders(account, outsider, api_client):
    assert client_for(outsider).get(BACKTEST).status_code == 404
    assert api_client.get(BACKTEST).status_code == 401


@pytest.fixture
def alerts(account):
    other = AccountFactory(code="OTHER-1")
    mine = Alert.objects.create(
        account=account, kind=AlertKind.VAR_LIMIT, message="over", value=2.0, threshold=1.0
    )
    done = Alert.objects.create(
        account=account,
        kind=AlertKind.REPORT_FAILED,
        key="x",
        message="failed",
        state="acknowledged",
        acknowledged_at=timezone.now(),
    )
    theirs = Alert.objects.create(account=other, kind=AlertKind.VAR_LIMIT, message="theirs")
    return mine, done, theirs


def test_alerts_are_scoped_to_visible_accounts(alerts, viewer):
    mine, done, _ = alerts
    body = client_for(viewer).get("/api/v1/alerts/").json()
    assert [a["id"] for a in body["results"]] == [done.pk, mine.pk]
    body = client_for(viewer).get("/api/v1/alerts/", {"state": "open"}).json()
    assert [a["id"] for a in body["results"]] == [mine.pk]
    assert body["results"][0]["account"] == "ACC-1"
    assert client_for(viewer).get("/api/v1/alerts/", {"account": "OTHER-1"}).json()["results"] == []


def test_alerts_reject_a_bad_state(alerts, viewer):
    res = client_for(viewer).get("/api/v1/alerts/", {"state": "closed"})
    assert res.status_code == 400
    assert "state" in res.json()


def test_staff_see_every_alert(alerts, staff):
    assert client_for(staff).get("/api/v1/alerts/").json()["count"] == 3


def test_a_risk_manager_acknowledges_an_alert(alerts, owner):
    mine = alerts[0]
    res = client_for(owner).post(f"/api/v1/alerts/{mine.pk}/acknowledge/")
    assert res.status_code == 200, res.json()
    assert res.json()["state"] == "acknowledged"
    assert res.json()["acknowledged_by"] == "owner"
    mine.refresh_from_db()
    first = mine.acknowledged_at
    assert client_for(owner).post(f"/api/v1/alerts/{mine.pk}/acknowledge/").status_code == 200
    mine.refresh_from_db()
    assert mine.acknowledged_at == first


def test_viewers_may_not_acknowledge(alerts, viewer, trader):
    mine = alerts[0]
    assert client_for(viewer).post(f"/api/v1/alerts/{mine.pk}/acknowledge/").status_code == 403
    assert client_for(trader).post(f"/api/v1/alerts/{mine.pk}/acknowledge/").status_code == 403
    mine.refresh_from_db()
    assert mine.state == "open"


def test_alerts_of_other_accounts_are_404(alerts, owner, outsider, api_client):
    theirs = alerts[2]
    assert client_for(owner).post(f"/api/v1/alerts/{theirs.pk}/acknowledge/").status_code == 404
    assert client_for(owner).post("/api/v1/alerts/999999/acknowledge/").status_code == 404
    stranger = UserFactory(username="stranger")
    MembershipFactory(user=stranger, account=AccountFactory(code="ACC-9"), role="risk_manager")
    assert client_for(stranger).post(f"/api/v1/alerts/{alerts[0].pk}/acknowledge/").status_code == 404
    assert api_client.post(f"/api/v1/alerts/{alerts[0].pk}/acknowledge/").status_code == 401
    assert api_client.get("/api/v1/alerts/").status_code == 401
