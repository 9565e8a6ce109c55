"""Every surface asks the one permission gate: change the gate's table and each surface follows.

The statuses themselves (404 invisible, 403 not allowed, per role) are covered endpoint by endpoint
elsewhere; here, one test per surface shows that it decides through `accounts.scoping` and holds no
rule of its own. `ROLES_FOR_ACTION` is widened (traders may manage) or narrowed (only risk managers
trade) for the test.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Account, AccountGroup
from accounts.scoping import ROLES_FOR_ACTION, Action, Role
from analytics.models import Alert, AlertKind
from analytics.services.alerts import alert_recipients
from tests.conftest import client_for
from tests.factories import AccountGroupFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def traders_manage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(ROLES_FOR_ACTION, Action.MANAGE, frozenset({Role.TRADER, Role.RISK_MANAGER}))


@pytest.fixture
def alert(account: Account) -> Alert:
    return Alert.objects.create(account=account, kind=AlertKind.VAR_LIMIT, message="over", value=2.0)


def test_account_api_views_decide_through_the_gate(account, trader, traders_manage) -> None:
    response = client_for(trader).patch(
        "/api/v1/accounts/ACC-1/limits/", {"max_order_quantity": "10"}, format="json"
    )

    assert response.status_code == 200  # 403 with the contract's table


def test_the_check_api_decides_through_the_gate(account, trader, monkeypatch) -> None:
    monkeypatch.setitem(ROLES_FOR_ACTION, Action.TRADE, frozenset({Role.RISK_MANAGER}))
    order = {"account": "ACC-1", "symbol": "AAPL", "side": "buy", "quantity": "1", "price": "1"}

    assert client_for(trader).post("/api/v1/checks/", order, format="json").status_code == 403


def test_alert_acknowledgement_decides_through_the_gate(alert, trader, traders_manage) -> None:
    response = client_for(trader).post(f"/api/v1/alerts/{alert.pk}/acknowledge/")

    assert response.status_code == 200  # 403 with the contract's table
    alert.refresh_from_db()
    assert alert.state == "acknowledged"


def test_group_views_decide_through_the_gate(account, trader, traders_manage) -> None:
    group = AccountGroupFactory(code="DESK")
    group.accounts.add(account)
    client = client_for(trader)

    assert client.get("/api/v1/groups/").json()["results"][0]["code"] == "DESK"
    assert client.get("/api/v1/groups/DESK/").status_code == 200  # 404 with the contract's table
    response = client.post(
        "/api/v1/groups/DESK/trading-state/", {"state": "halted", "reason": "test"}, format="json"
    )
    assert response.status_code == 200
    assert AccountGroup.objects.get(code="DESK").trading_state == "halted"


def test_dashboards_decide_through_the_gate(client, account, alert, trader, traders_manage) -> None:
    client.force_login(trader)

    page = client.get("/accounts/ACC-1/")
    assert page.context["can_acknowledge"] is True
    client.post(f"/alerts/{alert.pk}/acknowledge/")
    alert.refresh_from_db()
    assert alert.state == "acknowledged"


def test_alert_emails_go_to_whoever_the_gate_lets_manage(account, owner, trader, traders_manage) -> None:
    assert set(alert_recipients(account=account)) == {owner.email, trader.email}


def test_the_kill_switch_admin_action_asks_the_gate(admin_client, account, monkeypatch) -> None:
    monkeypatch.setattr("limits.admin_actions.can", lambda user, target, action: False)
    url = reverse("admin:accounts_account_changelist")
    selection = {"action": "trading_state_halted", "_selected_action": [str(account.pk)]}

    response = admin_client.post(url, {**selection, "confirm": "yes", "reason": "market halt"})

    assert response.status_code == 403
    account.refresh_from_db()
    assert account.trading_state == "active"


def test_the_alert_admin_action_asks_the_gate(admin_client, alert, monkeypatch) -> None:
    monkeypatch.setattr("analytics.admin.can", lambda user, account, action: False)
    url = reverse("admin:analytics_alert_changelist")

    admin_client.post(url, {"action": "acknowledge", "_selected_action": [str(alert.pk)]})

    alert.refresh_from_db()
    assert alert.state == "open"


def test_reference_data_writes_are_firm_wide_through_the_gate(account, owner) -> None:
    instrument = {"symbol": "ZZZ", "asset_class": "equity", "currency": "USD"}

    assert client_for(owner).post("/api/v1/instruments/", instrument, format="json").status_code == 403
    owner.is_superuser = True  # firm-wide without being staff
    owner.save()
    assert client_for(owner).post("/api/v1/instruments/", instrument, format="json").status_code == 201
