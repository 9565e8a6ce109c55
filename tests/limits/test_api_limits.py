from __future__ import annotations

from decimal import Decimal

import pytest

from limits.models import LimitChange, LimitSet
from limits.services import limit_set_update
from tests.conftest import client_for
from tests.factories import (
    AccountGroupFactory,
    MembershipFactory,
    StrategyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ACCOUNT_URL = "/api/v1/accounts/ACC-1/limits/"
STRATEGY_URL = "/api/v1/accounts/ACC-1/strategies/momo/limits/"


@pytest.fixture
def strategy(account):
    return StrategyFactory(account=account, code="momo")


def test_owner_reads_empty_limits_with_defaults(owner):
    response = client_for(owner).get(ACCOUNT_URL)
    assert response.status_code == 200
    body = response.json()
    assert body["max_order_quantity"] is None
    assert body["warn_utilization_pct"] == "80"
    assert body["restricted_symbols"] == []
    assert body["scope"] == "account"
    assert body["base_currency"] == "USD"


def test_viewer_reads_limits_as_decimal_strings(viewer, account):
    limit_set_update(
        target=account,
        values={"max_position_notional": "1000000.50", "max_orders_per_minute": 30},
        reason="r",
        changed_by=None,
    )
    body = client_for(viewer).get(ACCOUNT_URL).json()
    assert body["max_position_notional"] == "1000000.5"
    assert body["max_orders_per_minute"] == 30
    assert body["effective"]["max_position_notional"] == "1000000.5"


def test_owner_patches_only_given_fields_and_history_names_them(owner, account):
    limit_set_update(target=account, values={"max_var": "5"}, reason="r", changed_by=None)
    response = client_for(owner).patch(
        ACCOUNT_URL,
        {"max_order_quantity": 500, "price_collar_pct": "5", "reason": "desk request"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["max_order_quantity"] == "500"
    assert body["price_collar_pct"] == "5"
    assert body["max_var"] == "5"
    assert "reason" not in body
    change = LimitChange.objects.get(field="max_order_quantity")
    assert (change.changed_by, change.reason, change.source) == (owner, "desk request", "api")


def test_patch_without_reason_records_the_default_reason(owner):
    response = client_for(owner).patch(ACCOUNT_URL, {"max_var": "10"}, format="json")
    assert response.status_code == 200
    assert LimitChange.objects.get().reason == "via API"


def test_put_replaces_every_field(owner, account):
    limit_set_update(
        target=account, values={"max_var": "5", "max_leverage": "3"}, reason="r", changed_by=None
    )
    response = client_for(owner).put(ACCOUNT_URL, {"max_leverage": "4"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["max_var"] is None
    assert body["max_leverage"] == "4"


def test_null_removes_a_limit(owner, account):
    limit_set_update(target=account, values={"max_var": "5"}, reason="r", changed_by=None)
    response = client_for(owner).patch(ACCOUNT_URL, {"max_var": None}, format="json")
    assert response.json()["max_var"] is None
    assert LimitSet.objects.get().max_var is None


@pytest.mark.parametrize(
    ("payload", "bad_fields"),
    [
        ({"max_order_quantity": "-1"}, ["max_order_quantity"]),
        ({"max_order_notional": "lots"}, ["max_order_notional"]),
        ({"warn_utilization_pct": 0}, ["warn_utilization_pct"]),
        ({"warn_utilization_pct": 101}, ["warn_utilization_pct"]),
        ({"price_collar_pct": "0"}, ["price_collar_pct"]),
        ({"max_orders_per_minute": 2.5}, ["max_orders_per_minute"]),
        ({"restricted_symbols": "AAPL"}, ["restricted_symbols"]),
        ({"max_var": "1", "max_limit_of_fun": 3}, ["max_limit_of_fun"]),
        ({"max_var": "-1", "max_leverage": "x"}, ["max_leverage", "max_var"]),
    ],
)
def test_bad_input_is_400_naming_each_field_and_writes_nothing(owner, payload, bad_fields):
    response = client_for(owner).patch(ACCOUNT_URL, payload, format="json")
    assert response.status_code == 400
    assert sorted(response.json()) == bad_fields
    assert not LimitSet.objects.exists()
    assert not LimitChange.objects.exists()


def test_restricted_symbols_keep_their_case_and_may_name_unknown_symbols(owner):
    response = client_for(owner).patch(
        ACCOUNT_URL, {"restricted_symbols": ["brk.b", "NOT-LISTED-YET", "brk.b"]}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["restricted_symbols"] == ["NOT-LISTED-YET", "brk.b"]


def test_viewer_and_trader_may_not_write(viewer, trader):
    for user in (viewer, trader):
        response = client_for(user).patch(ACCOUNT_URL, {"max_var": "1"}, format="json")
        assert response.status_code == 403
    assert not LimitChange.objects.exists()


def test_member_of_another_account_gets_404(outsider):
    assert client_for(outsider).get(ACCOUNT_URL).status_code == 404
    assert client_for(outsider).patch(ACCOUNT_URL, {"max_var": "1"}, format="json").status_code == 404
    assert not LimitSet.objects.exists()


def test_anonymous_gets_401(api_client, account):
    assert api_client.get(ACCOUNT_URL).status_code == 401
    assert api_client.put(ACCOUNT_URL, {}, format="json").status_code == 401


def test_staff_may_write_any_account(staff, account):
    response = client_for(staff).patch(ACCOUNT_URL, {"max_var": "1"}, format="json")
    assert response.status_code == 200


# --- strategies --------------------------------------------------------------------------------


def test_owner_sets_strategy_limits(owner, strategy):
    response = client_for(owner).put(STRATEGY_URL, {"max_position_quantity": "100"}, format="json")
    assert response.status_code == 200
    assert response.json()["scope"] == "strategy"
    assert LimitSet.objects.get(strategy=strategy).max_position_quantity == Decimal("100")


def test_unknown_strategy_is_404(owner):
    assert client_for(owner).get("/api/v1/accounts/ACC-1/strategies/nope/limits/").status_code == 404


def test_strategy_limits_follow_the_account_rules(viewer, outsider, api_client, strategy):
    assert client_for(viewer).get(STRATEGY_URL).status_code == 200
    assert client_for(viewer).patch(STRATEGY_URL, {"max_var": "1"}, format="json").status_code == 403
    assert client_for(outsider).get(STRATEGY_URL).status_code == 404
    assert api_client.get(STRATEGY_URL).status_code == 401


# --- groups ------------------------------------------------------------------------------------


@pytest.fixture
def desk(account):
    group = AccountGroupFactory(code="DESK-A", base_currency="EUR")
    group.accounts.add(account)
    return group


def test_risk_manager_of_every_account_writes_group_limits(owner, desk):
    response = client_for(owner).patch(
        "/api/v1/groups/DESK-A/limits/", {"max_gross_exposure": "5e6"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["max_gross_exposure"] == "5000000"
    assert body["base_currency"] == "EUR"


def test_group_with_an_account_the_user_does_not_manage_is_403_for_writes(owner, desk):
    other = MembershipFactory(role="viewer").account
    desk.accounts.add(other)
    client = client_for(owner)
    assert client.get("/api/v1/groups/DESK-A/limits/").status_code == 200
    assert client.patch("/api/v1/groups/DESK-A/limits/", {"max_var": "1"}, format="json").status_code == 403


def test_group_limits_are_404_for_viewers_and_outsiders(viewer, outsider, api_client, desk):
    assert client_for(viewer).get("/api/v1/groups/DESK-A/limits/").status_code == 404
    assert client_for(outsider).get("/api/v1/groups/DESK-A/limits/").status_code == 404
    assert api_client.get("/api/v1/groups/DESK-A/limits/").status_code == 401


def test_group_limits_reject_bad_input(owner, desk):
    response = client_for(owner).patch("/api/v1/groups/DESK-A/limits/", {"max_var": "-3"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["max_var"]


# --- history -----------------------------------------------------------------------------------


def test_history_lists_changes_newest_first_with_who_and_why(owner, viewer, account):
    client_for(owner).patch(ACCOUNT_URL, {"max_var": "1", "reason": "first"}, format="json")
    client_for(owner).patch(ACCOUNT_URL, {"max_var": "2", "reason": "second"}, format="json")
    response = client_for(viewer).get(ACCOUNT_URL + "history/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["old_value"], r["new_value"], r["reason"]) for r in rows] == [
        ("1", "2", "second"),
        (None, "1", "first"),
    ]
    assert rows[0]["changed_by"] == "owner"
    assert rows[0]["field"] == "max_var"
    assert rows[0]["scope"] == "account"


def test_history_filters_by_field(owner, account):
    client_for(owner).patch(ACCOUNT_URL, {"max_var": "1", "max_leverage": "2"}, format="json")
    rows = client_for(owner).get(ACCOUNT_URL + "history/?field=max_leverage").json()["results"]
    assert [r["field"] for r in rows] == ["max_leverage"]


def test_history_is_scoped(outsider, api_client, strategy, owner, desk):
    client_for(owner).patch(STRATEGY_URL, {"max_var": "1"}, format="json")
    assert len(client_for(owner).get(STRATEGY_URL + "history/").json()["results"]) == 1
    assert client_for(owner).get(ACCOUNT_URL + "history/").json()["results"] == []
    assert client_for(owner).get("/api/v1/groups/DESK-A/limits/history/").status_code == 200
    assert client_for(outsider).get(ACCOUNT_URL + "history/").status_code == 404
    assert client_for(outsider).get("/api/v1/groups/DESK-A/limits/history/").status_code == 404
    assert api_client.get(STRATEGY_URL + "history/").status_code == 401


def test_another_users_account_groups_are_invisible(desk):
    stranger = UserFactory(username="stranger")
    assert client_for(stranger).get("/api/v1/groups/DESK-A/limits/history/").status_code == 404
