"""The interfaces a lower app owns and a higher one implements at start-up (apps import one way)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib import admin
from django.core.exceptions import ImproperlyConfigured

from accounts import services as account_services
from accounts import trading_state
from accounts.models import Account, AccountGroup, Strategy
from limits import risk_figures, utilization
from limits.admin_actions import register_trading_state_actions, trading_state_actions
from limits.models import TradingStateChange
from limits.services import limit_set_update, trading_state_set
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_limits_provides_the_kill_switch_that_accounts_calls() -> None:
    assert trading_state.trading_state_switch() is trading_state_set


def test_an_account_created_halted_goes_through_the_registered_switch_and_its_audit_row() -> None:
    account = account_services.account_create(
        code="HALTED-1", name="Halted", base_currency="USD", trading_state="halted", reason="new desk"
    )

    assert account.trading_state == "halted"
    change = TradingStateChange.objects.get(account=account)
    assert (change.old_state, change.new_state, change.reason) == ("active", "halted", "new desk")


def test_without_a_registered_switch_a_state_change_is_refused_not_written_silently(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(trading_state, "_switch", None)
    account = AccountFactory(code="NO-SWITCH")

    with pytest.raises(ImproperlyConfigured, match="limits"):
        account_services.account_update(account=account, changed_by=None, trading_state="halted")

    account.refresh_from_db()
    assert account.trading_state == "active"


@pytest.mark.parametrize("model", [Account, Strategy, AccountGroup])
def test_limits_adds_the_kill_switch_actions_to_the_accounts_admins_once(model: type) -> None:
    model_admin = admin.site.get_model_admin(model)

    register_trading_state_actions()  # again: idempotent

    names = [getattr(action, "__name__", action) for action in model_admin.actions]
    assert names.count("trading_state_halted") == 1
    assert all(action in model_admin.actions for action in trading_state_actions)


def test_analytics_provides_the_latest_var_behind_the_use_of_max_var(monkeypatch: pytest.MonkeyPatch) -> None:
    from analytics.apps import _latest_var_99

    assert risk_figures._latest_var is _latest_var_99
    account = AccountFactory(code="VAR-1")
    limit_set_update(target=account, values={"max_var": "1000"}, reason="r", changed_by=None)
    monkeypatch.setattr(risk_figures, "_latest_var", lambda account_id, currency: Decimal("250"))

    assert utilization.limit_utilization(account=account) == {"max_var": Decimal("25.00")}


def test_without_a_var_source_the_use_of_max_var_is_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    account = AccountFactory(code="VAR-2")
    limit_set_update(target=account, values={"max_var": "1000"}, reason="r", changed_by=None)
    monkeypatch.setattr(risk_figures, "_latest_var", risk_figures._unknown)

    assert utilization.limit_utilization(account=account) == {"max_var": None}
