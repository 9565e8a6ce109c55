from __future__ import annotations

import pytest

from limits.models import TradingStateChange
from tests.conftest import client_for
from tests.factories import AccountGroupFactory, MembershipFactory, StrategyFactory

pytestmark = pytest.mark.django_db

ACCOUNT_URL = "/api/v1/accounts/ACC-1/trading-state/"
STRATEGY_URL = "/api/v1/accounts/ACC-1/strategies/momo/trading-state/"
GROUP_URL = "/api/v1/groups/DESK-A/trading-state/"


@pytest.fixture
def strategy(account):
    return StrategyFactory(account=account, code="momo")


@pytest.fixture
def desk(account):
    group = AccountGroupFactory(code="DESK-A")
    group.accounts.add(account)
    return group


def test_owner_halts_the_account_and_the_log_says_who_and_why(owner, account):
    response = client_for(owner).post(ACCOUNT_URL, {"state": "halted", "reason": "fat finger"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["trading_state"] == "halted"
    assert body["changes"][0]["old_state"] == "active"
    assert body["changes"][0]["new_state"] == "halted"
    assert body["changes"][0]["changed_by"] == "owner"
    assert body["changes"][0]["reason"] == "fat finger"
    account.refresh_from_db()
    assert account.trading_state == "halted"


def test_viewer_reads_the_state_and_log(owner, viewer):
    client_for(owner).post(ACCOUNT_URL, {"state": "reduce_only", "reason": "drawdown"}, format="json")
    response = client_for(viewer).get(ACCOUNT_URL)
    assert response.status_code == 200
    assert response.json()["trading_state"] == "reduce_only"
    assert len(response.json()["changes"]) == 1


def test_viewer_and_trader_may_not_switch(viewer, trader, account):
    for user in (viewer, trader):
        response = client_for(user).post(ACCOUNT_URL, {"state": "halted", "reason": "x"}, format="json")
        assert response.status_code == 403
    account.refresh_from_db()
    assert account.trading_state == "active"
    assert not TradingStateChange.objects.exists()


def test_outsider_gets_404_and_anonymous_401(outsider, api_client, account):
    assert (
        client_for(outsider).post(ACCOUNT_URL, {"state": "halted", "reason": "x"}, format="json").status_code
        == 404
    )
    assert client_for(outsider).get(ACCOUNT_URL).status_code == 404
    assert api_client.post(ACCOUNT_URL, {"state": "halted", "reason": "x"}, format="json").status_code == 401
    assert not TradingStateChange.objects.exists()


@pytest.mark.parametrize(
    ("payload", "bad_fields"),
    [
        ({"state": "stopped", "reason": "x"}, ["state"]),
        ({"state": "halted"}, ["reason"]),
        ({"state": "halted", "reason": ""}, ["reason"]),
        ({"state": "halted", "reason": "x", "until": "never"}, ["until"]),
    ],
)
def test_bad_input_is_400_naming_the_field(owner, account, payload, bad_fields):
    response = client_for(owner).post(ACCOUNT_URL, payload, format="json")
    assert response.status_code == 400
    assert sorted(response.json()) == bad_fields
    assert not TradingStateChange.objects.exists()


def test_owner_switches_a_strategy(owner, viewer, outsider, strategy):
    response = client_for(owner).post(STRATEGY_URL, {"state": "halted", "reason": "bug"}, format="json")
    assert response.status_code == 200
    strategy.refresh_from_db()
    assert strategy.trading_state == "halted"
    assert TradingStateChange.objects.get().strategy == strategy
    assert (
        client_for(viewer).post(STRATEGY_URL, {"state": "active", "reason": "x"}, format="json").status_code
        == 403
    )
    assert client_for(outsider).get(STRATEGY_URL).status_code == 404


def test_risk_manager_of_every_account_switches_the_group(owner, desk):
    response = client_for(owner).post(GROUP_URL, {"state": "halted", "reason": "desk stop"}, format="json")
    assert response.status_code == 200
    desk.refresh_from_db()
    assert desk.trading_state == "halted"


def test_group_switch_needs_every_account(owner, desk, account):
    desk.accounts.add(MembershipFactory(role="viewer").account)
    response = client_for(owner).post(GROUP_URL, {"state": "halted", "reason": "x"}, format="json")
    assert response.status_code == 403
    desk.refresh_from_db()
    assert desk.trading_state == "active"


def test_group_switch_is_404_for_viewers_and_outsiders(viewer, outsider, api_client, desk):
    assert (
        client_for(viewer).post(GROUP_URL, {"state": "halted", "reason": "x"}, format="json").status_code
        == 404
    )
    assert client_for(outsider).get(GROUP_URL).status_code == 404
    assert api_client.get(GROUP_URL).status_code == 401


def test_staff_switches_any_group(staff, desk):
    response = client_for(staff).post(GROUP_URL, {"state": "reduce_only", "reason": "x"}, format="json")
    assert response.status_code == 200
