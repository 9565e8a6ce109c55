from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from limits.models import LimitChange, LimitSet
from limits.selectors import effective_limits
from limits.services import limit_set_update
from tests.factories import AccountFactory, AccountGroupFactory, StrategyFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_it_creates_the_limit_set_and_logs_each_changed_field():
    account = AccountFactory()
    user = UserFactory(username="rm")
    limit_set_update(
        target=account,
        values={"max_order_quantity": "1000", "restricted_symbols": ["XYZ", "ABC"]},
        reason="new desk",
        changed_by=user,
    )
    limit_set = LimitSet.objects.get(account=account)
    assert limit_set.max_order_quantity == Decimal("1000")
    assert limit_set.restricted_symbols == ["ABC", "XYZ"]
    changes = {c.field: c for c in LimitChange.objects.all()}
    assert set(changes) == {"max_order_quantity", "restricted_symbols"}
    quantity = changes["max_order_quantity"]
    assert (quantity.old_value, quantity.new_value) == (None, "1000")
    assert quantity.changed_by == user
    assert quantity.reason == "new desk"
    assert quantity.source == "api"
    assert quantity.scope_kind == "account"
    assert changes["restricted_symbols"].new_value == ["ABC", "XYZ"]


def test_it_logs_nothing_for_values_that_do_not_change():
    account = AccountFactory()
    limit_set_update(target=account, values={"max_leverage": "4"}, reason="a", changed_by=None)
    limit_set_update(target=account, values={"max_leverage": "4.000"}, reason="b", changed_by=None)
    assert LimitChange.objects.count() == 1


def test_it_logs_old_and_new_values_of_a_change():
    account = AccountFactory()
    limit_set_update(target=account, values={"max_daily_loss": "50000"}, reason="a", changed_by=None)
    limit_set_update(target=account, values={"max_daily_loss": None}, reason="b", changed_by=None)
    latest = LimitChange.objects.first()
    assert (latest.old_value, latest.new_value, latest.reason) == ("50000", None, "b")


def test_replace_sets_missing_fields_to_no_limit_and_warn_to_default():
    account = AccountFactory()
    limit_set_update(
        target=account,
        values={"max_order_quantity": "10", "max_var": "5", "warn_utilization_pct": "90"},
        reason="a",
        changed_by=None,
    )
    limit_set = limit_set_update(
        target=account, values={"max_var": "6"}, reason="b", changed_by=None, replace=True
    )
    assert limit_set.max_order_quantity is None
    assert limit_set.max_var == Decimal("6")
    assert limit_set.warn_utilization_pct == Decimal("80")


@pytest.mark.parametrize("factory", [StrategyFactory, AccountGroupFactory])
def test_strategy_and_group_scopes_get_their_own_sets(factory):
    target = factory()
    limit_set_update(target=target, values={"max_gross_exposure": "1e6"}, reason="r", changed_by=None)
    limit_set = LimitSet.objects.get()
    assert limit_set.max_gross_exposure == Decimal("1000000")
    assert limit_set.account is None


@pytest.mark.parametrize(
    ("values", "bad_field"),
    [
        ({"max_order_quantity": "-1"}, "max_order_quantity"),
        ({"max_order_quantity": "abc"}, "max_order_quantity"),
        ({"max_order_quantity": True}, "max_order_quantity"),
        ({"max_order_quantity": "1.00000000001"}, "max_order_quantity"),
        ({"price_collar_pct": "0"}, "price_collar_pct"),
        ({"warn_utilization_pct": "0"}, "warn_utilization_pct"),
        ({"warn_utilization_pct": "100.5"}, "warn_utilization_pct"),
        ({"max_orders_per_minute": "1.5"}, "max_orders_per_minute"),
        ({"max_orders_per_minute": 0}, "max_orders_per_minute"),
        ({"restricted_symbols": "AAPL"}, "restricted_symbols"),
        ({"restricted_symbols": ["AAPL", 3]}, "restricted_symbols"),
        ({"max_speed": "1"}, "max_speed"),
    ],
)
def test_it_rejects_bad_values_naming_the_field_and_writes_nothing(values, bad_field):
    account = AccountFactory()
    with pytest.raises(ValidationError) as exc:
        limit_set_update(target=account, values={"max_var": "1", **values}, reason="r", changed_by=None)
    assert list(exc.value.message_dict) == [bad_field]
    assert not LimitSet.objects.exists()
    assert not LimitChange.objects.exists()


def test_it_requires_a_reason():
    with pytest.raises(ValidationError) as exc:
        limit_set_update(target=AccountFactory(), values={"max_var": "1"}, reason=" ", changed_by=None)
    assert "reason" in exc.value.message_dict
    assert not LimitChange.objects.exists()


def test_a_failed_transaction_rolls_back_limits_and_history_together():
    account = AccountFactory()

    def change_then_fail() -> None:
        with transaction.atomic():
            limit_set_update(target=account, values={"max_var": "1"}, reason="r", changed_by=None)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert not LimitSet.objects.exists()
    assert not LimitChange.objects.exists()


def test_the_next_read_sees_a_change(django_capture_on_commit_callbacks):
    account = AccountFactory()
    assert effective_limits(account=account).max_var is None
    with django_capture_on_commit_callbacks(execute=True):
        limit_set_update(target=account, values={"max_var": "100"}, reason="r", changed_by=None)
    assert effective_limits(account=account).max_var == Decimal("100")
    with django_capture_on_commit_callbacks(execute=True):
        limit_set_update(target=account, values={"max_var": "200"}, reason="r", changed_by=None)
    assert effective_limits(account=account).max_var == Decimal("200")
