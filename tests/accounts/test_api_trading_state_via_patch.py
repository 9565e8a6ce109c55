"""A trading state changed through the account or strategy resource goes through the kill-switch log."""

from __future__ import annotations

import pytest

from limits.models import TradingStateChange
from tests.conftest import client_for
from tests.factories import StrategyFactory

pytestmark = pytest.mark.django_db


def test_patching_the_state_is_logged_with_the_reason_and_the_user(account, owner) -> None:
    response = client_for(owner).patch(
        "/api/v1/accounts/ACC-1/", {"trading_state": "halted", "reason": "desk review"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["trading_state"] == "halted"
    account.refresh_from_db()
    assert account.trading_state == "halted"
    change = TradingStateChange.objects.get(account=account)
    assert (change.old_state, change.new_state, change.reason, change.changed_by) == (
        "active",
        "halted",
        "desk review",
        owner,
    )


def test_a_state_patch_without_a_reason_gets_a_default_one(account, owner) -> None:
    client_for(owner).patch("/api/v1/accounts/ACC-1/", {"trading_state": "reduce_only"}, format="json")

    assert TradingStateChange.objects.get(account=account).reason == "via account PATCH"


def test_patching_other_fields_writes_no_state_change(account, owner) -> None:
    client_for(owner).patch("/api/v1/accounts/ACC-1/", {"name": "Renamed"}, format="json")

    assert not TradingStateChange.objects.exists()


def test_a_trader_cannot_flip_the_kill_switch_through_the_account(account, trader) -> None:
    response = client_for(trader).patch("/api/v1/accounts/ACC-1/", {"trading_state": "active"}, format="json")

    assert response.status_code == 403
    assert not TradingStateChange.objects.exists()


def test_an_account_created_halted_is_logged(staff) -> None:
    response = client_for(staff).post(
        "/api/v1/accounts/",
        {
            "code": "NEW-1",
            "name": "New",
            "base_currency": "USD",
            "trading_state": "halted",
            "reason": "onboarding",
        },
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["trading_state"] == "halted"
    assert TradingStateChange.objects.get(account__code="NEW-1").reason == "onboarding"


def test_patching_a_strategy_state_is_logged(account, owner) -> None:
    strategy = StrategyFactory(account=account, code="momo")

    response = client_for(owner).patch(
        "/api/v1/accounts/ACC-1/strategies/momo/", {"trading_state": "halted"}, format="json"
    )

    assert response.status_code == 200
    strategy.refresh_from_db()
    assert strategy.trading_state == "halted"
    assert TradingStateChange.objects.get(strategy=strategy).new_state == "halted"
