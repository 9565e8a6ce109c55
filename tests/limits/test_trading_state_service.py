from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from limits.models import TradingStateChange
from limits.services import trading_state_set
from tests.factories import AccountFactory, AccountGroupFactory, StrategyFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_it_sets_an_account_state_and_logs_old_new_who_why():
    account = AccountFactory(code="ACC-1")
    user = UserFactory(username="rm")
    change = trading_state_set(target=account, state="halted", reason="runaway algo", changed_by=user)
    account.refresh_from_db()
    assert account.trading_state == "halted"
    assert (change.account, change.old_state, change.new_state) == (account, "active", "halted")
    assert change.reason == "runaway algo"
    assert change.changed_by == user
    assert change.source == "api"
    assert change.scope_kind == "account"


@pytest.mark.parametrize("factory", [StrategyFactory, AccountGroupFactory])
def test_it_sets_strategy_and_group_states(factory):
    target = factory()
    trading_state_set(target=target, state="reduce_only", reason="drawdown", changed_by=None, source="admin")
    target.refresh_from_db()
    assert target.trading_state == "reduce_only"
    change = TradingStateChange.objects.get()
    assert change.new_state == "reduce_only"
    assert change.source == "admin"
    assert change.changed_by is None


def test_the_log_row_records_the_state_it_replaced():
    account = AccountFactory()
    trading_state_set(target=account, state="halted", reason="one", changed_by=None)
    second = trading_state_set(target=account, state="active", reason="two", changed_by=None)
    assert (second.old_state, second.new_state) == ("halted", "active")


@pytest.mark.parametrize(
    ("state", "reason", "bad_field"),
    [("stopped", "why", "state"), ("halted", "   ", "reason"), ("halted", "", "reason")],
)
def test_it_rejects_bad_input_and_writes_nothing(state, reason, bad_field):
    account = AccountFactory()
    with pytest.raises(ValidationError) as exc:
        trading_state_set(target=account, state=state, reason=reason, changed_by=None)
    assert bad_field in exc.value.message_dict
    account.refresh_from_db()
    assert account.trading_state == "active"
    assert not TradingStateChange.objects.exists()


def test_a_rolled_back_transaction_leaves_neither_state_nor_log():
    account = AccountFactory()

    def halt_then_fail() -> None:
        with transaction.atomic():
            trading_state_set(target=account, state="halted", reason="test", changed_by=None)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        halt_then_fail()
    account.refresh_from_db()
    assert account.trading_state == "active"
    assert not TradingStateChange.objects.exists()
